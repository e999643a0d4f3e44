"""The template's EventBridge schedules, run locally: moto stores rules but never fires them.

Each AWS::Events::Rule with a schedule and a Lambda target becomes a timer that invokes the target's
handler (through the HandlerBridge, as EventBridge's asynchronous invocation would) with the
target's Input at the rule's rate, or at the period given for it (the dev stack runs the watchlist
rescans every minute).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

from devstack.aws import HandlerBridge, LocalFunction, LocalResources

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LocalRule:
    logical_id: str
    schedule: str  # the template's ScheduleExpression, e.g. "rate(6 hours)"
    function: LocalFunction
    event: dict[str, Any]


def scheduled_rules(template: dict[str, Any], resources: LocalResources) -> list[LocalRule]:
    rules = []
    for lid, res in template["Resources"].items():
        props = res.get("Properties", {})
        if res["Type"] != "AWS::Events::Rule" or "ScheduleExpression" not in props:
            continue
        for target in props.get("Targets", []):
            arn = target.get("Arn")
            if isinstance(arn, dict) and "Fn::GetAtt" in arn and arn["Fn::GetAtt"][0] in resources.functions:
                fn = resources.functions[arn["Fn::GetAtt"][0]]
                rules.append(
                    LocalRule(lid, props["ScheduleExpression"], fn, json.loads(target.get("Input", "{}")))
                )
    return rules


_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str) -> float:
    """rate(6 hours) -> 21600.0 (EventBridge's rate expressions)."""
    match = re.fullmatch(r"rate\((\d+) (minute|hour|day)s?\)", expression)
    if not match:
        raise ValueError(f"not a rate expression: {expression}")
    return float(int(match.group(1)) * _UNITS[match.group(2)])


class LocalSchedules:
    def __init__(
        self, rules: list[LocalRule], bridge: HandlerBridge, periods: dict[str, float] | None = None
    ) -> None:
        """`periods`: seconds between runs by rule logical id (default: the rule's own rate)."""
        self.rules, self._bridge = rules, bridge
        self.periods = {
            r.logical_id: (periods or {}).get(r.logical_id) or rate_seconds(r.schedule) for r in rules
        }
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def fire(self, rule: LocalRule) -> dict[str, Any]:
        """One invocation of the rule's target; its answer (an error answer when it raised)."""
        answer: dict[str, Any] = json.loads(self._bridge.invoke(rule.function, json.dumps(rule.event), {}))
        level = logging.WARNING if "errorType" in answer else logging.INFO
        log.log(level, "schedule %s -> %s: %s", rule.logical_id, rule.function.name, str(answer)[:300])
        return answer

    def _loop(self, rule: LocalRule) -> None:
        while not self._stop.wait(self.periods[rule.logical_id]):
            try:
                self.fire(rule)
            except Exception:  # keep the timer alive, as EventBridge would keep firing
                log.exception("schedule %s failed", rule.logical_id)

    def __enter__(self) -> LocalSchedules:
        for rule in self.rules:
            thread = threading.Thread(
                target=self._loop, args=(rule,), name=f"schedule-{rule.logical_id}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

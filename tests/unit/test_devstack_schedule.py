"""The dev stack's stand-in for EventBridge schedules (devstack/schedule.py)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from devstack.aws import LocalFunction, LocalResources
from devstack.schedule import LocalSchedules, rate_seconds, scheduled_rules


def test_rate_expressions() -> None:
    assert rate_seconds("rate(6 hours)") == 21600
    assert rate_seconds("rate(1 minute)") == 60
    with pytest.raises(ValueError):
        rate_seconds("cron(0 * * * ? *)")


class _Bridge:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fired = threading.Event()

    def invoke(self, fn: LocalFunction, body: str, headers: dict[str, str]) -> bytes:
        self.calls.append((fn.name, body))
        self.fired.set()
        return b'{"ok": true}'


def test_rules_with_lambda_targets_fire_at_their_period() -> None:
    fn = LocalFunction("JobFn", "job", "arn:job", Path("functions/jobs/rescan"), "handler.handler")
    template: dict[str, Any] = {
        "Resources": {
            "RescanRule": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "ScheduleExpression": "rate(6 hours)",
                    "Targets": [
                        {"Arn": {"Fn::GetAtt": ["JobFn", "Arn"]}, "Input": '{"kind": "watchlist-rescan"}'}
                    ],
                },
            },
            "EventPattern": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {}}},
        }
    }
    resources = LocalResources({}, {}, {"JobFn": fn}, "arn:sm", "{}", "t", "b")
    (rule,) = scheduled_rules(template, resources)
    assert rule.event == {"kind": "watchlist-rescan"} and rule.function is fn
    bridge = _Bridge()
    schedules = LocalSchedules([rule], bridge, {"RescanRule": 0.05})  # type: ignore[arg-type]
    assert schedules.periods == {"RescanRule": 0.05}
    assert LocalSchedules([rule], bridge).periods == {"RescanRule": 21600}  # type: ignore[arg-type]
    with schedules:
        assert bridge.fired.wait(5)
    assert bridge.calls[0] == ("job", '{"kind": "watchlist-rescan"}')

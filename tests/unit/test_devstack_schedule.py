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


def test_moto_dynamodb_transactions_from_many_threads_under_the_local_stack() -> None:
    """moto's TransactWriteItems deep-copies the table while other threads write to it; the local
    stack serialises DynamoDB requests so that concurrent rescans and API calls do not crash it."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime

    from moto import mock_aws

    from devstack.aws import serialised_moto_dynamodb
    from moneygrow.chains import Chain
    from moneygrow.models import AnalysisStatus
    from moneygrow.store.dynamo import DynamoStore, Item
    from moneygrow.store.records import Analysis

    with mock_aws(), serialised_moto_dynamodb():
        store = DynamoStore("concurrency", "us-east-1")
        Item.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        now = datetime.now(UTC)

        def submit(n: int) -> None:
            analysis = Analysis(
                task_id=f"{n:032x}",
                user_id=f"u{n}",
                token_address="0x" + f"{n:040x}",
                chain=Chain.ETHEREUM,
                status=AnalysisStatus.PENDING,
                created_at=now,
                updated_at=now,
            )
            store.create_analysis(analysis, 900)
            store.update_analysis(analysis.task_id, status=AnalysisStatus.RUNNING)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(submit, range(120)))
        assert all(store.get_analysis(f"{n:032x}") is not None for n in range(120))

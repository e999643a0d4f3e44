"""The rescan schedule (bounded concurrency, one rescan per token) and the Notify step."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from moneygrow.adapters.sns import SnsAlertChannels
from moneygrow.chains import Chain
from moneygrow.models import AnalysisStatus, AnalysisTask
from moneygrow.store.memory import MemoryStore
from moneygrow.store.watch import MemoryWatchStore
from moneygrow.watch.notify import after_rescan
from moneygrow.watch.records import RESCAN_OWNER, AlertThreshold, WatchEntry
from moneygrow.watch.scheduler import RescanIncomplete, Schedule, run_schedule
from moneygrow.workflow import ExecutionState
from tests.unit.test_watch_alerts import finding, result

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def token(i: int) -> str:
    from eth_utils.address import to_checksum_address

    return to_checksum_address("0x" + f"{i + 1:040x}")


class FinishingWorkflow:
    """Runs each started analysis to completion after `polls` status reads (the workflow's stand-in:
    the scheduler only sees records, as with the real Express workflow)."""

    def __init__(self, store: MemoryStore, polls: int = 2, fail: bool = False) -> None:
        self.store, self.polls, self.fail = store, polls, fail
        self.started: list[AnalysisTask] = []
        self.running: dict[str, int] = {}
        self.max_running = 0

    def start(self, task: AnalysisTask) -> None:
        if self.fail:
            raise ConnectionError("states is down")
        self.started.append(task)
        self.running[task.task_id] = self.polls
        self.max_running = max(self.max_running, len(self.running))

    def tick(self) -> None:
        for task_id in list(self.running):
            self.running[task_id] -= 1
            if self.running[task_id] <= 0:
                del self.running[task_id]
                self.store.update_analysis(task_id, status=AnalysisStatus.COMPLETED, result=result())

    def state(self, task_id: str) -> ExecutionState:
        return ExecutionState.RUNNING

    def ping(self) -> None: ...


def _watch(ws: MemoryWatchStore, user: str, i: int) -> None:
    entry = WatchEntry(
        user_id=user, chain=Chain.BSC, token_address=token(i), threshold=AlertThreshold(), created_at=T0
    )
    ws.put_watch(entry, 100, due_at=T0)


def _run(store: MemoryStore, ws: MemoryWatchStore, wf: FinishingWorkflow, **kw: Any) -> dict[str, Any]:
    clock = [0.0]

    def sleep(s: float) -> None:
        clock[0] += s
        wf.tick()

    schedule = Schedule(every=timedelta(hours=6), **({"max_in_flight": 3, "budget_s": 100.0} | kw))
    return run_schedule(store, ws, wf, schedule, now=lambda: T0, clock=lambda: clock[0], sleep=sleep)


def test_each_due_token_once_with_bounded_concurrency() -> None:
    store, ws = MemoryStore(), MemoryWatchStore()
    for i in range(10):
        _watch(ws, "u1", i)
    for user in ("u2", "u3", "u4"):  # token 0 watched by four users: still one rescan
        _watch(ws, user, 0)
    wf = FinishingWorkflow(store)
    summary = _run(store, ws, wf)
    assert summary["due"] == 10 and summary["started"] == 10 and summary["finished"] == 10
    assert sorted(t.token_address for t in wf.started) == sorted(token(i) for i in range(10))
    assert {t.user_id for t in wf.started} == {RESCAN_OWNER}
    assert wf.max_running == 3
    assert ws.due_tokens(T0, 100) == []  # next due in 6 h
    assert len(ws.due_tokens(T0 + timedelta(hours=6), 100)) == 10
    assert _run(store, ws, wf)["due"] == 0  # nothing due: nothing started
    assert len(wf.started) == 10


def test_the_budget_defers_the_rest_to_the_next_run() -> None:
    store, ws = MemoryStore(), MemoryWatchStore()
    for i in range(10):
        _watch(ws, "u1", i)
    wf = FinishingWorkflow(store, polls=4)
    summary = _run(store, ws, wf, max_in_flight=2, budget_s=3.0, poll_s=1.0)
    assert 0 < summary["started"] < 10 and summary["deferred"] == 10 - summary["started"]
    assert len(ws.due_tokens(T0, 100)) == summary["deferred"]


def test_a_run_that_cannot_start_keeps_tokens_due_and_raises() -> None:
    store, ws = MemoryStore(), MemoryWatchStore()
    _watch(ws, "u1", 0)
    with pytest.raises(RescanIncomplete):
        _run(store, ws, FinishingWorkflow(store, fail=True))
    assert [t.token_address for t in ws.due_tokens(T0, 10)] == [token(0)]
    assert ws.acquire_lease("rescan-schedule", "other", T0, 10)  # the lease was released


def test_one_run_at_a_time() -> None:
    store, ws = MemoryStore(), MemoryWatchStore()
    _watch(ws, "u1", 0)
    assert ws.acquire_lease("rescan-schedule", "someone", T0, 600)
    assert "skipped" in _run(store, ws, FinishingWorkflow(store))


@pytest.fixture
def topic_queue() -> Iterator[tuple[SnsAlertChannels, Any, str]]:
    with mock_aws():
        sns, sqs = boto3.client("sns", region_name="us-east-1"), boto3.client("sqs", region_name="us-east-1")
        topic = sns.create_topic(Name="alerts")["TopicArn"]
        url = sqs.create_queue(QueueName="all")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
        yield SnsAlertChannels(topic, sns), sqs, url


def test_notify_keeps_a_baseline_then_alerts_once_per_change(
    topic_queue: tuple[SnsAlertChannels, Any, str],
) -> None:
    channels, sqs, url = topic_queue
    store, ws = MemoryStore(), MemoryWatchStore()
    _watch(ws, "u1", 0)

    def rescan(n: int, res: dict[str, Any]) -> dict[str, Any]:
        from moneygrow.store.records import Analysis

        task_id = f"{n:032x}"
        store.put_analysis(
            Analysis(
                task_id=task_id,
                user_id=RESCAN_OWNER,
                token_address=token(0),
                chain=Chain.BSC,
                status=AnalysisStatus.COMPLETED,
                created_at=T0,
                updated_at=T0,
                completed_at=T0,
                result=res,
            )
        )
        state = {"task_id": task_id, "user_id": RESCAN_OWNER, "token_address": token(0), "chain": "bsc"}
        return after_rescan(state, store, ws, channels, "http://app")

    def published() -> list[dict[str, Any]]:
        return [
            json.loads(m["Body"])
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        ]

    assert rescan(1, result())["alerted"] is False  # the baseline
    assert rescan(2, result())["alerted"] is False  # nothing changed
    assert published() == []
    trap = result("CRITICAL", 95, heuristic_risks=[finding("honeypot", "CRITICAL")])
    assert rescan(3, trap)["alerted"] is True
    again = after_rescan(
        {"task_id": f"{3:032x}", "user_id": RESCAN_OWNER, "token_address": token(0), "chain": "bsc"},
        store,
        ws,
        channels,
        "http://app",
    )
    assert again == {"task_id": f"{3:032x}", "alerted": False, "reason": "already compared"}
    (alert,) = published()
    assert alert["previous"]["risk_level"] == "LOW" and alert["current"]["risk_level"] == "CRITICAL"
    assert alert["result_url"] == f"http://app/analyses/{3:032x}" and alert["alert_id"] == f"{3:032x}"
    assert rescan(4, result("UNKNOWN", 0))["reason"] == "no verdict"  # a dead node is not a change
    assert rescan(5, trap)["alerted"] is False  # compared with the last real verdict: unchanged

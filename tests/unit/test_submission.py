"""Submitting analyses: exactly one execution per token under concurrency, nothing stuck PENDING,
no internals in what the user reads. Both stores: DynamoDB (moto) and in-memory."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
from moto import mock_aws

from moneygrow.chains import Chain
from moneygrow.errors import ServiceUnavailable
from moneygrow.models import AnalysisStatus, AnalysisTask
from moneygrow.services.analyses import RECONCILE_AFTER, get_analysis, submit_analysis
from moneygrow.store.base import Store
from moneygrow.store.memory import MemoryStore
from moneygrow.workflow import ExecutionState
from tests.conftest import RecordingWorkflow

TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    with serialised_requests(), mock_aws():
        from moneygrow.store.dynamo import DynamoStore, Item

        dynamo = DynamoStore("submission-test", "us-east-1")
        Item.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        yield dynamo


@contextmanager
def serialised_requests() -> Iterator[None]:
    """One request at a time through moto, as DynamoDB applies each request atomically: moto's
    backend is not thread-safe inside a request (it has raised "dictionary changed size during
    iteration"). Requests still interleave freely, which is the race under test."""
    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.Lock()
    original = BotocoreStubber.__call__

    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return original(self, *args, **kwargs)

    with patch.object(BotocoreStubber, "__call__", locked):
        yield


class SlowWorkflow(RecordingWorkflow):
    """Starting takes a moment, as StartExecution does: it widens every race window."""

    def start(self, task: AnalysisTask) -> None:
        time.sleep(0.05)
        with threading.Lock():
            super().start(task)


@pytest.mark.parametrize("trial", range(3))
def test_parallel_submissions_of_one_token_start_exactly_one_execution(store: Store, trial: int) -> None:
    workflow = SlowWorkflow()
    barrier = threading.Barrier(10)

    def submit(_: int) -> tuple[str, bool]:
        barrier.wait()
        analysis, new = submit_analysis(store, workflow, "u1", TOKEN, Chain.ETHEREUM)
        return analysis.task_id, new

    with ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(submit, range(10)))  # any exception (a 500) fails the test
    assert len(workflow.started) == 1
    assert {task_id for task_id, _ in outcomes} == {workflow.started[0].task_id}
    assert sum(new for _, new in outcomes) == 1


def test_a_submission_whose_execution_never_started_is_started_when_read(store: Store) -> None:
    # The API died between writing the record and StartExecution: the record must not stay PENDING.
    workflow = RecordingWorkflow()
    crashed = RecordingWorkflow(fail_with=KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        submit_analysis(store, crashed, "u1", TOKEN, Chain.ETHEREUM)
    (pending,) = [a for a in store.list_analyses("u1", 10, None).items]
    assert pending.status == AnalysisStatus.PENDING
    assert get_analysis(store, workflow, "u1", pending.task_id).status == AnalysisStatus.PENDING  # too fresh
    store.update_analysis(
        pending.task_id, updated_at=pending.updated_at - RECONCILE_AFTER - timedelta(seconds=1)
    )
    seen = get_analysis(store, workflow, "u1", pending.task_id)
    assert seen.status == AnalysisStatus.RUNNING
    assert [t.task_id for t in workflow.started] == [pending.task_id]  # same task id: idempotent start
    assert workflow.state(pending.task_id) == ExecutionState.RUNNING


def test_a_failed_start_stores_no_internals(store: Store) -> None:
    arn = "arn:aws:iam::123456789012:role/MoneyGrow-dev-ApiFunctionRole"
    workflow = RecordingWorkflow(fail_with=RuntimeError(f"AccessDenied: User: {arn} is not authorized"))
    with pytest.raises(ServiceUnavailable) as refused:
        submit_analysis(store, workflow, "u1", TOKEN, Chain.ETHEREUM)
    stored = store.get_analysis(refused.value.details["task_id"])
    assert stored is not None and stored.status == AnalysisStatus.FAILED
    assert "123456789012" not in str(stored.error) and "arn:" not in str(stored.error)


def test_without_execution_status_a_record_running_past_the_deadline_fails(store: Store) -> None:
    # Express executions cannot be described: the record's age is the only evidence of death.
    from moneygrow.services.analyses import EXECUTION_DEADLINE

    workflow = RecordingWorkflow()
    analysis, _ = submit_analysis(store, workflow, "u1", TOKEN, Chain.ETHEREUM)
    workflow.states[analysis.task_id] = ExecutionState.UNKNOWN
    store.update_analysis(analysis.task_id, updated_at=analysis.updated_at - RECONCILE_AFTER * 2)
    assert get_analysis(store, workflow, "u1", analysis.task_id).status == AnalysisStatus.RUNNING  # may run
    store.update_analysis(analysis.task_id, updated_at=analysis.updated_at - EXECUTION_DEADLINE * 2)
    dead = get_analysis(store, workflow, "u1", analysis.task_id)
    assert dead.status == AnalysisStatus.FAILED and dead.error is not None
    assert dead.error["code"] == "workflow_timed_out"
    again, new = submit_analysis(store, workflow, "u1", TOKEN, Chain.ETHEREUM)
    assert new and again.task_id != analysis.task_id  # the token was released

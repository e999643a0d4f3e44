"""Each agent records how it ended on the analysis record (the live progress view), best effort."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from moneygrow.agents import runner
from moneygrow.agents.runner import AgentDeps, run_agent
from moneygrow.chains import Chain
from moneygrow.config import Settings
from moneygrow.models import AgentName, AgentResult, AgentStatus, AnalysisStatus, AnalysisTask
from moneygrow.store.memory import MemoryStore
from moneygrow.store.records import AgentProgress, Analysis

T0 = datetime(2026, 1, 1, tzinfo=UTC)
TASK = {
    "task_id": "t1",
    "user_id": "u1",
    "token_address": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    "chain": "ethereum",
}


def _store() -> MemoryStore:
    store = MemoryStore()
    store.put_analysis(
        Analysis(
            task_id="t1",
            user_id="u1",
            token_address=TASK["token_address"],
            chain=Chain.ETHEREUM,
            status=AnalysisStatus.RUNNING,
            created_at=T0,
            updated_at=T0,
        )
    )
    return store


def _deps(progress: runner.RecordProgress | None) -> AgentDeps:
    def no_chain(chain: Chain) -> Any:
        raise AssertionError("the fake agent reads no chain")

    return AgentDeps(settings=Settings(), chain=no_chain, models=None, progress=progress)  # type: ignore[arg-type]


def _agent_returning(status: AgentStatus) -> Any:
    def agent(task: AnalysisTask, deps: AgentDeps) -> AgentResult:
        return AgentResult(agent=AgentName.ML, status=status, gaps=["no pool"] if status != "OK" else [])

    return agent


def test_the_agent_records_its_own_status_and_duration(monkeypatch: pytest.MonkeyPatch) -> None:
    store = _store()
    monkeypatch.setattr(runner, "load_agent", lambda name: _agent_returning(AgentStatus.DEGRADED))
    before = datetime.now(UTC)
    out = run_agent(AgentName.ML, TASK, _deps(store.record_agent_progress))
    assert out["status"] == "DEGRADED" and out["gaps"] == ["no pool"]  # the workflow's result as before
    analysis = store.get_analysis("t1")
    assert analysis is not None and set(analysis.progress) == {"ml"}
    entry = analysis.progress["ml"]
    assert entry.status == AgentStatus.DEGRADED and entry.duration_ms == out["duration_ms"]
    assert before <= entry.finished_at <= datetime.now(UTC)
    assert analysis.status == AnalysisStatus.RUNNING and analysis.updated_at == T0


def test_a_failing_progress_write_never_fails_the_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(task_id: str, agent: str, progress: AgentProgress) -> bool:
        raise ConnectionError("DynamoDB is down")

    monkeypatch.setattr(runner, "load_agent", lambda name: _agent_returning(AgentStatus.OK))
    assert run_agent(AgentName.ML, TASK, _deps(broken))["status"] == "OK"
    missing = {**TASK, "task_id": "gone"}  # no such analysis: said in the log, the agent goes on
    assert run_agent(AgentName.ML, missing, _deps(_store().record_agent_progress))["status"] == "OK"


def test_an_agent_that_raises_records_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workflow's Retry/Catch decide (a retry may still succeed); the aggregate says FAILED."""
    store = _store()

    def crashing(task: AnalysisTask, deps: AgentDeps) -> AgentResult:
        raise RuntimeError("bug")

    monkeypatch.setattr(runner, "load_agent", lambda name: crashing)
    with pytest.raises(RuntimeError):
        run_agent(AgentName.HEURISTIC, TASK, _deps(store.record_agent_progress))
    analysis = store.get_analysis("t1")
    assert analysis is not None and analysis.progress == {}

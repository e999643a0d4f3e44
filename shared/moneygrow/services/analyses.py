"""Analyses: submit one (idempotently), read it, list a user's history."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from eth_utils.address import is_checksum_address, is_hex_address, to_checksum_address

from moneygrow.chains import Chain
from moneygrow.errors import Conflict, NotAToken, NotFound, ServiceUnavailable, ValidationFailed
from moneygrow.models import AgentName, AgentStatus, AnalysisStatus, AnalysisTask, RiskLevel, utcnow
from moneygrow.observability import logger
from moneygrow.store.base import ActiveTaskExists, Page, Store
from moneygrow.store.records import Analysis
from moneygrow.workflow import ExecutionState, Workflow

# How long a running analysis blocks a duplicate submission (the state machine times out sooner).
ACTIVE_TASK_TTL_S = 15 * 60
# Concurrent submissions of one token: the loser of a transaction conflict looks again this often.
CREATE_ATTEMPTS = 10
# A RUNNING analysis older than this is checked against its execution (it may have died).
RECONCILE_AFTER = timedelta(seconds=60)
# No execution runs longer (the state machine's timeout, 5 min, plus a margin): a record still
# RUNNING after this is dead even when the workflow cannot say so (Express).
EXECUTION_DEADLINE = timedelta(minutes=6)


def normalise_address(address: str) -> str:
    """Accept lower/upper-case hex or a valid EIP-55 checksum; reject a mixed-case typo."""
    if not is_hex_address(address):
        raise ValidationFailed(
            "token_address must be a 0x-prefixed 20-byte hex address", {"token_address": address[:100]}
        )
    body = address[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(address):
        raise ValidationFailed(
            "token_address has an invalid EIP-55 checksum (a typo?)", {"token_address": address}
        )
    return to_checksum_address(address)


# chain, address -> True (code), False (no code), None (could not tell: let the workflow decide)
CodeProbe = Callable[[Chain, str], bool | None]


class CodeCheck:
    """The submit-time code check: one eth_getCode through `get_code(chain, address)`. It must never
    slow or block a submission: a node that fails is not asked again for `backoff_s` seconds
    (submissions go through unchecked meanwhile and the workflow says NOT_A_TOKEN if need be)."""

    def __init__(
        self,
        get_code: Callable[[Chain, str], bytes],
        backoff_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._get_code, self._backoff_s, self._clock = get_code, backoff_s, clock
        self._down_until: dict[Chain, float] = {}

    def __call__(self, chain: Chain, address: str) -> bool | None:
        if self._clock() < self._down_until.get(chain, 0.0):
            return None
        try:
            return bool(self._get_code(chain, address))
        except Exception as exc:
            self._down_until[chain] = self._clock() + self._backoff_s
            logger.warning(
                "code check at submit skipped", extra={"chain": chain.value, "error": str(exc)[:200]}
            )
            return None


def submit_analysis(
    store: Store,
    workflow: Workflow,
    user_id: str,
    token_address: str,
    chain: Chain,
    has_code: CodeProbe | None = None,
    *,
    task_id: str | None = None,
) -> tuple[Analysis, bool]:
    """Start an analysis, or return the one already running for this token. True when new.
    An address with no code is refused at once when that is cheap to know (one eth_getCode): a
    wallet is not a token; anything else that is not a token is said by the finished analysis."""
    address = normalise_address(token_address)
    if has_code is not None and has_code(chain, address) is False:
        raise NotAToken(
            "there is no contract code at this address on this chain: it is a wallet or an empty "
            "address, not a token (check the address and the chain)",
            {"token_address": address, "chain": chain.value, "kind": "NOT_A_TOKEN"},
        )
    task_id = task_id or uuid.uuid4().hex
    now = utcnow()
    analysis = Analysis(
        task_id=task_id,
        user_id=user_id,
        token_address=address,
        chain=chain,
        status=AnalysisStatus.PENDING,
        created_at=now,
        updated_at=now,
    )
    for attempt in range(CREATE_ATTEMPTS):
        try:
            store.create_analysis(analysis, ACTIVE_TASK_TTL_S)
            break
        except ActiveTaskExists as running:
            existing = store.get_analysis(running.task_id) if running.task_id else None
            if existing is not None:
                return existing, False
            if running.task_id:  # a lock without its record (written before locks were atomic)
                store.release_active_task(user_id, chain, address, running.task_id)
            # A concurrent submission is mid-transaction: look again shortly (jittered, ~2 s at most).
            time.sleep(min(0.05 * (attempt + 1), 0.3) * (0.5 + random.random()))  # noqa: S311  # nosec B311
    else:
        raise Conflict(
            "an analysis of this token is being started by another request: retry in a moment",
            {"token_address": address, "chain": chain.value},
        )
    try:
        workflow.start(_task(analysis))
    except Exception as exc:
        # Keep the record (never lose a submission) but say plainly that it did not start. The
        # cause (ARNs, account id) goes to the log under the task id, never into the response.
        logger.exception("could not start the workflow", extra={"task_id": task_id})
        store.update_analysis(task_id, status=AnalysisStatus.FAILED, error=WORKFLOW_UNAVAILABLE)
        store.release_active_task(user_id, chain, address, task_id)
        raise ServiceUnavailable(
            "the analysis workflow is unavailable, try again shortly", {"task_id": task_id}
        ) from exc
    return store.update_analysis(task_id, status=AnalysisStatus.RUNNING), True


WORKFLOW_UNAVAILABLE = {
    "code": "workflow_unavailable",
    "message": "the analysis workflow could not be started",
}


def _task(analysis: Analysis) -> AnalysisTask:
    return AnalysisTask(
        task_id=analysis.task_id,
        user_id=analysis.user_id,
        token_address=analysis.token_address,
        chain=analysis.chain,
    )


def get_analysis(
    store: Store,
    workflow: Workflow,
    user_id: str,
    task_id: str,
    *,
    shared: Callable[[Analysis], bool] | None = None,
) -> Analysis:
    """The user's own analysis, or one `shared` says they may read (a rescan of a token they watch)."""
    analysis = store.get_analysis(task_id)
    # Someone else's analysis is indistinguishable from a missing one.
    if analysis is None or (analysis.user_id != user_id and not (shared and shared(analysis))):
        raise NotFound("analysis not found")
    unsettled = analysis.status in (AnalysisStatus.PENDING, AnalysisStatus.RUNNING)
    if unsettled and utcnow() - analysis.updated_at > RECONCILE_AFTER:
        analysis = reconcile(store, workflow, analysis)
    return analysis


def reconcile(store: Store, workflow: Workflow, analysis: Analysis) -> Analysis:
    """A PENDING or RUNNING record whose execution is not doing its work: an execution that ended
    without writing a result (e.g. killed), or a record RUNNING past EXECUTION_DEADLINE, fails; a
    submission whose execution never started (the API died between the write and the start) is
    started now, under the same task id, so that no accepted submission is lost."""
    state = workflow.state(analysis.task_id)
    pending = analysis.status == AnalysisStatus.PENDING
    if pending and state in (ExecutionState.NOT_STARTED, ExecutionState.UNKNOWN):
        try:
            workflow.start(_task(analysis))
        except Exception:
            logger.exception("could not restart the workflow", extra={"task_id": analysis.task_id})
            return analysis  # still PENDING: the next read tries again
        return store.update_analysis(analysis.task_id, status=AnalysisStatus.RUNNING)
    if (
        state == ExecutionState.UNKNOWN
        and not pending
        and utcnow() - analysis.updated_at > EXECUTION_DEADLINE
    ):
        state = ExecutionState.TIMED_OUT  # past any execution's lifetime without a result
    if state in (ExecutionState.FAILED, ExecutionState.TIMED_OUT, ExecutionState.ABORTED):
        store.release_active_task(analysis.user_id, analysis.chain, analysis.token_address, analysis.task_id)
        return store.update_analysis(
            analysis.task_id,
            status=AnalysisStatus.FAILED,
            error={
                "code": "workflow_" + state.value.lower(),
                "message": f"the analysis workflow ended: {state.value}",
            },
        )
    return analysis


@dataclass(frozen=True)
class AgentState:
    """One agent of an analysis as the progress view shows it."""

    agent: AgentName
    state: Literal["pending", "done", "not_reported"]
    status: AgentStatus | None = None  # how it ended, when done
    duration_ms: int | None = None
    finished_at: datetime | None = None  # when the agent itself recorded it (None: only the aggregate said)


def agent_progress(analysis: Analysis) -> list[AgentState]:
    """Each agent, in workflow order: done with its status once it recorded how it ended (live,
    while the workflow runs) or once the aggregate stored the final list (the source of truth: it
    also knows the agents that crashed or timed out, which record nothing), else pending; an agent
    of a settled analysis that nobody reported (the workflow failed before aggregating) is not_reported."""
    final = {a.get("agent"): a for a in analysis.agents if a.get("status")}
    settled = analysis.status in (AnalysisStatus.COMPLETED, AnalysisStatus.FAILED)
    states = []
    for agent in AgentName:
        summary, recorded = final.get(agent.value), analysis.progress.get(agent.value)
        finished_at = recorded.finished_at if recorded else None
        if summary is not None:
            status, duration = AgentStatus(summary["status"]), summary.get("duration_ms")
            states.append(AgentState(agent, "done", status, duration, finished_at))
        elif recorded is not None:
            states.append(AgentState(agent, "done", recorded.status, recorded.duration_ms, finished_at))
        else:
            states.append(AgentState(agent, "not_reported" if settled else "pending"))
    return states


def list_history(
    store: Store,
    user_id: str,
    limit: int,
    cursor: str | None,
    chain: Chain | None = None,
    level: RiskLevel | None = None,
) -> Page[Analysis]:
    """The caller's analyses, newest first; only those on `chain` and/or with verdict `level` when
    given (a filtered page may be short while it has a cursor: see Store.list_analyses)."""
    return store.list_analyses(user_id, limit, cursor, chain=chain, level=level)

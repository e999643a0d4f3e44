"""Analyses: submit one (idempotently), read it, list a user's history."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from eth_utils.address import is_checksum_address, is_hex_address, to_checksum_address

from moneygrow.chains import Chain
from moneygrow.errors import NotAToken, NotFound, ServiceUnavailable, ValidationFailed
from moneygrow.models import AnalysisStatus, AnalysisTask, utcnow
from moneygrow.observability import logger
from moneygrow.store.base import ActiveTaskExists, Page, Store
from moneygrow.store.records import Analysis
from moneygrow.workflow import ExecutionState, Workflow

# How long a running analysis blocks a duplicate submission (the state machine times out sooner).
ACTIVE_TASK_TTL_S = 15 * 60
# A RUNNING analysis older than this is checked against its execution (it may have died).
RECONCILE_AFTER = timedelta(seconds=60)


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
    task_id = uuid.uuid4().hex
    try:
        store.claim_active_task(user_id, chain, address, task_id, ACTIVE_TASK_TTL_S)
    except ActiveTaskExists as running:
        existing = store.get_analysis(running.task_id)
        if existing is not None:
            return existing, False
        store.release_active_task(user_id, chain, address, running.task_id)  # orphaned lock
        store.claim_active_task(user_id, chain, address, task_id, ACTIVE_TASK_TTL_S)
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
    store.put_analysis(analysis)
    try:
        workflow.start(AnalysisTask(task_id=task_id, user_id=user_id, token_address=address, chain=chain))
    except Exception as exc:
        # Keep the record (never lose a submission) but say plainly that it did not start.
        logger.exception("could not start the workflow", extra={"task_id": task_id})
        store.update_analysis(
            task_id,
            status=AnalysisStatus.FAILED,
            error={"code": "workflow_unavailable", "message": str(exc)[:300]},
        )
        store.release_active_task(user_id, chain, address, task_id)
        raise ServiceUnavailable(
            "the analysis workflow is unavailable, try again shortly", {"task_id": task_id}
        ) from exc
    return store.update_analysis(task_id, status=AnalysisStatus.RUNNING), True


def get_analysis(store: Store, workflow: Workflow, user_id: str, task_id: str) -> Analysis:
    analysis = store.get_analysis(task_id)
    # Someone else's analysis is indistinguishable from a missing one.
    if analysis is None or analysis.user_id != user_id:
        raise NotFound("analysis not found")
    if analysis.status == AnalysisStatus.RUNNING and utcnow() - analysis.updated_at > RECONCILE_AFTER:
        analysis = _reconcile(store, workflow, analysis)
    return analysis


def _reconcile(store: Store, workflow: Workflow, analysis: Analysis) -> Analysis:
    """An execution that ended without writing a result (e.g. killed) must not leave it RUNNING."""
    state = workflow.state(analysis.task_id)
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


def list_history(store: Store, user_id: str, limit: int, cursor: str | None) -> Page[Analysis]:
    return store.list_analyses(user_id, limit, cursor)

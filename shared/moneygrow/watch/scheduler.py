"""The rescan schedule: start the due watched tokens' analyses, a bounded number at a time.

    run_schedule(...)  # the scheduled Lambda (EventBridge -> functions/jobs/rescan), every period

One run at a time (a lease in the table). Each due token is analysed once, whoever and however many
watch it, through the same workflow as a user's analysis (owner RESCAN_OWNER, whose per-token lock
also stops a second start); at most `max_in_flight` run at once, so the RPC provider sees a steady
trickle, not a burst. A run stops starting new ones when its time budget is spent; the rest stay due
and the next run takes them first. The workflow's Notify step compares and alerts (watch.notify).
A token whose analysis could not be started stays due; the run then raises after the others, so
Lambda's retries and then its dead-letter queue (with an alarm) see it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from moneygrow.errors import AppError
from moneygrow.models import AnalysisStatus, utcnow
from moneygrow.observability import logger
from moneygrow.services import analyses
from moneygrow.store.base import Store
from moneygrow.store.watch import WatchStore
from moneygrow.watch.records import RESCAN_OWNER, WatchedToken
from moneygrow.workflow import Workflow

LEASE = "rescan-schedule"


class RescanIncomplete(Exception):
    """Some due tokens could not be started; the others were."""


@dataclass(frozen=True)
class Schedule:
    every: timedelta  # how often a watched token is rescanned (per stage)
    max_in_flight: int = 4  # analyses running at once
    max_starts: int = 1000  # per run
    budget_s: float = 780.0  # below the function's timeout (15 min)
    poll_s: float = 0.5


@dataclass
class _Run:
    schedule: Schedule
    deadline: float
    in_flight: dict[str, WatchedToken] = field(default_factory=dict)
    summary: dict[str, Any] = field(
        default_factory=lambda: {"due": 0, "started": 0, "already_running": 0, "finished": 0, "deferred": 0}
    )
    failed: list[str] = field(default_factory=list)


def run_schedule(
    store: Store,
    watch_store: WatchStore,
    workflow: Workflow,
    schedule: Schedule,
    *,
    now: Callable[[], datetime] = utcnow,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    holder = uuid.uuid4().hex
    if not watch_store.acquire_lease(LEASE, holder, now(), int(schedule.budget_s) + 60):
        return {"skipped": "another schedule run is in progress"}
    run = _Run(schedule, clock() + schedule.budget_s)
    try:
        due = watch_store.due_tokens(now(), schedule.max_starts)
        run.summary["due"] = len(due)
        for i, token in enumerate(due):
            if not _wait_for_slot(store, workflow, run, clock, sleep):
                run.summary["deferred"] = len(due) - i
                break
            _start(store, watch_store, workflow, run, token, now())
        _drain(store, workflow, run, clock, sleep)
    finally:
        watch_store.release_lease(LEASE, holder)
    run.summary["in_flight_at_end"] = len(run.in_flight)
    logger.info("rescan schedule run", extra=run.summary)
    if run.failed:
        raise RescanIncomplete("; ".join(run.failed)[:1000])
    return run.summary


def _start(
    store: Store, watch_store: WatchStore, workflow: Workflow, run: _Run, token: WatchedToken, at: datetime
) -> None:
    if token.watchers <= 0:
        watch_store.forget_token(token.chain, token.token_address)
        return
    try:
        analysis, created = analyses.submit_analysis(
            store, workflow, RESCAN_OWNER, token.token_address, token.chain
        )
    except AppError as exc:  # the workflow could not start: the token stays due
        run.failed.append(f"{token.chain.value}:{token.token_address}: {exc.code}")
        return
    # Due again one period from now; a second run that raced this one finds it no longer due.
    watch_store.claim_rescan(token.chain, token.token_address, analysis.task_id, at, at + run.schedule.every)
    if created:
        run.summary["started"] += 1
        run.in_flight[analysis.task_id] = token
    else:
        run.summary["already_running"] += 1


def _settle(store: Store, workflow: Workflow, run: _Run) -> None:
    for task_id in list(run.in_flight):
        analysis = analyses.get_analysis(store, workflow, RESCAN_OWNER, task_id)
        if analysis.status in (AnalysisStatus.COMPLETED, AnalysisStatus.FAILED):
            del run.in_flight[task_id]
            run.summary["finished"] += 1


def _wait_for_slot(
    store: Store, workflow: Workflow, run: _Run, clock: Callable[[], float], sleep: Callable[[float], None]
) -> bool:
    while True:
        if clock() >= run.deadline:
            return False
        if len(run.in_flight) < run.schedule.max_in_flight:
            return True
        sleep(run.schedule.poll_s)
        _settle(store, workflow, run)


def _drain(
    store: Store, workflow: Workflow, run: _Run, clock: Callable[[], float], sleep: Callable[[float], None]
) -> None:
    """Wait (within the budget) for the last analyses, so that consecutive runs never overlap theirs."""
    while run.in_flight and clock() < run.deadline:
        sleep(run.schedule.poll_s)
        _settle(store, workflow, run)


MARGIN_S = 60.0  # left of the function's time when the run stops starting rescans


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The scheduled function: its settings, the table, the workflow; the budget from its timeout."""
    from moneygrow.adapters.stepfunctions import StepFunctionsWorkflow
    from moneygrow.config import get_settings
    from moneygrow.store.factory import default_store, default_watch_store

    settings = get_settings()
    remaining = context.get_remaining_time_in_millis() / 1000 if context is not None else 900.0
    schedule = Schedule(
        every=timedelta(seconds=settings.rescan_every_s),
        max_in_flight=settings.rescan_max_in_flight,
        budget_s=max(remaining - MARGIN_S, 1.0),
    )
    workflow = StepFunctionsWorkflow(settings.state_machine_arn, express=settings.workflow_express)
    logger.info("rescan schedule", extra={"trigger": event.get("kind"), "time": event.get("time")})
    return run_schedule(default_store(), default_watch_store(), workflow, schedule)

"""The workflow's Notify step for rescans: compare with the token's last state, alert on a change.

Runs after the aggregate step of a rescan (the state machine's Choice sends only RESCAN_OWNER's
analyses here). The first rescan of a token only records its state. A verdict that could not be
reached (level UNKNOWN: the contract checks did not run) is neither compared nor kept: a node that
was down is not a change of the token. A token whose address stops holding a token (NOT_A_TOKEN,
e.g. a self-destruct) is a change. Publishing comes before recording, so a retried step can
send an alert twice but never lose one; the alert id (the task id) lets receivers drop the copy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from moneygrow.models import AnalysisStatus, AnalysisTask, RiskLevel, utcnow
from moneygrow.observability import logger, metrics
from moneygrow.services.watchlist import AlertChannels
from moneygrow.store.base import Store
from moneygrow.store.watch import WatchStore
from moneygrow.watch.changes import Alert, diff, snapshot


def after_rescan(
    state: dict[str, Any],
    store: Store,
    watch_store: WatchStore,
    channels: AlertChannels,
    app_url: str,
    now: Callable[[], datetime] = utcnow,
) -> dict[str, Any]:
    task = AnalysisTask.model_validate(state)
    out: dict[str, Any] = {"task_id": task.task_id, "alerted": False}
    analysis = store.get_analysis(task.task_id)
    if analysis is None or analysis.status != AnalysisStatus.COMPLETED or not analysis.result:
        return out | {"reason": "no result"}
    token_result = analysis.result.get("kind", "TOKEN") == "TOKEN"
    if token_result and analysis.result.get("risk_level") in (None, RiskLevel.UNKNOWN.value):
        return out | {"reason": "no verdict"}
    key = (task.chain, task.token_address)
    token = watch_store.get_tokens([key]).get(key)
    if token is None:
        return out | {"reason": "not watched"}
    if token.checked_task_id == task.task_id:
        return out | {"reason": "already compared"}
    new = snapshot(analysis.result)
    changes = diff(token.state, new)
    if changes:
        old = token.state or {}
        alert = Alert(
            alert_id=task.task_id,
            chain=task.chain.value,
            token_address=task.token_address,
            symbol=new.get("symbol"),
            checked_at=(analysis.completed_at or now()).isoformat(),
            previous={
                "risk_level": old.get("level"),
                "risk_score": old.get("score"),
                "task_id": token.checked_task_id,
            },
            current={"risk_level": new.get("level"), "risk_score": new.get("score"), "task_id": task.task_id},
            changes=changes,
            result_url=f"{app_url.rstrip('/')}/analyses/{task.task_id}",
        )
        message_id = channels.publish(alert)
        metrics.add_metric(name="Alerts", unit=MetricUnit.Count, value=1)
        logger.info("alert published", extra={"task_id": task.task_id, "message_id": message_id})
    watch_store.record_check(task.chain, task.token_address, task.task_id, new, now(), alerted=bool(changes))
    return out | {"alerted": bool(changes), "changes": [c.kind for c in changes]}


def handle(event: dict[str, Any]) -> dict[str, Any]:
    """The Notify function: the table and the alerts topic from its settings."""
    from moneygrow.adapters.sns import SnsAlertChannels
    from moneygrow.config import get_settings
    from moneygrow.store.factory import default_store, default_watch_store

    settings = get_settings()
    channels = SnsAlertChannels(settings.alerts_topic_arn)
    return after_rescan(event, default_store(), default_watch_store(), channels, settings.app_url)

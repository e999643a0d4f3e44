"""The watchlist's records (plain pydantic models, independent of the storage technology)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from moneygrow.chains import Chain
from moneygrow.models import RiskLevel

# The owner of rescan analyses: no user id has this form (they are 32 hex digits), and the
# per-owner lock on (chain, token) makes one rescan per token at a time, however many watch it.
RESCAN_OWNER = "watchlist"


class ThresholdKind(StrEnum):
    ANY_CHANGE = "any_change"  # every detected change
    LEVEL = "level"  # a change while the risk level is (or was) at least `level`
    SCORE = "score"  # a change while the risk score is (or was) at least `score`


class AlertThreshold(BaseModel):
    kind: ThresholdKind = ThresholdKind.ANY_CHANGE
    level: RiskLevel | None = None
    score: int | None = Field(default=None, ge=0, le=100)

    @model_validator(mode="after")
    def _complete(self) -> AlertThreshold:
        if self.kind == ThresholdKind.LEVEL and self.level in (None, RiskLevel.UNKNOWN):
            raise ValueError("a level threshold needs level LOW, MEDIUM, HIGH or CRITICAL")
        if self.kind == ThresholdKind.SCORE and self.score is None:
            raise ValueError("a score threshold needs score (0-100)")
        if self.kind != ThresholdKind.LEVEL:
            self.level = None
        if self.kind != ThresholdKind.SCORE:
            self.score = None
        return self


class WatchEntry(BaseModel):
    """One user watching one token."""

    user_id: str
    chain: Chain
    token_address: str  # checksummed
    threshold: AlertThreshold = Field(default_factory=AlertThreshold)
    created_at: datetime


class WatchedToken(BaseModel):
    """A token someone watches: the unit of rescanning (one rescan and one alert for all watchers)."""

    chain: Chain
    token_address: str
    watchers: int = 0
    next_due_at: datetime
    rescan_task_id: str | None = None  # the rescan in flight (or the last one started)
    rescan_started_at: datetime | None = None
    checked_task_id: str | None = None  # the last rescan whose result was compared
    checked_at: datetime | None = None
    state: dict[str, Any] | None = None  # changes.snapshot of the last compared result
    last_alert_at: datetime | None = None


Channel = Literal["webhook", "email", "sms"]


class AlertSubscription(BaseModel):
    """Where one user's alerts go: an SNS subscription filtered to that user's watchlist."""

    subscription_id: str
    user_id: str
    channel: Channel
    endpoint: str  # the webhook URL, email address or E.164 phone number
    created_at: datetime
    sns_subscription_arn: str | None = None
    # Webhooks: the HMAC secret (shown once at creation; it also keys the confirm and unsubscribe
    # links), and the confirmation the receiver must visit before anything else is sent to it, as SNS
    # does for its own HTTPS subscriptions.
    signing_secret: str | None = None
    confirmed: bool = False

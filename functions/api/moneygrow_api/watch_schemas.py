"""Request and response bodies of /watchlist and /alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from moneygrow.chains import Chain
from moneygrow.models import RiskLevel
from moneygrow.watch.records import AlertSubscription, AlertThreshold, Channel, WatchedToken, WatchEntry
from moneygrow_api.schemas import Strict


class WatchRequest(Strict):
    token_address: str = Field(
        pattern=r"^0x[0-9a-fA-F]{40}$", examples=["0x5FbDB2315678afecb367f032d93F642f64180aa3"]
    )
    chain: Chain = Chain.ETHEREUM
    threshold: AlertThreshold = Field(
        default_factory=AlertThreshold,
        description="When to alert: any_change (default), level (a change while the level is or was at "
        "least `level`) or score (a change while the score is or was at least `score`)",
        examples=[{"kind": "level", "level": "HIGH"}],
    )


class LastCheck(BaseModel):
    task_id: str = Field(description="The rescan's analysis: GET /analysis/{task_id}")
    checked_at: datetime
    risk_level: RiskLevel | None = None
    risk_score: int | None = None


class WatchResponse(BaseModel):
    chain: Chain
    token_address: str
    threshold: AlertThreshold
    created_at: datetime
    next_rescan_at: datetime | None = None
    last_check: LastCheck | None = Field(default=None, description="None until the first rescan")

    @classmethod
    def of(cls, entry: WatchEntry, token: WatchedToken | None) -> WatchResponse:
        last = None
        if token is not None and token.checked_task_id and token.checked_at:
            state = token.state or {}
            last = LastCheck(
                task_id=token.checked_task_id,
                checked_at=token.checked_at,
                risk_level=state.get("level"),
                risk_score=state.get("score"),
            )
        return cls(
            chain=entry.chain,
            token_address=entry.token_address,
            threshold=entry.threshold,
            created_at=entry.created_at,
            next_rescan_at=token.next_due_at if token else None,
            last_check=last,
        )


class SubscriptionRequest(Strict):
    channel: Channel
    endpoint: str = Field(
        min_length=3,
        max_length=2048,
        description="webhook: an https URL; email: an address; sms: an E.164 phone number",
        examples=["https://example.com/moneygrow-alerts"],
    )


class SubscriptionResponse(BaseModel):
    subscription_id: str
    channel: Channel
    endpoint: str
    status: Literal["confirmed", "pending_confirmation"]
    created_at: datetime

    @classmethod
    def of(cls, sub: AlertSubscription) -> SubscriptionResponse:
        return cls(
            subscription_id=sub.subscription_id,
            channel=sub.channel,
            endpoint=sub.endpoint,
            status="confirmed" if sub.confirmed else "pending_confirmation",
            created_at=sub.created_at,
        )


class NewSubscriptionResponse(SubscriptionResponse):
    signing_secret: str | None = Field(
        default=None,
        description="Webhooks only, shown once: verify each delivery's MoneyGrow-Signature header "
        "(t=<unix time>,v1=<hex HMAC-SHA256 of '<t>.' + body>) and refuse old timestamps",
    )
    confirmation_sent: bool | None = Field(
        default=None,
        description="Webhooks only: whether the receiver accepted the subscription.confirmation event; "
        "nothing else is sent until its confirm_url is visited",
    )
    confirmation_error: str | None = None


class HookResponse(BaseModel):
    status: str

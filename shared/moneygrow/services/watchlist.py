"""Watchlists and alert subscriptions: what the API's /watchlist, /alerts and /hooks routes call.

A subscription's SNS filter policy is the user's whole watchlist (moneygrow.watch.filters), so every
change to the watchlist rewrites the policy of each of the user's subscriptions.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from moneygrow.alerts import webhooks
from moneygrow.chains import Chain
from moneygrow.errors import Conflict, NotFound, ServiceUnavailable, ValidationFailed
from moneygrow.observability import logger
from moneygrow.services.analyses import normalise_address
from moneygrow.store.base import Page
from moneygrow.store.records import Analysis, User
from moneygrow.store.watch import LimitReached, WatchStore
from moneygrow.watch import filters
from moneygrow.watch.changes import Alert
from moneygrow.watch.records import (
    RESCAN_OWNER,
    AlertSubscription,
    AlertThreshold,
    Channel,
    WatchedToken,
    WatchEntry,
)

# Per tier: watched tokens (a filter policy holds up to filters.MAX_POLICY_TOKENS) and destinations.
WATCH_LIMITS = {"free": 10, "pro": 100}
SUBSCRIPTION_LIMITS = {"free": 3, "pro": 10}
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")
_PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")  # E.164


class AlertChannels(Protocol):
    def subscribe(self, channel: str, endpoint: str, filter_policy: dict[str, Any]) -> str: ...
    def set_filter_policy(self, subscription_arn: str, filter_policy: dict[str, Any]) -> None: ...
    def is_confirmed(self, subscription_arn: str) -> bool: ...
    def unsubscribe(self, subscription_arn: str) -> None: ...
    def publish(self, alert: Alert) -> str: ...


@dataclass(frozen=True)
class Links:
    """The public URLs of a subscription (the API's /hooks routes)."""

    relay: Callable[[str], str]  # subscription id -> the URL SNS posts to (webhooks)
    confirm: Callable[[str, str], str]  # subscription id, token -> confirmation link
    unsubscribe: Callable[[str, str], str]


def _limit(limits: dict[str, int], tier: str) -> int:
    return limits.get(tier, limits["free"])


def _sync_filters(store: WatchStore, channels: AlertChannels, user_id: str) -> None:
    policy = filters.policy(store.all_watches(user_id))
    for sub in store.all_subscriptions(user_id):
        if sub.sns_subscription_arn:
            channels.set_filter_policy(sub.sns_subscription_arn, policy)


def watch(
    store: WatchStore,
    channels: AlertChannels,
    user: User,
    chain: Chain,
    token_address: str,
    threshold: AlertThreshold,
    now: datetime,
) -> tuple[WatchEntry, bool]:
    """Watch a token (or change its threshold). A newly watched token is due for a rescan at once:
    that first rescan is the state later ones are compared with. True when the entry is new."""
    entry = WatchEntry(
        user_id=user.user_id,
        chain=chain,
        token_address=normalise_address(token_address),
        threshold=threshold,
        created_at=now,
    )
    limit = _limit(WATCH_LIMITS, user.tier)
    try:
        new = store.put_watch(entry, limit, due_at=now)
    except LimitReached as exc:
        raise Conflict(
            f"at most {limit} watched tokens on the {user.tier} tier; remove one first", {"limit": limit}
        ) from exc
    _sync_filters(store, channels, user.user_id)
    return entry, new


def unwatch(
    store: WatchStore, channels: AlertChannels, user_id: str, chain: Chain, token_address: str
) -> None:
    address = normalise_address(token_address)
    if not store.delete_watch(user_id, chain, address):
        raise NotFound("this token is not on your watchlist")
    store.forget_token(chain, address)  # only when nobody else watches it
    _sync_filters(store, channels, user_id)


def list_watchlist(
    store: WatchStore, user_id: str, limit: int, cursor: str | None
) -> tuple[Page[WatchEntry], dict[tuple[Chain, str], WatchedToken]]:
    page = store.list_watches(user_id, limit, cursor)
    return page, store.get_tokens([(w.chain, w.token_address) for w in page.items])


def may_read(store: WatchStore, user_id: str, analysis: Analysis) -> bool:
    """A watched token's rescans are readable by everyone who watches it (alerts link to them)."""
    return analysis.user_id == RESCAN_OWNER and (
        store.get_watch(user_id, analysis.chain, analysis.token_address) is not None
    )


# --- subscriptions -------------------------------------------------------------------------------


def _check_endpoint(channel: Channel, endpoint: str, allow_private: bool) -> str:
    if channel == "webhook":
        return webhooks.check_webhook_url(endpoint, allow_private=allow_private)
    if channel == "email" and _EMAIL.match(endpoint):
        return endpoint
    if channel == "sms" and _PHONE.match(endpoint):
        return endpoint
    what = "an email address" if channel == "email" else "a phone number in E.164 form (+15551234567)"
    raise ValidationFailed(f"endpoint must be {what}", {"endpoint": endpoint[:100]})


def link_token(sub: AlertSubscription, purpose: str) -> str:
    """The token of a webhook's confirm or unsubscribe link, derived from its signing secret (so the
    relay can put the unsubscribe link in every delivery without storing a second secret)."""
    key = (sub.signing_secret or "").encode()
    return hmac.new(key, f"{purpose}:{sub.subscription_id}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class NewSubscription:
    subscription: AlertSubscription
    signing_secret: str | None  # shown once (webhooks)
    confirmation_sent: bool | None  # webhooks: whether the receiver accepted the confirmation request
    confirmation_error: str | None = None


def subscribe(
    store: WatchStore,
    channels: AlertChannels,
    user: User,
    channel: Channel,
    endpoint: str,
    links: Links,
    *,
    now: datetime,
    allow_private: bool,
    deliver: Callable[..., int] = webhooks.deliver,
) -> NewSubscription:
    """Add a destination. Email: SNS mails a confirmation link; SMS: active at once (SNS handles
    STOP replies). Webhook: a signed `subscription.confirmation` event with a confirm_url is posted to
    it, and nothing else is sent until that link is visited, as SNS does for HTTPS endpoints."""
    endpoint = _check_endpoint(channel, endpoint.strip(), allow_private)
    sub = AlertSubscription(
        subscription_id=uuid.uuid4().hex,
        user_id=user.user_id,
        channel=channel,
        endpoint=endpoint,
        created_at=now,
        signing_secret=webhooks.new_secret() if channel == "webhook" else None,
        confirmed=channel == "sms",
    )
    limit = _limit(SUBSCRIPTION_LIMITS, user.tier)
    try:
        store.put_subscription(sub, limit)
    except LimitReached as exc:
        raise Conflict(
            f"at most {limit} alert destinations on the {user.tier} tier", {"limit": limit}
        ) from exc
    sns_endpoint = links.relay(sub.subscription_id) if channel == "webhook" else endpoint
    try:
        arn = channels.subscribe(channel, sns_endpoint, filters.policy(store.all_watches(user.user_id)))
    except Exception as exc:
        logger.exception("could not subscribe", extra={"subscription_id": sub.subscription_id})
        store.delete_subscription(user.user_id, sub.subscription_id)
        raise ServiceUnavailable("alerts are unavailable, try again shortly") from exc
    store.update_subscription(sub.subscription_id, sns_subscription_arn=arn)
    sub = sub.model_copy(update={"sns_subscription_arn": arn})
    if channel != "webhook":
        return NewSubscription(sub, None, None)
    body = {
        "type": "subscription.confirmation",
        "subscription_id": sub.subscription_id,
        "message": "Visit confirm_url to receive MoneyGrow alerts at this URL.",
        "confirm_url": links.confirm(sub.subscription_id, link_token(sub, "confirm")),
        "unsubscribe_url": links.unsubscribe(sub.subscription_id, link_token(sub, "unsubscribe")),
    }
    try:
        deliver(
            endpoint,
            body=json.dumps(body).encode(),
            secret=sub.signing_secret or "",
            event_type="subscription.confirmation",
            delivery_id=sub.subscription_id,
            allow_private=allow_private,
        )
    except webhooks.DeliveryFailed as exc:
        return NewSubscription(sub, sub.signing_secret, False, str(exc)[:200])
    return NewSubscription(sub, sub.signing_secret, True)


def _by_token(store: WatchStore, subscription_id: str, token: str, purpose: str) -> AlertSubscription:
    sub = store.get_subscription(subscription_id)
    if sub is None or not sub.signing_secret or not hmac.compare_digest(link_token(sub, purpose), token):
        raise NotFound("unknown or expired link")
    return sub


def confirm(store: WatchStore, subscription_id: str, token: str) -> AlertSubscription:
    sub = _by_token(store, subscription_id, token, "confirm")
    store.update_subscription(subscription_id, confirmed=True)
    return sub.model_copy(update={"confirmed": True})


def _remove(store: WatchStore, channels: AlertChannels, sub: AlertSubscription) -> None:
    if sub.sns_subscription_arn:
        channels.unsubscribe(sub.sns_subscription_arn)
    store.delete_subscription(sub.user_id, sub.subscription_id)


def unsubscribe_by_link(store: WatchStore, channels: AlertChannels, subscription_id: str, token: str) -> None:
    _remove(store, channels, _by_token(store, subscription_id, token, "unsubscribe"))


def unsubscribe(store: WatchStore, channels: AlertChannels, user_id: str, subscription_id: str) -> None:
    sub = store.get_subscription(subscription_id)
    if sub is None or sub.user_id != user_id:  # someone else's is indistinguishable from none
        raise NotFound("subscription not found")
    _remove(store, channels, sub)


def list_subscriptions(
    store: WatchStore, channels: AlertChannels, user_id: str, limit: int, cursor: str | None
) -> Page[AlertSubscription]:
    """Email subscriptions become confirmed when the user clicks SNS's link: asked here, then kept."""
    page = store.list_subscriptions(user_id, limit, cursor)
    items = []
    for sub in page.items:
        arn = sub.sns_subscription_arn
        if sub.channel == "email" and not sub.confirmed and arn and channels.is_confirmed(arn):
            store.update_subscription(sub.subscription_id, confirmed=True)
            sub = sub.model_copy(update={"confirmed": True})
        items.append(sub)
    return Page(items, page.cursor)

"""The webhook relay: one SNS HTTPS delivery in, one signed webhook POST out.

Each webhook subscription is an SNS HTTPS subscription whose endpoint is ours,
`POST {api}/alerts/deliveries/{subscription_id}` (SNS cannot add our HMAC header itself). The route
looks the subscription up and calls `relay`, then answers:

| outcome / exception                       | answer | why                                               |
|-------------------------------------------|--------|---------------------------------------------------|
| InvalidSnsMessage                         | 403    | not SNS, or not our topic                         |
| SnsUnavailable (cert fetch, confirmation) | 503    | SNS retries                                       |
| DeliveryFailed                            | 502    | SNS retries per its delivery policy, then the DLQ |
| ValidationFailed (alert is not an object) | 422    | a bug on our side: retrying cannot help           |
| any RelayOutcome                          | 200    | done (or nothing to do: logged)                   |

No storage and no FastAPI here: the route injects `verify`, `deliver` and `confirm_sns`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

import httpx

from moneygrow.alerts.sns_messages import InvalidSnsMessage, SnsUnavailable, is_sns_subscribe_url
from moneygrow.errors import ValidationFailed
from moneygrow.observability import logger

DEFAULT_EVENT_TYPE: Final = "token.risk_changed"
CONFIRM_TIMEOUT_S: Final = 5.0


@dataclass(frozen=True)
class WebhookTarget:
    """What the relay needs to know about one webhook subscription."""

    subscription_id: str
    url: str
    secret: str
    confirmed: bool  # the user confirmed the webhook (our own `subscription.confirmation` event)
    topic_arn: str  # the alerts topic this subscription belongs to


class RelayOutcome(StrEnum):
    DELIVERED = "delivered"
    SNS_CONFIRMED = "sns_confirmed"
    DROPPED_UNCONFIRMED = "dropped_unconfirmed"
    IGNORED = "ignored"


def confirm_subscribe_url(url: str, *, client: httpx.Client | None = None) -> None:
    """Confirm SNS's subscription of our relay endpoint: GET its SubscribeURL, which must be SNS's own.

    Raises InvalidSnsMessage for any other URL (we never GET a URL taken from a request otherwise)
    and SnsUnavailable when SNS does not answer 200 (the caller answers 503; SNS sends it again).
    """
    if not is_sns_subscribe_url(url):
        raise InvalidSnsMessage("SubscribeURL is not an SNS ConfirmSubscription URL")
    http = client or httpx.Client(timeout=CONFIRM_TIMEOUT_S, follow_redirects=False)
    try:
        response = http.get(url, timeout=CONFIRM_TIMEOUT_S, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise SnsUnavailable(f"cannot confirm the SNS subscription ({type(exc).__name__})") from None
    finally:
        if client is None:
            http.close()
    if response.status_code != 200:
        raise SnsUnavailable(f"cannot confirm the SNS subscription (HTTP {response.status_code})")


def _alert(envelope: Mapping[str, Any]) -> dict[str, Any]:
    try:
        alert = json.loads(envelope.get("Message") or "")
    except (TypeError, ValueError):
        alert = None
    if not isinstance(alert, dict):
        raise ValidationFailed("SNS message is not an alert JSON object", {"field": "Message"})
    return alert


def relay(
    envelope: dict[str, Any],
    target: WebhookTarget | None,
    *,
    verify: Callable[[dict[str, Any]], None],
    deliver: Callable[..., int],
    confirm_sns: Callable[[str], None],
    unsubscribe_url: str,
) -> RelayOutcome:
    """Handle one SNS delivery to `POST /alerts/deliveries/{subscription_id}` (see the module's table).

    `verify` checks SNS's signature (e.g. `partial(verify_sns_message, fetch_cert=CertCache(),
    topic_arn=...)`); `deliver` is `webhooks.deliver` with `allow_private` bound; `confirm_sns` is
    `confirm_subscribe_url`. The target's topic is checked as well: a topic in someone else's
    account can subscribe this URL and SNS signs its messages too.
    """
    verify(envelope)
    message_type = envelope.get("Type")
    if target is None:
        logger.info("sns delivery for an unknown webhook subscription", extra={"type": message_type})
        return RelayOutcome.IGNORED
    log = {"subscription_id": target.subscription_id, "type": message_type}
    if envelope.get("TopicArn") != target.topic_arn:
        raise InvalidSnsMessage("message is not from the subscription's topic")
    if message_type == "SubscriptionConfirmation":
        subscribe_url = envelope.get("SubscribeURL")
        if not isinstance(subscribe_url, str):
            raise InvalidSnsMessage("missing SubscribeURL")
        confirm_sns(subscribe_url)
        logger.info("sns subscription of the relay confirmed", extra=log)
        return RelayOutcome.SNS_CONFIRMED
    if message_type != "Notification":
        logger.info("sns message ignored", extra=log)
        return RelayOutcome.IGNORED
    if not target.confirmed:
        logger.info("alert dropped: webhook not confirmed by its owner", extra=log)
        return RelayOutcome.DROPPED_UNCONFIRMED
    alert = _alert(envelope)
    alert["unsubscribe_url"] = unsubscribe_url
    event_type = alert.get("type")
    message_id = envelope.get("MessageId")
    deliver(
        target.url,
        body=json.dumps(alert, separators=(",", ":"), ensure_ascii=False).encode("utf-8"),
        secret=target.secret,
        event_type=event_type if isinstance(event_type, str) and event_type else DEFAULT_EVENT_TYPE,
        delivery_id=message_id if isinstance(message_id, str) else "",
    )
    logger.info("alert relayed", extra={**log, "delivery_id": message_id})
    return RelayOutcome.DELIVERED

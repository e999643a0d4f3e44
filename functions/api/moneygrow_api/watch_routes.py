"""Routes of watchlists and alerts: parse, call one service function, shape the response.

/watchlist and /alerts/subscriptions need a caller (session or API key). /hooks/* are public:
SNS posts webhook deliveries to /hooks/sns/{id} (authenticated by SNS's signature), and the confirm
and unsubscribe links of a webhook carry their own token.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from moneygrow.alerts.relay import RelayOutcome, WebhookTarget, relay
from moneygrow.chains import Chain
from moneygrow.errors import BadRequest, ServiceUnavailable
from moneygrow.models import utcnow
from moneygrow.services import watchlist
from moneygrow.services.watchlist import AlertChannels, Links
from moneygrow_api.deps import Analyzer, ApiDeps, Deps, Reader
from moneygrow_api.routes import _AUTHED, _BODY, Cursor, Limit, _errors
from moneygrow_api.schemas import PageResponse
from moneygrow_api.watch_schemas import (
    HookResponse,
    NewSubscriptionResponse,
    SubscriptionRequest,
    SubscriptionResponse,
    WatchRequest,
    WatchResponse,
)

Address = Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{40}$")]
SubscriptionId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
LinkToken = Annotated[str, Query(pattern=r"^[0-9a-f]{64}$")]

router = APIRouter()


def _channels(deps: ApiDeps) -> AlertChannels:
    if deps.alerts is None:
        raise ServiceUnavailable("alerts are not configured on this deployment")
    return deps.alerts


def _base(request: Request, deps: ApiDeps) -> str:
    return (deps.settings.public_api_url or str(request.base_url)).rstrip("/")


def _links(request: Request, deps: ApiDeps) -> Links:
    base = _base(request, deps)
    return Links(
        relay=lambda sid: f"{base}/hooks/sns/{sid}",
        confirm=lambda sid, token: f"{base}/hooks/confirm/{sid}?token={token}",
        unsubscribe=lambda sid, token: f"{base}/hooks/unsubscribe/{sid}?token={token}",
    )


@router.post(
    "/watchlist",
    tags=["watchlist"],
    status_code=status.HTTP_201_CREATED,
    response_model=WatchResponse,
    responses={200: {"model": WatchResponse, "description": "Already watched: threshold updated"}}
    | _errors(*_AUTHED, 409, 503, *_BODY),
)
def watch(body: WatchRequest, principal: Analyzer, deps: Deps) -> JSONResponse:
    """Watch a token: it is rescanned on a schedule, and your alert subscriptions hear of changes."""
    entry, new = watchlist.watch(
        deps.watch_store,
        _channels(deps),
        principal.user,
        body.chain,
        body.token_address,
        body.threshold,
        utcnow(),
    )
    token = deps.watch_store.get_tokens([(entry.chain, entry.token_address)]).get(
        (entry.chain, entry.token_address)
    )
    out = WatchResponse.of(entry, token)
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if new else 200)


@router.get("/watchlist", tags=["watchlist"], responses=_errors(400, 422, *_AUTHED))
def list_watchlist(
    principal: Reader, deps: Deps, limit: Limit = 20, cursor: Cursor = None
) -> PageResponse[WatchResponse]:
    page, tokens = watchlist.list_watchlist(deps.watch_store, principal.user.user_id, limit, cursor)
    items = [WatchResponse.of(w, tokens.get((w.chain, w.token_address))) for w in page.items]
    return PageResponse(items=items, next_cursor=page.cursor)


@router.delete(
    "/watchlist/{chain}/{token_address}",
    tags=["watchlist"],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_errors(*_AUTHED, 404, 422, 503),
)
def unwatch(chain: Chain, token_address: Address, principal: Analyzer, deps: Deps) -> Response:
    watchlist.unwatch(deps.watch_store, _channels(deps), principal.user.user_id, chain, token_address)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/alerts/subscriptions",
    tags=["alerts"],
    status_code=status.HTTP_201_CREATED,
    responses=_errors(*_AUTHED, 409, 503, *_BODY),
)
def subscribe(
    body: SubscriptionRequest, request: Request, principal: Analyzer, deps: Deps
) -> NewSubscriptionResponse:
    """Send alerts for your watched tokens to a webhook, an email address or a phone (SMS)."""
    made = watchlist.subscribe(
        deps.watch_store,
        _channels(deps),
        principal.user,
        body.channel,
        body.endpoint,
        _links(request, deps),
        now=utcnow(),
        allow_private=deps.settings.allow_private_webhooks,
    )
    return NewSubscriptionResponse(
        **SubscriptionResponse.of(made.subscription).model_dump(),
        signing_secret=made.signing_secret,
        confirmation_sent=made.confirmation_sent,
        confirmation_error=made.confirmation_error,
    )


@router.get("/alerts/subscriptions", tags=["alerts"], responses=_errors(400, 422, *_AUTHED, 503))
def list_subscriptions(
    principal: Reader, deps: Deps, limit: Limit = 20, cursor: Cursor = None
) -> PageResponse[SubscriptionResponse]:
    page = watchlist.list_subscriptions(
        deps.watch_store, _channels(deps), principal.user.user_id, limit, cursor
    )
    return PageResponse(items=[SubscriptionResponse.of(s) for s in page.items], next_cursor=page.cursor)


@router.delete(
    "/alerts/subscriptions/{subscription_id}",
    tags=["alerts"],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_errors(*_AUTHED, 404, 422, 503),
)
def unsubscribe(subscription_id: SubscriptionId, principal: Analyzer, deps: Deps) -> Response:
    watchlist.unsubscribe(deps.watch_store, _channels(deps), principal.user.user_id, subscription_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/hooks/confirm/{subscription_id}", tags=["hooks"], responses=_errors(404, 422))
def confirm(subscription_id: SubscriptionId, token: LinkToken, deps: Deps) -> HookResponse:
    """The link in a webhook's subscription.confirmation event."""
    watchlist.confirm(deps.watch_store, subscription_id, token)
    return HookResponse(status="confirmed")


@router.get("/hooks/unsubscribe/{subscription_id}", tags=["hooks"], responses=_errors(404, 422, 503))
def unsubscribe_link(subscription_id: SubscriptionId, token: LinkToken, deps: Deps) -> HookResponse:
    """The link in every webhook delivery."""
    watchlist.unsubscribe_by_link(deps.watch_store, _channels(deps), subscription_id, token)
    return HookResponse(status="unsubscribed")


@router.post(
    "/hooks/sns/{subscription_id}",
    tags=["hooks"],
    responses=_errors(400, 403, 422, 502, 503),  # 502: the webhook refused it (SNS retries)
)
async def sns_delivery(subscription_id: SubscriptionId, request: Request, deps: Deps) -> HookResponse:
    """SNS delivers a webhook subscription's alerts here; they are forwarded to the webhook, signed.
    A failed forward is a 502, so SNS retries (then its dead-letter queue)."""
    try:  # SNS posts JSON as text/plain
        envelope: Any = json.loads(await request.body())
    except ValueError as exc:
        raise BadRequest("body is not JSON") from exc
    if not isinstance(envelope, dict):
        raise BadRequest("body is not a JSON object")
    # forwarding is blocking I/O (up to the webhook's timeout): off the event loop
    return await run_in_threadpool(_relay, envelope, subscription_id, request, deps)


def _relay(envelope: dict[str, Any], subscription_id: str, request: Request, deps: ApiDeps) -> HookResponse:
    sub = deps.watch_store.get_subscription(subscription_id)
    target = None
    if sub is not None and sub.channel == "webhook" and sub.signing_secret:
        target = WebhookTarget(
            subscription_id=sub.subscription_id,
            url=sub.endpoint,
            secret=sub.signing_secret,
            confirmed=sub.confirmed,
            topic_arn=deps.settings.alerts_topic_arn,
        )
    token = watchlist.link_token(sub, "unsubscribe") if sub else ""
    outcome: RelayOutcome = relay(
        envelope,
        target,
        verify=deps.verify_sns,
        deliver=deps.deliver_webhook,
        confirm_sns=deps.confirm_sns,
        unsubscribe_url=_links(request, deps).unsubscribe(subscription_id, token),
    )
    return HookResponse(status=outcome.value)

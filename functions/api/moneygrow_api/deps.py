"""What the routes depend on, gathered once per process (cold start) and swappable in tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from moneygrow.adapters.apigateway import KeyGateway, NoopKeyGateway
from moneygrow.alerts import webhooks
from moneygrow.alerts.relay import confirm_subscribe_url
from moneygrow.alerts.sns_messages import InvalidSnsMessage
from moneygrow.audit import audit, ref
from moneygrow.auth import api_keys
from moneygrow.auth.tokens import TokenIssuer
from moneygrow.config import Settings
from moneygrow.errors import Forbidden, Unauthorized
from moneygrow.ratelimit import Decision, Limit, Policy, RateLimited, RateLimiter, subject_ref
from moneygrow.services import accounts
from moneygrow.services.accounts import Principal
from moneygrow.services.analyses import CodeProbe
from moneygrow.services.watchlist import AlertChannels
from moneygrow.store.base import Store
from moneygrow.store.watch import MemoryWatchStore, WatchStore
from moneygrow.workflow import Workflow


def _refuse_sns(envelope: dict[str, Any]) -> None:
    raise InvalidSnsMessage("SNS deliveries are not configured")


@dataclass
class ApiDeps:
    settings: Settings
    store: Store
    workflow: Workflow
    issuer: TokenIssuer
    # name -> probe that raises when the dependency is down (DynamoDB, chain RPC, ...)
    readiness: dict[str, Callable[[], None]] = field(default_factory=dict)
    gateway: KeyGateway = field(default_factory=NoopKeyGateway)
    limiter: RateLimiter | None = None  # built from settings + store when not given
    has_code: CodeProbe | None = None  # refuses an address without code at submit; None: not checked
    watch_store: WatchStore = field(default_factory=MemoryWatchStore)
    alerts: AlertChannels | None = None  # None: no alerts topic (watchlist routes answer 503)
    # The webhook relay (/hooks/sns): SNS signature check, forwarding, SNS's own confirmation.
    verify_sns: Callable[[dict[str, Any]], None] = _refuse_sns
    deliver_webhook: Callable[..., int] | None = None  # webhooks.deliver with allow_private bound
    confirm_sns: Callable[[str], None] = confirm_subscribe_url

    def __post_init__(self) -> None:
        if self.limiter is None:
            self.limiter = RateLimiter(self.store, Policy.from_settings(self.settings))
        if self.deliver_webhook is None:
            self.deliver_webhook = partial(
                webhooks.deliver, allow_private=self.settings.allow_private_webhooks
            )

    @property
    def rate(self) -> RateLimiter:
        assert self.limiter is not None
        return self.limiter


def get_deps(request: Request) -> ApiDeps:
    deps: ApiDeps = request.app.state.deps
    return deps


Deps = Annotated[ApiDeps, Depends(get_deps)]

_bearer = HTTPBearer(auto_error=False, description="Access token from POST /auth/token")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key from POST /users/api-keys")


def client_ip(request: Request) -> str:
    """The peer address. Behind API Gateway, Mangum sets it from requestContext.identity.sourceIp;
    X-Forwarded-For is client-controlled and deliberately ignored."""
    return request.client.host if request.client else "unknown"


def limit(request: Request, deps: ApiDeps, bucket: str, rule: Limit, what: str) -> Decision:
    """Count one request against a bucket; remember the tightest decision for the response headers."""
    try:
        decision = deps.rate.enforce(bucket, rule, what)
    except RateLimited as exc:
        audit(
            "rate_limited",
            outcome="denied",
            bucket=bucket.split(":", 1)[0],
            subject=bucket.split(":", 1)[-1][:32],
            ip_ref=ref(client_ip(request)),
            path=request.url.path,
        )
        request.state.ratelimit = exc.decision
        raise
    shown: Decision | None = getattr(request.state, "ratelimit", None)
    if shown is None or decision.remaining < shown.remaining:
        request.state.ratelimit = decision
    return decision


def auth_ip_limit(request: Request, deps: Deps) -> None:
    """Login, register and refresh: per client IP (brute force and credential stuffing)."""
    limit(request, deps, f"ip:{subject_ref(client_ip(request))}", deps.rate.policy.auth_ip, "per IP")


def account_limit(request: Request, deps: ApiDeps, email: str) -> None:
    """Register: per target account, whoever asks. (Logins are throttled on failures only, by
    moneygrow.ratelimit.LoginThrottle, so that strangers cannot lock an owner out.)"""
    bucket = f"reg:{subject_ref(accounts.normalise_email(email))}"
    limit(request, deps, bucket, deps.rate.policy.auth_account, "per account")


def current_principal(
    request: Request,
    deps: Deps,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    api_key: Annotated[str | None, Security(_api_key)],
) -> Principal:
    # In the cloud every credential arrives as a Bearer (the gateway's authorizer reads only the
    # Authorization header): an access token, or an API key (`mg_...`). X-API-Key works too.
    if bearer and not api_keys.looks_like_key(bearer.credentials):
        principal = Principal(accounts.user_from_access_token(deps.store, deps.issuer, bearer.credentials))
        bucket, tier = f"user:{principal.user.user_id}", principal.user.tier
    elif bearer or api_key:
        principal = accounts.principal_from_api_key(
            deps.store, bearer.credentials if bearer else str(api_key)
        )
        assert principal.key is not None
        bucket, tier = f"key:{principal.key.key_id}", principal.key.tier
    else:
        raise Unauthorized("authentication required: a Bearer access token or an X-API-Key header")
    limit(request, deps, bucket, deps.rate.policy.for_tier(tier), f"{tier} tier")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def _require(scope: str) -> Callable[[Principal], Principal]:
    def check(principal: CurrentPrincipal) -> Principal:
        if scope not in principal.scopes:
            audit(
                "scope_denied",
                outcome="denied",
                user_id=principal.user.user_id,
                key_id=principal.key.key_id if principal.key else None,
                scope=scope,
            )
            raise Forbidden(f"this API key lacks the '{scope}' scope")
        return principal

    return check


def session_only(principal: CurrentPrincipal) -> Principal:
    """Managing API keys needs a logged-in session: a leaked key must not mint or revoke keys."""
    if principal.key is not None:
        raise Forbidden("API keys cannot manage API keys; use a Bearer access token")
    return principal


Reader = Annotated[Principal, Depends(_require("read"))]
Analyzer = Annotated[Principal, Depends(_require("analyze"))]
Session = Annotated[Principal, Depends(session_only)]

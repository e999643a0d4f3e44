"""Accounts: registration, login, refresh-token rotation, API keys (with their API Gateway twin).

Enumeration resistance: registering an email that already has an account answers exactly like a new
registration (the API returns the same 202 body) and costs the same (a password hash either way);
login fails with one message whether the account is missing or the password is wrong, and verifies
against a dummy hash when there is no account, so timing tells nothing either.
"""

from __future__ import annotations

import hmac
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aws_lambda_powertools.metrics import MetricUnit

from moneygrow.adapters.apigateway import KeyGateway
from moneygrow.audit import audit, ref
from moneygrow.auth import api_keys
from moneygrow.auth.passwords import hash_password, password_problems, verify_password
from moneygrow.auth.tokens import TokenIssuer, TokenPair
from moneygrow.errors import Conflict, NotFound, ServiceUnavailable, Unauthorized, ValidationFailed
from moneygrow.models import utcnow
from moneygrow.observability import logger, metrics
from moneygrow.ratelimit import LoginThrottle
from moneygrow.store.base import EmailTaken, Page, Store
from moneygrow.store.records import ApiKey, RefreshFamily, User

SCOPES = ("read", "analyze")
PRO_TIER = "pro"  # the tier whose API keys are metered one by one at the edge
MAX_KEYS_PER_USER = 25
_REJECTED = "token is not valid"  # the one message for every refused token
# A refresh token rotated out less than this long ago still gets the current one (two tabs).
REFRESH_GRACE_S = 20


@dataclass(frozen=True)
class Principal:
    """Who is calling and with what: a JWT session has every scope, an API key only its own."""

    user: User
    key: ApiKey | None = None

    @property
    def scopes(self) -> tuple[str, ...]:
        return tuple(self.key.scopes) if self.key else SCOPES


def normalise_email(email: str) -> str:
    return email.strip().lower()


def register(store: Store, email: str, password: str, ip: str | None = None) -> None:
    """Create the account; an existing email is not revealed (same answer, same cost)."""
    email = normalise_email(email)
    problems = password_problems(password, email)
    if problems:
        raise ValidationFailed("password is too weak", {"password": problems})
    user = User(
        user_id=uuid.uuid4().hex, email=email, password_hash=hash_password(password), created_at=utcnow()
    )
    try:
        store.create_user(user)
    except EmailTaken:
        audit("register", outcome="existing_email", email_ref=ref(email), ip_ref=ref(ip))
        return
    audit("register", user_id=user.user_id, email_ref=ref(email), ip_ref=ref(ip))


@dataclass(frozen=True)
class Login:
    tokens: TokenPair
    device_token: str  # keep it: later logins from this browser are throttled apart from strangers'


def login(
    store: Store,
    issuer: TokenIssuer,
    email: str,
    password: str,
    ip: str | None = None,
    *,
    throttle: LoginThrottle | None = None,
    device_token: str | None = None,
) -> Login:
    email = normalise_email(email)
    user = store.get_user_by_email(email)
    device = issuer.device_id(device_token, user.user_id) if user else None
    if throttle is not None:
        throttle.check(email, ip or "", device)
    # Always verify (against a dummy hash when there is no user) so timing tells nothing.
    if not verify_password(user.password_hash if user else None, password) or user is None:
        if throttle is not None:
            throttle.failed(email, ip or "", device)
        audit(
            "login_failed", outcome="failure", email_ref=ref(email), ip_ref=ref(ip), known_device=bool(device)
        )
        raise Unauthorized("invalid email or password")
    pair = issuer.issue(user.user_id)
    store.put_refresh_family(
        RefreshFamily(
            family_id=pair.family_id,
            user_id=user.user_id,
            current_jti=pair.refresh_jti,
            current_issued_at=pair.refresh_issued_at,
            created_at=utcnow(),
            expires_at=datetime.fromtimestamp(pair.refresh_expires_at, UTC),
        )
    )
    audit("login_succeeded", user_id=user.user_id, family_id=pair.family_id, ip_ref=ref(ip))
    return Login(pair, device_token if device and device_token else issuer.issue_device(user.user_id))


def refresh(store: Store, issuer: TokenIssuer, refresh_token: str, ip: str | None = None) -> TokenPair:
    """Rotate: the presented refresh token is spent and a new pair issued in the same family.

    Presenting a refresh token that was already spent means two parties hold it (theft or replay):
    the whole family is revoked, so the thief's newer token dies too and the user logs in again.
    """
    claims = issuer.verify_refresh(refresh_token)
    family = store.get_refresh_family(claims.family_id)
    if family is None or family.revoked or family.user_id != claims.user_id:
        audit("refresh_rejected", outcome="failure", family_id=claims.family_id, ip_ref=ref(ip))
        raise Unauthorized(_REJECTED)
    if store.get_user(claims.user_id) is None:
        raise Unauthorized(_REJECTED)
    if _concurrent_refresh(family, claims.jti):
        # Two tabs refreshed with the same token at once: the later one gets the refresh token the
        # earlier one was just given (re-created, not new), so both stay logged in.
        audit("refresh_grace", user_id=claims.user_id, family_id=family.family_id, ip_ref=ref(ip))
        return issuer.issue(
            claims.user_id, family.family_id, refresh=(family.current_jti, family.current_issued_at)
        )
    pair = issuer.issue(claims.user_id, family_id=family.family_id)
    expires = datetime.fromtimestamp(pair.refresh_expires_at, UTC)
    rotated = store.rotate_refresh_family(
        family.family_id, claims.jti, pair.refresh_jti, expires, pair.refresh_issued_at
    )
    if not rotated:
        latest = store.get_refresh_family(family.family_id)  # lost a race to a concurrent refresh?
        if latest is not None and not latest.revoked and _concurrent_refresh(latest, claims.jti):
            return issuer.issue(
                claims.user_id, latest.family_id, refresh=(latest.current_jti, latest.current_issued_at)
            )
        store.revoke_refresh_family(family.family_id)
        audit(
            "refresh_reuse_detected",
            outcome="family_revoked",
            user_id=claims.user_id,
            family_id=family.family_id,
            ip_ref=ref(ip),
        )
        raise Unauthorized(_REJECTED)
    audit("refresh_rotated", user_id=claims.user_id, family_id=family.family_id, ip_ref=ref(ip))
    return pair


def _concurrent_refresh(family: RefreshFamily, jti: str) -> bool:
    """The presented token is the one rotated out a moment ago (within REFRESH_GRACE_S)."""
    return (
        bool(family.previous_jti)
        and hmac.compare_digest(family.previous_jti.encode(), jti.encode())
        and 0 <= time.time() - family.current_issued_at <= REFRESH_GRACE_S
    )


def logout(store: Store, issuer: TokenIssuer, refresh_token: str, ip: str | None = None) -> None:
    """Revoke the refresh family of this token: its access tokens are refused from now on too."""
    claims = issuer.verify_refresh(refresh_token)
    family = store.get_refresh_family(claims.family_id)
    if family is None or family.user_id != claims.user_id:
        raise Unauthorized(_REJECTED)
    store.revoke_refresh_family(family.family_id)
    audit("logout", user_id=claims.user_id, family_id=family.family_id, ip_ref=ref(ip))


def user_from_access_token(store: Store, issuer: TokenIssuer, token: str) -> User:
    claims = issuer.verify_access(token)
    # One read more per request buys logout that takes effect at once, not when the token lapses.
    family = store.get_refresh_family(claims.family_id) if claims.family_id else None
    if family is None or family.revoked or family.user_id != claims.user_id:
        raise Unauthorized(_REJECTED)
    user = store.get_user(claims.user_id)
    if user is None:
        raise Unauthorized(_REJECTED)
    return user


def valid_api_key(store: Store, plaintext: str) -> ApiKey:
    """The stored key this plaintext is, when it is known and not expired; else Unauthorized
    (audited). The API and the gateway's authorizer both ask this."""
    key = (
        store.get_api_key_by_hash(api_keys.hash_key(plaintext))
        if api_keys.looks_like_key(plaintext)
        else None
    )
    if key is None or not api_keys.matches(plaintext, key.key_hash):
        audit("api_key_rejected", outcome="failure", reason="unknown")
        raise Unauthorized("API key is not valid")
    if key.expires_at is not None and key.expires_at <= utcnow():
        audit("api_key_rejected", outcome="failure", reason="expired", key_id=key.key_id, user_id=key.user_id)
        raise Unauthorized("API key has expired")
    return key


def principal_from_api_key(store: Store, plaintext: str) -> Principal:
    key = valid_api_key(store, plaintext)
    now = utcnow()
    user = store.get_user(key.user_id)
    if user is None:
        raise Unauthorized("API key is not valid")
    # Record use at most once a minute: a write per request would double the cost of every call.
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        store.touch_api_key(key.user_id, key.key_id, now)
    return Principal(user, key)


def user_from_api_key(store: Store, plaintext: str) -> User:
    return principal_from_api_key(store, plaintext).user


def create_api_key(
    store: Store,
    gateway: KeyGateway,
    user: User,
    name: str,
    scopes: list[str] | None = None,
    expires_in_days: int | None = None,
) -> tuple[ApiKey, str]:
    scopes = sorted(set(scopes or SCOPES), key=SCOPES.index)
    if len(store.list_api_keys(user.user_id, MAX_KEYS_PER_USER, None).items) >= MAX_KEYS_PER_USER:
        raise Conflict(f"at most {MAX_KEYS_PER_USER} API keys per account; revoke one first")
    new = api_keys.generate_key()
    now = utcnow()
    try:
        # Only pro keys get a gateway key of their own (metered per key by the pro plan); free keys
        # are metered by shared shard keys, so creating them never spends the account's key quota.
        gateway_id = gateway.register(new.key_id, user.tier) if user.tier == PRO_TIER else None
    except Exception as exc:
        logger.exception("could not register the API key with API Gateway", extra={"key_id": new.key_id})
        raise ServiceUnavailable("API keys cannot be created right now, try again shortly") from exc
    key = ApiKey(
        key_id=new.key_id,
        user_id=user.user_id,
        name=name,
        prefix=new.prefix,
        key_hash=new.key_hash,
        created_at=now,
        scopes=scopes,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
        tier=user.tier,
        gateway_key_id=gateway_id,
    )
    try:
        store.put_api_key(key)
    except Exception:
        if gateway_id:
            gateway.remove(gateway_id)
        raise
    audit("api_key_created", user_id=user.user_id, key_id=key.key_id, scopes=scopes, tier=user.tier)
    if gateway_id:
        _report_gateway_keys(gateway)
    return key, new.plaintext


def _report_gateway_keys(gateway: KeyGateway) -> None:
    """The account's API Gateway key count, as a metric with an alarm at 80 % of the hard quota
    (10,000 per account and Region): measured when a key is added, the only time it grows."""
    try:
        count = gateway.count()
    except Exception:  # a metric must never fail the key the user just got
        logger.exception("could not count the gateway's API keys")
        return
    if count is not None:
        metrics.add_metric(name="GatewayApiKeys", unit=MetricUnit.Count, value=count)
        metrics.flush_metrics()  # now: the API's requests publish no other metric


TIERS = ("free", PRO_TIER)


def change_tier(store: Store, gateway: KeyGateway, email: str, tier: str, actor: str, reason: str) -> User:
    """The one way a user changes tier (an operator's command: moneygrow.admin): the user, then each
    of their API keys (a pro key gets its own gateway key, a free one gives it back), then one audit
    event naming who did it and why. Safe to run again after a failure: it converges."""
    if tier not in TIERS:
        raise ValidationFailed(f"tier must be one of {TIERS}", {"tier": tier})
    if not actor.strip() or not reason.strip():
        raise ValidationFailed("a tier change needs the operator's name and a reason")
    user = store.get_user_by_email(normalise_email(email))
    if user is None:
        raise NotFound("no account with this email")
    old = user.tier
    store.set_user_tier(user.user_id, tier)
    cursor: str | None = None
    moved = 0
    while True:
        page = store.list_api_keys(user.user_id, 100, cursor)
        for key in page.items:
            gateway_id = key.gateway_key_id
            if tier == PRO_TIER and gateway_id is None:
                gateway_id = gateway.register(key.key_id, tier)
            elif tier != PRO_TIER and gateway_id is not None:
                gateway.remove(gateway_id)
                gateway_id = None
            if (key.tier, key.gateway_key_id) != (tier, gateway_id):
                store.put_api_key(key.model_copy(update={"tier": tier, "gateway_key_id": gateway_id}))
                moved += 1
        cursor = page.cursor
        if cursor is None:
            break
    audit(
        "tier_changed",
        user_id=user.user_id,
        old_tier=old,
        new_tier=tier,
        actor=actor,
        reason=reason,
        keys=moved,
    )
    return user.model_copy(update={"tier": tier})


def list_api_keys(store: Store, user_id: str, limit: int, cursor: str | None) -> Page[ApiKey]:
    return store.list_api_keys(user_id, limit, cursor)


def revoke_api_key(store: Store, gateway: KeyGateway, user_id: str, key_id: str) -> None:
    """Remove the key at the edge first, then in the app: a failure leaves it whole, to retry."""
    key = store.get_api_key(user_id, key_id)
    if key is None:
        raise NotFound("API key not found")
    if key.gateway_key_id:
        try:
            gateway.remove(key.gateway_key_id)
        except Exception as exc:
            logger.exception("could not remove the API key from API Gateway", extra={"key_id": key_id})
            raise ServiceUnavailable("the API key cannot be revoked right now, try again shortly") from exc
    if not store.delete_api_key(user_id, key_id):
        raise NotFound("API key not found")
    audit("api_key_revoked", user_id=user_id, key_id=key_id)

"""Access, refresh and device JWTs (HS256), signed with keys that come from configuration.

Key rotation without logging anyone out: the configured secret holds one or more keys separated
by whitespace or commas. The first signs; every one verifies, found by the `kid` header (a hash of
the key, never the key). Rotate by prepending a new key ("NEW OLD"), and drop OLD once the longest
token lifetime (the refresh TTL) has passed.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any, Literal

import jwt

from moneygrow.errors import Unauthorized

TokenType = Literal["access", "refresh", "device"]
_ALGORITHM = "HS256"
_ISSUER = "moneygrow"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    family_id: str = ""  # the refresh-token family (one per login)
    refresh_jti: str = ""  # the id of this refresh token within its family
    refresh_expires_at: int = 0  # epoch seconds
    refresh_issued_at: int = 0  # epoch seconds; with the jti it re-creates this exact refresh token


@dataclass(frozen=True)
class RefreshClaims:
    user_id: str
    family_id: str
    jti: str


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    family_id: str  # the login it belongs to: revoked at logout, and the access token with it


def key_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:16]


# A remembered device (a browser that has logged in to this account before) for 90 days.
DEVICE_TTL_S = 90 * 24 * 3600


class TokenIssuer:
    def __init__(self, secret: str, access_ttl_s: int, refresh_ttl_s: int) -> None:
        keys = [k for k in re.split(r"[\s,]+", secret.strip()) if k]
        if not keys or any(len(k) < 32 for k in keys):
            raise ValueError("each JWT secret key must be at least 32 characters")
        self._keys = {key_id(k): k for k in keys}
        self._kid = key_id(keys[0])
        self._ttl: dict[TokenType, int] = {
            "access": access_ttl_s,
            "refresh": refresh_ttl_s,
            "device": DEVICE_TTL_S,
        }

    @property
    def refresh_ttl_s(self) -> int:
        return self._ttl["refresh"]

    def _encode(self, user_id: str, kind: TokenType, now: int, jti: str, family_id: str = "") -> str:
        claims: dict[str, Any] = {
            "sub": user_id,
            "typ": kind,
            "iat": now,
            "exp": now + self._ttl[kind],
            "iss": _ISSUER,
            "jti": jti,
            "fam": family_id,
        }
        return jwt.encode(claims, self._keys[self._kid], algorithm=_ALGORITHM, headers={"kid": self._kid})

    def issue(
        self, user_id: str, family_id: str | None = None, *, refresh: tuple[str, int] | None = None
    ) -> TokenPair:
        """A new access + refresh pair; a new refresh family unless one is being rotated.
        `refresh` = (jti, issued_at) re-creates a refresh token already handed out (HS256 is
        deterministic), for a concurrent refresh within the grace period."""
        now = int(time.time())
        family = family_id or secrets.token_hex(16)
        refresh_jti, refresh_iat = refresh or (secrets.token_urlsafe(16), now)
        return TokenPair(
            access_token=self._encode(user_id, "access", now, secrets.token_urlsafe(12), family),
            refresh_token=self._encode(user_id, "refresh", refresh_iat, refresh_jti, family),
            expires_in=self._ttl["access"],
            family_id=family,
            refresh_jti=refresh_jti,
            refresh_expires_at=refresh_iat + self._ttl["refresh"],
            refresh_issued_at=refresh_iat,
        )

    def issue_device(self, user_id: str) -> str:
        """A token that says "this browser has logged in to this account": login attempts that
        carry it are throttled on their own, so strangers' failures cannot lock the owner out."""
        return self._encode(user_id, "device", int(time.time()), secrets.token_hex(12))

    def device_id(self, token: str | None, user_id: str) -> str | None:
        """The device id of a valid device token of this user, else None (never raises)."""
        if not token:
            return None
        try:
            claims = self._decode(token, "device")
        except Unauthorized:
            return None
        return str(claims.get("jti")) if claims.get("sub") == user_id and claims.get("jti") else None

    def verify_access(self, token: str) -> AccessClaims:
        claims = self._decode(token, "access")
        return AccessClaims(str(claims["sub"]), str(claims.get("fam") or ""))

    def verify_refresh(self, token: str) -> RefreshClaims:
        claims = self._decode(token, "refresh")
        family, jti = claims.get("fam"), claims.get("jti")
        if not isinstance(family, str) or not isinstance(jti, str) or not family or not jti:
            raise Unauthorized("token is not valid")
        return RefreshClaims(str(claims["sub"]), family, jti)

    def verify(self, token: str, kind: TokenType) -> str:
        """Return the user id of a valid token of the given kind, else raise Unauthorized."""
        return str(self._decode(token, kind)["sub"])

    def _key_for(self, token: str) -> str:
        """The key named by the token's kid; tokens from before kids existed: the signing key."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError as exc:
            raise Unauthorized("token is not valid") from exc
        if kid is None:
            return self._keys[self._kid]
        key = self._keys.get(str(kid))
        if key is None:
            raise Unauthorized("token is not valid")  # signed with a key no longer accepted
        return key

    def _decode(self, token: str, kind: TokenType) -> dict[str, Any]:
        key = self._key_for(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[_ALGORITHM],
                issuer=_ISSUER,
                options={"require": ["exp", "iat", "sub", "typ"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("token has expired") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthorized("token is not valid") from exc
        if claims.get("typ") != kind:
            raise Unauthorized(f"an {kind} token is required")
        return dict(claims)

"""Access and refresh JWTs (HS256), signed with a secret that comes from configuration."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any, Literal

import jwt

from moneygrow.errors import Unauthorized

TokenType = Literal["access", "refresh"]
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


@dataclass(frozen=True)
class RefreshClaims:
    user_id: str
    family_id: str
    jti: str


class TokenIssuer:
    def __init__(self, secret: str, access_ttl_s: int, refresh_ttl_s: int) -> None:
        if len(secret) < 32:
            raise ValueError("the JWT secret must be at least 32 characters")
        self._secret = secret
        self._ttl: dict[TokenType, int] = {"access": access_ttl_s, "refresh": refresh_ttl_s}

    @property
    def refresh_ttl_s(self) -> int:
        return self._ttl["refresh"]

    def _encode(self, user_id: str, kind: TokenType, now: int, jti: str, family_id: str) -> str:
        claims: dict[str, Any] = {
            "sub": user_id,
            "typ": kind,
            "iat": now,
            "exp": now + self._ttl[kind],
            "iss": _ISSUER,
            "jti": jti,
            "fam": family_id,
        }
        return jwt.encode(claims, self._secret, algorithm=_ALGORITHM)

    def issue(self, user_id: str, family_id: str | None = None) -> TokenPair:
        """A new access + refresh pair; a new refresh family unless one is being rotated."""
        now = int(time.time())
        family = family_id or secrets.token_hex(16)
        refresh_jti = secrets.token_urlsafe(16)
        return TokenPair(
            access_token=self._encode(user_id, "access", now, secrets.token_urlsafe(12), family),
            refresh_token=self._encode(user_id, "refresh", now, refresh_jti, family),
            expires_in=self._ttl["access"],
            family_id=family,
            refresh_jti=refresh_jti,
            refresh_expires_at=now + self._ttl["refresh"],
        )

    def verify_refresh(self, token: str) -> RefreshClaims:
        claims = self._decode(token, "refresh")
        family, jti = claims.get("fam"), claims.get("jti")
        if not isinstance(family, str) or not isinstance(jti, str) or not family or not jti:
            raise Unauthorized("token is not valid")
        return RefreshClaims(str(claims["sub"]), family, jti)

    def verify(self, token: str, kind: TokenType) -> str:
        """Return the user id of a valid token of the given kind, else raise Unauthorized."""
        return str(self._decode(token, kind)["sub"])

    def _decode(self, token: str, kind: TokenType) -> dict[str, Any]:
        try:
            claims = jwt.decode(
                token,
                self._secret,
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

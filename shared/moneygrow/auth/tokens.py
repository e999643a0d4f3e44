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


class TokenIssuer:
    def __init__(self, secret: str, access_ttl_s: int, refresh_ttl_s: int) -> None:
        if len(secret) < 32:
            raise ValueError("the JWT secret must be at least 32 characters")
        self._secret = secret
        self._ttl: dict[TokenType, int] = {"access": access_ttl_s, "refresh": refresh_ttl_s}

    def _encode(self, user_id: str, kind: TokenType) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": user_id,
            "typ": kind,
            "iat": now,
            "exp": now + self._ttl[kind],
            "iss": _ISSUER,
            "jti": secrets.token_urlsafe(12),
        }
        return jwt.encode(claims, self._secret, algorithm=_ALGORITHM)

    def issue(self, user_id: str) -> TokenPair:
        return TokenPair(
            self._encode(user_id, "access"), self._encode(user_id, "refresh"), self._ttl["access"]
        )

    def verify(self, token: str, kind: TokenType) -> str:
        """Return the user id of a valid token of the given kind, else raise Unauthorized."""
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
        return str(claims["sub"])

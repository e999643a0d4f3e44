"""Security events as structured Powertools logs: one JSON line each, never a secret in it.

Events: register, login_succeeded, login_failed, refresh_rotated, refresh_reuse_detected, logout,
api_key_created, api_key_revoked, api_key_rejected, scope_denied, rate_limited.
Emails and IPs are logged as truncated SHA-256 references; passwords, tokens and keys never.
"""

from __future__ import annotations

import hashlib
from typing import Any

from moneygrow.observability import logger

# Field names that may never reach a log line, whatever a caller passes.
_FORBIDDEN = frozenset(
    {"password", "token", "access_token", "refresh_token", "api_key", "key", "secret", "authorization"}
)


def ref(value: str | None) -> str | None:
    """A short non-reversible reference to an email or IP (correlates events without storing PII)."""
    if not value:
        return None
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:16]


def audit(event: str, *, outcome: str = "success", **fields: Any) -> None:
    safe = {k: v for k, v in fields.items() if v is not None and k.lower() not in _FORBIDDEN}
    logger.info(
        f"security event: {event}",
        extra={"audit": True, "security_event": event, "outcome": outcome, **safe},
    )

"""Fixed-window rate limits on atomic store counters (DynamoDB ADD with TTL in the cloud).

One counter item per (bucket, window): `incr_counter` is a single atomic UpdateItem, so the limit holds
across every Lambda instance without a read-modify-write race. The window's counter expires by TTL.
A fixed window may let up to 2x the limit through around a window boundary; that is the accepted
trade-off for one write per request (API Gateway's token bucket smooths bursts at the edge).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from moneygrow.config import Settings
from moneygrow.errors import TooManyRequests
from moneygrow.store.base import Store


@dataclass(frozen=True)
class Limit:
    requests: int
    window_s: int


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # epoch seconds when the window ends
    retry_after: int  # seconds; 0 when allowed

    def headers(self) -> dict[str, str]:
        out = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after)
        return out


class RateLimited(TooManyRequests):
    def __init__(self, decision: Decision, what: str) -> None:
        super().__init__(
            f"too many requests ({what}); retry after {decision.retry_after} s",
            {"limit": decision.limit, "retry_after": decision.retry_after},
        )
        self.decision = decision
        self.headers = decision.headers()


def subject_ref(value: str) -> str:
    """A stable, non-reversible bucket name for an email or IP (no PII in table keys or logs)."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Policy:
    per_tier: dict[str, Limit]
    auth_ip: Limit
    auth_account: Limit
    enabled: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            per_tier={
                "free": Limit(settings.rate_limit_free_per_min, 60),
                "pro": Limit(settings.rate_limit_pro_per_min, 60),
            },
            auth_ip=Limit(settings.rate_limit_auth_ip_per_min, 60),
            auth_account=Limit(settings.rate_limit_auth_account_per_15min, 15 * 60),
            enabled=settings.rate_limit_enabled,
        )

    def for_tier(self, tier: str) -> Limit:
        return self.per_tier.get(tier, self.per_tier["free"])


class RateLimiter:
    def __init__(self, store: Store, policy: Policy, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self.policy = policy
        self._clock = clock

    def hit(self, bucket: str, limit: Limit) -> Decision:
        now = self._clock()
        start = int(now // limit.window_s) * limit.window_s
        reset = start + limit.window_s
        if not self.policy.enabled:
            return Decision(True, limit.requests, limit.requests, reset, 0)
        count = self._store.incr_counter(f"{bucket}#{limit.window_s}#{start}", reset + 60)
        allowed = count <= limit.requests
        return Decision(
            allowed=allowed,
            limit=limit.requests,
            remaining=max(0, limit.requests - count),
            reset=reset,
            retry_after=0 if allowed else max(1, math.ceil(reset - now)),
        )

    def enforce(self, bucket: str, limit: Limit, what: str) -> Decision:
        decision = self.hit(bucket, limit)
        if not decision.allowed:
            raise RateLimited(decision, what)
        return decision

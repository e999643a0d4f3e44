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
    login_failures_account_ip: Limit = Limit(5, 15 * 60)
    login_failures_account: Limit = Limit(20, 15 * 60)
    login_failures_device: Limit = Limit(10, 15 * 60)
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
            login_failures_account_ip=Limit(settings.rate_limit_login_failures_account_ip, 15 * 60),
            login_failures_account=Limit(settings.rate_limit_login_failures_account, 15 * 60),
            login_failures_device=Limit(settings.rate_limit_login_failures_device, 15 * 60),
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
        return self._decide(bucket, limit, counting=True)

    def peek(self, bucket: str, limit: Limit) -> Decision:
        """The bucket's state without counting this request (for counters of failures only)."""
        return self._decide(bucket, limit, counting=False)

    def _decide(self, bucket: str, limit: Limit, *, counting: bool) -> Decision:
        now = self._clock()
        start = int(now // limit.window_s) * limit.window_s
        reset = start + limit.window_s
        if not self.policy.enabled:
            return Decision(True, limit.requests, limit.requests, reset, 0)
        key = f"{bucket}#{limit.window_s}#{start}"
        if counting:  # this request is one of the count
            count = self._store.incr_counter(key, reset + 60)
            allowed = count <= limit.requests
        else:  # the next one would be
            count = self._store.read_counter(key)
            allowed = count < limit.requests
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


@dataclass(frozen=True)
class LoginThrottle:
    """Slows password guessing without handing an attacker a way to lock the owner out.

    Only failures count, and a blocked bucket blocks only the attempts it counts:
    * per (account, IP): one source guessing one account stops after a few failures;
    * per account, for attempts from browsers that never logged in to it: a distributed guess
      (many IPs) is capped, whoever sends it;
    * per device, for attempts that carry the device token a successful login handed that browser:
      the owner's own browsers are counted apart, so the two buckets above, which strangers can
      fill, never stop them. (A brand-new browser of the owner during a distributed attack waits
      out the window: the price of capping the attack.)
    """

    limiter: RateLimiter

    def _buckets(self, email: str, ip: str, device: str | None) -> list[tuple[str, Limit, str]]:
        policy, account = self.limiter.policy, subject_ref(email)
        if device:
            return [(f"lf-dev:{subject_ref(device)}", policy.login_failures_device, "per device")]
        return [
            (
                f"lf-acct-ip:{account}:{subject_ref(ip)}",
                policy.login_failures_account_ip,
                "per account and IP",
            ),
            (f"lf-acct:{account}", policy.login_failures_account, "per account from new devices"),
        ]

    def check(self, email: str, ip: str, device: str | None) -> None:
        for bucket, limit, what in self._buckets(email, ip, device):
            decision = self.limiter.peek(bucket, limit)
            if not decision.allowed:
                raise RateLimited(decision, f"failed logins {what}")

    def failed(self, email: str, ip: str, device: str | None) -> None:
        for bucket, limit, _ in self._buckets(email, ip, device):
            self.limiter.hit(bucket, limit)

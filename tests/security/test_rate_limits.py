"""In-app rate limits: per JWT user and per API key (by tier), login/register per IP and per account.
429 with Retry-After and X-RateLimit-*; the body is the standard error with code rate_limited."""

from __future__ import annotations

from typing import Any

from moneygrow.ratelimit import Limit, Policy, RateLimiter
from moneygrow.store.memory import MemoryStore
from tests.security.conftest import PASSWORD, login


def _assert_429(r: Any, limit: int) -> None:
    assert r.status_code == 429, r.text
    body = r.json()
    assert set(body["error"]) == {"code", "message", "details", "request_id"}
    assert body["error"]["code"] == "rate_limited"
    assert int(r.headers["retry-after"]) >= 1
    assert r.headers["x-ratelimit-limit"] == str(limit) and r.headers["x-ratelimit-remaining"] == "0"
    assert int(r.headers["x-ratelimit-reset"]) > 0


def test_per_user_limit_with_headers_and_isolation_between_users(make_stack: Any) -> None:
    stack = make_stack(rate_limit_free_per_min=5)
    with stack.client() as client:
        alice = login(client, "alice@example.com")["headers"]
        bob = login(client, "bob@example.com")["headers"]
        remaining = []
        for _ in range(5):
            r = client.get("/users/me", headers=alice)
            assert r.status_code == 200
            assert r.headers["x-ratelimit-limit"] == "5"
            remaining.append(int(r.headers["x-ratelimit-remaining"]))
        assert remaining == [4, 3, 2, 1, 0]
        _assert_429(client.get("/users/me", headers=alice), 5)
        _assert_429(client.post("/analyze", json={"token_address": "0x" + "1" * 40}, headers=alice), 5)
        assert client.get("/users/me", headers=bob).status_code == 200  # Bob has his own budget


def test_per_key_limit_follows_the_tier(make_stack: Any) -> None:
    stack = make_stack(rate_limit_free_per_min=3, rate_limit_pro_per_min=6)
    with stack.client() as client:
        h = login(client, "tiers@example.com")["headers"]
        free = {"X-API-Key": client.post("/users/api-keys", json={}, headers=h).json()["api_key"]}
        user = next(iter(stack.store.users.values()))
        user.tier = "pro"
        pro = {"X-API-Key": client.post("/users/api-keys", json={}, headers=h).json()["api_key"]}
        statuses = [client.get("/analysis/history", headers=free).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        statuses = [client.get("/analysis/history", headers=pro).status_code for _ in range(7)]
        assert statuses == [200] * 6 + [429]
        # only the pro key has a gateway key of its own; the free one is metered by a shard key
        assert [t for _, t in stack.gateway.keys.values()] == ["pro"]


def test_login_is_limited_per_ip(make_stack: Any) -> None:
    stack = make_stack(rate_limit_auth_ip_per_min=4, rate_limit_auth_account_per_15min=100)
    with stack.client("192.0.2.10") as attacker, stack.client("192.0.2.20") as other:
        codes = [
            attacker.post("/auth/token", json={"email": f"u{i}@example.com", "password": "guess guess 1"})
            for i in range(5)
        ]
        assert [r.status_code for r in codes] == [401, 401, 401, 401, 429]
        _assert_429(codes[-1], 4)
        reg = attacker.post("/auth/register", json={"email": "x@example.com", "password": PASSWORD})
        assert reg.status_code == 429  # register and refresh share the per-IP budget
        assert (
            other.post("/auth/register", json={"email": "x@example.com", "password": PASSWORD}).status_code
            == 202
        )


def test_fixed_window_resets_and_counts_across_limiter_instances() -> None:
    store, now = MemoryStore(), [1_000_000.0]
    policy = Policy({"free": Limit(2, 60)}, Limit(1, 60), Limit(1, 60))
    a = RateLimiter(store, policy, clock=lambda: now[0])
    b = RateLimiter(store, policy, clock=lambda: now[0])  # another Lambda instance, same table
    assert a.hit("k", Limit(2, 60)).allowed
    assert b.hit("k", Limit(2, 60)).allowed
    denied = a.hit("k", Limit(2, 60))
    assert not denied.allowed and denied.retry_after == 60 - (1_000_000 % 60)
    assert denied.headers()["Retry-After"] == str(denied.retry_after)
    now[0] += denied.retry_after
    assert b.hit("k", Limit(2, 60)).allowed  # a new window


def test_rate_limits_can_be_switched_off(make_stack: Any) -> None:
    stack = make_stack(rate_limit_free_per_min=1, rate_limit_enabled=False)
    with stack.client() as client:
        h = login(client, "off@example.com")["headers"]
        assert all(client.get("/users/me", headers=h).status_code == 200 for _ in range(5))
        assert stack.store.counters == {}

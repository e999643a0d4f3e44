"""Auth hardening: refresh rotation + reuse detection, logout, password rules, no user enumeration,
API key scopes / expiry / last use, and the API Gateway twin of every key."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from moneygrow.models import utcnow
from tests.security.conftest import PASSWORD, Stack, login, same_body

TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def _code(r: Any) -> str:
    return str(r.json()["error"]["code"])


def test_refresh_rotates_and_reuse_revokes_the_whole_family(client: TestClient, stack: Stack) -> None:
    first = login(client, "rot@example.com")
    second = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    new = second.json()
    assert new["refresh_token"] != first["refresh_token"]
    third = client.post("/auth/refresh", json={"refresh_token": new["refresh_token"]})
    assert third.status_code == 200
    latest = third.json()["refresh_token"]
    # a spent refresh token comes back: theft or replay -> 401 and the family is revoked
    replay = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401 and _code(replay) == "unauthorized"
    # ... so even the newest token of that login is dead now
    assert client.post("/auth/refresh", json={"refresh_token": latest}).status_code == 401
    assert all(f.revoked for f in stack.store.families.values())
    # a fresh login starts a new, independent family
    again = login_only(client, "rot@example.com")
    assert client.post("/auth/refresh", json={"refresh_token": again["refresh_token"]}).status_code == 200


def login_only(client: TestClient, email: str) -> dict[str, Any]:
    r = client.post("/auth/token", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200
    return dict(r.json())


def test_logout_revokes_the_refresh_family(client: TestClient) -> None:
    tokens = login(client, "out@example.com")
    other = login_only(client, "out@example.com")  # another device: its own family
    assert client.post("/auth/logout", json={"refresh_token": tokens["refresh_token"]}).status_code == 204
    assert client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert client.post("/auth/refresh", json={"refresh_token": other["refresh_token"]}).status_code == 200
    assert client.post("/auth/logout", json={"refresh_token": "garbage"}).status_code == 401


def test_access_token_is_not_a_refresh_token_and_forged_family_is_refused(
    client: TestClient, stack: Stack
) -> None:
    import jwt

    tokens = login(client, "forge@example.com")
    assert client.post("/auth/refresh", json={"refresh_token": tokens["access_token"]}).status_code == 401
    claims = jwt.decode(tokens["refresh_token"], options={"verify_signature": False})
    claims["fam"] = "f" * 32  # a family that does not exist, even correctly signed
    forged = jwt.encode(claims, stack.settings.jwt_secret, algorithm="HS256")
    assert client.post("/auth/refresh", json={"refresh_token": forged}).status_code == 401


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1!", "at least 10"),
        ("aaaaaaaaaaaaaa", "5 different"),
        ("password123", "commonly used"),
        ("Qwertyuiop", "commonly used"),
        ("xxjohnsmith99", "email"),
    ],
)
def test_password_rules(client: TestClient, password: str, problem: str) -> None:
    r = client.post("/auth/register", json={"email": "johnsmith@example.com", "password": password})
    assert r.status_code == 422 and _code(r) == "validation_error"
    assert any(problem in p for p in r.json()["error"]["details"]["password"])
    assert password not in r.text  # never echoed


def _median_s(fn: Any, n: int = 5) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def test_no_user_enumeration_by_message_or_timing(make_stack: Any, production_password_hashing: None) -> None:
    stack = make_stack(rate_limit_enabled=False)
    with stack.client() as client:
        login(client, "known@example.com")
        new = client.post("/auth/register", json={"email": "new@example.com", "password": PASSWORD})
        dup = client.post("/auth/register", json={"email": "known@example.com", "password": PASSWORD})
        assert (new.status_code, same_body(new)) == (dup.status_code, same_body(dup))
        missing = client.post("/auth/token", json={"email": "ghost@example.com", "password": PASSWORD})
        wrong = client.post("/auth/token", json={"email": "known@example.com", "password": "wrong pass 123"})
        assert (missing.status_code, same_body(missing)) == (wrong.status_code, same_body(wrong))

        n = iter(range(1000))
        t_new = _median_s(
            lambda: client.post(
                "/auth/register", json={"email": f"n{next(n)}@example.com", "password": PASSWORD}
            )
        )
        t_dup = _median_s(
            lambda: client.post("/auth/register", json={"email": "known@example.com", "password": PASSWORD})
        )
        t_missing = _median_s(
            lambda: client.post("/auth/token", json={"email": "ghost@example.com", "password": PASSWORD})
        )
        t_wrong = _median_s(
            lambda: client.post(
                "/auth/token", json={"email": "known@example.com", "password": "wrong pass 123"}
            )
        )
    # both paths pay one Argon2 computation; only noise separates them
    assert 0.5 < t_new / t_dup < 2.0, (t_new, t_dup)
    assert 0.5 < t_missing / t_wrong < 2.0, (t_missing, t_wrong)


def _key(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    r = client.post("/users/api-keys", json={"name": "k", **body}, headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_api_key_scopes(client: TestClient) -> None:
    h = login(client, "scopes@example.com")["headers"]
    read = {"X-API-Key": _key(client, h, scopes=["read"])["api_key"]}
    analyze = {"X-API-Key": _key(client, h, scopes=["analyze"])["api_key"]}
    both = _key(client, h)
    assert both["scopes"] == ["read", "analyze"]
    r = client.post("/analyze", json={"token_address": TOKEN}, headers=read)
    assert r.status_code == 403 and _code(r) == "forbidden"
    assert client.get("/analysis/history", headers=read).status_code == 200
    task = client.post("/analyze", json={"token_address": TOKEN}, headers=analyze)
    assert task.status_code == 202
    assert client.get(f"/analysis/{task.json()['task_id']}", headers=analyze).status_code == 403
    assert client.get("/users/me", headers=analyze).status_code == 403
    # keys never manage keys, whatever their scopes
    full = {"X-API-Key": both["api_key"]}
    assert client.post("/users/api-keys", json={"name": "x"}, headers=full).status_code == 403
    assert client.delete(f"/users/api-keys/{both['key_id']}", headers=full).status_code == 403
    bad = client.post("/users/api-keys", json={"name": "x", "scopes": ["admin"]}, headers=h)
    assert bad.status_code == 422


def test_api_key_expiry_and_last_use(client: TestClient, stack: Stack) -> None:
    h = login(client, "expiry@example.com")["headers"]
    created = _key(client, h, expires_in_days=30)
    assert created["expires_at"] is not None and created["last_used_at"] is None
    key = {"X-API-Key": created["api_key"]}
    assert client.get("/users/me", headers=key).status_code == 200
    listed = client.get("/users/api-keys", headers=h).json()["items"][0]
    assert listed["last_used_at"] is not None
    stored = next(iter(stack.store.keys.values()))
    stored.expires_at = utcnow() - timedelta(seconds=1)
    r = client.get("/users/me", headers=key)
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]
    assert (
        client.post("/users/api-keys", json={"name": "x", "expires_in_days": 0}, headers=h).status_code == 422
    )
    assert (
        client.post("/users/api-keys", json={"name": "x", "expires_in_days": 366}, headers=h).status_code
        == 422
    )


def test_pro_keys_are_registered_at_the_gateway_and_revoke_removes_both(
    client: TestClient, stack: Stack
) -> None:
    h = login(client, "gw@example.com")["headers"]
    free = _key(client, h)
    assert stack.gateway.keys == {}  # free keys spend none of the account's gateway key quota
    next(iter(stack.store.users.values())).tier = "pro"
    created = _key(client, h)
    assert list(stack.gateway.keys.values()) == [(created["key_id"], "pro")]  # never the secret
    stored = stack.store.get_api_key(next(iter(stack.store.users)), created["key_id"])
    assert stored is not None and stored.gateway_key_id == "gw1" and stored.tier == "pro"
    assert client.delete(f"/users/api-keys/{created['key_id']}", headers=h).status_code == 204
    assert client.delete(f"/users/api-keys/{free['key_id']}", headers=h).status_code == 204
    assert stack.gateway.keys == {} and stack.store.keys == {}


def test_gateway_failures_leave_nothing_half_done(client: TestClient, stack: Stack) -> None:
    h = login(client, "gwfail@example.com")["headers"]
    next(iter(stack.store.users.values())).tier = "pro"
    stack.gateway.fail = True
    r = client.post("/users/api-keys", json={"name": "k"}, headers=h)
    assert r.status_code == 503 and stack.store.keys == {}
    stack.gateway.fail = False
    created = _key(client, h)
    stack.gateway.fail = True
    assert client.delete(f"/users/api-keys/{created['key_id']}", headers=h).status_code == 503
    # still whole in both places: a retry can finish the revocation
    assert client.get("/users/me", headers={"X-API-Key": created["api_key"]}).status_code == 200
    assert len(stack.gateway.keys) == 1
    stack.gateway.fail = False
    assert client.delete(f"/users/api-keys/{created['key_id']}", headers=h).status_code == 204
    assert client.get("/users/me", headers={"X-API-Key": created["api_key"]}).status_code == 401


def test_key_count_is_bounded(make_stack: Any) -> None:
    from moneygrow.services.accounts import MAX_KEYS_PER_USER

    stack = make_stack(rate_limit_enabled=False)
    with stack.client() as client:
        h = login(client, "many@example.com")["headers"]
        for _ in range(MAX_KEYS_PER_USER):
            _key(client, h)
        r = client.post("/users/api-keys", json={"name": "one too many"}, headers=h)
        assert r.status_code == 409 and _code(r) == "conflict"

"""Tenant isolation: user B can never read, list, revoke or analyse through user A's resources.

Every authenticated route is exercised with B's credentials (JWT and API key) against A's ids,
A's cursors and guessed ids. "Not yours" must be indistinguishable from "does not exist".
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

TOKENS = [f"0x{i:040x}" for i in range(1, 6)]
PASSWORD = "isolation passphrase 1"


@dataclass
class Tenant:
    email: str
    bearer: dict[str, str]
    key: dict[str, str]
    key_id: str
    refresh_token: str
    task_ids: list[str]


def _tenant(api: TestClient, email: str) -> Tenant:
    assert api.post("/auth/register", json={"email": email, "password": PASSWORD}).status_code in (201, 202)
    tokens = api.post("/auth/token", json={"email": email, "password": PASSWORD}).json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    created = api.post("/users/api-keys", json={"name": "k"}, headers=bearer).json()
    key = {"X-API-Key": created["api_key"]}
    tasks = [
        api.post("/analyze", json={"token_address": t}, headers=bearer).json()["task_id"] for t in TOKENS
    ]
    api.post("/users/api-keys", json={"name": "k2"}, headers=bearer)
    api.post("/users/api-keys", json={"name": "k3"}, headers=bearer)
    return Tenant(email, bearer, key, created["key_id"], tokens["refresh_token"], tasks)


@pytest.fixture
def tenants(api: TestClient) -> tuple[Tenant, Tenant]:
    return _tenant(api, "alice@example.com"), _tenant(api, "bob@example.com")


def _not_found(r: Any) -> dict[str, Any]:
    assert r.status_code == 404, r.text
    body: dict[str, Any] = r.json()
    assert body["error"]["code"] == "not_found"
    return {**body, "error": {**body["error"], "request_id": None}}  # the id differs per request


def _creds(b: Tenant) -> list[dict[str, str]]:
    return [b.bearer, b.key]


def test_b_cannot_read_a_analysis_by_id_and_it_looks_like_a_missing_one(
    api: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    for headers in _creds(b):
        for task in a.task_ids:
            foreign = _not_found(api.get(f"/analysis/{task}", headers=headers))
            missing = _not_found(api.get(f"/analysis/{secrets.token_hex(16)}", headers=headers))
            assert foreign == missing  # same body: existence is not revealed
    # the owner still reads them
    assert api.get(f"/analysis/{a.task_ids[0]}", headers=a.key).status_code == 200


def test_guessing_task_ids_finds_nothing(api: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    guesses = [secrets.token_hex(16) for _ in range(50)]
    # near misses of a real id (one hex digit changed) and case variants
    for task in a.task_ids:
        guesses.append(task[:-1] + ("0" if task[-1] != "0" else "1"))
        guesses.append(task.upper())
    for guess in guesses:
        r = api.get(f"/analysis/{guess}", headers=b.bearer)
        assert r.status_code in (404, 422), r.text
        assert "task_id" not in r.text or guess not in a.task_ids


def test_b_history_never_contains_a_and_a_cursors_are_refused(
    api: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    for headers in _creds(b):
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            page = api.get("/analysis/history", params=params, headers=headers).json()
            seen += [i["task_id"] for i in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert set(seen) == set(b.task_ids) and not set(seen) & set(a.task_ids)
    a_cursor = api.get("/analysis/history", params={"limit": 1}, headers=a.bearer).json()["next_cursor"]
    assert a_cursor
    for headers in _creds(b):
        r = api.get("/analysis/history", params={"limit": 1, "cursor": a_cursor}, headers=headers)
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_cursor"
        assert a.task_ids[0] not in r.text


def test_b_cannot_list_a_keys_nor_page_with_a_cursor(api: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    a_ids = {k["key_id"] for k in api.get("/users/api-keys", headers=a.bearer).json()["items"]}
    for headers in _creds(b):
        listed = api.get("/users/api-keys", params={"limit": 100}, headers=headers).json()["items"]
        assert listed and not {k["key_id"] for k in listed} & a_ids
    a_cursor = api.get("/users/api-keys", params={"limit": 1}, headers=a.bearer).json()["next_cursor"]
    assert a_cursor
    r = api.get("/users/api-keys", params={"limit": 1, "cursor": a_cursor}, headers=b.bearer)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_cursor"


def test_b_cannot_revoke_a_key_and_a_key_keeps_working(
    api: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    foreign = api.delete(f"/users/api-keys/{a.key_id}", headers=b.bearer)
    missing = api.delete(f"/users/api-keys/{secrets.token_hex(8)}", headers=b.bearer)
    assert foreign.status_code == missing.status_code
    same = [{**r.json()["error"], "request_id": None} for r in (foreign, missing)]  # ids differ per request
    assert same[0] == same[1]
    assert foreign.status_code in (403, 404)
    # with B's API key it is refused too (keys cannot manage keys, or it is not found)
    assert api.delete(f"/users/api-keys/{a.key_id}", headers=b.key).status_code in (403, 404)
    assert api.get("/users/me", headers=a.key).json()["email"] == a.email


def test_b_analyses_are_b_own_even_for_the_same_token(
    api: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    for headers in _creds(b):
        r = api.post("/analyze", json={"token_address": TOKENS[0]}, headers=headers).json()
        # B's own running task (deduplicated within B), never A's
        assert r["task_id"] not in a.task_ids
        assert r["task_id"] in b.task_ids


def test_identity_always_follows_the_credential(api: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    assert api.get("/users/me", headers=b.bearer).json()["email"] == b.email
    assert api.get("/users/me", headers=b.key).json()["email"] == b.email
    # B's refresh token yields B's tokens, never A's
    fresh = api.post("/auth/refresh", json={"refresh_token": b.refresh_token}).json()
    me = api.get("/users/me", headers={"Authorization": f"Bearer {fresh['access_token']}"}).json()
    assert me["email"] == b.email
    # A's key id is not a credential
    r = api.get("/users/me", headers={"X-API-Key": f"mg_{a.key_id}_" + "A" * 43})
    assert r.status_code == 401


def test_b_cannot_end_or_refresh_a_session(api: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    # B logging out revokes only B's login; A's refresh token keeps working
    assert api.post("/auth/logout", json={"refresh_token": b.refresh_token}).status_code == 204
    fresh = api.post("/auth/refresh", json={"refresh_token": a.refresh_token})
    assert fresh.status_code == 200
    me = api.get("/users/me", headers={"Authorization": f"Bearer {fresh.json()['access_token']}"})
    assert me.json()["email"] == a.email


def test_a_bearer_next_to_a_foreign_key_header_is_still_the_bearer(
    api: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    # the Bearer decides who is calling; an X-API-Key next to it (the edge key) does not switch users
    both = {**b.bearer, **a.key}
    assert api.get("/users/me", headers=both).json()["email"] == b.email
    _not_found(api.get(f"/analysis/{a.task_ids[0]}", headers=both))

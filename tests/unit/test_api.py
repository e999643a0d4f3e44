"""The HTTP API over the in-memory store and a recording workflow (no AWS)."""

from __future__ import annotations

from typing import Any

import pytest
from eth_utils.address import to_checksum_address
from fastapi.testclient import TestClient

from moneygrow.models import AnalysisStatus
from moneygrow.store.memory import MemoryStore
from moneygrow.workflow import ExecutionState

TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
PASSWORD = "correct horse battery"


def _login(api: TestClient, email: str = "alice@example.com") -> dict[str, str]:
    assert api.post("/auth/register", json={"email": email, "password": PASSWORD}).status_code == 202
    r = api.post("/auth/token", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _error(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details", "request_id"}
    assert body["error"]["code"] == code
    assert body["error"]["request_id"] == r.headers["x-request-id"] and len(body["error"]["request_id"]) >= 16
    return dict(body["error"])


def test_health_and_openapi(api: TestClient) -> None:
    assert api.get("/health").json() == {"status": "ok"}
    assert api.get("/health/ready").json()["status"] == "ready"
    paths = api.get("/openapi.json").json()["paths"]
    for path in (
        "/auth/register",
        "/auth/token",
        "/auth/refresh",
        "/users/me",
        "/users/api-keys",
        "/users/api-keys/{key_id}",
        "/analyze",
        "/analysis/{task_id}",
        "/analysis/history",
    ):
        assert path in paths
    assert api.get("/docs").status_code == 200


def test_ready_is_503_when_a_dependency_is_down(api: TestClient, workflow: Any) -> None:
    workflow.fail_with = ConnectionError("down")
    err = _error(api.get("/health/ready"), 503, "not_ready")
    assert err["details"]["workflow"].startswith("down")


def test_register_login_refresh_me(api: TestClient) -> None:
    r = api.post("/auth/register", json={"email": "Bob@Example.com", "password": PASSWORD})
    assert r.status_code == 202 and r.json()["status"] == "accepted"
    # registering an existing email answers exactly the same (no user enumeration)
    again = api.post("/auth/register", json={"email": "bob@example.com", "password": "another passphrase"})
    assert again.status_code == 202 and again.json() == r.json()
    _error(
        api.post("/auth/register", json={"email": "c@example.com", "password": "short"}),
        422,
        "validation_error",
    )
    _error(
        api.post("/auth/token", json={"email": "bob@example.com", "password": "wrong password"}),
        401,
        "unauthorized",
    )
    # same message whether or not the account exists
    a = api.post("/auth/token", json={"email": "nobody@example.com", "password": PASSWORD}).json()
    b = api.post("/auth/token", json={"email": "bob@example.com", "password": "wrong password"}).json()
    a["error"].pop("request_id"), b["error"].pop("request_id")  # per request, by design
    assert a == b
    tokens = api.post("/auth/token", json={"email": "bob@example.com", "password": PASSWORD}).json()
    me = api.get("/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["email"] == "bob@example.com"
    # a refresh token is not an access token, and vice versa
    _error(
        api.get("/users/me", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}),
        401,
        "unauthorized",
    )
    _error(api.post("/auth/refresh", json={"refresh_token": tokens["access_token"]}), 401, "unauthorized")
    fresh = api.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert fresh.status_code == 200 and fresh.json()["access_token"]
    # the existing account kept its original password
    assert api.post("/auth/token", json={"email": "bob@example.com", "password": PASSWORD}).status_code == 200


def test_api_keys_are_shown_once_hashed_listed_and_revocable(
    api: TestClient, memory_store: MemoryStore
) -> None:
    h = _login(api)
    created = api.post("/users/api-keys", json={"name": "script"}, headers=h).json()
    key = created["api_key"]
    assert key.startswith(created["prefix"])
    assert all(key not in str(k.model_dump()) for k in memory_store.keys.values())  # only the hash is stored
    assert api.get("/users/me", headers={"X-API-Key": key}).status_code == 200
    listed = api.get("/users/api-keys", headers=h).json()
    assert [k["key_id"] for k in listed["items"]] == [created["key_id"]]
    assert "api_key" not in listed["items"][0]
    assert api.get("/users/api-keys", headers={"X-API-Key": key}).json()["items"][0]["last_used_at"]
    assert api.delete(f"/users/api-keys/{created['key_id']}", headers=h).status_code == 204
    _error(api.get("/users/me", headers={"X-API-Key": key}), 401, "unauthorized")
    _error(api.delete(f"/users/api-keys/{created['key_id']}", headers=h), 404, "not_found")


def test_analyze_is_idempotent_while_running_and_starts_one_execution(api: TestClient, workflow: Any) -> None:
    h = _login(api)
    first = api.post("/analyze", json={"token_address": TOKEN.lower(), "chain": "bsc"}, headers=h)
    assert first.status_code == 202
    body = first.json()
    assert body["status"] == "RUNNING" and body["deduplicated"] is False
    assert first.headers["location"] == body["links"]["self"] == f"/analysis/{body['task_id']}"
    again = api.post("/analyze", json={"token_address": TOKEN, "chain": "bsc"}, headers=h).json()
    assert again["task_id"] == body["task_id"] and again["deduplicated"] is True
    other_chain = api.post("/analyze", json={"token_address": TOKEN, "chain": "polygon"}, headers=h).json()
    assert other_chain["task_id"] != body["task_id"]
    assert [t.task_id for t in workflow.started] == [body["task_id"], other_chain["task_id"]]
    assert workflow.started[0].token_address == TOKEN  # normalised to the checksum form
    got = api.get(f"/analysis/{body['task_id']}", headers=h).json()
    assert got["status"] == "RUNNING" and got["chain"] == "bsc"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"token_address": "0x123", "chain": "ethereum"}, 422, "validation_error"),
        ({"token_address": TOKEN, "chain": "solana"}, 422, "validation_error"),
        (
            {"token_address": "0x5fbDB2315678afecb367f032d93F642f64180aa3", "chain": "ethereum"},
            422,
            "validation_error",
        ),  # bad EIP-55 checksum
        ({"token_address": TOKEN, "chain": "ethereum", "extra": 1}, 422, "validation_error"),
        ({}, 422, "validation_error"),
    ],
)
def test_analyze_rejects_bad_input(api: TestClient, body: dict[str, Any], status: int, code: str) -> None:
    h = _login(api)
    _error(api.post("/analyze", json=body, headers=h), status, code)


def test_malformed_requests_get_clear_4xx(api: TestClient) -> None:
    h = _login(api)
    _error(
        api.post("/analyze", content=b"{not json", headers={**h, "content-type": "application/json"}),
        400,
        "invalid_json",
    )
    _error(
        api.post(
            "/analyze", content=b"a=b", headers={**h, "content-type": "application/x-www-form-urlencoded"}
        ),
        415,
        "unsupported_media_type",
    )
    _error(
        api.post(
            "/analyze",
            content=b"[" + b"1," * 20000 + b"1]",
            headers={**h, "content-type": "application/json"},
        ),
        413,
        "payload_too_large",
    )
    _error(api.post("/analyze", json={"token_address": TOKEN}), 401, "unauthorized")
    _error(api.get("/users/me", headers={"Authorization": "Bearer garbage"}), 401, "unauthorized")
    _error(api.get("/users/me", headers={"X-API-Key": "mg_" + "0" * 60}), 401, "unauthorized")
    _error(api.get("/no/such/route"), 404, "not_found")
    _error(api.put("/analyze", json={}, headers=h), 405, "method_not_allowed")
    _error(api.get("/analysis/not-a-task-id", headers=h), 422, "validation_error")
    _error(api.get("/analysis/history?limit=0", headers=h), 422, "validation_error")
    _error(api.get("/analysis/history?cursor=%%%", headers=h), 400, "invalid_cursor")


def test_users_only_see_their_own_analyses(api: TestClient) -> None:
    alice, bob = _login(api, "alice@example.com"), _login(api, "bob@example.com")
    task = api.post("/analyze", json={"token_address": TOKEN}, headers=alice).json()["task_id"]
    _error(api.get(f"/analysis/{task}", headers=bob), 404, "not_found")
    assert api.get("/analysis/history", headers=bob).json()["items"] == []
    mine = api.get("/analysis/history", headers=alice).json()["items"]
    assert [a["task_id"] for a in mine] == [task]
    # Bob analysing the same token gets his own task, not Alice's running one
    bobs = api.post("/analyze", json={"token_address": TOKEN}, headers=bob).json()
    assert bobs["task_id"] != task and bobs["deduplicated"] is False


def test_history_paginates_newest_first(api: TestClient, workflow: Any) -> None:
    h = _login(api)
    tasks = [
        api.post("/analyze", json={"token_address": f"0x{i:040x}"}, headers=h).json()["task_id"]
        for i in range(1, 6)
    ]
    seen, cursor = [], None
    for _ in range(10):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/analysis/history", params=params, headers=h).json()
        seen += [a["task_id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(tasks))


def test_history_filters_by_chain_and_level_per_user_and_paginated(
    api: TestClient, memory_store: MemoryStore
) -> None:
    alice, bob = _login(api, "alice@example.com"), _login(api, "bob@example.com")
    plan = [
        ("ethereum", "HIGH"),
        ("bsc", "HIGH"),
        ("bsc", "LOW"),
        ("bsc", None),
        ("polygon", "HIGH"),
        ("bsc", "HIGH"),
    ]
    tasks = []
    for i, (chain, level) in enumerate(plan):
        task = api.post("/analyze", json={"token_address": f"0x{i + 1:040x}", "chain": chain}, headers=alice)
        tasks.append(task.json()["task_id"])
        if level:  # completed with that verdict (None: still running)
            result = {"risk_score": 70 if level == "HIGH" else 10, "risk_level": level}
            memory_store.update_analysis(tasks[-1], status=AnalysisStatus.COMPLETED, result=result)
    api.post("/analyze", json={"token_address": f"0x{99:040x}", "chain": "bsc"}, headers=bob)

    def listed(headers: dict[str, str], **query: Any) -> list[str]:
        seen, cursor = [], None
        for _ in range(10):
            params = {"limit": 1, **query, **({"cursor": cursor} if cursor else {})}
            page = api.get("/analysis/history", params=params, headers=headers).json()
            assert len(page["items"]) <= 1
            seen += [(a["task_id"], a["chain"], a["risk_level"]) for a in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                return [t for t, *_ in seen]
        raise AssertionError("the pages never end")

    newest_first = list(reversed(range(len(plan))))
    assert listed(alice, chain="bsc") == [tasks[i] for i in newest_first if plan[i][0] == "bsc"]
    assert listed(alice, level="HIGH") == [tasks[i] for i in newest_first if plan[i][1] == "HIGH"]
    assert listed(alice, chain="bsc", level="HIGH") == [tasks[5], tasks[1]]
    assert listed(alice, chain="polygon", level="LOW") == []
    assert listed(bob, level="HIGH") == [] and len(listed(bob, chain="bsc")) == 1  # only his own

    for query, field in (("chain=solana", "chain"), ("level=high", "level"), ("level=SAFE", "level")):
        err = _error(api.get(f"/analysis/history?{query}", headers=alice), 422, "validation_error")
        assert [d["loc"] for d in err["details"]] == [["query", field]]
    _error(api.get("/analysis/history?chain=bsc&cursor=%%%", headers=alice), 400, "invalid_cursor")


def test_workflow_down_gives_503_and_keeps_the_record(
    api: TestClient, workflow: Any, memory_store: MemoryStore
) -> None:
    h = _login(api)
    workflow.fail_with = ConnectionError("states endpoint unreachable")
    err = _error(api.post("/analyze", json={"token_address": TOKEN}, headers=h), 503, "service_unavailable")
    stored = memory_store.get_analysis(err["details"]["task_id"])
    assert stored is not None and stored.status == AnalysisStatus.FAILED
    workflow.fail_with = None
    retry = api.post("/analyze", json={"token_address": TOKEN}, headers=h).json()
    assert retry["deduplicated"] is False  # the failed start released the token


def test_analysis_shows_each_agents_progress_live_then_the_final_statuses(
    api: TestClient, memory_store: MemoryStore
) -> None:
    from moneygrow.models import AgentStatus, utcnow
    from moneygrow.store.records import AgentProgress

    h = _login(api)
    task = api.post("/analyze", json={"token_address": TOKEN}, headers=h).json()["task_id"]

    def progress() -> list[dict[str, Any]]:
        return api.get(f"/analysis/{task}", headers=h).json()["progress"]  # type: ignore[no-any-return]

    assert [(p["agent"], p["state"], p["status"]) for p in progress()] == [
        ("heuristic", "pending", None),
        ("ml", "pending", None),
        ("smart_money", "pending", None),
    ]
    finished = utcnow()
    recorded = AgentProgress(status=AgentStatus.DEGRADED, duration_ms=25, finished_at=finished)
    assert memory_store.record_agent_progress(task, "ml", recorded)
    live = progress()
    assert api.get(f"/analysis/{task}", headers=h).json()["status"] == "RUNNING"
    assert [(p["agent"], p["state"], p["status"]) for p in live] == [
        ("heuristic", "pending", None),
        ("ml", "done", "DEGRADED"),
        ("smart_money", "pending", None),
    ]
    assert live[1]["duration_ms"] == 25 and live[1]["finished_at"].startswith(finished.date().isoformat())
    # the aggregate's list is the source of truth (a crashed agent recorded nothing)
    memory_store.update_analysis(
        task,
        status=AnalysisStatus.COMPLETED,
        agents=[
            {"agent": "heuristic", "status": "FAILED", "error": "States.Timeout"},
            {"agent": "ml", "status": "DEGRADED", "duration_ms": 25},
            {"agent": "smart_money", "status": "OK", "duration_ms": 30},
        ],
    )
    assert [(p["agent"], p["state"], p["status"], p["duration_ms"]) for p in progress()] == [
        ("heuristic", "done", "FAILED", None),
        ("ml", "done", "DEGRADED", 25),
        ("smart_money", "done", "OK", 30),
    ]
    # an analysis that failed before the aggregate: what was recorded, the rest not reported
    other = api.post("/analyze", json={"token_address": TOKEN, "chain": "bsc"}, headers=h).json()["task_id"]
    memory_store.record_agent_progress(other, "heuristic", recorded)
    memory_store.update_analysis(other, status=AnalysisStatus.FAILED)
    got = api.get(f"/analysis/{other}", headers=h).json()["progress"]
    assert [p["state"] for p in got] == ["done", "not_reported", "not_reported"]


def test_running_analysis_whose_execution_died_is_reported_failed(
    api: TestClient, workflow: Any, memory_store: MemoryStore
) -> None:
    from datetime import timedelta

    h = _login(api)
    task = api.post("/analyze", json={"token_address": TOKEN}, headers=h).json()["task_id"]
    stale = memory_store.analyses[task]
    memory_store.analyses[task] = stale.model_copy(
        update={"updated_at": stale.updated_at - timedelta(minutes=5)}
    )
    workflow.states[task] = ExecutionState.TIMED_OUT
    got = api.get(f"/analysis/{task}", headers=h).json()
    assert got["status"] == "FAILED" and got["error"]["code"] == "workflow_timed_out"


def test_a_wallet_is_refused_at_submit_when_the_node_says_it_has_no_code(
    api: TestClient, workflow: Any, memory_store: Any
) -> None:
    wallet = "0x" + "ab" * 20
    api.app.state.deps.has_code = lambda chain, address: address != to_checksum_address(wallet)  # type: ignore[attr-defined]
    h = _login(api)
    error = _error(api.post("/analyze", json={"token_address": wallet}, headers=h), 422, "not_a_token")
    assert error["details"]["kind"] == "NOT_A_TOKEN"
    assert workflow.started == [] and list(memory_store.analyses.values()) == []  # nothing started or kept
    assert api.post("/analyze", json={"token_address": TOKEN}, headers=h).status_code == 202
    # a node that cannot tell lets the submission through: the workflow decides
    api.app.state.deps.has_code = lambda chain, address: None  # type: ignore[attr-defined]
    assert api.post("/analyze", json={"token_address": wallet}, headers=h).status_code == 202


def test_the_code_check_never_slows_submissions_when_the_node_is_down() -> None:
    from moneygrow.chains import Chain
    from moneygrow.services.analyses import CodeCheck

    now = [0.0]
    calls: list[str] = []

    def get_code(chain: Chain, address: str) -> bytes:
        calls.append(address)
        if address == "down":
            raise ConnectionError("node down")
        return b"\x60" if address == "token" else b""

    check = CodeCheck(get_code, backoff_s=60, clock=lambda: now[0])
    assert check(Chain.ETHEREUM, "token") is True and check(Chain.ETHEREUM, "wallet") is False
    assert check(Chain.ETHEREUM, "down") is None
    assert check(Chain.ETHEREUM, "wallet") is None and calls[-1] == "down"  # not asked during the backoff
    assert check(Chain.BSC, "wallet") is False  # per chain
    now[0] = 61.0
    assert check(Chain.ETHEREUM, "wallet") is False


def test_an_unexpected_error_is_a_500_with_a_correlation_id_and_no_internals(
    api: TestClient, memory_store: MemoryStore, monkeypatch: Any
) -> None:
    h = _login(api)

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("connect to arn:aws:dynamodb:us-east-1:123456789012:table/x failed")

    monkeypatch.setattr(memory_store, "list_analyses", broken)
    with TestClient(api.app, raise_server_exceptions=False) as client:
        r = client.get("/analysis/history", headers=h)
    err = _error(r, 500, "internal_error")
    assert "123456789012" not in r.text and "arn:" not in r.text
    assert err["request_id"] in err["message"] or "request_id" in err["message"]

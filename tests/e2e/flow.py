"""The user journey both end-to-end tests drive over HTTP: register → token → API key → analyze →
poll → result → history, and a second user who cannot see the first one's analysis."""

from __future__ import annotations

import time
from typing import Any

import httpx


def user_journey(base: str, token_address: str, *, poll_timeout_s: float = 60) -> dict[str, Any]:
    """Run the journey against the API at `base`; returns the completed analysis body."""
    with httpx.Client(base_url=base, timeout=60) as http:
        assert http.get("/health").json() == {"status": "ok"}
        creds = {"email": "e2e@example.com", "password": "an end to end passphrase"}
        assert http.post("/auth/register", json=creds).status_code == 202
        access = http.post("/auth/token", json=creds).json()["access_token"]
        key = http.post(
            "/users/api-keys", json={"name": "e2e"}, headers={"Authorization": f"Bearer {access}"}
        ).json()["api_key"]
        headers = {"X-API-Key": key}
        request = {"token_address": token_address, "chain": "ethereum"}

        submitted = http.post("/analyze", json=request, headers=headers)
        assert submitted.status_code == 202, submitted.text
        task_id = submitted.json()["task_id"]
        again = http.post("/analyze", json=request, headers=headers).json()
        if again["deduplicated"]:  # still running: the same task comes back
            assert again["task_id"] == task_id
        else:  # it had already finished, so a new analysis started
            assert http.get(f"/analysis/{task_id}", headers=headers).json()["status"] == "COMPLETED"

        body = poll_analysis(http, task_id, headers, poll_timeout_s)
        assert body["status"] == "COMPLETED", body

        history = http.get("/analysis/history", headers=headers).json()
        assert task_id in [item["task_id"] for item in history["items"]]
        other = {"email": "other@example.com", "password": "another passphrase"}
        assert http.post("/auth/register", json=other).status_code == 202
        other_access = http.post("/auth/token", json=other).json()["access_token"]
        hidden = http.get(f"/analysis/{task_id}", headers={"Authorization": f"Bearer {other_access}"})
        assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"
        return body


def poll_analysis(
    http: httpx.Client, task_id: str, headers: dict[str, str], timeout_s: float
) -> dict[str, Any]:
    """GET /analysis/{task_id} until it is COMPLETED or FAILED (or time runs out): the last body."""
    deadline = time.monotonic() + timeout_s
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = http.get(f"/analysis/{task_id}", headers=headers).json()
        if body["status"] in ("COMPLETED", "FAILED"):
            break
        time.sleep(0.2)
    return body


def assert_scam_verdict(body: dict[str, Any]) -> None:
    """What any run of the product must say about the demo ScamToken."""
    result = body["result"]
    assert result["risk_level"] in ("HIGH", "CRITICAL")
    assert {"owner_can_mint", "owner_can_blacklist"} <= {f["type"] for f in result["heuristic_risks"]}
    assert result["agent_statuses"]["heuristic"] == "OK"
    assert result["agent_statuses"]["smart_money"] == "OK"

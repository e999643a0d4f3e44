"""Security events are structured Powertools log lines, and no secret ever appears in the logs."""

from __future__ import annotations

import io
from typing import Any

import pytest

from moneygrow.services import accounts
from tests.security.conftest import PASSWORD, audit_events


def test_security_events_are_logged_without_secrets(
    make_stack: Any, logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = make_stack(rate_limit_free_per_min=3)
    secrets: list[str] = [PASSWORD, "wrong password 9"]
    with stack.client("192.0.2.77") as client:
        email = "audited.person@example.com"
        client.post("/auth/register", json={"email": email, "password": PASSWORD})
        client.post("/auth/token", json={"email": email, "password": "wrong password 9"})
        tokens = client.post("/auth/token", json={"email": email, "password": PASSWORD}).json()
        h = {"Authorization": f"Bearer {tokens['access_token']}"}
        created = client.post("/users/api-keys", json={"name": "audited"}, headers=h).json()
        client.delete(f"/users/api-keys/{created['key_id']}", headers=h)
        for _ in range(3):
            client.get("/users/me", headers=h)
        client.get("/users/me", headers={"X-API-Key": "mg_" + "0" * 60})
        rotated = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).json()
        client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})  # two tabs: grace
        monkeypatch.setattr(accounts, "REFRESH_GRACE_S", -1)  # later: a reuse, the family is revoked
        client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        secrets += [
            tokens["access_token"],
            tokens["refresh_token"],
            rotated["refresh_token"],
            created["api_key"],
        ]
    out = logs.getvalue()
    events = audit_events(out)
    names = [e["security_event"] for e in events]
    for expected in (
        "register",
        "login_failed",
        "login_succeeded",
        "api_key_created",
        "refresh_rotated",
        "refresh_grace",
        "refresh_reuse_detected",
        "api_key_revoked",
        "rate_limited",
        "api_key_rejected",
    ):
        assert expected in names, names
    for e in events:
        assert e["level"] == "INFO" and e["service"] == "moneygrow" and "outcome" in e
    failed = next(e for e in events if e["security_event"] == "login_failed")
    assert failed["outcome"] == "failure" and len(failed["email_ref"]) == 16 and failed["ip_ref"]
    for secret in [*secrets, email, "192.0.2.77"]:
        assert secret not in out, f"{secret[:12]}... leaked into the logs"
    # the key's non-secret prefix and id may appear, the secret part never
    assert created["api_key"].split("_", 2)[2] not in out


def test_audit_drops_secret_fields_whatever_the_caller_passes(logs: io.StringIO) -> None:
    from moneygrow.audit import audit

    audit("test_event", user_id="u1", password="hunter2hunter2", api_key="mg_x", token="t0k3n", Secret="s")
    out = logs.getvalue()
    (event,) = audit_events(out)
    assert event["user_id"] == "u1" and event["security_event"] == "test_event"
    for leaked in ("hunter2hunter2", "mg_x", "t0k3n", '"Secret"'):
        assert leaked not in out

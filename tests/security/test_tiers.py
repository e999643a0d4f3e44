"""Changing a user's tier: one audited operator command that moves the user and their keys."""

from __future__ import annotations

import io
from typing import Any

import pytest

from moneygrow.errors import NotFound, ValidationFailed
from moneygrow.services.accounts import change_tier
from tests.security.conftest import Stack, audit_events, login


def _key(client: Any, headers: dict[str, str]) -> dict[str, Any]:
    created: dict[str, Any] = client.post("/users/api-keys", json={"name": "k"}, headers=headers).json()
    return created


def test_an_upgrade_moves_the_keys_to_their_own_gateway_keys_and_a_downgrade_gives_them_back(
    client: Any, stack: Stack, logs: io.StringIO
) -> None:
    h = login(client, "upgrade@example.com")["headers"]
    first, second = _key(client, h), _key(client, h)
    assert stack.gateway.keys == {}  # free: metered by the shard keys
    user = change_tier(stack.store, stack.gateway, "Upgrade@example.com", "pro", "alice", "invoice 118")
    assert user.tier == "pro" and stack.store.get_user(user.user_id).tier == "pro"
    assert sorted(k for k, _ in stack.gateway.keys.values()) == sorted([first["key_id"], second["key_id"]])
    keys = stack.store.list_api_keys(user.user_id, 10, None).items
    assert {k.tier for k in keys} == {"pro"} and all(k.gateway_key_id for k in keys)
    (event,) = [e for e in audit_events(logs.getvalue()) if e["security_event"] == "tier_changed"]
    assert (event["old_tier"], event["new_tier"], event["actor"], event["reason"]) == (
        "free",
        "pro",
        "alice",
        "invoice 118",
    )
    assert event["keys"] == 2 and event["user_id"] == user.user_id
    # the app's per-key limit follows the new tier at once
    assert client.get("/users/me", headers={"X-API-Key": first["api_key"]}).status_code == 200
    again = change_tier(stack.store, stack.gateway, "upgrade@example.com", "pro", "alice", "re-run")
    assert again.tier == "pro" and len(stack.gateway.keys) == 2  # converges: nothing duplicated
    change_tier(stack.store, stack.gateway, "upgrade@example.com", "free", "bob", "refund 7")
    assert stack.gateway.keys == {}
    assert {k.gateway_key_id for k in stack.store.list_api_keys(user.user_id, 10, None).items} == {None}


@pytest.mark.parametrize(
    ("email", "tier", "actor", "reason", "error"),
    [
        ("nobody@example.com", "pro", "alice", "why", NotFound),
        ("known@example.com", "platinum", "alice", "why", ValidationFailed),
        ("known@example.com", "pro", "", "why", ValidationFailed),
        ("known@example.com", "pro", "alice", " ", ValidationFailed),
    ],
)
def test_a_tier_change_needs_a_known_user_a_known_tier_an_actor_and_a_reason(
    client: Any, stack: Stack, email: str, tier: str, actor: str, reason: str, error: type[Exception]
) -> None:
    login(client, "known@example.com")
    with pytest.raises(error):
        change_tier(stack.store, stack.gateway, email, tier, actor, reason)
    assert {u.tier for u in stack.store.users.values()} == {"free"}


def test_the_admin_command_prints_the_change(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, stack: Stack
) -> None:
    from moneygrow import admin

    with stack.client() as client:
        login(client, "cli@example.com")
    monkeypatch.setattr(admin, "default_store", lambda: stack.store)
    monkeypatch.setattr(admin, "key_gateway_from_settings", lambda _: stack.gateway)
    assert (
        admin.main(
            ["set-tier", "--email", "cli@example.com", "--tier", "pro", "--actor", "a", "--reason", "r"]
        )
        == 0
    )
    assert capsys.readouterr().out.strip() == "cli@example.com: tier pro"
    assert (
        admin.main(["set-tier", "--email", "x@example.com", "--tier", "pro", "--actor", "a", "--reason", "r"])
        == 1
    )
    assert "no account" in capsys.readouterr().err

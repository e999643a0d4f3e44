"""Login throttling that strangers cannot turn into a lockout, sessions across tabs, logout that
takes effect at once, and JWT key rotation without logging anyone out."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jwt
import pytest

from moneygrow.auth.tokens import TokenIssuer, key_id
from moneygrow.errors import Unauthorized
from tests.security.conftest import PASSWORD, login

WRONG = "wrong wrong 123"


def _token(c: Any, email: str, password: str, device: str | None = None) -> Any:
    body = {"email": email, "password": password, **({"device_token": device} if device else {})}
    return c.post("/auth/token", json=body)


def test_strangers_failing_from_many_ips_cannot_lock_the_owner_out(make_stack: Any) -> None:
    stack = make_stack(rate_limit_auth_ip_per_min=100, rate_limit_login_failures_account=3)
    with stack.client("198.51.100.1") as home:
        device = login(home, "owner@example.com")["device_token"]
    codes = []
    for i in range(12):  # a distributed guesser: one attempt per IP, far past the account's cap
        with stack.client(f"203.0.113.{i + 1}") as c:
            codes.append(_token(c, "OWNER@example.com", WRONG).status_code)
    assert codes == [401] * 3 + [429] * 9  # the attack is capped...
    with stack.client("192.0.2.77") as travelling:  # ...and the owner's browser still gets in,
        ok = _token(travelling, "owner@example.com", PASSWORD, device)
        assert ok.status_code == 200, ok.text  # even from an IP never seen
        # an unknown browser waits out the window: the documented price of capping the attack
        assert _token(travelling, "owner@example.com", PASSWORD).status_code == 429
        # a device token of another account is no key to this one
        other = login(travelling, "other@example.com")["device_token"]
        assert _token(travelling, "owner@example.com", PASSWORD, other).status_code == 429


def test_one_ip_guessing_one_account_is_stopped_and_successes_never_count(make_stack: Any) -> None:
    stack = make_stack(rate_limit_auth_ip_per_min=100, rate_limit_login_failures_account_ip=3)
    with stack.client("198.51.100.5") as owner:
        login(owner, "v@example.com")
        assert [_token(owner, "v@example.com", PASSWORD).status_code for _ in range(6)] == [200] * 6
    with stack.client("203.0.113.50") as attacker, stack.client("203.0.113.51") as elsewhere:
        codes = [_token(attacker, "v@example.com", WRONG).status_code for _ in range(5)]
        assert codes == [401] * 3 + [429] * 2
        limited = _token(attacker, "v@example.com", PASSWORD)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert _token(elsewhere, "v@example.com", PASSWORD).status_code == 200  # other IPs unaffected
        assert _token(attacker, "w@example.com", WRONG).status_code == 401  # other accounts too


def test_two_tabs_refreshing_at_once_both_stay_logged_in(client: Any) -> None:
    tokens = login(client, "tabs@example.com")

    def refresh(_: int) -> Any:
        return client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})

    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(refresh, range(2))
    assert (a.status_code, b.status_code) == (200, 200), (a.text, b.text)
    assert a.json()["refresh_token"] == b.json()["refresh_token"]  # one family, one current token
    later = client.post("/auth/refresh", json={"refresh_token": a.json()["refresh_token"]})
    assert later.status_code == 200  # no reuse alarm: the session goes on
    for r in (a, b, later):
        me = client.get("/users/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
        assert me.status_code == 200


def test_reuse_after_the_grace_period_still_revokes(client: Any, stack: Any, monkeypatch: Any) -> None:
    import moneygrow.services.accounts as accounts

    monkeypatch.setattr(accounts, "REFRESH_GRACE_S", -1)  # as if the grace period had passed
    tokens = login(client, "late@example.com")
    assert client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 200
    assert client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_logout_revokes_the_access_token_at_once(client: Any) -> None:
    tokens = login(client, "bye@example.com")
    assert client.get("/users/me", headers=tokens["headers"]).status_code == 200
    assert client.post("/auth/logout", json={"refresh_token": tokens["refresh_token"]}).status_code == 204
    gone = client.get("/users/me", headers=tokens["headers"])
    assert gone.status_code == 401 and gone.json()["error"]["code"] == "unauthorized"


def test_jwt_key_rotation_keeps_sessions_during_the_overlap() -> None:
    old, new = "o" * 40, "n" * 40
    before = TokenIssuer(old, 60, 120).issue("u1")
    assert jwt.get_unverified_header(before.access_token)["kid"] == key_id(old)
    rotating = TokenIssuer(f"{new} {old}", 60, 120)  # new signs, old still verifies
    assert rotating.verify(before.access_token, "access") == "u1"
    assert rotating.verify_refresh(before.refresh_token).user_id == "u1"
    after = rotating.issue("u1")
    assert jwt.get_unverified_header(after.access_token)["kid"] == key_id(new)
    retired = TokenIssuer(new, 60, 120)  # after the overlap window: the old key is gone
    assert retired.verify(after.access_token, "access") == "u1"
    with pytest.raises(Unauthorized, match="not valid"):
        retired.verify(before.access_token, "access")
    assert key_id(old) not in jwt.get_unverified_header(after.access_token).values()

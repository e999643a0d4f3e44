from __future__ import annotations

import time

import jwt
import pytest

from moneygrow.auth import api_keys
from moneygrow.auth.passwords import hash_password, password_problems, verify_password
from moneygrow.auth.tokens import TokenIssuer
from moneygrow.errors import Unauthorized


def test_passwords_hash_and_verify() -> None:
    h = hash_password("correct horse battery")
    assert h.startswith("$argon2id$") and "correct" not in h
    assert verify_password(h, "correct horse battery")
    assert not verify_password(h, "wrong horse battery")
    assert not verify_password(None, "anything")  # unknown user: still verifies a dummy, still False
    assert password_problems("aaaaaaaaaaaa", "x@y.io") == ["must use at least 5 different characters"]
    assert password_problems("good pass phrase", "x@y.io") == []


def test_production_hashes_are_argon2id_at_its_tuned_cost(production_password_hashing: None) -> None:
    # what moneygrow.auth.passwords hashes with outside the tests (tests/conftest.py swaps in a cheap one)
    h = hash_password("correct horse battery")
    assert h.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify_password(h, "correct horse battery")  # the cost is read from the hash itself
    assert not verify_password(h, "wrong horse battery")


def test_tokens_round_trip_and_reject_tampering_expiry_and_wrong_kind() -> None:
    issuer = TokenIssuer("s" * 40, access_ttl_s=60, refresh_ttl_s=120)
    pair = issuer.issue("user-1")
    assert issuer.verify(pair.access_token, "access") == "user-1"
    assert issuer.verify(pair.refresh_token, "refresh") == "user-1"
    with pytest.raises(Unauthorized):
        issuer.verify(pair.access_token, "refresh")
    with pytest.raises(Unauthorized):
        TokenIssuer("t" * 40, 60, 60).verify(pair.access_token, "access")  # other secret
    expired = jwt.encode(
        {"sub": "u", "typ": "access", "iat": 1, "exp": int(time.time()) - 5, "iss": "moneygrow"},
        "s" * 40,
        algorithm="HS256",
    )
    with pytest.raises(Unauthorized, match="expired"):
        issuer.verify(expired, "access")
    none_alg = jwt.encode(
        {"sub": "u", "typ": "access", "iat": 1, "exp": int(time.time()) + 60, "iss": "moneygrow"},
        None,
        algorithm="none",
    )
    with pytest.raises(Unauthorized):
        issuer.verify(none_alg, "access")
    with pytest.raises(ValueError):
        TokenIssuer("short", 1, 1)


def test_api_keys_are_random_and_hashed() -> None:
    a, b = api_keys.generate_key(), api_keys.generate_key()
    assert a.plaintext != b.plaintext and a.key_id != b.key_id
    assert api_keys.looks_like_key(a.plaintext) and a.plaintext.startswith(a.prefix)
    assert a.key_hash == api_keys.hash_key(a.plaintext) and a.plaintext not in a.key_hash


def test_refresh_tokens_carry_family_and_id() -> None:
    issuer = TokenIssuer("s" * 40, access_ttl_s=60, refresh_ttl_s=120)
    pair = issuer.issue("user-1")
    claims = issuer.verify_refresh(pair.refresh_token)
    assert (claims.user_id, claims.family_id, claims.jti) == ("user-1", pair.family_id, pair.refresh_jti)
    rotated = issuer.issue("user-1", family_id=pair.family_id)
    assert rotated.family_id == pair.family_id and rotated.refresh_jti != pair.refresh_jti
    assert issuer.issue("user-1").family_id != pair.family_id  # a new login, a new family
    assert pair.refresh_expires_at - int(time.time()) in range(118, 121)
    with pytest.raises(Unauthorized):
        issuer.verify_refresh(pair.access_token)
    no_family = jwt.encode(
        {"sub": "u", "typ": "refresh", "iat": 1, "exp": int(time.time()) + 60, "iss": "moneygrow"},
        "s" * 40,
        algorithm="HS256",
    )
    with pytest.raises(Unauthorized):
        issuer.verify_refresh(no_family)


def test_password_rules_and_key_matching() -> None:
    assert "is a commonly used password" in password_problems("Password123", "x@y.io")
    assert "must not contain the email address" in password_problems("alice-1234", "alice@y.io")
    assert password_problems("another passphrase", "other@example.com") == []
    key = api_keys.generate_key()
    assert api_keys.matches(key.plaintext, key.key_hash)
    assert not api_keys.matches(key.plaintext + "x", key.key_hash)

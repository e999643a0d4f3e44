"""The gateway's authorizer: who passes, and which usage-plan key meters them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from moneygrow.auth import api_keys
from moneygrow.auth.tokens import TokenIssuer
from moneygrow.metering import FREE_SHARDS, key_meter_value, shard_key_value
from moneygrow.models import utcnow
from moneygrow.services.edge import authorizer_response
from moneygrow.store.memory import MemoryStore
from moneygrow.store.records import ApiKey

ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/analysis/history"
ISSUER = TokenIssuer("e" * 40, 60, 120)


def _key(
    store: MemoryStore, tier: str, gateway_key_id: str | None, expires_in: timedelta | None = None
) -> str:
    new = api_keys.generate_key()
    now = utcnow()
    store.put_api_key(
        ApiKey(
            key_id=new.key_id,
            user_id="u1",
            name="k",
            prefix=new.prefix,
            key_hash=new.key_hash,
            created_at=now,
            scopes=["read"],
            expires_at=now + expires_in if expires_in else None,
            tier=tier,
            gateway_key_id=gateway_key_id,
        )
    )
    return new.plaintext


def _answer(token: str, store: MemoryStore | None = None) -> dict:  # type: ignore[type-arg]
    event = {"type": "TOKEN", "authorizationToken": token, "methodArn": ARN}
    return authorizer_response(event, ISSUER, store or MemoryStore(), "dev")


def test_a_browser_session_passes_for_the_whole_stage_metered_by_a_shard_key() -> None:
    answer = _answer(f"Bearer {ISSUER.issue('user-1').access_token}")
    (statement,) = answer["policyDocument"]["Statement"]
    # cached per token, so the policy must hold for every route of this stage, and nothing else
    assert statement == {
        "Action": "execute-api:Invoke",
        "Effect": "Allow",
        "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/*",
    }
    assert answer["principalId"] == "user:user-1"
    assert answer["usageIdentifierKey"] in {shard_key_value("dev", n) for n in range(FREE_SHARDS)}
    again = _answer(f"Bearer {ISSUER.issue('user-1').access_token}")
    assert again["usageIdentifierKey"] == answer["usageIdentifierKey"]  # a user stays on one shard


def test_users_spread_over_the_shards() -> None:
    shards = {
        _answer(f"Bearer {ISSUER.issue(f'u{i}').access_token}")["usageIdentifierKey"] for i in range(200)
    }
    assert len(shards) == FREE_SHARDS


def test_a_pro_key_is_metered_by_its_own_gateway_key_and_a_free_key_by_a_shard() -> None:
    store = MemoryStore()
    pro = _key(store, "pro", "gw-1")
    free = _key(store, "free", None)
    pro_key = store.get_api_key_by_hash(api_keys.hash_key(pro))
    assert pro_key is not None
    assert _answer(f"Bearer {pro}", store)["usageIdentifierKey"] == key_meter_value("dev", pro_key.key_id)
    assert _answer(f"Bearer {free}", store)["usageIdentifierKey"].startswith("moneygrow-dev-free-shard-")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "Basic dXNlcjpwYXNz",
        "Bearer ",
        "Bearer not-a-jwt",
        f"Bearer {TokenIssuer('x' * 40, 60, 60).issue('u').access_token}",  # another key
        f"Bearer {ISSUER.issue('u').refresh_token}",  # a refresh token is not an access token
        "Bearer mg_0123456789abcdef_" + "s" * 43,  # an unknown API key
    ],
)
def test_anything_else_is_refused_with_the_message_api_gateway_maps_to_401(token: str) -> None:
    with pytest.raises(PermissionError, match=r"^Unauthorized$"):
        _answer(token)


def test_an_expired_api_key_is_refused() -> None:
    store = MemoryStore()
    expired = _key(store, "free", None, expires_in=timedelta(seconds=-1))
    with pytest.raises(PermissionError):
        _answer(f"Bearer {expired}", store)

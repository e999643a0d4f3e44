"""The API's front door in the cloud: who may pass API Gateway, and which usage-plan key meters them.

Every protected route goes through one cached Lambda authorizer (the `Authorization` header is its
cache key). Browsers send `Bearer <access token>`; scripts send `Bearer <API key>` (the app itself
also accepts `X-API-Key`, e.g. locally). Nobody shares a key, and signing up never touches API
Gateway: the authorizer names the usage-plan key that meters the caller (API key source AUTHORIZER).

Metering stays under the account's hard quota of 10,000 API Gateway keys per Region:
* each *pro* API key gets its own gateway key in the pro plan (created with the app key, removed
  with it; its value is a metering id derived from the key id, never the secret);
* browser sessions and free keys are metered by one of FREE_SHARDS fixed keys of the free plan,
  picked by a hash of the user or key, so the edge caps floods while each caller's own limit is the
  app's per-user/per-key limiter (moneygrow.ratelimit).
So the gateway holds FREE_SHARDS keys per stage plus one per pro key: at MAX_KEYS_PER_USER pro keys
per user, 8,000 keys (the alarm's 80 %) is ~320 pro users with every key slot used; see README.

The authorizer checks signatures and expiry (a JWT costs no read; an API key one read by its hash);
the API function still makes every decision that needs fresh state (logout, revocation, scopes).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from moneygrow.auth import api_keys
from moneygrow.auth.tokens import TokenIssuer
from moneygrow.errors import Unauthorized
from moneygrow.metering import FREE_SHARDS, key_meter_value, shard_key_value
from moneygrow.observability import logger
from moneygrow.services.accounts import valid_api_key
from moneygrow.store.base import Store


def _shard(stage: str, subject: str) -> str:
    n = int(hashlib.sha256(subject.encode()).hexdigest(), 16) % FREE_SHARDS
    return shard_key_value(stage, n)


@dataclass(frozen=True)
class EdgeDecision:
    principal_id: str  # "user:<id>" or "key:<id>"
    usage_key: str  # the usage-plan key value that meters this caller
    tier: str


def decide(authorization: str, issuer: TokenIssuer, store: Store, stage: str) -> EdgeDecision:
    """Who is calling, from the Authorization header; raises Unauthorized."""
    scheme, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise Unauthorized("an Authorization: Bearer <access token or API key> header is required")
    if api_keys.looks_like_key(credential):
        key = valid_api_key(store, credential)
        metered_alone = key.gateway_key_id is not None  # a pro key: its own gateway key
        usage = key_meter_value(stage, key.key_id) if metered_alone else _shard(stage, key.key_id)
        return EdgeDecision(f"key:{key.key_id}", usage, key.tier)
    claims = issuer.verify_access(credential)
    return EdgeDecision(f"user:{claims.user_id}", _shard(stage, claims.user_id), "session")


def authorizer_response(
    event: dict[str, Any], issuer: TokenIssuer, store: Store, stage: str
) -> dict[str, Any]:
    """A TOKEN authorizer's answer. Allowed: the whole API of this stage (the answer is cached per
    token, so it must hold for every route); refused: "Unauthorized", which API Gateway turns into
    its 401 (with CORS headers from the gateway responses)."""
    try:
        decision = decide(str(event.get("authorizationToken") or ""), issuer, store, stage)
    except Unauthorized as exc:
        logger.info("edge refused", extra={"reason": exc.message})
        raise PermissionError("Unauthorized") from exc  # the exact message API Gateway maps to 401
    arn = str(event.get("methodArn", ""))
    # arn:aws:execute-api:region:account:api-id/stage/METHOD/path -> .../api-id/stage/*
    api_stage = "/".join(arn.split("/", 2)[:2])
    return {
        "principalId": decision.principal_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": f"{api_stage}/*"}],
        },
        "usageIdentifierKey": decision.usage_key,
        "context": {"tier": decision.tier},
    }

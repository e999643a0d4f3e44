"""API keys at the edge: each app key is also an API Gateway key in its tier's usage plan.

API Gateway enforces the plan's rate, burst and daily quota per key before the Lambda runs; the app
keeps its own limits (moneygrow.ratelimit) for JWT callers and for login/register. API Gateway matches
the X-API-Key header against a key's value, so the key is created with the app key's plaintext value
(API Gateway stores key values; the app's table keeps only the hash).
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from botocore.exceptions import ClientError

from moneygrow.config import Settings


class KeyGateway(Protocol):
    def register(self, key_id: str, value: str, tier: str) -> str | None: ...  # the gateway key id
    def remove(self, gateway_key_id: str) -> None: ...  # idempotent


class NoopKeyGateway:
    """Local dev and tests without API Gateway: nothing to register."""

    def register(self, key_id: str, value: str, tier: str) -> str | None:
        return None

    def remove(self, gateway_key_id: str) -> None:
        return None


class ApiGatewayKeys:
    def __init__(self, usage_plan_ids: dict[str, str], client: Any = None) -> None:
        if "free" not in usage_plan_ids:
            raise ValueError("usage_plan_ids needs at least a 'free' plan")
        self._plans = dict(usage_plan_ids)
        if client is None:
            import boto3

            client = boto3.client("apigateway")
        self._client = client

    def register(self, key_id: str, value: str, tier: str) -> str | None:
        plan = self._plans.get(tier, self._plans["free"])
        created = self._client.create_api_key(
            name=f"moneygrow-{key_id}",
            description=f"MoneyGrow user key {key_id} ({tier})",
            enabled=True,
            value=value,
            tags={"moneygrow:key_id": key_id, "moneygrow:tier": tier},
        )
        gateway_id = str(created["id"])
        try:
            self._client.create_usage_plan_key(usagePlanId=plan, keyId=gateway_id, keyType="API_KEY")
        except Exception:
            self.remove(gateway_id)  # never leave a key that is in no plan
            raise
        return gateway_id

    def remove(self, gateway_key_id: str) -> None:
        # Deleting the key also takes it out of its usage plan.
        try:
            self._client.delete_api_key(apiKey=gateway_key_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NotFoundException":
                raise


def key_gateway_from_settings(settings: Settings, client: Any = None) -> KeyGateway:
    if not settings.usage_plan_ids.strip():
        return NoopKeyGateway()
    plans = json.loads(settings.usage_plan_ids)
    if not isinstance(plans, dict) or not all(isinstance(v, str) and v for v in plans.values()):
        raise ValueError('MONEYGROW_USAGE_PLAN_IDS must be a JSON object {"free": "<id>", "pro": "<id>"}')
    return ApiGatewayKeys({str(k): str(v) for k, v in plans.items()}, client)

"""Pro API keys at the edge: each is also an API Gateway key in the pro usage plan, which enforces
the plan's rate, burst and daily quota for that key before the Lambda runs.

The gateway takes its keys from the authorizer (API key source AUTHORIZER; see
moneygrow.services.edge), so a gateway key's value is a metering id derived from the app key's id,
never the secret: clients never send it. Free keys and browser sessions use the CDK app's fixed
shard keys and make no gateway key at all, so no sign-up depends on the account's key quota.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from botocore.exceptions import ClientError

from moneygrow.config import Settings
from moneygrow.metering import key_meter_value


class KeyGateway(Protocol):
    def register(self, key_id: str, tier: str) -> str | None: ...  # the gateway key id
    def count(self) -> int | None: ...  # API keys in the account and Region (None: no gateway)
    def remove(self, gateway_key_id: str) -> None: ...  # idempotent


class NoopKeyGateway:
    """Local dev and tests without API Gateway: nothing to register."""

    def register(self, key_id: str, tier: str) -> str | None:
        return None

    def count(self) -> int | None:
        return None

    def remove(self, gateway_key_id: str) -> None:
        return None


class ApiGatewayKeys:
    def __init__(self, usage_plan_ids: dict[str, str], client: Any = None, stage: str = "local") -> None:
        if "free" not in usage_plan_ids:
            raise ValueError("usage_plan_ids needs at least a 'free' plan")
        self._plans = dict(usage_plan_ids)
        self._stage = stage
        if client is None:
            import boto3

            client = boto3.client("apigateway")
        self._client = client

    def register(self, key_id: str, tier: str) -> str | None:
        plan = self._plans.get(tier, self._plans["free"])
        created = self._client.create_api_key(
            name=f"moneygrow-{self._stage}-{key_id}",
            description=f"MoneyGrow user key {key_id} ({tier})",
            enabled=True,
            value=key_meter_value(self._stage, key_id),
            # the stage tag is what the API role's delete permission is conditioned on
            tags={"moneygrow:key_id": key_id, "moneygrow:tier": tier, "moneygrow:stage": self._stage},
        )
        gateway_id = str(created["id"])
        try:
            self._client.create_usage_plan_key(usagePlanId=plan, keyId=gateway_id, keyType="API_KEY")
        except Exception:
            self.remove(gateway_id)  # never leave a key that is in no plan
            raise
        return gateway_id

    def count(self) -> int:
        """Every API key in the account and Region (the 10,000 quota is account-wide, not ours)."""
        total, position = 0, None
        while True:
            page = self._client.get_api_keys(limit=500, **({"position": position} if position else {}))
            total += len(page.get("items", []))
            position = page.get("position")
            if not position:
                return total

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
    return ApiGatewayKeys({str(k): str(v) for k, v in plans.items()}, client, settings.stage)

"""The boto3 adapter that mirrors app API keys into API Gateway usage plans (moto)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from moneygrow.adapters.apigateway import ApiGatewayKeys, NoopKeyGateway, key_gateway_from_settings
from moneygrow.config import Settings
from moneygrow.metering import key_meter_value


@pytest.fixture
def apigw() -> Iterator[tuple[Any, dict[str, str]]]:
    with mock_aws():
        client = boto3.client("apigateway", region_name="us-east-1")
        plans = {
            tier: client.create_usage_plan(
                name=f"moneygrow-{tier}",
                throttle={"rateLimit": rate, "burstLimit": rate * 2},
                quota={"limit": quota, "period": "DAY"},
            )["id"]
            for tier, rate, quota in (("free", 5, 1000), ("pro", 50, 100_000))
        }
        yield client, plans


def _plan_keys(client: Any, plan: str) -> dict[str, str]:
    return {k["id"]: k["name"] for k in client.get_usage_plan_keys(usagePlanId=plan)["items"]}


def test_register_puts_the_key_value_in_the_tier_plan_and_remove_deletes_it(
    apigw: tuple[Any, dict[str, str]],
) -> None:
    client, plans = apigw
    gateway = ApiGatewayKeys(plans, client, "dev")
    gid = gateway.register("0123456789abcdef", "pro")
    assert gid
    key = client.get_api_key(apiKey=gid, includeValue=True)
    # the value is a metering id the authorizer hands to the gateway, never the user's secret
    assert key["value"] == key_meter_value("dev", "0123456789abcdef") and not key["value"].startswith("mg_")
    assert key["enabled"] and key["name"] == "moneygrow-dev-0123456789abcdef"
    assert key["tags"]["moneygrow:stage"] == "dev"
    assert gid in _plan_keys(client, plans["pro"]) and gid not in _plan_keys(client, plans["free"])
    free = gateway.register("fedcba9876543210", "enterprise")
    assert gateway.count() == 2  # what the quota alarm's metric reports
    assert free in _plan_keys(client, plans["free"])  # unknown tier: the free plan
    gateway.remove(gid)
    assert gid not in {k["id"] for k in client.get_api_keys()["items"]}
    gateway.remove(gid)  # idempotent


def test_a_key_that_cannot_join_its_plan_is_not_left_behind(apigw: tuple[Any, dict[str, str]]) -> None:
    client, plans = apigw

    class PlanDown:
        """The real (moto) client, except that attaching to the usage plan fails."""

        def __getattr__(self, name: str) -> Any:
            return getattr(client, name)

        def create_usage_plan_key(self, **_: Any) -> None:
            raise ConnectionError("apigateway throttled")

    gateway = ApiGatewayKeys(plans, PlanDown())
    with pytest.raises(ConnectionError):
        gateway.register("0123456789abcdef", "free")
    assert client.get_api_keys()["items"] == []


def test_settings_choose_the_adapter() -> None:
    assert isinstance(key_gateway_from_settings(Settings(usage_plan_ids="")), NoopKeyGateway)
    assert NoopKeyGateway().register("k", "free") is None
    with mock_aws():
        client = boto3.client("apigateway", region_name="us-east-1")
        chosen = key_gateway_from_settings(Settings(usage_plan_ids=json.dumps({"free": "p1"})), client)
        assert isinstance(chosen, ApiGatewayKeys)
    with pytest.raises(ValueError):
        key_gateway_from_settings(Settings(usage_plan_ids=json.dumps({"free": ""})))
    with pytest.raises(ValueError):
        ApiGatewayKeys({"pro": "p"}, object())

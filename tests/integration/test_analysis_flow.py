"""The real path in one process: API → DynamoDB → the CDK-synthesized state machine (moto) →
three agent Lambdas on the local chain → aggregate → result over HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from moto import mock_aws

from devstack.aws import MOTO_CONFIG, LocalAws, load_template, synth
from tests.conftest import reset_process_caches

pytestmark = pytest.mark.chain
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(synth())


@pytest.fixture(scope="module")
def test_models() -> dict[str, Any]:
    """Small models trained on synthetic bytecode and pools, so the ML agent has something real to
    run: trained once for the module (a few seconds each), published into each test's bucket."""
    from moneygrow.ml import liquidity_model
    from moneygrow.ml.training import MODEL_NAME, train_bundle
    from tests.unit.test_ml_agent import synthetic_liquidity, synthetic_rows

    return {
        MODEL_NAME: train_bundle(synthetic_rows()),
        liquidity_model.MODEL_NAME: liquidity_model.train_bundle(synthetic_liquidity()),
    }


@pytest.fixture
def stack(
    template: dict[str, Any],
    test_models: dict[str, Any],
    demo_tokens: dict[str, str],
    anvil: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[TestClient]:
    import json

    with mock_aws(config=MOTO_CONFIG), LocalAws(template, retry_sleep=0) as aws:
        resources = aws.provision()
        for key, value in {
            **resources.env(),
            "MONEYGROW_RPC_URLS": json.dumps({c: [anvil.url] for c in ("ethereum", "bsc", "polygon")}),
            "MONEYGROW_SMART_MONEY_WALLETS": demo_tokens["smart_money_wallets"],
        }.items():
            monkeypatch.setenv(key, value)
        reset_process_caches()
        _publish_test_models(resources.bucket_name, test_models)
        from moneygrow_api import create_app

        with TestClient(create_app(), raise_server_exceptions=False) as client:
            yield client
    reset_process_caches()


def _publish_test_models(bucket: str, models: dict[str, Any]) -> None:
    from moneygrow.ml.model_store import store_for_location

    store = store_for_location(f"s3://{bucket}")
    for name, bundle in models.items():
        store.save(name, bundle)


def _auth(client: TestClient) -> dict[str, str]:
    client.post("/auth/register", json={"email": "flow@example.com", "password": PASSWORD})
    tokens = client.post("/auth/token", json={"email": "flow@example.com", "password": PASSWORD}).json()
    key = client.post(
        "/users/api-keys", json={"name": "it"}, headers={"Authorization": f"Bearer {tokens['access_token']}"}
    ).json()["api_key"]
    return {"X-API-Key": key}


def _analyse(client: TestClient, headers: dict[str, str], address: str) -> dict[str, Any]:
    submitted = client.post("/analyze", json={"token_address": address, "chain": "ethereum"}, headers=headers)
    assert submitted.status_code == 202, submitted.text
    task_id = submitted.json()["task_id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(f"/analysis/{task_id}", headers=headers).json()
        if body["status"] in ("COMPLETED", "FAILED"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"analysis {task_id} did not finish")


def test_scam_token_is_flagged_through_the_whole_workflow(
    stack: TestClient, demo_tokens: dict[str, str]
) -> None:
    headers = _auth(stack)
    body = _analyse(stack, headers, demo_tokens["ScamToken"])
    assert body["status"] == "COMPLETED", body
    result = body["result"]
    assert result["agent_statuses"] == {"heuristic": "OK", "ml": "OK", "smart_money": "OK"}
    # ScamToken has no pool: its sell tax was never measured, which the verdict says (a lower bound)
    assert result["degraded"] is True and result["level_is_lower_bound"] is True
    assert [m["check"] for m in result["missing_checks"]] == ["trade simulation"]
    assert result["contract_risk"]["level"] in ("HIGH", "CRITICAL") and result["kind"] == "TOKEN"
    types = {f["type"] for f in result["heuristic_risks"]}
    assert {"owner_can_mint", "owner_can_blacklist"} <= types
    assert result["risk_level"] in ("HIGH", "CRITICAL") and result["risk_score"] >= 60
    # solc 0.8 code (no labelled code of that era) and no pool: insufficient data, not a number
    assert result["ml_prediction"] is None
    assert result["token"]["symbol"] == "MOON"
    assert any("dilute" in r for r in result["recommendations"])  # advice follows the findings
    assert result["timings_ms"]["total"] > 0 and result["timings_ms"]["heuristic"] >= 0
    assert [a["agent"] for a in body["agents"]] == ["heuristic", "ml", "smart_money"]
    # each agent recorded how it ended on the record itself, during the run (the live progress view):
    # finished_at comes only from an agent's own record, never from the aggregate's list
    assert [(p["agent"], p["state"], p["status"]) for p in body["progress"]] == [
        (agent, "done", "OK") for agent in ("heuristic", "ml", "smart_money")
    ]
    created, completed = (datetime.fromisoformat(body[k]) for k in ("created_at", "completed_at"))
    assert all(created <= datetime.fromisoformat(p["finished_at"]) <= completed for p in body["progress"])
    history = stack.get("/analysis/history", headers=headers).json()["items"]
    assert history[0]["task_id"] == body["task_id"] and history[0]["risk_score"] == result["risk_score"]


def test_honest_token_scores_below_the_scam(stack: TestClient, demo_tokens: dict[str, str]) -> None:
    headers = _auth(stack)
    honest = _analyse(stack, headers, demo_tokens["DemoToken"])["result"]
    scam = _analyse(stack, headers, demo_tokens["ScamToken"])["result"]
    assert honest["risk_score"] < scam["risk_score"]
    assert honest["risk_level"] == "LOW", honest  # launched with a burnt-LP pool, no owner powers
    assert not [f for f in honest["heuristic_risks"] if f["severity"] in ("CRITICAL", "HIGH")]
    assert honest["smart_money_analysis"]["status"] == "OK"


def test_a_wallet_is_refused_at_submit_and_a_router_completes_as_not_a_token(
    stack: TestClient, anvil: Any
) -> None:
    headers = _auth(stack)
    from devstack.chain import accounts

    wallet = stack.post("/analyze", json={"token_address": accounts(anvil.url)[5]}, headers=headers)
    assert wallet.status_code == 422 and wallet.json()["error"]["code"] == "not_a_token"
    router = "0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D"  # code, but not an ERC-20 token
    body = _analyse(stack, headers, router)
    assert body["status"] == "COMPLETED"
    result = body["result"]
    assert result["kind"] == "NOT_A_TOKEN"  # a clear outcome, never a scam score
    assert result["risk_score"] is None and result["risk_level"] is None and body["risk_score"] is None
    assert "not a token" in result["recommendations"][0]
    assert "not_erc20" in {f["type"] for f in result["heuristic_risks"]}


def test_chain_down_gives_a_degraded_result_not_a_stuck_analysis(
    stack: TestClient, demo_tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    headers = _auth(stack)
    monkeypatch.setenv("MONEYGROW_RPC_URLS", json.dumps({"ethereum": ["http://127.0.0.1:9"]}))
    reset_process_caches()
    body = _analyse(stack, headers, demo_tokens["DemoToken"])
    assert body["status"] == "COMPLETED"
    result = body["result"]
    assert result["degraded"] is True
    assert set(result["agent_statuses"].values()) == {"FAILED"}
    assert result["confidence"] == 0 and result["risk_level"] == "UNKNOWN"
    assert any("could not run" in r for r in result["recommendations"])

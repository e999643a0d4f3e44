"""What the web app reads from a result: the trade simulation view, and the typed analysis response
(the OpenAPI document the web app's client is generated from types `result` and `agents`)."""

from __future__ import annotations

from typing import Any

from moneygrow.aggregate import build_result
from moneygrow.chains import Chain
from moneygrow.models import AnalysisStatus, AnalysisTask, utcnow
from moneygrow.store.records import Analysis
from moneygrow_api.schemas import AnalysisResponse

TASK = AnalysisTask(task_id="b" * 32, user_id="u1", token_address="0x" + "22" * 20, chain=Chain.ETHEREUM)


def _agent(name: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"agent": name, "status": "OK", "duration_ms": 5, "findings": [], "data": data or {}, "gaps": []}


def test_trade_simulation_is_carried_into_the_result() -> None:
    sim = {
        "can_buy": True,
        "can_sell": True,
        "can_transfer": True,
        "buy_tax": 0.0,
        "sell_tax": 0.25,
        "transfer_tax": None,
        "dex": "uniswap_v2",
        "method": "eth_simulateV1",
        "gas": {"buy": 100_000},
    }
    result = build_result(
        TASK, [_agent("heuristic", {"simulation": sim}), _agent("ml"), _agent("smart_money")], 9
    )
    assert result.trade_simulation is not None
    view = result.trade_simulation.model_dump()
    assert view == {k: v for k, v in sim.items() if k != "gas"}


def test_no_trade_simulation_when_it_did_not_run() -> None:
    no_pool = {"simulation": {"can_buy": None, "error": "no pair"}}
    for data in ({}, no_pool):
        result = build_result(TASK, [_agent("heuristic", data), _agent("ml"), _agent("smart_money")], 9)
        assert result.trade_simulation is None


def test_analysis_response_types_the_stored_result_and_agents() -> None:
    result = build_result(TASK, [_agent("heuristic"), _agent("ml"), _agent("smart_money")], 9)
    now = utcnow()
    stored = Analysis(
        task_id=TASK.task_id,
        user_id="u1",
        token_address=TASK.token_address,
        chain=TASK.chain,
        status=AnalysisStatus.COMPLETED,
        created_at=now,
        updated_at=now,
        completed_at=now,
        result=result.model_dump(mode="json"),
        agents=[{"agent": "heuristic", "status": "OK", "duration_ms": 5, "gaps": []}],
    )
    body = AnalysisResponse.full(stored).model_dump(mode="json")
    assert body["result"] == result.model_dump(mode="json")
    assert body["agents"] == [
        {"agent": "heuristic", "status": "OK", "duration_ms": 5, "gaps": [], "error": None}
    ]

"""The aggregator: scoring, levels, degraded results and what it stores."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from moneygrow.aggregate import aggregate, build_result, fail, risk_level
from moneygrow.chains import Chain
from moneygrow.models import AnalysisStatus, AnalysisTask, RiskLevel, utcnow
from moneygrow.store.memory import MemoryStore
from moneygrow.store.records import Analysis

TASK = AnalysisTask(task_id="a" * 32, user_id="u1", token_address="0x" + "11" * 20, chain=Chain.ETHEREUM)


def _agent(
    name: str,
    status: str = "OK",
    findings: list[dict[str, Any]] | None = None,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "agent": name,
        "status": status,
        "duration_ms": 12,
        "findings": findings or [],
        "data": data or {},
        "gaps": [],
        "error": None,
    }


def _finding(kind: str, score: int, severity: str) -> dict[str, Any]:
    return {"type": kind, "score": score, "reason": f"{kind} found", "severity": severity, "evidence": {}}


def _ml(p: float) -> dict[str, Any]:
    return _agent(
        "ml",
        data={
            "scam_probability": p,
            "prediction": "scam" if p >= 0.5 else "legit",
            "confidence": abs(p - 0.5) * 2,
            "model_version": "t",
        },
    )


RAN = {"simulation": {"can_buy": True}, "powers": {"method": "eth_simulateV1", "candidates": []}}


def test_clean_token_scores_low_with_full_confidence() -> None:
    r = build_result(TASK, [_agent("heuristic", data=RAN), _ml(0.05), _agent("smart_money")], 100)
    assert r.risk_level == RiskLevel.LOW and r.risk_score <= 5
    assert r.degraded is False and r.confidence > 0.9
    assert r.ml_prediction is not None and r.ml_prediction.prediction == "legit"


def test_a_critical_finding_dominates_whatever_ml_says() -> None:
    crit = _agent("heuristic", findings=[_finding("rug_pull_toolkit", 90, "CRITICAL")])
    r = build_result(TASK, [crit, _ml(0.01), _agent("smart_money")], 100)
    assert r.risk_score >= 85 and r.risk_level == RiskLevel.CRITICAL
    assert any("stop others from selling" in rec for rec in r.recommendations)


def test_findings_compound_and_are_ordered_by_severity() -> None:
    one = build_result(TASK, [_agent("heuristic", findings=[_finding("mint", 40, "MEDIUM")])], 1)
    two = build_result(
        TASK,
        [_agent("heuristic", findings=[_finding("mint", 40, "MEDIUM"), _finding("pause", 40, "HIGH")])],
        1,
    )
    assert two.risk_score > one.risk_score
    assert [f.severity for f in two.heuristic_risks] == ["HIGH", "MEDIUM"]


def test_failed_agents_make_a_degraded_lower_confidence_result() -> None:
    caught = {"agent": "ml", "status": "FAILED", "error": {"Error": "ConnectionError", "Cause": "rpc down"}}
    r = build_result(TASK, [_agent("heuristic"), caught], 5)
    assert r.degraded is True
    assert r.agent_statuses == {"heuristic": "OK", "ml": "FAILED", "smart_money": "FAILED"}
    assert r.ml_prediction is None and r.confidence < 0.6
    assert r.risk_level == RiskLevel.LOW  # the heuristic ran and found nothing


def test_without_the_heuristic_agent_there_is_no_verdict() -> None:
    caught = {"agent": "heuristic", "status": "FAILED", "error": {"Error": "ChainUnavailable"}}
    r = build_result(TASK, [caught, _ml(0.02), _agent("smart_money")], 5)
    assert r.risk_level == RiskLevel.UNKNOWN  # never a silent "safe"
    assert "No verdict" in r.recommendations[0]
    assert any("could not run" in rec for rec in r.recommendations)


def test_levels() -> None:
    assert [risk_level(s) for s in (0, 24, 25, 49, 50, 74, 75, 100)] == [
        "LOW",
        "LOW",
        "MEDIUM",
        "MEDIUM",
        "HIGH",
        "HIGH",
        "CRITICAL",
        "CRITICAL",
    ]


def _stored(store: MemoryStore) -> None:
    now = utcnow() - timedelta(seconds=2)
    store.create_analysis(
        Analysis(
            task_id=TASK.task_id,
            user_id="u1",
            token_address=TASK.token_address,
            chain=TASK.chain,
            status=AnalysisStatus.RUNNING,
            created_at=now,
            updated_at=now,
        ),
        60,
    )


def test_aggregate_stores_the_result_and_frees_the_token() -> None:
    store = MemoryStore()
    _stored(store)
    state = {
        **TASK.model_dump(mode="json"),
        "agents": [
            _agent("heuristic", findings=[_finding("mint", 50, "HIGH")]),
            _ml(0.7),
            _agent("smart_money"),
        ],
    }
    out = aggregate(state, store)
    saved = store.get_analysis(TASK.task_id)
    assert saved is not None and saved.status == AnalysisStatus.COMPLETED and saved.result is not None
    assert out["risk_score"] == saved.result["risk_score"] >= 60
    assert saved.result["timings_ms"]["total"] >= 2000
    assert [a["agent"] for a in saved.agents] == ["heuristic", "ml", "smart_money"]
    assert store.active == {}  # the token is free for the next analysis


def test_fail_marks_the_analysis_failed() -> None:
    store = MemoryStore()
    _stored(store)
    cause = (
        '{"errorMessage": "An error occurred (AccessDeniedException): User: arn:aws:sts::123456789012:'
        'assumed-role/MoneyGrow-dev-Aggregate/x is not authorized", '
        '"stackTrace": ["  File \\"/var/task/h.py\\""]}'
    )
    caught = {
        "agent": "ml",
        "status": "FAILED",
        "error": "Lambda.Unknown",
        "data": {"caught": {"Cause": cause}},
    }
    state = {**TASK.model_dump(mode="json"), "agents": [caught]}
    fail({**state, "error": {"Error": "States.TaskFailed", "Cause": cause}}, store)
    saved = store.get_analysis(TASK.task_id)
    assert saved is not None and saved.status == AnalysisStatus.FAILED
    assert saved.error is not None and saved.error["code"] == "analysis_failed"
    assert "States.TaskFailed" in saved.error["message"] and TASK.task_id in saved.error["message"]
    stored = json.dumps(saved.model_dump(mode="json"))
    # The cause (account id, role ARN, stack trace) stays in the log, never in what the user reads.
    assert "123456789012" not in stored and "stackTrace" not in stored and "arn:aws" not in stored


def test_a_caught_agent_failure_keeps_only_the_error_name() -> None:
    cause = "Traceback (most recent call last): File /var/task/x.py arn:aws:lambda:us-east-1:123456789012"
    caught = {
        "agent": "ml",
        "status": "FAILED",
        "error": "Lambda.Unknown",
        "data": {"caught": {"Cause": cause}},
    }
    r = build_result(TASK, [_agent("heuristic"), caught, _agent("smart_money")], 5)
    dumped = r.model_dump_json()
    assert "123456789012" not in dumped and "Traceback" not in dumped
    assert r.agent_statuses["ml"] == "FAILED"


def test_every_serious_finding_type_the_heuristic_agent_can_emit_has_advice() -> None:
    """A HIGH/CRITICAL finding without advice would leave the user with only a headline."""
    from moneygrow.aggregate import _ADVICE
    from moneygrow.heuristics.owner import POWERS

    serious = {
        *POWERS,
        "honeypot",
        "time_delayed_honeypot",
        "high_sell_tax",
        "buy_blocked",
        "transfer_blocked",
        "hidden_owner",
        "upgradeable_proxy",
        "lp_not_locked",
        "not_a_contract",
        "rug_pull_toolkit",
        "transfer_depends_on_external_contract",
        "holders_cannot_sell",
    }
    assert serious - set(_ADVICE) == set()


def test_market_risk_alone_reads_medium_at_most_and_the_code_drives_the_level() -> None:
    market = [_finding("lp_not_locked", 75, "HIGH"), _finding("holder_concentration", 50, "MEDIUM")]
    r = build_result(
        TASK, [_agent("heuristic", findings=market, data=RAN), _ml(0.1), _agent("smart_money")], 1
    )
    assert r.market_risk is not None and r.market_risk.level == RiskLevel.HIGH
    assert r.contract_risk is not None and r.contract_risk.level == RiskLevel.LOW
    assert r.risk_level == RiskLevel.MEDIUM and "market" in r.recommendations[0]
    code = [*market, _finding("owner_can_mint", 75, "HIGH")]
    r = build_result(TASK, [_agent("heuristic", findings=code, data=RAN), _ml(0.1), _agent("smart_money")], 1)
    assert r.risk_level == RiskLevel.HIGH and r.contract_risk is not None
    assert r.contract_risk.top_reasons[0].startswith("HIGH: owner_can_mint")


def test_smart_money_and_ml_never_raise_the_level() -> None:
    absent = _agent("smart_money", findings=[_finding("smart_money_absent", 45, "MEDIUM")])
    r = build_result(TASK, [_agent("heuristic", data=RAN), _ml(0.97), absent], 1)
    assert r.risk_level == RiskLevel.LOW and r.risk_score == 0
    assert r.ml_prediction is not None and r.ml_prediction.scam_probability == 0.97


def test_not_a_token_has_no_score() -> None:
    eoa = _agent("heuristic", findings=[_finding("not_a_contract", 100, "CRITICAL")])
    r = build_result(TASK, [eoa, _ml(0.5), _agent("smart_money")], 1)
    assert r.kind == "NOT_A_TOKEN" and r.risk_score is None and r.risk_level is None
    assert r.contract_risk is None and "not a token" in r.recommendations[0]


def test_a_check_that_did_not_run_is_unknown_not_risk() -> None:
    no_pool = {"simulation": {"can_buy": None, "error": None}, "powers": RAN["powers"]}
    heuristic = {**_agent("heuristic", data=no_pool), "gaps": ["trade simulation: no Uniswap V2 pair"]}
    r = build_result(TASK, [heuristic, _ml(0.1), _agent("smart_money")], 1)
    assert r.degraded is True and r.level_is_lower_bound is True and r.risk_level == RiskLevel.LOW
    (missing,) = r.missing_checks
    assert missing.check == "trade simulation" and "no Uniswap V2 pair" in missing.why
    full = build_result(TASK, [_agent("heuristic", data=RAN), _ml(0.1), _agent("smart_money")], 1)
    assert r.confidence == round(full.confidence - 0.25, 2)

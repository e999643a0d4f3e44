"""Merge the agents' results into one verdict and store it (the workflow's last step)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from moneygrow.models import (
    AgentName,
    AgentResult,
    AgentStatus,
    AnalysisResult,
    AnalysisStatus,
    AnalysisTask,
    Finding,
    MlPrediction,
    RiskLevel,
    Severity,
    utcnow,
)
from moneygrow.store.base import Store

# How much each agent contributes to the confidence of the verdict when it ran fully.
AGENT_WEIGHT: dict[AgentName, float] = {
    AgentName.HEURISTIC: 0.55,
    AgentName.ML: 0.25,
    AgentName.SMART_MONEY: 0.20,
}
# A finding of this severity puts the score at least this high, whatever else is found.
SEVERITY_FLOOR: dict[Severity, int] = {
    Severity.CRITICAL: 85,
    Severity.HIGH: 60,
    Severity.MEDIUM: 30,
    Severity.LOW: 0,
}
ML_SHARE = 0.3  # weight of the ML probability beside the findings

# Plain advice per finding type (the agents' `type` names).
_ADVICE: dict[str, str] = {
    "not_a_contract": "This address holds no contract code: it is not a token. Check the address.",
    "honeypot": "Do not buy: a simulated sell failed, so buyers cannot sell.",
    "time_delayed_honeypot": "Do not buy: selling stops working some blocks after buying (a delayed trap).",
    "high_sell_tax": "Selling costs most of the value (very high sell tax); treat it as unsellable.",
    "sell_tax": "Selling is taxed; count the tax in any exit.",
    "transfer_tax": "Transfers are taxed; account for the fee on every move.",
    "trading_toggle": "The owner can switch trading off, which blocks selling.",
    "upgradeable": "The owner can upgrade the contract: its rules can be replaced at any time.",
    "upgradeable_proxy": "The code can be replaced by whoever controls the proxy; check who that is.",
    "hidden_owner": "Ownership looks renounced but can be taken back; treat the owner's powers as live.",
    "no_liquidity": "No DEX liquidity was found: you may not be able to buy or sell at a fair price.",
    "low_liquidity": "Liquidity is thin: prices move a lot and exits may be costly.",
    "lp_not_locked": "The liquidity is not locked or burnt: it can be pulled (a rug pull).",
    "holder_concentration": "A few wallets hold most of the supply and can crash the price.",
    "not_erc20": "This contract does not behave like an ERC-20 token; wallets and DEXes may not handle it.",
    "rug_pull_toolkit": "Do not buy: one owner can both mint and stop others from selling.",
    "owner_can_mint": "The owner can mint new tokens and dilute holders; prefer tokens with a fixed supply.",
    "owner_can_blacklist": "The owner can block addresses from transferring; your tokens could be frozen.",
    "owner_can_pause_trading": "Trading can be paused by the owner; you could be unable to sell.",
    "owner_can_set_fees": "Fees can be changed by the owner, up to confiscatory levels.",
    "owner_can_limit_transfers": "The owner can cap transfer sizes, which can block selling.",
    "owner_can_change_balances": "The owner can change balances directly: your tokens can be taken or burnt.",
    "transfer_depends_on_external_contract": "Transfers ask another contract for permission or for the "
    "amount: its owner can change the rules without touching this token.",
    "holders_cannot_sell": "Some existing holders cannot sell although a new buyer can: they were blocked "
    "after buying, and you could be next.",
    "buy_blocked": "A simulated buy failed: there may be no usable pool, or buyers are blocked.",
    "transfer_blocked": "A simulated wallet-to-wallet transfer failed: tokens may be frozen once bought.",
    "buy_tax": "Buying is taxed; count the tax in the price you pay.",
    "high_buy_tax": "Buying costs most of the value (very high buy tax).",
    "high_transfer_tax": "Moving the token costs most of its value (very high transfer tax).",
    "second_opinion_red_flags": "A public scanner flags this token too; read its reasons before buying.",
    "simulation_failed": "Buying and selling could not be simulated; honeypot and tax checks are missing.",
    "unverified_source": "The source code is not verified: nobody can review what the contract does.",
    "new_contract": "The contract is very new: most scams are young; wait for a track record.",
    "owner_holds_supply": "The owner holds a large share of the supply and can dump it on buyers.",
    "proxy": "The code can be replaced (upgradeable proxy); check who controls upgrades.",
    "delegatecall": "The contract runs external code (delegatecall); its behaviour can change.",
    "selfdestruct": "The contract can self-destruct.",
    "ml_scam_probability": "The code resembles known scam contracts; treat it with extra suspicion.",
}


def risk_level(score: int) -> RiskLevel:
    if score >= 75:
        return RiskLevel.CRITICAL
    if score >= 50:
        return RiskLevel.HIGH
    if score >= 25:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def _parse_agents(raw: list[dict[str, Any]]) -> dict[AgentName, AgentResult]:
    parsed: dict[AgentName, AgentResult] = {}
    for item in raw:
        try:
            result = AgentResult.model_validate(item)
        except ValidationError:
            # A branch the workflow caught carries only agent/status/error: keep it as FAILED.
            result = AgentResult(
                agent=AgentName(item["agent"]), status=AgentStatus.FAILED, error=str(item.get("error"))[:500]
            )
        parsed[result.agent] = result
    for name in AgentName:
        parsed.setdefault(name, AgentResult(agent=name, status=AgentStatus.FAILED, error="no result"))
    return parsed


def _ml_prediction(result: AgentResult) -> MlPrediction | None:
    if result.status == AgentStatus.FAILED or "scam_probability" not in result.data:
        return None
    return MlPrediction.model_validate(result.data)


def _score(findings: list[Finding], ml: MlPrediction | None) -> int:
    # Noisy-OR: independent reasons compound, and no number of small ones reaches certainty.
    remaining = 1.0
    for finding in findings:
        remaining *= 1.0 - finding.score / 100.0
    from_findings = 100.0 * (1.0 - remaining)
    score = (
        from_findings if ml is None else (1 - ML_SHARE) * from_findings + ML_SHARE * 100 * ml.scam_probability
    )
    floor = max((SEVERITY_FLOOR[f.severity] for f in findings), default=0)
    return round(min(100.0, max(score, floor)))


def _confidence(agents: dict[AgentName, AgentResult], ml: MlPrediction | None) -> float:
    total = 0.0
    for name, result in agents.items():
        share = {AgentStatus.OK: 1.0, AgentStatus.DEGRADED: 0.5, AgentStatus.FAILED: 0.0}[result.status]
        if name == AgentName.ML and ml is not None:
            share *= 0.5 + 0.5 * ml.confidence
        total += AGENT_WEIGHT[name] * share
    return round(total, 3)


def _recommendations(level: RiskLevel, findings: list[Finding], degraded: bool) -> list[str]:
    advice = [_ADVICE[f.type] for f in findings if f.type in _ADVICE]
    headline = {
        RiskLevel.UNKNOWN: "No verdict: the contract checks could not run. Do not treat this token as safe.",
        RiskLevel.CRITICAL: "Avoid this token: it shows signs of a scam.",
        RiskLevel.HIGH: "High risk: only buy if you understand and accept the owner's powers listed.",
        RiskLevel.MEDIUM: "Moderate risk: review the findings and size any position accordingly.",
        RiskLevel.LOW: "No major red flags found; this is not a guarantee, so keep positions sized sensibly.",
    }[level]
    if degraded:
        advice.append("Some checks could not run; re-run the analysis before relying on this verdict.")
    return [headline, *dict.fromkeys(advice)]


def build_result(task: AnalysisTask, raw_agents: list[dict[str, Any]], elapsed_ms: int) -> AnalysisResult:
    agents = _parse_agents(raw_agents)
    findings = sorted(
        (f for a in agents.values() for f in a.findings),
        key=lambda f: (list(Severity).index(f.severity), -f.score),
    )
    ml = _ml_prediction(agents[AgentName.ML])
    score = _score(findings, ml)
    heuristic = agents[AgentName.HEURISTIC]
    level = RiskLevel.UNKNOWN if heuristic.status == AgentStatus.FAILED else risk_level(score)
    degraded = any(a.status != AgentStatus.OK for a in agents.values())
    return AnalysisResult(
        risk_score=score,
        risk_level=level,
        confidence=_confidence(agents, ml),
        degraded=degraded,
        heuristic_risks=findings,
        ml_prediction=ml,
        smart_money_analysis={
            **agents[AgentName.SMART_MONEY].data,
            "status": agents[AgentName.SMART_MONEY].status.value,
        },
        recommendations=_recommendations(level, findings, degraded),
        agent_statuses={name.value: a.status for name, a in agents.items()},
        timings_ms={**{name.value: a.duration_ms for name, a in agents.items()}, "total": elapsed_ms},
        token={
            "address": task.token_address,
            "chain": task.chain.value,
            **{
                k: heuristic.data[k]
                for k in ("name", "symbol", "decimals", "total_supply")
                if k in heuristic.data
            },
        },
    )


def _agent_summaries(raw_agents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keep = ("agent", "status", "duration_ms", "gaps", "error")
    return [{k: a.get(k) for k in keep if k in a} for a in raw_agents]


def aggregate(state: dict[str, Any], store: Store) -> dict[str, Any]:
    """Build the verdict from the workflow state {task…, agents: [...]} and store it."""
    task = AnalysisTask.model_validate(state)
    analysis = store.get_analysis(task.task_id)
    if analysis is None:
        raise LookupError(f"analysis {task.task_id} does not exist")
    now = utcnow()
    elapsed = int((now - analysis.created_at).total_seconds() * 1000)
    result = build_result(task, state.get("agents", []), elapsed)
    store.update_analysis(
        task.task_id,
        status=AnalysisStatus.COMPLETED,
        completed_at=now,
        result=result.model_dump(mode="json"),
        agents=_agent_summaries(state.get("agents", [])),
    )
    store.release_active_task(task.user_id, task.chain, task.token_address, task.task_id)
    return {
        "task_id": task.task_id,
        "status": AnalysisStatus.COMPLETED.value,
        "risk_score": result.risk_score,
        "risk_level": result.risk_level.value,
    }


def fail(state: dict[str, Any], store: Store) -> dict[str, Any]:
    """The workflow could not aggregate: mark the analysis FAILED so it never stays RUNNING."""
    task = AnalysisTask.model_validate(state)
    error = state.get("error") or {}
    store.update_analysis(
        task.task_id,
        status=AnalysisStatus.FAILED,
        completed_at=utcnow(),
        error={"code": "aggregation_failed", "message": str(error.get("Cause", error))[:500]},
        agents=_agent_summaries(state.get("agents", [])),
    )
    store.release_active_task(task.user_id, task.chain, task.token_address, task.task_id)
    return {"task_id": task.task_id, "status": AnalysisStatus.FAILED.value}

"""Merge the agents' results into one verdict and store it (the workflow's last step)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import ValidationError

from moneygrow.models import (
    AgentName,
    AgentResult,
    AgentStatus,
    AnalysisResult,
    AnalysisStatus,
    AnalysisTask,
    Finding,
    LiquidityView,
    MissingCheck,
    MlPrediction,
    RiskLevel,
    Severity,
    SubScoreView,
    TradeSimulationView,
    utcnow,
)
from moneygrow.observability import logger, metrics
from moneygrow.store.base import Store
from moneygrow.verdict import Verdict, risk_level, side, verdict

# What each part of the analysis adds to the confidence when it ran (sums to 1): the contract
# checks carry the verdict, the trade simulation and the executed probes make it observed rather
# than inferred, the ML and smart-money views add context.
__all__ = ["aggregate", "build_result", "fail", "risk_level"]

CONFIDENCE_PARTS: dict[str, float] = {
    "contract checks": 0.40,
    "trade simulation": 0.25,
    "owner-power probes": 0.15,
    "ml": 0.10,
    "smart money": 0.10,
}

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
    "deployer_funded_holders": "Wallets the deployer funded hold or sold part of the supply: the holder base "
    "is partly the deployer's own, and those tokens can be dumped together.",
    "proxy": "The code can be replaced (upgradeable proxy); check who controls upgrades.",
    "delegatecall": "The contract runs external code (delegatecall); its behaviour can change.",
    "selfdestruct": "The contract can self-destruct.",
    "ml_scam_probability": "The ML model (see its basis) finds the token like known scams; be careful.",
}


def _error_name(error: Any) -> str:
    """What a stored result may say about a failure: the error's name (e.g. "States.Timeout",
    "ChainUnavailable"), never its cause, which carries stack traces, ARNs and the account id."""
    name = error.get("Error") if isinstance(error, dict) else error
    text = str(name or "error")
    return text if text.replace(".", "").replace("_", "").isalnum() and len(text) <= 80 else "error"


def _parse_agents(raw: list[dict[str, Any]]) -> dict[AgentName, AgentResult]:
    parsed: dict[AgentName, AgentResult] = {}
    for item in raw:
        if item.get("status") == AgentStatus.FAILED.value:
            # A branch the workflow caught: its cause goes to the log, only its name to the result.
            logger.warning("agent failed", extra={"agent": item.get("agent"), "caught": item.get("data")})
            result = AgentResult(
                agent=AgentName(item["agent"]),
                status=AgentStatus.FAILED,
                error=_error_name(item.get("error")),
            )
        else:
            try:
                result = AgentResult.model_validate(item)
            except ValidationError:
                logger.warning("malformed agent result", extra={"agent": item.get("agent")})
                result = AgentResult(
                    agent=AgentName(item["agent"]), status=AgentStatus.FAILED, error="malformed"
                )
        parsed[result.agent] = result
    for name in AgentName:
        parsed.setdefault(name, AgentResult(agent=name, status=AgentStatus.FAILED, error="no result"))
    return parsed


def _ml_prediction(result: AgentResult) -> MlPrediction | None:
    if result.status == AgentStatus.FAILED or "scam_probability" not in result.data:
        return None
    return MlPrediction.model_validate(result.data)


def _missing_checks(agents: dict[AgentName, AgentResult]) -> list[MissingCheck]:
    """The checks the verdict depends on that did not run, with why and what each would have told."""
    heuristic = agents[AgentName.HEURISTIC]
    out: list[MissingCheck] = []
    if heuristic.status == AgentStatus.FAILED:
        return [
            MissingCheck(
                check="contract checks",
                why=heuristic.error or "the heuristic agent failed",
                would_tell="what the code lets its owner do, and whether a buyer can sell",
            )
        ]
    sim = heuristic.data.get("simulation") or {}
    if sim.get("can_buy") is None:
        why = next((g for g in heuristic.gaps if g.startswith("trade simulation")), None)
        out.append(
            MissingCheck(
                check="trade simulation",
                why=why or str(sim.get("error") or "it did not run"),
                would_tell="whether a buyer can sell again, and the buy, sell and transfer taxes",
            )
        )
    powers = heuristic.data.get("powers") or {}
    if powers and powers.get("method") != "eth_simulateV1" and powers.get("candidates"):
        out.append(
            MissingCheck(
                check="owner-power probes",
                why="the node could not execute the privileged functions (no eth_simulateV1)",
                would_tell="whether the owner's functions really mint, take or block holders' tokens",
            )
        )
    for name in (AgentName.ML, AgentName.SMART_MONEY):
        agent = agents[name]
        if agent.status != AgentStatus.OK:
            out.append(
                MissingCheck(
                    check=f"{name.value} agent",
                    why=agent.error or "; ".join(agent.gaps) or agent.status.value,
                    would_tell="how much the pool's behaviour and the code resemble known scams"
                    if name == AgentName.ML
                    else "whether known profitable wallets hold or trade it",
                )
            )
    return out


def _confidence(agents: dict[AgentName, AgentResult], missing: list[MissingCheck]) -> float:
    """How much of the analysis ran: each part's share when it ran (never max(p, 1-p))."""
    if agents[AgentName.HEURISTIC].status == AgentStatus.FAILED:
        return 0.0
    absent = {m.check for m in missing}
    ran = {
        "contract checks": agents[AgentName.HEURISTIC].status == AgentStatus.OK,
        "trade simulation": "trade simulation" not in absent,
        "owner-power probes": "owner-power probes" not in absent,
        "ml": agents[AgentName.ML].status == AgentStatus.OK,
        "smart money": agents[AgentName.SMART_MONEY].status == AgentStatus.OK,
    }
    partial = {"contract checks": 0.6}  # DEGRADED: some static checks failed, most ran
    share = sum(w * (1.0 if ran[k] else partial.get(k, 0.0)) for k, w in CONFIDENCE_PARTS.items())
    return round(share, 2)


_POWER_TYPES = frozenset(
    t
    for t in _ADVICE
    if t.startswith("owner_can_") or t in ("rug_pull_toolkit", "trading_toggle", "hidden_owner")
)


def _headline(v: Verdict, findings: list[Finding]) -> str:
    if v.kind == "NOT_A_TOKEN":
        return "This address is not a token (no code, or not an ERC-20 contract): there is nothing to rate."
    powers = any(f.type in _POWER_TYPES for f in findings)
    driver = "contract" if v.contract and v.market and v.contract.score >= v.market.score else "market"
    return {
        RiskLevel.UNKNOWN: "No verdict: the contract checks could not run. Do not treat this token as safe.",
        RiskLevel.CRITICAL: "Avoid this token: it shows signs of a scam.",
        RiskLevel.HIGH: "High risk: only buy if you understand and accept the owner's powers listed."
        if powers
        else "High risk: read the findings before buying.",
        RiskLevel.MEDIUM: "Moderate risk, driven by the "
        + (
            "code: review the findings."
            if driver == "contract"
            else "market (liquidity, holders): size any position accordingly."
        ),
        RiskLevel.LOW: "No major red flags found; this is not a guarantee, so keep positions sized sensibly.",
    }[v.level or RiskLevel.UNKNOWN]


def _advice(f: Finding) -> str:
    """The finding's advice, naming who holds the power when a probe saw it used."""
    text = _ADVICE[f.type]
    holder = f.evidence.get("holder") if isinstance(f.evidence, dict) else None
    return f"{text} (held by {holder})" if holder else text


def _recommendations(v: Verdict, findings: list[Finding], degraded: bool) -> list[str]:
    """A headline for the level, then one piece of advice per scored finding (context such as smart
    money gets none), and a note when checks were missing."""
    scored = [f for f in findings if side(f) != "context" and f.type in _ADVICE]
    advice = [] if v.kind == "NOT_A_TOKEN" else [_advice(f) for f in scored]
    if degraded and v.kind != "NOT_A_TOKEN":
        advice.append(
            "Some checks could not run (see missing_checks): the level is a lower bound; re-run the analysis "
            "before relying on it."
        )
    return [_headline(v, findings), *dict.fromkeys(advice)]


def _trade_simulation(heuristic: AgentResult) -> TradeSimulationView | None:
    sim = heuristic.data.get("simulation")
    if not isinstance(sim, dict) or sim.get("can_buy") is None:
        return None
    return TradeSimulationView.model_validate(
        {
            k: sim.get(k)
            for k in TradeSimulationView.model_fields
            if isinstance(sim.get(k), bool | float | int | str)
        }
    )


def _liquidity(heuristic: AgentResult) -> LiquidityView | None:
    liq = heuristic.data.get("liquidity")
    if not isinstance(liq, dict) or not liq.get("main_pair"):
        return None
    main: dict[str, Any] = next((p for p in liq.get("pairs") or [] if p.get("pair") == liq["main_pair"]), {})
    shares = [main.get(k) for k in ("lp_burnt_share", "lp_locked_share")]
    safe = (
        sum(s for s in shares if isinstance(s, int | float)) if any(s is not None for s in shares) else None
    )
    return LiquidityView(
        main_pair=liq["main_pair"],
        liquidity_usd=liq.get("liquidity_usd"),
        liquidity_native=liq.get("liquidity_native"),
        lp_safe_share=None if safe is None else round(min(safe, 1.0), 6),
    )


def build_result(task: AnalysisTask, raw_agents: list[dict[str, Any]], elapsed_ms: int) -> AnalysisResult:
    agents = _parse_agents(raw_agents)
    findings = sorted(
        (f for a in agents.values() for f in a.findings),
        key=lambda f: (list(Severity).index(f.severity), -f.score),
    )
    ml = _ml_prediction(agents[AgentName.ML])
    heuristic = agents[AgentName.HEURISTIC]
    v = verdict(findings, heuristic.status != AgentStatus.FAILED)
    missing = [] if v.kind == "NOT_A_TOKEN" else _missing_checks(agents)
    degraded = bool(missing) or heuristic.status != AgentStatus.OK
    return AnalysisResult(
        kind=v.kind,
        risk_score=v.score,
        risk_level=v.level,
        contract_risk=SubScoreView(**v.contract.as_dict()) if v.contract else None,
        market_risk=SubScoreView(**v.market.as_dict()) if v.market else None,
        confidence=_confidence(agents, missing),
        degraded=degraded,
        level_is_lower_bound=degraded and v.level not in (None, RiskLevel.UNKNOWN),
        missing_checks=missing,
        heuristic_risks=findings,
        trade_simulation=_trade_simulation(heuristic),
        liquidity=_liquidity(heuristic),
        ml_prediction=ml,
        smart_money_analysis={
            **agents[AgentName.SMART_MONEY].data,
            "status": agents[AgentName.SMART_MONEY].status.value,
        },
        recommendations=_recommendations(v, findings, degraded),
        agent_statuses={name.value: a.status for name, a in agents.items()},
        timings_ms={**{name.value: a.duration_ms for name, a in agents.items()}, "total": elapsed_ms},
        token={
            "address": task.token_address,
            "chain": task.chain.value,
            **{
                k: heuristic.data[k]
                for k in ("name", "symbol", "decimals", "total_supply", "owner")
                if k in heuristic.data
            },
        },
    )


def _agent_summaries(raw_agents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keep = ("agent", "status", "duration_ms", "gaps")
    return [
        {
            **{k: a.get(k) for k in keep if k in a},
            **({"error": _error_name(a["error"])} if a.get("error") else {}),
        }
        for a in raw_agents
    ]


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
    # The share of degraded verdicts is an alarm (infra/constructs/observability.py): a provider or
    # node that is down shows up here before any user writes in.
    metrics.add_metric(name="Verdicts", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="DegradedVerdicts", unit=MetricUnit.Count, value=int(result.degraded))
    return {
        **task.model_dump(mode="json"),  # the Notify step of a rescan reads the task
        "status": AnalysisStatus.COMPLETED.value,
        "kind": result.kind,
        "risk_score": result.risk_score,
        "risk_level": result.risk_level.value if result.risk_level else None,
    }


def fail(state: dict[str, Any], store: Store) -> dict[str, Any]:
    """The workflow could not aggregate: mark the analysis FAILED so it never stays RUNNING."""
    task = AnalysisTask.model_validate(state)
    error = state.get("error") or {}
    logger.error("analysis failed", extra={"task_id": task.task_id, "caught": error})
    store.update_analysis(
        task.task_id,
        status=AnalysisStatus.FAILED,
        completed_at=utcnow(),
        error={
            "code": "analysis_failed",
            "message": f"the analysis could not be completed ({_error_name(error)}); "
            f"quote reference {task.task_id} when reporting it",
        },
        agents=_agent_summaries(state.get("agents", [])),
    )
    store.release_active_task(task.user_id, task.chain, task.token_address, task.task_id)
    return {"task_id": task.task_id, "status": AnalysisStatus.FAILED.value}

"""Honeypot and tax check: the trade simulation (moneygrow.heuristics.simulation) as a heuristic check.

The simulation buys, transfers and sells the token in one state-overridden eth_call per scenario,
pinned to the block the other checks read (one more round trip for all scenarios together).
"""

from __future__ import annotations

from moneygrow.heuristics.registry import CheckOutcome, HeuristicContext, register
from moneygrow.heuristics.simulation import simulate_trades, simulation_findings

# Reported by the liquidity and contract checks already (for every quote token, not only the
# wrapped native coin the simulation trades against).
_REPORTED_ELSEWHERE = {"no_liquidity", "no_contract_code"}


@register("trade_simulation")
def check(ctx: HeuristicContext) -> CheckOutcome:
    report = simulate_trades(ctx.reader, ctx.network, ctx.task.token_address, block_header=ctx.block)
    findings = simulation_findings(report)
    out = CheckOutcome(
        findings=[f for f in findings if f.type not in _REPORTED_ELSEWHERE],
        data={"simulation": report.summary()},
    )
    no_pool = report.has_liquidity is False
    for gap in report.gaps:
        # Nothing to trade is a fact about the token (named, and no_liquidity says so), not a
        # failure of the analysis; anything else the simulation could not do degrades the result.
        (out.unconfigured if no_pool else out.gaps).append(gap)
    return out

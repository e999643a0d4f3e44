"""Honeypot and tax check: the trade simulation (moneygrow.heuristics.simulation) as a heuristic check.

The simulation trades as fresh wallets with eth_simulateV1: the reads it needs to fix its amounts (the
pair and two router quotes, `pool_reads`) ride in the context's first batch, the block header is the
one that batch read, so the simulation itself - every scenario and the existing holders' re-sells -
is ONE round trip. Existing holders come from the token's Transfer logs (the holders check reads them
already). A node without eth_simulateV1 gets the contract-based fallback (named in the gaps).
"""

from __future__ import annotations

from moneygrow.heuristics.registry import (
    BURN_ADDRESSES,
    CheckOutcome,
    HeuristicContext,
    Read,
    register,
)
from moneygrow.heuristics.simulation import (
    HOLDER_CANDIDATES,
    pool_reads,
    simulate_trades,
    simulation_findings,
)

# Reported by the liquidity and contract checks already (for every quote token, not only the
# wrapped native coin the simulation trades against).
_REPORTED_ELSEWHERE = {"no_liquidity", "no_contract_code"}


def _prefetch(ctx: HeuristicContext) -> dict[str, Read]:
    return {k: Read(method, params) for k, (method, params) in pool_reads(ctx.network, ctx.address).items()}


def _holders(ctx: HeuristicContext) -> list[tuple[str, int]]:
    """Largest current holders by the Transfer logs' net flows (exact balances are read inside the
    simulation); none when the logs could not be read."""
    logs = ctx.logs
    if logs.error is not None:
        return []
    return [(a, v) for a, v in logs.holders if a not in BURN_ADDRESSES][: 2 * HOLDER_CANDIDATES]


@register("trade_simulation", prefetch=_prefetch)
def check(ctx: HeuristicContext) -> CheckOutcome:
    pool = {key: ctx.pre(f"trade_simulation.{key}") for key in pool_reads(ctx.network, ctx.address)}
    exclude = {a for a in (ctx.owner, ctx.address) if a is not None}
    report = simulate_trades(
        ctx.reader,
        ctx.network,
        ctx.task.token_address,
        block_header=ctx.block,
        pool=pool,
        holders=_holders(ctx),
        exclude=exclude,
    )
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

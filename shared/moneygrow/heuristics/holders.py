"""Holders: how concentrated is the supply, and how much do the owner and the deployer hold?

With an explorer configured its top-holders list is used. Otherwise (and locally) the holders are
reconstructed from the token's Transfer logs over the last LOG_BLOCK_RANGE blocks: the addresses that
received tokens are candidates, and their balances are read with balanceOf in one batch (so fee or
rebasing tokens are still right). When the window does not reach back to the token's creation, older
holders can be missing: the result says so.

Concentration leaves out the DEX pairs, burn addresses, LP lockers and the token contract itself;
shares are of the total supply.
"""

from __future__ import annotations

from typing import Any

from moneygrow.heuristics.liquidity import pair_addresses
from moneygrow.heuristics.registry import (
    BURN_ADDRESSES,
    LOG_BLOCK_RANGE,
    CheckOutcome,
    HeuristicContext,
    as_call,
    call_uint,
    checksum,
    eth_call,
    is_burn,
    register,
)
from moneygrow.models import Finding, Severity
from moneygrow.providers import Holder

TOP_N = 10
CANDIDATES = 40  # addresses (by net tokens received in the window) whose balances are read
CONCENTRATION_MEDIUM, CONCENTRATION_HIGHER = 0.50, 0.80
OWNER_SHARE_MEDIUM, OWNER_SHARE_HIGH = 0.20, 0.50
DEPLOYER_SHARE_MEDIUM = 0.35


@register("holders")
def check(ctx: HeuristicContext) -> CheckOutcome:
    out = CheckOutcome()
    supply = ctx.meta["total_supply"]
    if not supply:
        out.data["holders"] = None
        return out  # the ERC-20 check already reports an unreadable or zero supply
    owner = ctx.owner if ctx.owner is not None and not is_burn(ctx.owner) else None
    deployer, _ = ctx.deployer
    listed = _from_explorer(ctx, out)
    source = "explorer"
    if listed is None:
        listed, source = _from_logs(ctx, out), "transfer_logs"
    if listed is None:
        return out
    # one batch: the candidates' balances plus the owner's and deployer's (if not already listed)
    wanted = dict.fromkeys([h.address for h in listed if source == "transfer_logs"])
    extra = [a for a in (owner, deployer) if a is not None]
    wanted.update(dict.fromkeys(extra))
    balances = _balances(ctx, list(wanted))
    if source == "explorer":
        balances = {**{h.address: h.balance for h in listed}, **balances}
    excluded = _excluded(ctx)
    ranked = sorted(((a, b) for a, b in balances.items() if a not in excluded and b > 0), key=lambda x: -x[1])
    top = ranked[:TOP_N]
    top_share = sum(b for _, b in top) / supply
    owner_share = balances.get(owner, 0) / supply if owner is not None else None
    deployer_share = balances.get(deployer, 0) / supply if deployer is not None else None
    out.data.update(
        holders_source=source,
        top_holders=[{"address": a, "balance": str(b), "share": b / supply} for a, b in top],
        top10_share=top_share,
        owner_share_of_supply=owner_share,
        deployer=deployer,
        deployer_share_of_supply=deployer_share,
    )
    out.findings += _concentration(top_share, top)
    out.findings += _insider(owner, owner_share, deployer, deployer_share)
    return out


def _from_explorer(ctx: HeuristicContext, out: CheckOutcome) -> list[Holder] | None:
    explorer = ctx.providers.explorer
    if explorer is None:
        return None
    try:
        listed = explorer.top_holders(ctx.task.chain, ctx.address, TOP_N + 10)
    except Exception:
        listed = None
    if listed is None:
        # Etherscan serves holder lists on its Pro plan only, so None is often the plan, not an outage:
        # named, and the Transfer-log fallback below keeps the check running (not DEGRADED).
        out.unconfigured.append(
            "explorer gave no holder list (a paid API feature, or the call failed): "
            "holders from Transfer logs"
        )
        return None
    return [Holder(address=checksum(h.address), balance=h.balance, share=h.share) for h in listed]


def _from_logs(ctx: HeuristicContext, out: CheckOutcome) -> list[Holder] | None:
    logs = ctx.logs
    if logs.error is not None:
        out.gaps.append(f"Transfer logs unavailable ({logs.error}): holders not checked")
        return None
    if not logs.complete:
        msg = (
            f"holders from the Transfer logs of the last {LOG_BLOCK_RANGE} blocks only: "
            "older holders may be missing"
        )
        out.unconfigured.append(msg)
    ranked = logs.holders
    out.data["holders_window"] = {
        "from_block": logs.from_block,
        "to_block": logs.to_block,
        "complete": logs.complete,
        "transfers": len(logs.transfers),
    }
    return [Holder(address=a, balance=v) for a, v in ranked[:CANDIDATES]]


def _balances(ctx: HeuristicContext, addresses: list[str]) -> dict[str, int]:
    reads = {a: eth_call(ctx.address, "balanceOf(address)", ("address",), (a,)) for a in addresses}
    got = ctx.read(reads)
    out: dict[str, int] = {}
    for a, response in got.items():
        value = call_uint(as_call(response))
        if value is not None:
            out[a] = value
    return out


def _excluded(ctx: HeuristicContext) -> set[str]:
    return (
        set(BURN_ADDRESSES)
        | set(pair_addresses(ctx).values())
        | {checksum(a) for a in ctx.network.lp_lockers.values()}
        | {ctx.address}
    )


def _concentration(top_share: float, top: list[tuple[str, int]]) -> list[Finding]:
    if top_share < CONCENTRATION_MEDIUM:
        return []
    return [
        Finding(
            type="holder_concentration",
            score=50 if top_share >= CONCENTRATION_HIGHER else 35,
            severity=Severity.MEDIUM,
            reason=f"The top {len(top)} wallets (leaving out DEX pools, burn addresses and lockers) hold "
            f"{top_share * 100:.1f}% of the supply and can crash the price by selling.",
            evidence={"top10_share": top_share, "largest": top[0][0] if top else None},
        )
    ]


def _insider(
    owner: str | None, owner_share: float | None, deployer: str | None, deployer_share: float | None
) -> list[Finding]:
    """owner_holds_supply: HIGH when the live owner (who also holds the contract's powers) has half of
    the supply; a deployer without powers is a dump risk, not a control risk (MEDIUM at most)."""
    candidates: list[tuple[str, str, float]] = []
    if owner is not None and owner_share is not None:
        candidates.append(("owner", owner, owner_share))
    if deployer is not None and deployer_share is not None and deployer != owner:
        candidates.append(("deployer", deployer, deployer_share))
    if not candidates:
        return []
    role, who, share = max(candidates, key=lambda c: c[2])
    if share < OWNER_SHARE_MEDIUM:
        return []
    high = role == "owner" and share >= OWNER_SHARE_HIGH
    # A deployer without powers keeping a team-sized share is a dump risk worth naming, not a
    # warning sign by itself: LOW up to DEPLOYER_SHARE_MEDIUM.
    low = role == "deployer" and share < DEPLOYER_SHARE_MEDIUM
    evidence: dict[str, Any] = {role: who, "share_of_supply": share}
    if role == "owner":
        evidence["owner"] = who
    score, severity = (75, Severity.HIGH) if high else (20, Severity.LOW) if low else (45, Severity.MEDIUM)
    return [
        Finding(
            type="owner_holds_supply",
            score=score,
            severity=severity,
            reason=f"The {role}'s wallet holds {share * 100:.1f}% of the supply and can dump it on buyers.",
            evidence=evidence,
        )
    ]

"""Owner powers: what the code lets a privileged account do to holders, and whether anyone still can."""

from __future__ import annotations

from typing import Any

from moneygrow.chain import bytecode as bc
from moneygrow.chain.reader import ZERO_ADDRESS
from moneygrow.heuristics.registry import (
    CheckOutcome,
    HeuristicContext,
    as_call,
    call_uint,
    eth_call,
    register,
)
from moneygrow.models import Finding, Severity

OWNER_SHARE_MEDIUM, OWNER_SHARE_HIGH = 0.20, 0.50  # owner's share of supply that is worth a finding

# category -> (finding type, score/severity while an owner holds the power, plain-words reason)
POWERS: dict[str, tuple[str, int, Severity, str]] = {
    "mint": (
        "owner_can_mint",
        80,
        Severity.HIGH,
        "The contract has a mint function: new tokens can be created at will, diluting every holder.",
    ),
    "blacklist": (
        "owner_can_blacklist",
        80,
        Severity.HIGH,
        "The contract can blacklist addresses, which stops them from transferring or selling their tokens.",
    ),
    "fee": (
        "owner_can_set_fees",
        60,
        Severity.MEDIUM,
        "Transfer or sell taxes can be changed after launch, up to making selling pointless.",
    ),
    "pause": (
        "owner_can_pause_trading",
        55,
        Severity.MEDIUM,
        "Trading can be paused or switched off, freezing everyone's tokens.",
    ),
    "limit": (
        "owner_can_limit_transfers",
        40,
        Severity.MEDIUM,
        "Transaction or wallet limits can be changed, which can block large sells.",
    ),
    "upgrade": (
        "upgradeable",
        75,
        Severity.HIGH,
        "The contract can be upgraded: its rules can be replaced with any other code.",
    ),
}
RENOUNCED_FACTOR = 0.5  # a power nobody can call any more still deserves a mention (other roles may exist)


@register("owner")
def check(ctx: HeuristicContext) -> CheckOutcome:
    owner = ctx.owner
    owner_live = owner is not None and owner != ZERO_ADDRESS
    risky = bc.risky_functions(ctx.all_selectors)
    findings = power_findings(risky, owner, owner_live)
    share = _owner_share(ctx, owner) if owner_live else None
    findings += _concentration_findings(owner, share)
    data: dict[str, Any] = {
        "owner": owner,
        "has_owner_function": owner is not None,
        "ownership_renounced": owner == ZERO_ADDRESS,
        "owner_share_of_supply": share,
        "risky_functions": risky,
    }
    return CheckOutcome(findings=findings, data=data)


def power_findings(risky: dict[str, list[str]], owner: str | None, owner_live: bool) -> list[Finding]:
    out: list[Finding] = []
    for category, (ftype, score, severity, reason) in POWERS.items():
        sigs = risky.get(category)
        if not sigs:
            continue
        evidence: dict[str, Any] = {"functions": sigs, "owner": owner}
        if owner is not None and not owner_live:
            score, severity = int(score * RENOUNCED_FACTOR), Severity.LOW if score < 70 else Severity.MEDIUM
            reason += " Ownership is renounced, so an owner-only version of it can no longer be called."
        elif owner_live:
            reason += f" The owner {owner} still controls the contract."
        out.append(Finding(type=ftype, score=score, severity=severity, reason=reason, evidence=evidence))
    if owner_live and "mint" in risky and ({"blacklist", "fee", "pause"} & risky.keys()):
        out.append(
            Finding(
                type="rug_pull_toolkit",
                score=90,
                severity=Severity.CRITICAL,
                reason="One owner can both print new tokens and stop others from selling (blacklist, tax or "
                "pause): the classic set-up for a rug pull or honeypot.",
                evidence={"owner": owner, "powers": sorted(risky.keys() - {"ownership"})},
            )
        )
    if owner_live and len(risky.keys() - {"ownership"}) == 0:
        out.append(
            Finding(
                type="owner_not_renounced",
                score=15,
                severity=Severity.LOW,
                reason=f"The contract still has an owner ({owner}); no known dangerous function found.",
                evidence={"owner": owner},
            )
        )
    return out


def _owner_share(ctx: HeuristicContext, owner: str | None) -> float | None:
    supply = ctx.meta["total_supply"]
    if owner is None or not supply:
        return None
    res = ctx.read({"bal": eth_call(ctx.address, "balanceOf(address)", ("address",), (owner,))})["bal"]
    balance = call_uint(as_call(res))
    return None if balance is None else balance / supply


def _concentration_findings(owner: str | None, share: float | None) -> list[Finding]:
    if share is None or share < OWNER_SHARE_MEDIUM:
        return []
    high = share >= OWNER_SHARE_HIGH
    return [
        Finding(
            type="owner_holds_supply",
            score=75 if high else 45,
            severity=Severity.HIGH if high else Severity.MEDIUM,
            reason=f"The owner's wallet holds {share * 100:.1f}% of the supply and can dump it on buyers.",
            evidence={"owner": owner, "share_of_supply": share},
        )
    ]

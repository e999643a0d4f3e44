"""The verdict policy: how findings, the ML probability and smart money become one risk level.

Plain words per level (what a user should read into it):
- LOW: nothing found that lets anyone take, lock or dilute your tokens, and the market looks sound.
- MEDIUM: something deserves a look (a fee, an issuer's conventional power held by a contract, a
  thin or unlocked pool) but no trap was found.
- HIGH: a privileged account can hurt holders (mint, blacklist, pause, change fees or balances), or
  buying works but a trade fails or is heavily taxed for some holders.
- CRITICAL: a buyer is harmed now (honeypot, confiscatory tax, delayed trap), or a privileged account
  was shown able to take or lock holders' tokens through a disguised path.

Two sub-scores, each 0-100 with its level and top reasons; within one, reasons compound (noisy-OR)
but never past the band of the worst finding's severity:
- contract risk: what the code does now and lets a privileged account do (owner powers, traps,
  taxes, proxies, hidden owners). It alone can make the verdict HIGH or CRITICAL.
- market risk: liquidity depth and lock, holder concentration, age, trading history. It is real
  risk (an unlocked pool can be pulled), but on its own it raises the overall level to MEDIUM at most:
  how the market looks is not what the code can do.

What cannot raise a level:
- missing evidence: a check that did not run is reported as unknown (`missing_checks`, `degraded`),
  never as risk; the level then reads as a lower bound and confidence drops;
- smart money: who holds the token is context, shown beside the verdict, never a risk finding;
- the ML probability: a resemblance to known scam bytecode, shown with its basis; it never moves
  the level by itself.

Not a token (no code, a self-destructed or non-ERC-20 contract): no risk score at all, kind
NOT_A_TOKEN.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moneygrow.models import Finding, RiskLevel, Severity

# A finding of this severity puts its sub-score at least this high, whatever else is found.
SEVERITY_FLOOR: dict[Severity, int] = {
    Severity.CRITICAL: 85,
    Severity.HIGH: 60,
    Severity.MEDIUM: 30,
    Severity.LOW: 0,
}
# ...and at most the top of its band: reasons compound within a level, never past the worst
# finding's severity (three conventional HIGH issuer powers are a HIGH, not a CRITICAL).
SEVERITY_CEILING: dict[Severity, int] = {
    Severity.CRITICAL: 100,
    Severity.HIGH: 74,
    Severity.MEDIUM: 49,
    Severity.LOW: 24,
}
MARKET_CAP = 49  # the top of MEDIUM: market risk alone never makes the verdict HIGH

MARKET_TYPES = frozenset(
    {
        "lp_not_locked",
        "low_liquidity",
        "no_liquidity",
        "holder_concentration",
        "owner_holds_supply",
        "insider_holdings",
        "new_contract",
        "second_opinion_red_flags",
        "deployer_funded_holders",  # the deployer's own wallets posing as holders (fake distribution)
    }
)
CONTEXT_TYPES = frozenset(
    {"smart_money_holds", "smart_money_absent", "whales_exiting", "ml_scam_probability"}
)
NOT_A_TOKEN_TYPES = frozenset({"not_a_contract", "no_contract_code", "not_erc20"})


def risk_level(score: int) -> RiskLevel:
    if score >= 75:
        return RiskLevel.CRITICAL
    if score >= 50:
        return RiskLevel.HIGH
    if score >= 25:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def side(finding: Finding) -> str:
    """'contract', 'market' or 'context' (never scored)."""
    if finding.type in CONTEXT_TYPES:
        return "context"
    return "market" if finding.type in MARKET_TYPES else "contract"


@dataclass
class SubScore:
    score: int
    level: RiskLevel
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "level": self.level.value, "top_reasons": self.reasons}


def sub_score(findings: list[Finding]) -> SubScore:
    """Noisy-OR of the findings' scores (independent reasons compound, none reaches certainty alone),
    between the floor and the ceiling of the worst severity."""
    remaining = 1.0
    for f in findings:
        remaining *= 1.0 - f.score / 100.0
    floor = max((SEVERITY_FLOOR[f.severity] for f in findings), default=0)
    ceiling = max((SEVERITY_CEILING[f.severity] for f in findings), default=0)
    score = round(min(ceiling, max(100.0 * (1.0 - remaining), floor)))
    top = sorted(findings, key=lambda f: (list(Severity).index(f.severity), -f.score))[:3]
    return SubScore(score, risk_level(score), [f"{f.severity.value}: {f.reason}" for f in top])


@dataclass
class Verdict:
    kind: str  # "TOKEN" | "NOT_A_TOKEN"
    score: int | None
    level: RiskLevel | None
    contract: SubScore | None
    market: SubScore | None


def verdict(findings: list[Finding], heuristic_ran: bool) -> Verdict:
    """The overall level: contract risk, and market risk capped at MEDIUM; UNKNOWN without the
    contract checks; no score at all for an address that is not a token."""
    if any(f.type in NOT_A_TOKEN_TYPES for f in findings):
        return Verdict("NOT_A_TOKEN", None, None, None, None)
    if not heuristic_ran:
        return Verdict("TOKEN", 0, RiskLevel.UNKNOWN, None, None)
    contract = sub_score([f for f in findings if side(f) == "contract"])
    market = sub_score([f for f in findings if side(f) == "market"])
    score = max(contract.score, min(market.score, MARKET_CAP))
    return Verdict("TOKEN", score, risk_level(score), contract, market)

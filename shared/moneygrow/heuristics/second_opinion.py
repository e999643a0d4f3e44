"""A public scanner's view (GoPlus token_security) beside our own checks.

Our simulation and bytecode checks are authoritative (they run on the chain state we read); the
second opinion is shown as evidence, and its red flags become one HIGH finding so that a trap we
cannot see (e.g. a blacklist applied by hand after a buy) is still surfaced.
"""

from __future__ import annotations

from typing import Any

from moneygrow.heuristics.registry import CheckOutcome, HeuristicContext, register
from moneygrow.models import Finding, Severity

# GoPlus flags that mean "you may lose your money", in plain words.
RED_FLAGS: dict[str, str] = {
    "is_honeypot": "it is a honeypot",
    "cannot_sell_all": "holders cannot sell all their tokens",
    "cannot_buy": "the token cannot be bought",
    "hidden_owner": "it has a hidden owner",
    "can_take_back_ownership": "ownership can be taken back",
    "owner_change_balance": "the owner can change balances",
    "selfdestruct": "the contract can self-destruct",
    "honeypot_with_same_creator": "its creator made honeypots before",
    "is_airdrop_scam": "it is an airdrop scam",
}
SHOWN = (
    "is_honeypot",
    "buy_tax",
    "sell_tax",
    "is_mintable",
    "is_proxy",
    "is_blacklisted",
    "is_open_source",
    "owner_address",
    "creator_address",
    "holder_count",
    *RED_FLAGS,
)


@register("second_opinion")
def check(ctx: HeuristicContext) -> CheckOutcome:
    provider = ctx.providers.second_opinion
    if provider is None:
        return CheckOutcome(unconfigured=["second opinion (GoPlus) not enabled"])
    report = provider.token_security(ctx.task.chain, ctx.task.token_address)
    if report is None:
        return CheckOutcome(gaps=["second opinion (GoPlus) did not answer"])
    shown = {k: report[k] for k in SHOWN if k in report}
    out = CheckOutcome(data={"second_opinion": {"provider": "GoPlus", **shown}})
    flags = [text for key, text in RED_FLAGS.items() if _flagged(report.get(key))]
    if flags:
        out.findings.append(
            Finding(
                type="second_opinion_red_flags",
                score=70,
                severity=Severity.HIGH,
                reason="GoPlus, a public scanner, reports that " + "; ".join(flags) + ".",
                evidence={"provider": "GoPlus", "flags": [k for k in RED_FLAGS if _flagged(report.get(k))]},
            )
        )
    return out


def _flagged(value: Any) -> bool:
    # owner_change_balance is a float field in GoPlus' answer (0/1); the rest are booleans.
    return value is True or (isinstance(value, int | float) and not isinstance(value, bool) and value > 0)

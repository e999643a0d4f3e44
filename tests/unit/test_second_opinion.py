"""The second-opinion check with a local stand-in for the scanner port.

The GoPlus adapter itself is tested on recorded responses in test_adapters_goplus.py.
"""

from __future__ import annotations

from typing import Any

from moneygrow.chains import Chain
from moneygrow.heuristics import second_opinion
from moneygrow.providers import Providers


class _Ctx:
    """The two things the check reads from the heuristic context."""

    def __init__(self, provider: Any) -> None:
        self.providers = Providers(second_opinion=provider)
        self.task = type("T", (), {"chain": Chain.ETHEREUM, "token_address": "0x" + "ab" * 20})()


class _Scanner:
    def __init__(self, answer: dict[str, Any] | None) -> None:
        self.answer = answer
        self.asked: list[tuple[Chain, str]] = []

    def token_security(self, chain: Chain, address: str) -> dict[str, Any] | None:
        self.asked.append((chain, address))
        return self.answer


def test_not_enabled_is_named_but_not_a_failure() -> None:
    out = second_opinion.check(_Ctx(None))  # type: ignore[arg-type]
    assert out.unconfigured and not out.gaps and not out.findings


def test_no_answer_is_a_gap() -> None:
    out = second_opinion.check(_Ctx(_Scanner(None)))  # type: ignore[arg-type]
    assert out.gaps == ["second opinion (GoPlus) did not answer"]


def test_red_flags_become_one_high_finding_with_the_flags() -> None:
    scanner = _Scanner(
        {
            "is_honeypot": True,
            "cannot_sell_all": False,
            "owner_change_balance": 1.0,
            "sell_tax": 0.25,
            "is_open_source": True,
        }
    )
    out = second_opinion.check(_Ctx(scanner))  # type: ignore[arg-type]
    (finding,) = out.findings
    assert finding.type == "second_opinion_red_flags" and finding.severity == "HIGH"
    assert finding.evidence["flags"] == ["is_honeypot", "owner_change_balance"]
    assert "honeypot" in finding.reason and "change balances" in finding.reason
    assert out.data["second_opinion"]["sell_tax"] == 0.25
    assert scanner.asked == [(Chain.ETHEREUM, "0x" + "ab" * 20)]


def test_a_clean_answer_adds_no_finding() -> None:
    out = second_opinion.check(_Ctx(_Scanner({"is_honeypot": False, "buy_tax": 0.0})))  # type: ignore[arg-type]
    assert out.findings == [] and out.data["second_opinion"]["is_honeypot"] is False

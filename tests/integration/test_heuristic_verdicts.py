"""The whole heuristic agent (static checks + trade simulation) on every zoo token: expected
findings vs found. Zero misses on CRITICAL traps; no CRITICAL (nor HIGH) on the benign tokens.

Run with `-s` to see the table (it is also printed by tests/benchmarks/bench_heuristic.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from devstack.zoo import ZOO
from moneygrow.agents.heuristic import analyse
from moneygrow.chains import Chain
from moneygrow.models import AgentResult, AnalysisTask, Severity

pytestmark = pytest.mark.chain


@pytest.fixture(scope="module")
def verdicts(world: dict[str, Any], chain_deps: Any) -> dict[str, AgentResult]:
    out = {}
    for name, address in world["zoo"].items():
        task = AnalysisTask(task_id="z" * 32, user_id="u", token_address=address, chain=Chain.ETHEREUM)
        out[name] = analyse(task, chain_deps)
    rows = [f"{'token':20} {'expected':45} found (severity)"]
    for name, result in out.items():
        found = ", ".join(f"{f.type} ({f.severity.value})" for f in result.findings)
        rows.append(f"{name:20} {', '.join(ZOO[name]['expected']) or '-':45} {found or '-'}")
    print("\n" + "\n".join(rows))
    return out


@pytest.mark.parametrize("name", list(ZOO))
def test_expected_findings_are_found(verdicts: dict[str, AgentResult], name: str) -> None:
    found = {f.type for f in verdicts[name].findings}
    missing = set(ZOO[name]["expected"]) - found
    assert not missing, f"{name}: missing {missing}; found {sorted(found)}"


@pytest.mark.parametrize("name", [n for n, e in ZOO.items() if e["critical"]])
def test_no_critical_trap_is_missed(verdicts: dict[str, AgentResult], name: str) -> None:
    severities = {f.severity for f in verdicts[name].findings}
    assert Severity.CRITICAL in severities, (
        f"{name}: {[(f.type, f.severity) for f in verdicts[name].findings]}"
    )


@pytest.mark.parametrize("name", [n for n, e in ZOO.items() if e["benign"]])
def test_benign_tokens_get_no_critical_or_high(verdicts: dict[str, AgentResult], name: str) -> None:
    serious = [f.type for f in verdicts[name].findings if f.severity in (Severity.CRITICAL, Severity.HIGH)]
    assert not serious, f"{name}: {serious}"


@pytest.mark.parametrize("name", [n for n, e in ZOO.items() if e["central"]])
def test_central_issuers_are_never_called_a_rug_pull(verdicts: dict[str, AgentResult], name: str) -> None:
    """Legitimate, centrally issued tokens: their powers are reported, never CRITICAL."""
    critical = [f.type for f in verdicts[name].findings if f.severity is Severity.CRITICAL]
    assert not critical, f"{name}: {critical}"


def test_every_zoo_token_was_simulated(verdicts: dict[str, AgentResult]) -> None:
    for name, result in verdicts.items():
        sim = result.data["simulation"]
        assert sim["error"] is None and sim["can_buy"] is not None, name


def test_probes_that_all_revert_are_named_not_a_failure(verdicts: dict[str, AgentResult]) -> None:
    """GovernanceToken's mint is time-locked: every probe reverts, which is said, and the capped mint
    is still reported from storage evidence at MEDIUM."""
    result = verdicts["GovernanceToken"]
    assert any("probe calls reverted" in g for g in result.gaps) and result.status.value == "OK"
    mint = next(f for f in result.findings if f.type == "owner_can_mint")
    assert mint.severity is Severity.MEDIUM and mint.evidence["executed"] is False


def test_executed_findings_say_what_was_observed(verdicts: dict[str, AgentResult]) -> None:
    """A finding from a probe names the function, the actor and the before -> after numbers."""
    leak = next(f for f in verdicts["LeakSync"].findings if f.type == "owner_can_change_balances")
    (seen, *_) = leak.evidence["observed"]
    assert seen["actor_role"] == "owner()" and seen["selector"].startswith("0x")
    assert any(before != after for before, after in seen["lowered"].values())
    assert "fell from" in leak.reason and leak.severity is Severity.CRITICAL

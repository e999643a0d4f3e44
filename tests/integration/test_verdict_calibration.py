"""The verdict policy (moneygrow.verdict) pinned on the whole local world: every zoo token, every
edge input and the demo tokens, through the real heuristic and smart-money agents and the
aggregator (the ML agent never moves a level, so it is left out here).

Targets: no benign token above MEDIUM, and none above LOW when it has no powers and its LP is burnt;
no legitimate central issuer CRITICAL; every trap and disguised power HIGH or CRITICAL; no score at
all for an address that is not a token. Run with -s to see the table.
"""

from __future__ import annotations

from typing import Any

import pytest

from devstack.zoo import ZOO
from moneygrow.agents.runner import AgentDeps, run_agent
from moneygrow.aggregate import build_result
from moneygrow.chains import Chain
from moneygrow.models import AgentName, AnalysisResult, AnalysisTask, RiskLevel

pytestmark = pytest.mark.chain

ZERO = "0x0000000000000000000000000000000000000000"
PRECOMPILE = "0x0000000000000000000000000000000000000001"
ROUTER = "0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D"
ORDER = list(RiskLevel)


def verdict_for(address: str, deps: AgentDeps) -> AnalysisResult:
    event = AnalysisTask(task_id="c" * 32, user_id="u", token_address=address, chain=Chain.ETHEREUM)
    raw = [
        run_agent(name, event.model_dump(mode="json"), deps)
        for name in (AgentName.HEURISTIC, AgentName.SMART_MONEY)
    ]
    return build_result(event, raw, 0)


@pytest.fixture(scope="module")
def table(world: dict[str, Any], chain_deps: AgentDeps) -> dict[str, AnalysisResult]:
    targets = {**world["zoo"], "DemoToken": world["DemoToken"], "ScamToken": world["ScamToken"]}
    targets |= {f"edge:{k}": v for k, v in world["edge_cases"].items()}
    targets |= {"edge:zero_address": ZERO, "edge:precompile": PRECOMPILE, "edge:router": ROUTER}
    out = {name: verdict_for(address, chain_deps) for name, address in targets.items()}
    rows = [f"{'input':24} {'kind':12} {'level':9} {'score':>5}  contract   market    lower bound"]
    for name, r in out.items():
        c = f"{r.contract_risk.level.value}/{r.contract_risk.score}" if r.contract_risk else "-"
        m = f"{r.market_risk.level.value}/{r.market_risk.score}" if r.market_risk else "-"
        level = r.risk_level.value if r.risk_level else "-"
        rows.append(
            f"{name:24} {r.kind:12} {level:9} {r.risk_score!s:>5}  {c:10} {m:9} {r.level_is_lower_bound}"
        )
    print("\n" + "\n".join(rows))
    return out


def _at_most(result: AnalysisResult, level: RiskLevel) -> bool:
    return result.risk_level is not None and ORDER.index(result.risk_level) <= ORDER.index(level)


@pytest.mark.parametrize("name", [n for n, e in ZOO.items() if e["benign"]])
def test_benign_tokens_read_medium_at_most_and_low_without_powers_and_with_burnt_lp(
    table: dict[str, AnalysisResult], name: str
) -> None:
    result = table[name]
    assert _at_most(result, RiskLevel.MEDIUM), (name, result.risk_level)
    if ZOO[name]["lp"] == "burnt" and not ZOO[name]["expected"]:
        assert result.risk_level is RiskLevel.LOW, (name, result.contract_risk, result.market_risk)


@pytest.mark.parametrize("name", [n for n, e in ZOO.items() if e["central"]])
def test_central_issuers_are_never_critical(table: dict[str, AnalysisResult], name: str) -> None:
    assert _at_most(table[name], RiskLevel.HIGH), (name, table[name].risk_level)


@pytest.mark.parametrize("name", [n for n, e in ZOO.items() if not e["benign"] and not e["central"]])
def test_every_trap_and_power_reads_high_or_critical_from_the_code(
    table: dict[str, AnalysisResult], name: str
) -> None:
    result = table[name]
    assert result.risk_level in (RiskLevel.HIGH, RiskLevel.CRITICAL), (name, result.risk_level)
    assert result.contract_risk is not None and result.contract_risk.level in (
        RiskLevel.HIGH,
        RiskLevel.CRITICAL,
    )
    if ZOO[name]["critical"]:
        assert result.risk_level is RiskLevel.CRITICAL, name


@pytest.mark.parametrize("name", ["edge:eoa", "edge:not_erc20", "edge:self_destructed", "edge:zero_address",
                                  "edge:precompile", "edge:router"])  # fmt: skip
def test_what_is_not_a_token_gets_no_score(table: dict[str, AnalysisResult], name: str) -> None:
    result = table[name]
    assert result.kind == "NOT_A_TOKEN" and result.risk_score is None and result.risk_level is None, name


def test_a_token_without_a_pool_is_a_lower_bound(table: dict[str, AnalysisResult]) -> None:
    result = table["edge:no_pair"]
    assert result.kind == "TOKEN" and result.level_is_lower_bound
    assert "trade simulation" in {m.check for m in result.missing_checks}
    assert result.contract_risk is not None and result.contract_risk.level is RiskLevel.LOW


def test_the_demo_tokens(table: dict[str, AnalysisResult]) -> None:
    assert table["DemoToken"].risk_level is RiskLevel.LOW
    scam = table["ScamToken"]
    assert scam.risk_level in (RiskLevel.HIGH, RiskLevel.CRITICAL) and scam.level_is_lower_bound  # no pool

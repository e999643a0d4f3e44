"""The heuristic agent's static checks against the token zoo (devstack.zoo) on the local chain.

Compared with devstack.zoo.ZOO: every finding type the static checks are responsible for (owner
powers, proxies, hidden owners) that a token expects must be found, none outside expected + allowed
may appear, and benign tokens get no CRITICAL/HIGH finding. Honeypot/tax types (honeypot,
high_sell_tax, transfer_tax, time_delayed_honeypot) belong to the trade simulation and are left out
here. Also: bad input (EOA, non-ERC-20, self-destructed, no pair) and the RPC round trips per token.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from devstack.zoo import ZOO, ZOO_OTHER_CHAINS
from moneygrow.agents import heuristic
from moneygrow.agents.runner import AgentDeps
from moneygrow.chain.reader import ChainReader
from moneygrow.chains import Chain
from moneygrow.config import Settings
from moneygrow.models import AgentResult, AgentStatus, AnalysisTask, Severity

pytestmark = pytest.mark.chain

STATIC_TYPES = {
    "owner_can_mint",
    "owner_can_blacklist",
    "owner_can_pause_trading",
    "owner_can_set_fees",
    "owner_can_limit_transfers",
    "trading_toggle",
    "upgradeable_proxy",
    "hidden_owner",
    "owner_can_change_balances",
    "rug_pull_toolkit",
    "upgradeable",
}
SEVERE = {Severity.CRITICAL, Severity.HIGH}
MAX_STATIC_ROUND_TRIPS = 8  # with the owner-power probes; the budget for the whole agent


class CountingReader(ChainReader):
    """Counts HTTP round trips (a JSON-RPC batch is one)."""

    round_trips = 0

    def _with_failover(self, op: Any) -> Any:
        self.round_trips += 1
        return super()._with_failover(op)


def analyse(url: str, address: str, chain: Chain = Chain.ETHEREUM) -> tuple[AgentResult, int, float]:
    reader = CountingReader([url], timeout_s=5)
    deps = AgentDeps(settings=Settings(), chain=lambda _c: reader, models=None)  # type: ignore[arg-type]
    task = AnalysisTask(task_id="t", user_id="u", token_address=address, chain=chain)
    started = time.perf_counter()
    result = heuristic.analyse(task, deps)
    return result, reader.round_trips, time.perf_counter() - started


def rpc(url: str, method: str, params: list[Any]) -> Any:
    body = requests.post(
        url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=10
    )
    payload = body.json()
    assert "error" not in payload, payload
    return payload["result"]


@pytest.fixture(scope="module")
def zoo_results(world: dict[str, Any], anvil: Any) -> dict[str, tuple[AgentResult, int, float]]:
    return {name: analyse(anvil.url, address) for name, address in world["zoo"].items()}


def test_zoo_expected_versus_found(zoo_results: dict[str, tuple[AgentResult, int, float]]) -> None:
    rows, problems = [], []
    for name, spec in ZOO.items():
        result, trips, seconds = zoo_results[name]
        found = {f.type for f in result.findings}
        expected = set(spec["expected"]) & STATIC_TYPES
        allowed = expected | set(spec["allowed"])
        missing = expected - found
        unexpected = (found & STATIC_TYPES) - allowed
        severe = sorted(f"{f.type}:{f.severity.value}" for f in result.findings if f.severity in SEVERE)
        if missing:
            problems.append(f"{name}: missed {sorted(missing)}")
        if unexpected:
            problems.append(f"{name}: unexpected {sorted(unexpected)}")
        if spec["benign"] and severe:
            problems.append(f"{name} is benign but got {severe}")
        rows.append(
            f"{name:20} expected={sorted(expected) or '-'} found={sorted(found & STATIC_TYPES) or '-'} "
            f"other={sorted(found - STATIC_TYPES) or '-'} rt={trips} {seconds * 1000:.0f}ms"
        )
    print("\n" + "\n".join(rows))
    assert not problems, problems


def test_no_critical_on_benign_tokens_and_the_hidden_owner_is_critical(
    zoo_results: dict[str, tuple[AgentResult, int, float]],
) -> None:
    for name, spec in ZOO.items():
        result = zoo_results[name][0]
        if spec["benign"]:
            assert not [f for f in result.findings if f.severity in SEVERE], name
    hidden = {f.type: f for f in zoo_results["HiddenOwner"][0].findings}
    assert hidden["hidden_owner"].severity is Severity.CRITICAL
    assert hidden["owner_can_mint"].severity is Severity.HIGH  # not lowered by the fake renounce
    assert any("former owner" in s for s in hidden["hidden_owner"].evidence["signals"])


def test_round_trips_and_status(zoo_results: dict[str, tuple[AgentResult, int, float]]) -> None:
    for name, (result, trips, _) in zoo_results.items():
        assert trips <= MAX_STATIC_ROUND_TRIPS, (name, trips)
        assert result.status is AgentStatus.OK, (name, result.gaps)
        assert any("explorer not configured" in g for g in result.gaps)


def test_liquidity_and_holders_of_the_zoo(
    world: dict[str, Any], zoo_results: dict[str, tuple[AgentResult, int, float]]
) -> None:
    details = world.get("zoo_details", {})
    for name, spec in ZOO.items():
        result = zoo_results[name][0]
        liq = result.data["liquidity"]
        assert liq["pairs"], name
        main = next(p for p in liq["pairs"] if p["pair"] == liq["main_pair"])
        assert main["quote"] == "ETH" and int(main["quote_reserve"]) > 0
        if name in details:
            assert liq["main_pair"] == details[name]["pair"]
        types = {f.type for f in result.findings}
        if spec["lp"] == "burnt":
            assert main["lp_burnt_share"] > 0.99 and "lp_not_locked" not in types, name
        else:
            assert main["lp_burnt_share"] < 0.01 and "lp_not_locked" in types, name
        assert result.data["holders_source"] == "transfer_logs"
        assert main["pair"] not in {h["address"] for h in result.data["top_holders"]}


def test_proxy_is_read_through_to_its_implementation(
    world: dict[str, Any], zoo_results: dict[str, tuple[AgentResult, int, float]]
) -> None:
    result = zoo_results["UpgradeableProxy"][0]
    proxy = result.data["proxy"]
    deployer = world.get("zoo_details", {}).get("UpgradeableProxy", {}).get("deployer")
    assert proxy["kind"] == "eip1967" and proxy["controller_is_contract"] is False
    if deployer:
        assert proxy["admin"] == deployer and proxy["controller"] == deployer
    assert result.data["erc20_missing"] == []  # the implementation's functions count
    up = {f.type: f for f in result.findings}["upgradeable_proxy"]
    assert up.severity is Severity.HIGH


def test_swapping_in_the_malicious_implementation_is_seen(world: dict[str, Any], chain_snapshot: str) -> None:
    details = world.get("zoo_details", {}).get("UpgradeableProxy")
    if not details or "malicious_implementation" not in details:
        pytest.skip("world has no malicious implementation")
    url, admin = chain_snapshot, details["deployer"]
    rpc(url, "anvil_impersonateAccount", [admin])
    rpc(url, "anvil_setBalance", [admin, hex(10**18)])
    data = "0x3659cfe6" + details["malicious_implementation"][2:].lower().rjust(64, "0")  # upgradeTo(address)
    tx = rpc(url, "eth_sendTransaction", [{"from": admin, "to": details["address"], "data": data}])
    receipt = None
    for _ in range(50):
        receipt = rpc(url, "eth_getTransactionReceipt", [tx])
        if receipt is not None:
            break
        time.sleep(0.1)
    assert receipt is not None and receipt["status"] == "0x1", receipt
    rpc(url, "anvil_stopImpersonatingAccount", [admin])
    result, _, _ = analyse(url, details["address"])
    assert result.data["proxy"]["implementation"] == details["malicious_implementation"]
    assert "owner_can_mint" in {f.type for f in result.findings}


@pytest.mark.parametrize("case", ["eoa", "not_erc20", "self_destructed", "no_pair"])
def test_bad_input_is_never_silently_safe(world: dict[str, Any], anvil: Any, case: str) -> None:
    edges = world.get("edge_cases")
    if not edges:
        pytest.skip("world has no edge cases")
    result, trips, _ = analyse(anvil.url, edges[case])
    found = {f.type: f for f in result.findings}
    if case in ("eoa", "self_destructed"):
        assert list(found) == ["not_a_contract"] and trips == 1
        assert found["not_a_contract"].severity is Severity.CRITICAL
    elif case == "not_erc20":
        assert found["not_erc20"].severity is Severity.HIGH
        assert "total_supply_unreadable" in found
    else:
        assert found["no_liquidity"].severity is Severity.MEDIUM
        assert result.data["liquidity"]["pairs"] == []


def test_tokens_on_the_local_pancakeswap(world: dict[str, Any], anvil: Any) -> None:
    other = world.get("zoo_other_chains")
    if not other:
        pytest.skip("world has no tokens on other chains")
    for name, spec in ZOO_OTHER_CHAINS.items():
        details = other[name]
        result, trips, _ = analyse(anvil.url, details["address"], Chain(spec["chain"]))
        found = {f.type: f for f in result.findings}
        assert trips <= MAX_STATIC_ROUND_TRIPS and result.status is AgentStatus.OK, name
        assert (found.keys() & STATIC_TYPES) <= set(spec["expected"]) | set(spec["allowed"]), name
        liq = result.data["liquidity"]
        assert liq["dex"] == "PancakeSwap V2" and liq["main_pair"] == details["pair"], name
        if spec["benign"]:
            assert not [f for f in result.findings if f.severity in SEVERE], (name, found)
        if name == "UsdtPairedToken":  # valued from the stablecoin pair itself: 2 x $30,000
            assert [p["quote"] for p in liq["pairs"]] == ["USDT"]
            assert liq["liquidity_usd"] == pytest.approx(60_000, rel=0.05)
        if name == "PancakeHoneypot":
            assert "owner_can_blacklist" in found and "lp_not_locked" in found

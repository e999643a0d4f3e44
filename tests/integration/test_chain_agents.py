"""The heuristic and smart-money agents against a real local chain (anvil + the demo tokens).

Needs `npm ci --prefix contracts`; the `anvil`/`demo_tokens` fixtures come from tests/chain_fixtures.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from devstack.chain import (
    DEMO_DISTRIBUTION,
    DEMO_SUPPLY,
    SCAM_BLACKLISTED,
    SCAM_DISTRIBUTION,
    SCAM_SUPPLY,
    WHALES,
    AnvilProcess,
    accounts,
)
from moneygrow.agents import heuristic, smart_money
from moneygrow.agents.runner import AgentDeps, run_agent
from moneygrow.chain.reader import ChainReader, ChainUnavailable, chain_reader_factory
from moneygrow.chains import Chain
from moneygrow.config import Settings
from moneygrow.models import AgentName, AgentStatus, AnalysisTask, Severity

pytestmark = pytest.mark.chain

SEVERE = {Severity.HIGH, Severity.CRITICAL}


def task(address: str, chain: Chain = Chain.ETHEREUM) -> AnalysisTask:
    return AnalysisTask(task_id="t1", user_id="u1", token_address=address, chain=chain)


def rpc(url: str, method: str, params: list[Any]) -> Any:
    body = requests.post(
        url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=5
    ).json()
    assert "error" not in body, body
    return body["result"]


def receipt(url: str, tx: str) -> dict[str, Any]:
    """anvil mines right away but may answer the receipt a moment later."""
    for _ in range(100):
        found = rpc(url, "eth_getTransactionReceipt", [tx])
        if found is not None:
            return dict(found)
        time.sleep(0.05)
    raise AssertionError(f"no receipt for {tx}")


@pytest.fixture
def snapshot(anvil: AnvilProcess) -> Iterator[str]:
    """Undo whatever the test does to the shared chain."""
    snap = rpc(anvil.url, "evm_snapshot", [])
    yield anvil.url
    assert rpc(anvil.url, "evm_revert", [snap]) is True


# --- the local world --------------------------------------------------------------------------------


def test_demo_addresses_are_deterministic(demo_tokens: dict[str, str]) -> None:
    # CREATE addresses of anvil's default account 0 at nonces 0 and 1
    assert demo_tokens["DemoToken"] == "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    assert demo_tokens["ScamToken"] == "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
    assert demo_tokens["deployer"] == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def test_reader_reads_metadata_balances_and_owner(anvil: AnvilProcess, demo_tokens: dict[str, str]) -> None:
    reader = ChainReader([anvil.url], timeout_s=5)
    assert reader.is_healthy() and reader.chain_id() == 31337 and reader.block_number() > 0
    meta = reader.erc20_metadata(demo_tokens["ScamToken"])
    assert meta == {
        "name": "Moon Rocket",
        "symbol": "MOON",
        "decimals": 18,
        "total_supply": SCAM_SUPPLY,
        "failed": [],
    }
    accts = accounts(anvil.url)
    balances = reader.balances_of(demo_tokens["ScamToken"], accts)
    assert balances[accts[0]] == SCAM_SUPPLY - sum(SCAM_DISTRIBUTION.values())
    for idx, amount in SCAM_DISTRIBUTION.items():
        assert balances[accts[idx]] == amount
    assert sum(balances.values()) == SCAM_SUPPLY
    assert reader.owner(demo_tokens["ScamToken"]) == demo_tokens["deployer"]
    assert reader.owner(demo_tokens["DemoToken"]) is None
    # an EOA: no code, every metadata call comes back empty
    assert reader.get_code(accts[5]) == b""
    assert reader.erc20_metadata(accts[5])["failed"] == ["name", "symbol", "decimals", "total_supply"]


def test_reader_fails_over_and_raises_when_every_endpoint_is_down(anvil: AnvilProcess) -> None:
    dead = "http://127.0.0.1:9"  # discard port: connection refused
    reader = ChainReader([dead, anvil.url], timeout_s=2)
    assert reader.block_number() > 0 and reader.url == anvil.url
    down = ChainReader([dead, "http://127.0.0.1:1"], timeout_s=1)
    assert not down.is_healthy()
    with pytest.raises(ChainUnavailable):
        down.get_code("0x5FbDB2315678afecb367f032d93F642f64180aa3")


def test_the_scam_token_really_blacklists_and_taxes(anvil: AnvilProcess, demo_tokens: dict[str, str]) -> None:
    accts = accounts(anvil.url)
    scam = demo_tokens["ScamToken"]
    victim = accts[SCAM_BLACKLISTED]
    data = "0xa9059cbb" + accts[1][2:].lower().rjust(64, "0") + hex(1)[2:].rjust(64, "0")
    body = requests.post(
        anvil.url,
        json={
            "jsonrpc": "2.0",
            "id": 1,
            "method": "eth_call",
            "params": [{"from": victim, "to": scam, "data": data}],
        },
        timeout=5,
    ).json()
    assert "blacklisted" in str(body.get("error")), body


# --- heuristic agent ---------------------------------------------------------------------------------


def test_heuristic_flags_the_scam_token(chain_deps: AgentDeps, demo_tokens: dict[str, str]) -> None:
    result = heuristic.analyse(task(demo_tokens["ScamToken"]), chain_deps)
    assert result.status is AgentStatus.OK
    by_type = {f.type: f for f in result.findings}
    assert by_type["owner_can_mint"].severity in SEVERE
    assert by_type["owner_can_blacklist"].severity in SEVERE
    # Executed as the owner: the supply rose, a blacklisted holder's transfer reverted, a pause stopped
    # everyone. All behind conventional names and without a pool to measure the uncapped sell tax on,
    # so these are issuer powers (HIGH), not yet a rug-pull verdict.
    for kind in ("owner_can_mint", "owner_can_blacklist", "owner_can_pause_trading"):
        assert by_type[kind].evidence["executed"] is True, kind
    assert by_type["owner_can_mint"].evidence["observed"][0]["total_supply"]["after"] > "0"
    assert {"owner_can_set_fees", "owner_can_pause_trading", "owner_holds_supply"} <= by_type.keys()
    assert by_type["owner_can_mint"].evidence["functions"] == ["mint(address,uint256)"]
    assert by_type["owner_holds_supply"].severity is Severity.HIGH
    data = result.data
    assert (data["name"], data["symbol"], data["decimals"]) == ("Moon Rocket", "MOON", 18)
    assert data["total_supply"] == str(SCAM_SUPPLY)
    assert data["owner"] == demo_tokens["deployer"] and not data["ownership_renounced"]
    assert data["owner_share_of_supply"] == pytest.approx(0.9575)
    assert data["code_size"] > 1000 and data["erc20_missing"] == []


def test_heuristic_finds_nothing_severe_in_the_honest_token(
    chain_deps: AgentDeps, demo_tokens: dict[str, str]
) -> None:
    result = heuristic.analyse(task(demo_tokens["DemoToken"]), chain_deps)
    assert result.status is AgentStatus.OK
    assert not [f for f in result.findings if f.severity in SEVERE]
    assert result.data["risky_functions"] == {}
    assert result.data["owner"] is None
    assert result.data["total_supply"] == str(DEMO_SUPPLY)


def test_heuristic_on_a_wallet_reports_not_a_contract(chain_deps: AgentDeps, anvil: AnvilProcess) -> None:
    result = heuristic.analyse(task(accounts(anvil.url)[5]), chain_deps)
    assert [f.type for f in result.findings] == ["not_a_contract"]
    assert result.findings[0].severity is Severity.CRITICAL
    assert result.data["is_contract"] is False


def test_renouncing_ownership_lowers_the_scam_tokens_findings(
    snapshot: str, chain_deps: AgentDeps, demo_tokens: dict[str, str]
) -> None:
    scam, deployer = demo_tokens["ScamToken"], demo_tokens["deployer"]
    # transferOwnership(address(0)) - this token lets the owner give ownership away to nobody
    data = "0xf2fde38b" + "0" * 64
    tx = rpc(snapshot, "eth_sendTransaction", [{"from": deployer, "to": scam, "data": data}])
    assert receipt(snapshot, tx)["status"] == "0x1"
    result = heuristic.analyse(task(scam), chain_deps)
    assert result.data["ownership_renounced"] is True
    by_type = {f.type: f for f in result.findings}
    assert "rug_pull_toolkit" not in by_type
    assert by_type["owner_can_mint"].severity is Severity.MEDIUM
    assert not [f for f in result.findings if f.severity in SEVERE]


def test_runner_returns_json_for_the_workflow(chain_deps: AgentDeps, demo_tokens: dict[str, str]) -> None:
    event = {"task_id": "t9", "user_id": "u9", "token_address": demo_tokens["ScamToken"], "chain": "bsc"}
    out = run_agent(AgentName.HEURISTIC, event, chain_deps)
    assert out["agent"] == "heuristic" and out["status"] == "OK"
    assert out["findings"][0]["severity"] in ("HIGH", "CRITICAL")


# --- smart-money agent -------------------------------------------------------------------------------


def test_smart_money_reports_the_whales_real_balances(
    chain_deps: AgentDeps, demo_tokens: dict[str, str], anvil: AnvilProcess
) -> None:
    result = smart_money.analyse(task(demo_tokens["DemoToken"]), chain_deps)
    assert result.status is AgentStatus.OK and result.gaps == []
    accts = accounts(anvil.url)
    held = {h["address"]: int(h["balance"]) for h in result.data["holders"]}
    assert held == {accts[i]: DEMO_DISTRIBUTION[i] for i in WHALES}
    assert {h["label"] for h in result.data["holders"]} == set(WHALES.values())
    expected_share = sum(DEMO_DISTRIBUTION[i] for i in WHALES) / DEMO_SUPPLY
    assert result.data["share_of_supply"] == pytest.approx(expected_share)
    assert result.data["tracked_wallets"] == len(WHALES)
    by_type = {f.type: f for f in result.findings}
    finding = by_type["smart_money_holds"]
    assert finding.severity is Severity.LOW and "25.00%" in finding.reason
    # The deployer handed those tokens out by transfer: a visible allocation, named but LOW (no gas
    # money from the deployer, unlike a sybil).
    allocation = by_type["deployer_funded_holders"]
    assert allocation.severity is Severity.LOW and set(allocation.evidence["wallets"]) >= set(held)
    assert {w["via"] for w in result.data["deployer_linked"]} == {"token"}


def test_no_tracked_wallet_holding_the_scam_is_reported_not_scored(
    chain_deps: AgentDeps, demo_tokens: dict[str, str]
) -> None:
    result = smart_money.analyse(task(demo_tokens["ScamToken"]), chain_deps)
    assert result.status is AgentStatus.OK
    assert result.data["holders"] == [] and result.data["share_of_supply"] == 0
    assert result.data["signal"] == "absent"  # no signal is not a risk: no smart-money finding
    assert [f.type for f in result.findings] == ["deployer_funded_holders"]  # the deployer's allocations
    assert result.findings[0].severity is Severity.LOW


def test_smart_money_follows_a_transfer(
    snapshot: str, chain_deps: AgentDeps, demo_tokens: dict[str, str]
) -> None:
    """Not a canned answer: move tokens to a whale and the result changes."""
    accts = accounts(snapshot)
    amount = 3 * 10**24
    data = "0xa9059cbb" + accts[2][2:].lower().rjust(64, "0") + hex(amount)[2:].rjust(64, "0")
    rpc(
        snapshot,
        "eth_sendTransaction",
        [{"from": demo_tokens["deployer"], "to": demo_tokens["ScamToken"], "data": data}],
    )
    result = smart_money.analyse(task(demo_tokens["ScamToken"]), chain_deps)
    assert [(h["address"], int(h["balance"])) for h in result.data["holders"]] == [(accts[2], amount)]
    assert "smart_money_holds" in {f.type for f in result.findings}


def test_smart_money_without_a_wallet_list_still_reads_the_chain(
    chain_settings: Settings, demo_tokens: dict[str, str]
) -> None:
    """No list and no registry: holders, trades and the deployer's allocations from the logs, OK."""
    settings = chain_settings.model_copy(update={"smart_money_wallets": ""})
    deps = AgentDeps(settings=settings, chain=chain_reader_factory(settings), models=None)  # type: ignore[arg-type]
    result = smart_money.analyse(task(demo_tokens["DemoToken"]), deps)
    assert result.status is AgentStatus.OK and result.gaps == []
    assert result.data["smart_wallets"] == [] and result.data["signal"] in ("absent", "insufficient_data")
    assert not [f for f in result.findings if f.type.startswith("smart_money")]
    assert "wallet registry not configured" in result.data["notes"][0]


def test_agents_raise_when_the_chain_is_down(chain_settings: Settings, demo_tokens: dict[str, str]) -> None:
    settings = chain_settings.model_copy(update={"rpc_urls": {c: ["http://127.0.0.1:9"] for c in Chain}})
    deps = AgentDeps(settings=settings, chain=chain_reader_factory(settings), models=None)  # type: ignore[arg-type]
    for agent in (heuristic, smart_money):
        with pytest.raises(ChainUnavailable):
            agent.analyse(task(demo_tokens["DemoToken"]), deps)

"""Trade simulation against the real Uniswap V2 on anvil: one state-overridden eth_call per scenario.

Test tokens (contracts/src/sim/test/SimTestToken.sol) are deployed from a label-derived, impersonated
account inside a module-wide snapshot, so the shared chain (addresses, nonces of anvil's accounts) is
left exactly as it was found.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import HTTPProvider, Web3

from devstack.chain import AnvilProcess, load_artifact
from devstack.dex import uniswap_abi
from devstack.zoo import ZOO
from moneygrow.chain.networks import NETWORKS
from moneygrow.chain.reader import ChainReader
from moneygrow.chains import Chain
from moneygrow.heuristics.simulation import (
    RECEIVER_ADDRESS,
    SENDER_ADDRESS,
    SIMULATOR_ADDRESS,
    SimulationReport,
    decode_revert,
    simulate_trades,
    simulation_findings,
)

pytestmark = pytest.mark.chain

E18 = 10**18
NET = NETWORKS[Chain.ETHEREUM]
DEPLOYER = to_checksum_address(keccak(text="moneygrow.tests.simulation.deployer")[12:])
TOLERANCE = 0.005  # 0.5 percentage points

# symbol: (buy bps, sell bps, transfer bps, honeypot, trap after blocks, add liquidity)
TOKENS: dict[str, tuple[int, int, int, bool, int, bool]] = {
    "PLAIN": (0, 0, 0, False, 0, True),
    "FEE3": (300, 300, 300, False, 0, True),
    "SELL99": (0, 9_900, 0, False, 0, True),
    "MIXED": (1_000, 2_000, 500, False, 0, True),
    "HONEY": (0, 0, 0, True, 0, True),
    "DELAYED": (0, 0, 0, False, 50, True),
    "NOPAIR": (0, 0, 0, False, 0, False),
}


def _rpc(url: str, method: str, params: list[Any]) -> Any:
    body = requests.post(
        url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=10
    ).json()
    if "error" in body:
        raise RuntimeError(f"{method}: {body['error']}")
    return body["result"]


def _send(w3: Web3, fn: Any, value: int = 0) -> Any:
    tx = fn.transact({"from": DEPLOYER, "value": value})
    receipt = w3.eth.wait_for_transaction_receipt(tx, timeout=10, poll_latency=0.02)
    assert receipt["status"] == 1
    return receipt


@pytest.fixture(scope="module")
def sim_world(anvil: AnvilProcess, dex: dict[str, Any], world: dict[str, Any]) -> Iterator[dict[str, str]]:
    """SimTestTokens with 10 ETH of liquidity each on the local Uniswap V2 (Ethereum addresses).
    Depends on `world` so that the shared zoo is deployed before this module's snapshot (and survives
    its revert)."""
    url = anvil.url
    snap = _rpc(url, "evm_snapshot", [])
    _rpc(url, "anvil_impersonateAccount", [DEPLOYER])
    _rpc(url, "anvil_setBalance", [DEPLOYER, hex(1_000 * E18)])
    w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": 10}))
    art = load_artifact("SimTestToken")
    router = w3.eth.contract(address=dex["ethereum"]["router"], abi=uniswap_abi("UniswapV2Router02"))
    factory = w3.eth.contract(address=dex["ethereum"]["factory"], abi=uniswap_abi("UniswapV2Factory"))
    weth = dex["ethereum"]["wrapped_native"]
    tokens: dict[str, str] = {}
    try:
        for symbol, (buy, sell, transfer, honey, trap, liquidity) in TOKENS.items():
            receipt = _send(
                w3,
                w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"]).constructor(
                    symbol, 1_000_000_000 * E18, buy, sell, transfer, honey, trap
                ),
            )
            token = w3.eth.contract(address=receipt["contractAddress"], abi=art["abi"])
            tokens[symbol] = token.address
            if not liquidity:
                continue
            _send(w3, token.functions.approve(router.address, 2**256 - 1))
            deadline = w3.eth.get_block("latest")["timestamp"] + 3600
            _send(
                w3,
                router.functions.addLiquidityETH(token.address, 1_000_000 * E18, 0, 0, DEPLOYER, deadline),
                value=10 * E18,
            )
            _send(w3, token.functions.setPair(factory.functions.getPair(token.address, weth).call()))
        yield tokens
    finally:
        _rpc(url, "anvil_stopImpersonatingAccount", [DEPLOYER])
        assert _rpc(url, "evm_revert", [snap]) is True


class CountingReader(ChainReader):
    """Counts HTTP round trips (every request or batch goes through _with_failover once)."""

    round_trips = 0

    def _with_failover(self, op: Any) -> Any:
        self.round_trips += 1
        return super()._with_failover(op)


@pytest.fixture
def reader(anvil: AnvilProcess) -> CountingReader:
    return CountingReader([anvil.url], chain=Chain.ETHEREUM)


def _sim(reader: CountingReader, token: str, **kw: Any) -> SimulationReport:
    reader.round_trips = 0
    return simulate_trades(reader, NET, token, **kw)


def _types(report: SimulationReport) -> set[str]:
    return {f.type for f in simulation_findings(report)}


def test_plain_token_buys_and_sells_without_tax(sim_world: dict[str, str], reader: CountingReader) -> None:
    report = _sim(reader, sim_world["PLAIN"])
    assert report.error is None, report.error
    assert report.can_buy and report.can_sell and report.can_transfer
    assert report.buy_tax == 0 and report.transfer_tax == 0
    assert report.sell_tax is not None and report.sell_tax < 0.001
    assert report.has_liquidity and report.pair and report.reserve_native == 10 * E18
    assert report.amount_in_wei == 10 * E18 // 1000  # 0.1 % of the native reserve by default
    assert set(report.gas) == {"buy", "transfer", "approve", "sell"}
    assert all(0 < g < 500_000 for g in report.gas.values()), report.gas
    assert not report.revert_reasons
    assert len(report.scenarios) == 4 and all(s.can_sell for s in report.scenarios)
    assert report.rpc_round_trips == 2 and reader.round_trips == 2
    assert simulation_findings(report) == []


def test_fee_on_transfer_token_measures_three_percent(
    sim_world: dict[str, str], reader: CountingReader
) -> None:
    report = _sim(reader, sim_world["FEE3"], block_offsets=(0,))
    assert report.can_buy and report.can_sell and report.can_transfer
    for value in (report.buy_tax, report.transfer_tax, report.sell_tax):
        assert value is not None and abs(value - 0.03) <= TOLERANCE, report
    assert reader.round_trips == 1  # "now" only: no block header needed
    findings = simulation_findings(report)
    assert [f.type for f in findings] == ["transfer_tax"]
    assert findings[0].severity == "LOW"


def test_mixed_taxes_are_measured_separately(sim_world: dict[str, str], reader: CountingReader) -> None:
    report = _sim(reader, sim_world["MIXED"], amount_in_wei=E18 // 10)
    assert report.amount_in_wei == E18 // 10
    assert report.buy_tax is not None and abs(report.buy_tax - 0.10) <= TOLERANCE
    assert report.sell_tax is not None and abs(report.sell_tax - 0.20) <= TOLERANCE
    assert report.transfer_tax is not None and abs(report.transfer_tax - 0.05) <= TOLERANCE
    findings = {f.type: f for f in simulation_findings(report)}
    assert findings["sell_tax"].severity == "HIGH" and findings["buy_tax"].severity == "HIGH"
    assert findings["transfer_tax"].severity == "MEDIUM"


def test_ninety_nine_percent_sell_tax_is_critical(sim_world: dict[str, str], reader: CountingReader) -> None:
    report = _sim(reader, sim_world["SELL99"])
    assert report.can_sell is True  # the sell goes through, but pays out 1 %
    assert report.sell_tax is not None and abs(report.sell_tax - 0.99) <= TOLERANCE
    assert report.buy_tax == 0
    findings = simulation_findings(report)
    assert [(f.type, f.severity) for f in findings] == [("high_sell_tax", "CRITICAL")]


def test_honeypot_is_detected_with_its_revert_reason(
    sim_world: dict[str, str], reader: CountingReader
) -> None:
    report = _sim(reader, sim_world["HONEY"])
    assert report.can_buy is True and report.can_transfer is True and report.can_sell is False
    assert "TRANSFER_FROM_FAILED" in report.revert_reasons["sell"]
    now = report.scenarios[0]
    assert now.sell is not None and now.sell.revert is not None and now.sell.revert.kind == "error"
    findings = simulation_findings(report)
    assert [(f.type, f.severity) for f in findings] == [("honeypot", "CRITICAL")]
    assert "TRANSFER_FROM_FAILED" in findings[0].reason


def test_time_delayed_honeypot(sim_world: dict[str, str], reader: CountingReader) -> None:
    report = _sim(reader, sim_world["DELAYED"], block_offsets=(0, 20, 100))
    assert report.can_sell is True
    assert [s.can_sell for s in report.scenarios] == [True, True, False]
    later = report.scenarios[2]
    assert later.block_number == report.scenarios[0].block_number + 100  # type: ignore[operator]
    assert later.timestamp == report.scenarios[0].timestamp + 100 * 12  # type: ignore[operator]
    assert later.sell is not None and later.sell.revert is not None
    findings = simulation_findings(report)
    assert [(f.type, f.severity) for f in findings] == [("time_delayed_honeypot", "CRITICAL")]
    assert findings[0].evidence["scenario"] == "+100 blocks (+1200 s)"
    assert reader.round_trips == 2


def test_no_pair_gives_a_no_liquidity_finding(sim_world: dict[str, str], reader: CountingReader) -> None:
    report = _sim(reader, sim_world["NOPAIR"])
    assert report.has_liquidity is False and report.pair is None and report.can_buy is None
    assert any("no Uniswap V2 pair" in g for g in report.gaps)
    assert [(f.type, f.severity) for f in simulation_findings(report)] == [("no_liquidity", "MEDIUM")]


def test_an_eoa_is_not_a_token(sim_world: dict[str, str], reader: CountingReader) -> None:
    report = _sim(reader, DEPLOYER, block_offsets=(0,))
    assert [f.type for f in simulation_findings(report)] == ["no_contract_code"]


def test_simulation_leaves_the_chain_unchanged(
    anvil: AnvilProcess, sim_world: dict[str, str], reader: CountingReader
) -> None:
    watched = [SIMULATOR_ADDRESS, RECEIVER_ADDRESS, SENDER_ADDRESS, DEPLOYER, NET.dex.router]
    token = sim_world["FEE3"]
    bal_sel = keccak(text="balanceOf(address)")[:4].hex()

    def state() -> dict[str, Any]:
        out: dict[str, Any] = {"block": _rpc(anvil.url, "eth_blockNumber", [])}
        for a in watched:
            out[a] = (
                _rpc(anvil.url, "eth_getBalance", [a, "latest"]),
                _rpc(anvil.url, "eth_getTransactionCount", [a, "latest"]),
                _rpc(anvil.url, "eth_getCode", [a, "latest"]),
                _rpc(
                    anvil.url,
                    "eth_call",
                    [{"to": token, "data": "0x" + bal_sel + a[2:].lower().rjust(64, "0")}, "latest"],
                ),
            )
        return out

    before = state()
    report = _sim(reader, token)
    assert report.can_sell
    assert state() == before
    assert before[SIMULATOR_ADDRESS][2] == "0x"  # the simulator's code only ever lived in the override


def test_round_trips(sim_world: dict[str, str], reader: CountingReader) -> None:
    """4 scenarios (now, +20, +1000, +7200 blocks) in 2 round trips; the wall time is printed only
    (timing targets live in tests/benchmarks/bench_heuristic.py, not in asserts)."""
    t0 = time.perf_counter()
    report = _sim(reader, sim_world["PLAIN"])
    wall_ms = (time.perf_counter() - t0) * 1000
    n = len(report.scenarios)
    print(f"\nsimulation: {n} scenarios, {reader.round_trips} RPC round trips, {wall_ms:.0f} ms")
    assert (n, reader.round_trips) == (4, 2)


def test_reader_returns_the_revert_data_of_an_overridden_call(
    sim_world: dict[str, str], reader: CountingReader
) -> None:
    data = keccak(text="setPair(address)")[:4] + b"\0" * 32
    res = reader.call_with_overrides(sim_world["PLAIN"], data, {}, sender=SENDER_ADDRESS)
    assert res.reverted
    assert decode_revert(res.revert_data).message == "not owner"


# --- the shared token zoo (devstack/zoo.py) -------------------------------------------------------

# The zoo's expected finding types that a trade simulation can see (the rest are owner powers etc.).
SIMULATION_TYPES = {"honeypot", "high_sell_tax", "transfer_tax", "time_delayed_honeypot"}


@pytest.fixture(scope="module")
def zoo_reports(world: dict[str, Any], anvil: AnvilProcess) -> dict[str, SimulationReport]:
    reader = CountingReader([anvil.url], chain=Chain.ETHEREUM)
    return {name: simulate_trades(reader, NET, address) for name, address in world["zoo"].items()}


def test_zoo_expectations_table(zoo_reports: dict[str, SimulationReport]) -> None:
    """Expected (simulation-visible) findings vs found for every zoo token: no misses on CRITICAL
    traps, nothing CRITICAL or HIGH on the benign ones."""
    rows, problems = [], []
    for name, spec in ZOO.items():
        report = zoo_reports[name]
        findings = simulation_findings(report)
        found = {f.type for f in findings}
        expected = set(spec["expected"]) & SIMULATION_TYPES
        if name == "TimeDelayedHoneypot" and "honeypot" in found:
            expected = {"honeypot"}  # the chain has already passed the 10-minute window: trapped now
        missing = expected - found
        severities = {f.severity.value for f in findings}
        if missing:
            problems.append(f"{name}: missing {sorted(missing)}")
        if spec["critical"] and "CRITICAL" not in severities:
            problems.append(f"{name}: a CRITICAL trap without a CRITICAL finding")
        if spec["benign"] and severities & {"CRITICAL", "HIGH"}:
            problems.append(f"{name}: benign but {sorted(found)}")
        taxes = "/".join(_pct(t) for t in (report.buy_tax, report.transfer_tax, report.sell_tax))
        rows.append(
            f"{name:<20} {','.join(sorted(expected)) or '-':<28} {','.join(sorted(found)) or '-':<40} {taxes}"
        )
    print("\n" + f"{'token':<20} {'expected (simulation)':<28} {'found':<40} buy/transfer/sell tax")
    print("\n".join(rows))
    assert not problems, problems


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.1f}%"


def test_zoo_taxes_are_measured(zoo_reports: dict[str, SimulationReport]) -> None:
    fee = zoo_reports["FeeToken"]
    for value in (fee.buy_tax, fee.transfer_tax, fee.sell_tax):
        assert value is not None and abs(value - 0.03) <= TOLERANCE, fee
    high = zoo_reports["HighSellTax"]
    assert high.sell_tax is not None and abs(high.sell_tax - 0.99) <= TOLERANCE
    assert high.buy_tax == 0 and high.transfer_tax == 0
    for name in ("PlainToken", "WrappedNative", "Mintable", "Pausable", "TradingToggle", "UpgradeableProxy"):
        r = zoo_reports[name]
        assert r.can_buy and r.can_sell and r.can_transfer, (name, r.revert_reasons)


def test_zoo_traps_name_the_tokens_reason(zoo_reports: dict[str, SimulationReport]) -> None:
    assert "transfer amount exceeds balance" in zoo_reports["Honeypot"].revert_reasons["sell"]
    blacklisted = zoo_reports["BlacklistAfterBuy"]
    assert blacklisted.can_transfer is False and blacklisted.can_sell is False
    assert "blocked address" in blacklisted.revert_reasons["transfer"]
    assert "Max transaction amount exceeded" in zoo_reports["MaxTxTrap"].revert_reasons["sell"]

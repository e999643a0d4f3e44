"""Trade simulation, offline: the shipped bytecode, call encoding, result/revert decoding, findings.

The fallback path (TradeSimulator contract, state-overridden eth_call) is tested with a fake reader
and forced with method="eth_call+override"; the eth_simulateV1 path with responses recorded from
anvil 1.7.1 on the zoo (tests/unit/simulate_v1_recorded.json; contract code in the pool reads cut to
a few bytes) replayed request by request.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import decode, encode
from eth_utils.crypto import keccak

from moneygrow.chain.networks import NETWORKS
from moneygrow.chain.reader import CallResult, OverrideCall, RpcError
from moneygrow.chains import Chain
from moneygrow.heuristics.simulation import (
    BUYER_ADDRESS,
    FALLBACK_GAP,
    QUOTE_PROBE,
    RECEIVER_ADDRESS,
    RESULT_TYPE,
    SELL_LADDER_BPS,
    SENDER_ADDRESS,
    SIMULATE_SELECTOR,
    SIMULATOR_ADDRESS,
    SIMULATOR_BIN,
    SIMULATOR_RUNTIME,
    SimulationReport,
    amount_out,
    decode_result,
    decode_revert,
    encode_simulate,
    pool_facts,
    pool_reads,
    simulate_trades,
    simulation_findings,
    state_override,
    tax,
)

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
NET = NETWORKS[Chain.ETHEREUM]
TOKEN = "0x" + "ab" * 20
PAIR = "0x" + "cd" * 20
E18 = 10**18


def _error(text: str) -> bytes:
    return bytes.fromhex("08c379a0") + encode(["string"], [text])


# --- the shipped simulator bytecode ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["TradeSimulator", "SimTestToken"])
def test_simulator_artefacts_match_their_sources(name: str) -> None:
    artefact = json.loads((CONTRACTS / "artifacts" / f"{name}.json").read_text())
    src = CONTRACTS / artefact["sourceName"]
    assert src.parent.name in ("sim", "test")
    assert artefact["sourceHash"] == hashlib.sha256(src.read_bytes()).hexdigest(), (
        f"{src.name} changed since its artefact was built: run `node contracts/build.mjs`"
    )


def test_shipped_bytecode_is_the_compiled_runtime() -> None:
    artefact = json.loads((CONTRACTS / "artifacts" / "TradeSimulator.json").read_text())
    assert artefact["deployedBytecode"] == SIMULATOR_RUNTIME, (
        f"{SIMULATOR_BIN} is stale: after `node contracts/build.mjs` copy artifacts/TradeSimulator.json's "
        "deployedBytecode into it"
    )
    selectors = {
        keccak(text=f"{item['name']}({','.join(i['type'] for i in item['inputs'])})")[:4]
        for item in artefact["abi"]
        if item["type"] == "function"
    }
    assert selectors == {SIMULATE_SELECTOR}
    outputs = artefact["abi"][[i.get("name") for i in artefact["abi"]].index("simulate")]["outputs"]

    def typ(o: dict[str, Any]) -> str:
        if o["type"] == "tuple":
            return "(" + ",".join(typ(c) for c in o["components"]) + ")"
        return str(o["type"])

    assert typ(outputs[0]) == RESULT_TYPE  # the Python decoder follows the Solidity struct


# --- encoding ------------------------------------------------------------------------------------


def test_encode_simulate_and_state_override() -> None:
    data = encode_simulate(NET.dex.router, TOKEN, 123, NET.wrapped_native, RECEIVER_ADDRESS)
    assert data[:4] == keccak(text="simulate(address,address,uint256,address,address)")[:4]
    router, token, amount, wrapped, receiver = decode(
        ["address", "address", "uint256", "address", "address"], data[4:]
    )
    assert (router.lower(), token, amount, wrapped.lower()) == (
        NET.dex.router.lower(),
        TOKEN,
        123,
        NET.wrapped_native.lower(),
    )
    assert receiver.lower() == RECEIVER_ADDRESS.lower()
    ov = state_override()
    assert list(ov) == [SIMULATOR_ADDRESS]
    assert ov[SIMULATOR_ADDRESS]["code"] == SIMULATOR_RUNTIME
    assert int(ov[SIMULATOR_ADDRESS]["balance"], 16) >= 10**24
    assert int(state_override(10**25)[SIMULATOR_ADDRESS]["balance"], 16) == 2 * 10**25
    # the fixed addresses are distinct, fresh and label-derived
    assert len({SIMULATOR_ADDRESS, RECEIVER_ADDRESS, SENDER_ADDRESS}) == 3


# --- decoding ------------------------------------------------------------------------------------


def step(
    ok: bool = True, expected: int = 1000, received: int = 1000, gas: int = 100_000, revert: bytes = b""
) -> tuple[Any, ...]:
    return (True, ok, gas, expected, received, revert)


SKIPPED = (False, False, 0, 0, 0, b"")


def result(
    *,
    buy: tuple[Any, ...] = step(),
    transfer: tuple[Any, ...] = step(expected=250, received=250),
    approve: tuple[Any, ...] = step(expected=0, received=0, gas=25_000),
    sell: tuple[Any, ...] = step(expected=5 * 10**15, received=5 * 10**15),
    sell_token_revert: bytes = b"",
    pair: str = PAIR,
    reserves: tuple[int, int] = (10 * E18, 10**24),
    token_code: bool = True,
    block: int = 100,
    timestamp: int = 1_700_000_000,
) -> bytes:
    values = (
        block,
        timestamp,
        True,
        token_code,
        pair,
        reserves[0],
        reserves[1],
        reserves[0] // 1000,
        750,
        buy,
        transfer,
        approve,
        sell,
        sell_token_revert,
    )
    return encode([RESULT_TYPE], [values])


def test_decode_result_roundtrip() -> None:
    sc = decode_result(result(buy=step(expected=1000, received=970)))
    assert sc.pair is not None and sc.pair.lower() == PAIR
    assert sc.reserve_native == 10 * E18 and sc.amount_in_wei == 10**16 and sc.amount_sold == 750
    assert sc.can_buy and sc.can_sell and sc.can_transfer
    assert sc.buy_tax == pytest.approx(0.03) and sc.transfer_tax == 0 and sc.sell_tax == 0
    assert sc.buy is not None and sc.buy.gas_used == 100_000
    assert sc.has_liquidity is True and not sc.trapped


def test_decode_result_no_pair_and_skipped_steps() -> None:
    sc = decode_result(
        result(
            pair="0x" + "00" * 20,
            reserves=(0, 0),
            buy=SKIPPED,
            transfer=SKIPPED,
            approve=SKIPPED,
            sell=SKIPPED,
        )
    )
    assert sc.pair is None and sc.has_liquidity is False
    assert sc.can_buy is None and sc.can_sell is None and sc.can_transfer is None


def test_decode_result_sell_paying_nothing_is_a_full_tax() -> None:
    sc = decode_result(result(sell=step(expected=10**15, received=0)))
    assert sc.can_sell is False and sc.sell_tax == 1.0 and sc.trapped


def test_decode_result_failed_sell_keeps_the_tokens_own_reason() -> None:
    sc = decode_result(
        result(
            sell=step(ok=False, received=0, revert=_error("TransferHelper: TRANSFER_FROM_FAILED")),
            sell_token_revert=_error("trading closed"),
        )
    )
    assert sc.can_sell is False and sc.sell_tax is None
    assert sc.sell is not None and sc.sell.revert is not None and sc.sell.token_revert is not None
    why = sc.sell.why()
    assert why is not None and "TRANSFER_FROM_FAILED" in why and "trading closed" in why


@pytest.mark.parametrize(
    ("data", "kind", "text"),
    [
        (b"", "empty", "reverted without a reason"),
        (_error("not allowed"), "error", "not allowed"),
        (bytes.fromhex("4e487b71") + encode(["uint256"], [0x11]), "panic", "overflow"),
        (keccak(text="EnforcedPause()")[:4], "custom", "EnforcedPause()"),
        (bytes.fromhex("3f426394") + b"\0" * 32, "custom", "0x3f426394"),
        (bytes.fromhex("08c379a0") + b"\x01\x02", "error", "undecodable"),
        (b"\x01\x02", "custom", "malformed"),
    ],
)
def test_decode_revert(data: bytes, kind: str, text: str) -> None:
    reason = decode_revert(data)
    assert reason.kind == kind and text in reason.message
    assert reason.data == "0x" + data.hex()


def test_router_messages_get_plain_words() -> None:
    reason = decode_revert(_error("UniswapV2: TRANSFER_FAILED"))
    assert reason.meaning is not None and "buyer" in reason.plain()


def test_tax_is_clamped_and_exact() -> None:
    assert tax(1000, 970) == pytest.approx(0.03)
    assert tax(1000, 1000) == 0.0
    assert tax(1000, 1200) == 0.0  # a reflection bonus is no tax
    assert tax(1000, 0) == 1.0
    assert tax(0, 0) is None


# --- simulate_trades against a fake reader -----------------------------------------------------


class FakeReader:
    def __init__(self, results: list[CallResult] | Exception, number: int = 100) -> None:
        self.results = results
        self.number = number
        self.calls: list[OverrideCall] = []
        self.round_trips = 0

    def get_block(self, block: str = "latest") -> dict[str, Any]:
        self.round_trips += 1
        return {"number": hex(self.number), "timestamp": hex(1_700_000_000)}

    def call_many_with_overrides(self, calls: list[OverrideCall]) -> list[CallResult]:
        self.round_trips += 1
        self.calls = list(calls)
        if isinstance(self.results, Exception):
            raise self.results
        return self.results[: len(calls)]


def _run(
    results: list[CallResult] | Exception, offsets: tuple[int, ...] = (0,)
) -> tuple[SimulationReport, Any]:
    reader = FakeReader(results)
    report = simulate_trades(reader, NET, TOKEN, block_offsets=offsets, method="eth_call+override")  # type: ignore[arg-type]
    return report, reader


def test_simulate_now_only_is_one_round_trip() -> None:
    report, reader = _run([CallResult(result())])
    assert reader.round_trips == 1 == report.rpc_round_trips
    (call,) = reader.calls
    assert call.to == SIMULATOR_ADDRESS and call.sender == SENDER_ADDRESS and call.block == "latest"
    assert call.block_override is None and call.state_override == state_override()
    assert report.can_buy and report.can_sell and report.can_transfer and report.has_liquidity
    assert report.gas == {"buy": 100_000, "transfer": 100_000, "approve": 25_000, "sell": 100_000}
    assert simulation_findings(report) == []


def test_simulate_scenarios_are_pinned_and_block_overridden() -> None:
    report, reader = _run([CallResult(result())] * 3, offsets=(0, 10, 10, 300))
    assert reader.round_trips == 2 == report.rpc_round_trips
    assert [c.block for c in reader.calls] == [hex(100)] * 3
    assert [c.block_override for c in reader.calls] == [
        None,
        {"number": hex(110), "time": hex(1_700_000_000 + 120)},
        {"number": hex(400), "time": hex(1_700_000_000 + 3600)},
    ]
    assert [s.label for s in report.scenarios] == ["now", "+10 blocks (+120 s)", "+300 blocks (+3600 s)"]


def test_node_without_override_support() -> None:
    report, _ = _run(RpcError("eth_call", {"code": -32602, "message": "too many arguments"}))
    assert report.error is not None and report.gaps
    (finding,) = simulation_findings(report)
    assert finding.type == "simulation_failed" and finding.severity == "MEDIUM"


def test_node_ignoring_the_override_returns_nothing() -> None:
    report, _ = _run([CallResult(b"")])
    assert report.error is not None and "state overrides" in report.error
    assert [f.type for f in simulation_findings(report)] == ["simulation_failed"]


def test_simulation_call_reverting_as_a_whole() -> None:
    report, _ = _run([CallResult(reverted=True, revert_data=_error("boom"))])
    assert report.error is not None and "boom" in report.error
    assert [f.type for f in simulation_findings(report)] == ["simulation_failed"]


# --- findings thresholds -------------------------------------------------------------------------


def _findings(**kw: Any) -> list[tuple[str, str]]:
    report, _ = _run([CallResult(result(**kw))])
    return [(f.type, f.severity.value) for f in simulation_findings(report)]


def _sell(tax_: float) -> tuple[Any, ...]:
    quote = 10**15
    return step(expected=quote, received=round(quote * (1 - tax_)))


@pytest.mark.parametrize(
    ("sell_tax", "expected"),
    [
        (0.0, []),
        (0.0005, []),  # rounding noise
        (0.02, [("sell_tax", "LOW")]),
        (0.07, [("sell_tax", "MEDIUM")]),
        (0.10, [("sell_tax", "HIGH")]),
        (0.49, [("sell_tax", "HIGH")]),
        (0.50, [("high_sell_tax", "CRITICAL")]),
        (0.99, [("high_sell_tax", "CRITICAL")]),
    ],
)
def test_sell_tax_thresholds(sell_tax: float, expected: list[tuple[str, str]]) -> None:
    assert _findings(sell=_sell(sell_tax)) == expected


def test_uniform_small_fee_is_one_transfer_tax_finding() -> None:
    got = _findings(
        buy=step(expected=1000, received=970),
        transfer=step(expected=250, received=243),  # 2.8 %
        sell=_sell(0.03),
    )
    assert got == [("transfer_tax", "LOW")]


def test_buy_and_transfer_taxes() -> None:
    got = _findings(buy=step(expected=1000, received=600), transfer=step(expected=250, received=200))
    assert got == [("buy_tax", "HIGH"), ("transfer_tax", "HIGH")]
    assert _findings(buy=step(expected=1000, received=400)) == [("high_buy_tax", "CRITICAL")]


def test_honeypot() -> None:
    got = _findings(sell=step(ok=False, received=0, revert=_error("TransferHelper: TRANSFER_FROM_FAILED")))
    assert got == [("honeypot", "CRITICAL")]
    # a failing approve is a honeypot too
    got = _findings(approve=step(ok=False, expected=0, received=0, revert=_error("no")), sell=SKIPPED)
    assert got == [("honeypot", "CRITICAL")]


def test_buy_blocked() -> None:
    got = _findings(
        buy=step(ok=False, received=0, revert=_error("UniswapV2: TRANSFER_FAILED")),
        transfer=SKIPPED,
        approve=SKIPPED,
        sell=SKIPPED,
    )
    assert got == [("buy_blocked", "HIGH")]


def test_transfer_blocked() -> None:
    got = _findings(
        transfer=step(ok=False, received=0, revert=_error("ERC20: transfer from blocked address"))
    )
    assert got == [("transfer_blocked", "HIGH")]


def test_no_liquidity_and_no_code_are_named() -> None:
    skipped: dict[str, Any] = {"buy": SKIPPED, "transfer": SKIPPED, "approve": SKIPPED, "sell": SKIPPED}
    assert _findings(pair="0x" + "00" * 20, reserves=(0, 0), **skipped) == [("no_liquidity", "MEDIUM")]
    assert _findings(reserves=(0, 0), **skipped) == [("no_liquidity", "MEDIUM")]  # pair without liquidity
    assert _findings(token_code=False, pair="0x" + "00" * 20, **skipped) == [("no_contract_code", "HIGH")]


def test_time_delayed_honeypot() -> None:
    later = result(
        sell=step(ok=False, received=0, revert=_error("TransferHelper: TRANSFER_FROM_FAILED")),
        sell_token_revert=_error("ERC20: transfer amount exceeds balance"),
        block=1100,
    )
    report, _ = _run([CallResult(result()), CallResult(result()), CallResult(later)], offsets=(0, 20, 1000))
    findings = simulation_findings(report)
    assert [(f.type, f.severity.value) for f in findings] == [("time_delayed_honeypot", "CRITICAL")]
    assert "+1000 blocks" in findings[0].reason and "exceeds balance" in findings[0].reason
    assert findings[0].evidence["scenario"] == "+1000 blocks (+12000 s)"
    # a tax that jumps to >= 50 % later counts as well
    later_tax = result(sell=_sell(0.9))
    report, _ = _run([CallResult(result()), CallResult(later_tax)], offsets=(0, 20))
    assert [f.type for f in simulation_findings(report)] == ["time_delayed_honeypot"]


def test_honeypot_now_is_not_also_a_delayed_one() -> None:
    hp = result(sell=step(ok=False, received=0, revert=_error("x")))
    report, _ = _run([CallResult(hp), CallResult(hp)], offsets=(0, 20))
    assert [f.type for f in simulation_findings(report)] == ["honeypot"]


def test_findings_carry_numbers_as_evidence() -> None:
    report, _ = _run([CallResult(result(sell=_sell(0.2)))])
    (finding,) = simulation_findings(report)
    ev = finding.evidence
    assert ev["sell_tax"] == pytest.approx(0.2) and ev["sell_expected"] == str(10**15)
    assert ev["pair"].lower() == PAIR and ev["gas"]["sell"] == 100_000
    json.dumps(ev)  # serialisable for the API


# --- ChainReader's override calls (wire format) ---------------------------------------------------


def test_reader_sends_state_and_block_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    from moneygrow.chain.reader import ChainReader

    reader = ChainReader(["http://127.0.0.1:9"], timeout_s=1)
    provider = reader._w3[0].provider
    sent: list[Any] = []

    def make_request(method: str, params: list[Any]) -> dict[str, Any]:
        sent.append((method, params))
        return {"jsonrpc": "2.0", "id": 1, "result": "0x" + "00" * 31 + "07"}

    def make_batch_request(reqs: list[Any]) -> list[dict[str, Any]]:
        sent.append(("batch", reqs))
        return [
            {"jsonrpc": "2.0", "id": 1, "result": "0x01"},
            {
                "jsonrpc": "2.0",
                "id": 2,
                "error": {"code": 3, "message": "execution reverted", "data": "0xdead"},
            },
            {
                "jsonrpc": "2.0",
                "id": 3,
                "error": {"code": -32000, "message": "reverted", "data": {"data": "0xbeef"}},
            },
        ]

    monkeypatch.setattr(provider, "make_request", make_request)
    monkeypatch.setattr(provider, "make_batch_request", make_batch_request)
    ov = {SIMULATOR_ADDRESS: {"code": "0x00", "balance": "0x1"}}
    res = reader.call_with_overrides(TOKEN, b"\x12\x34", ov, {"number": "0x10"}, "0x5", sender=SENDER_ADDRESS)
    assert res.ok and res.data[-1] == 7
    method, params = sent[0]
    assert method == "eth_call"
    assert params[0]["to"].lower() == TOKEN and params[0]["data"] == "0x1234"
    assert params[0]["from"] == SENDER_ADDRESS and "gas" not in params[0]
    assert params[1:] == ["0x5", ov, {"number": "0x10"}]
    # no block override: exactly three params (nodes without block-override support still accept it)
    reader.call_with_overrides(TOKEN, b"", ov, gas=1_000_000)
    assert len(sent[1][1]) == 3 and sent[1][1][0]["gas"] == hex(1_000_000)

    calls = [OverrideCall(TOKEN, b"", ov)] * 3
    results = reader.call_many_with_overrides(calls)
    assert sent[2][0] == "batch" and len(sent[2][1]) == 3
    assert results[0].data == b"\x01"
    assert results[1].reverted and results[1].revert_data == b"\xde\xad"
    assert results[2].reverted and results[2].revert_data == b"\xbe\xef"


def test_step_gas_matches_the_solidity_constant() -> None:
    from moneygrow.heuristics.simulation import STEP_GAS

    src = (CONTRACTS / "src" / "sim" / "TradeSimulator.sol").read_text()
    assert f"STEP_GAS = {STEP_GAS:_};" in src
    sc = decode_result(result(sell=step(ok=False, received=0, gas=STEP_GAS * 63 // 64)))
    assert sc.sell is not None and sc.sell.out_of_gas and not sc.buy.out_of_gas  # type: ignore[union-attr]


def test_a_known_block_header_saves_the_header_round_trip() -> None:
    reader = FakeReader([CallResult(result())] * 2)
    header = {"number": hex(7), "timestamp": hex(1_700_000_084)}
    report = simulate_trades(
        reader,  # type: ignore[arg-type]
        NET,
        TOKEN,
        block_offsets=(0, 5),
        block_header=header,
        method="eth_call+override",
    )
    assert reader.round_trips == 1 == report.rpc_round_trips
    assert [c.block for c in reader.calls] == [hex(7), hex(7)]
    assert reader.calls[1].block_override == {"number": hex(12), "time": hex(1_700_000_084 + 60)}


def test_summary_is_json_safe() -> None:
    report, _ = _run([CallResult(result()), CallResult(result())], offsets=(0, 20))
    summary = report.summary()
    assert json.loads(json.dumps(summary)) == summary
    assert summary["reserve_native_wei"] == str(10 * E18) and len(summary["scenarios"]) == 2
    assert summary["can_sell"] is True and summary["rpc_round_trips"] == 2


# --- eth_simulateV1: decoding responses recorded from anvil (tests/unit/simulate_v1_recorded.json) ----

RECORDED = json.loads((Path(__file__).with_name("simulate_v1_recorded.json")).read_text())


class ReplayReader:
    """Answers each batch with the recorded responses, after checking the requests are the recorded
    ones (the request building is deterministic); `edit` may change the responses first."""

    def __init__(self, name: str, edit: Any = None) -> None:
        self.rec = RECORDED[name]
        self.responses = json.loads(json.dumps(self.rec["batch"]["responses"]))
        if edit is not None:
            edit(self.responses)
        self.round_trips = 0

    def _batch(self, calls: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        self.round_trips += 1
        assert json.loads(json.dumps(calls)) == self.rec["batch"]["requests"]
        return self.responses  # type: ignore[no-any-return]


def _replay(name: str, edit: Any = None) -> tuple[SimulationReport, ReplayReader]:
    reader = ReplayReader(name, edit)
    rec = reader.rec
    report = simulate_trades(
        reader,  # type: ignore[arg-type]
        NET,
        rec["token"],
        block_offsets=tuple(rec["offsets"]),
        block_header=rec["header"],
        pool=rec["pool"],
        holders=[(h, int(b)) for h, b in rec["holders"]],
    )
    return report, reader


def _calls(responses: list[dict[str, Any]], request: int, block: int) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = responses[request]["result"][block]["calls"]
    return calls


def test_recorded_fee_token_decodes_to_three_percent_everywhere() -> None:
    report, reader = _replay("FeeToken")
    assert reader.round_trips == 1 == report.rpc_round_trips  # header and pool given: one batch
    assert report.method == "eth_simulateV1" and report.simulator == BUYER_ADDRESS and not report.gaps
    assert report.error is None and report.has_liquidity
    assert report.amount_in_wei == report.reserve_native // 1000
    for value in (report.buy_tax, report.transfer_tax, report.sell_tax):
        assert value is not None and abs(value - 0.03) < 0.001
    base = int(RECORDED["FeeToken"]["header"]["number"], 16)
    assert [s.block_number for s in report.scenarios] == [base + 1, base + 21]
    assert [s.label for s in report.scenarios] == ["now", "+20 blocks (+240 s)"]
    assert set(report.gas) == {"buy", "transfer", "approve", "sell"} and all(report.gas.values())
    assert len(report.holders) == 2 and all(h.can_sell for h in report.holders)
    assert all(h.sell_tax is not None and abs(h.sell_tax - 0.03) < 0.001 for h in report.holders)
    assert [(f.type, f.severity.value) for f in simulation_findings(report)] == [("transfer_tax", "LOW")]
    summary = report.summary()
    assert json.loads(json.dumps(summary)) == summary
    assert summary["method"] == "eth_simulateV1" and len(summary["holders"]) == 2
    assert summary["scenarios"][0]["gas_used"]["buy"] == report.gas["buy"]


def test_recorded_honeypot_keeps_the_tokens_own_reason() -> None:
    report, _ = _replay("Honeypot")
    assert (report.can_buy, report.can_transfer, report.can_sell) == (True, True, False)
    now = report.scenarios[0]
    assert now.sell is not None and now.sell.revert is not None and now.sell.token_revert is not None
    assert "TRANSFER_FROM_FAILED" in now.sell.revert.message
    assert "exceeds balance" in report.revert_reasons["sell"]
    assert [(f.type, f.severity.value) for f in simulation_findings(report)] == [("honeypot", "CRITICAL")]


def test_a_holder_that_cannot_sell_while_a_fresh_buyer_can() -> None:
    def block_first_holder(responses: list[dict[str, Any]]) -> None:
        swap = _calls(responses, 2, 0)[4]  # request 2: holders; block 0, holder 0: the swap
        swap.update(status="0x0", returnData="0x" + _error("TransferHelper: TRANSFER_FROM_FAILED").hex())
        direct = _calls(responses, 2, 1)[0]  # block 1: holder 0's direct transfer to the pair
        direct.update(status="0x0", returnData="0x" + _error("blocked after buying").hex())

    report, _ = _replay("FeeToken", block_first_holder)
    first, second = report.holders
    assert first.can_sell is False and second.can_sell is True
    assert first.revert is not None and "blocked after buying" in first.revert
    findings = {f.type: f for f in simulation_findings(report)}
    assert findings["holders_cannot_sell"].severity == "HIGH"
    assert findings["holders_cannot_sell"].evidence["holders"] == [first.address]
    assert "honeypot" not in findings  # the fresh buyer could sell
    assert report.summary()["holders_cannot_sell"] == [first.address]


def test_holders_with_code_are_skipped() -> None:
    def code_at_first_holder(responses: list[dict[str, Any]]) -> None:
        responses[3]["result"] = "0x6080"  # request 3: eth_getCode of holder 0

    report, _ = _replay("FeeToken", code_at_first_holder)
    assert len(report.holders) == 1 and len(report.holders_skipped) == 1
    assert "has code" in report.holders_skipped[0]


def test_the_sell_is_the_first_ladder_rung_the_balance_covers() -> None:
    """The sells are built before anything runs: "the rest" if the buy tax were 0 %, 2 %, 5 %, ...
    FeeToken takes 3 % on the buy, so the buyer's balance covers the third rung first: that is the
    sell; the first two reverted on the balance and are ignored."""
    report, _ = _replay("FeeToken")
    now = report.scenarios[0]
    block3 = _calls(RECORDED["FeeToken"]["batch"]["responses"], 0, 2)
    swaps = [block3[4 + 3 * k] for k in range(len(SELL_LADDER_BPS))]  # approve, 2 reads, then per rung
    assert [int(c["status"], 16) for c in swaps[:3]] == [0, 0, 1]
    quote = amount_out(report.amount_in_wei, report.reserve_native, report.reserve_token)
    assert now.amount_sold == quote * (10_000 - SELL_LADDER_BPS[2]) // 10_000 - quote // 4
    assert now.sell is not None and now.sell.ok and now.sell.revert is None


def test_a_failed_request_is_a_failed_scenario() -> None:
    def fail_later(responses: list[dict[str, Any]]) -> None:
        responses[1] = {"jsonrpc": "2.0", "id": 2, "error": {"code": -32000, "message": "gas cap"}}

    report, _ = _replay("FeeToken", fail_later)
    assert report.scenarios[1].error is not None and "gas cap" in report.scenarios[1].error
    assert any("failed for: +20 blocks" in g for g in report.gaps)

    def fail_now(responses: list[dict[str, Any]]) -> None:
        responses[0] = {"jsonrpc": "2.0", "id": 1, "error": {"code": -32000, "message": "boom"}}

    report, _ = _replay("FeeToken", fail_now)
    assert report.error is not None and "boom" in report.error
    assert [f.type for f in simulation_findings(report)] == ["simulation_failed"]


class NoSimulateV1(FakeReader):
    """A node without eth_simulateV1 (and the fallback's eth_call path from FakeReader)."""

    asked = 0

    def _batch(self, calls: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        self.round_trips += 1
        if calls[0][0] == "eth_simulateV1":
            self.asked += 1
            return [
                {"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": "no such method"}}
            ] * len(calls)
        return [dict(RECORDED["FeeToken"]["pool"][k]) for k in pool_reads(NET, TOKEN)]


def test_method_not_found_falls_back_to_the_contract_buyer_and_says_so() -> None:
    reader = NoSimulateV1([CallResult(result())])
    header = {"number": hex(100), "timestamp": hex(1_700_000_000)}
    report = simulate_trades(reader, NET, TOKEN, block_offsets=(0,), block_header=header)  # type: ignore[arg-type]
    assert report.method == "eth_call+override" and report.simulator == SIMULATOR_ADDRESS
    assert FALLBACK_GAP in report.gaps
    assert report.can_buy and report.can_sell and report.rpc_round_trips == 3  # pool, v1 attempt, eth_call
    assert reader.calls and reader.calls[0].to == SIMULATOR_ADDRESS
    again = simulate_trades(reader, NET, TOKEN, block_offsets=(0,), block_header=header)  # type: ignore[arg-type]
    assert reader.asked == 1 and again.method == "eth_call+override" and again.rpc_round_trips == 1


def test_pool_facts_recover_the_exact_reserves_from_two_quotes() -> None:
    def quote(r_in: int, r_out: int) -> dict[str, Any]:
        out = amount_out(QUOTE_PROBE, r_in, r_out)
        return {"result": "0x" + encode(["uint256[]"], [[QUOTE_PROBE, out]]).hex()}

    r_native, r_token = 10 * E18 + 12345, 800_000_000 * E18 + 678
    facts = pool_facts(
        {
            "token_code": {"result": "0x60"},
            "router_code": {"result": "0x60"},
            "pair": {"result": "0x" + encode(["address"], [PAIR]).hex()},
            "probe_buy": quote(r_native, r_token),
            "probe_sell": quote(r_token, r_native),
        }
    )
    assert (facts.reserve_native, facts.reserve_token) == (r_native, r_token) and facts.tradable
    assert facts.pair is not None and facts.pair.lower() == PAIR
    no_pair = pool_facts({"pair": {"result": "0x" + "00" * 32}, "probe_buy": {"error": {"code": 3}}})
    assert no_pair.pair is None and not no_pair.tradable and no_pair.reserve_native == 0


def test_simulate_helpers_read_revert_data_and_block_fields() -> None:
    from moneygrow.chain import simulate as sim

    block = sim.SimBlock(calls=(sim.SimCall(BUYER_ADDRESS, TOKEN, b"\x01", gas=7),), number=5, gas_limit=9)
    assert block.as_json()["blockOverrides"] == {"number": "0x5", "gasLimit": "0x9"}
    response = {
        "result": [
            {
                "number": "0x6",
                "timestamp": "0x10",
                "calls": [
                    {"status": "0x0", "returnData": "0x", "gasUsed": "0x1", "error": {"data": "0xdead"}},
                    {"status": "0x1", "returnData": "0x" + "00" * 32, "gasUsed": "0x2"},
                    {"status": "0x1", "returnData": "0x", "gasUsed": "0x3"},
                ],
            }
        ]
    }
    ((failed, false_, empty),) = sim.results(response) or [[]]
    assert failed.data == b"\xde\xad" and not failed.truthy
    assert not false_.truthy and empty.truthy  # ERC-20: false vs no return value (USDT style)
    assert sim.block_headers(response) == [{"number": 6, "timestamp": 16}]
    assert sim.error_message({"error": {"code": -32601, "message": "nope"}}) == "-32601: nope"

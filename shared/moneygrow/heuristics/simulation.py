"""Honeypot and tax detection by simulation: buy, transfer and sell the token in ONE eth_call.

The TradeSimulator contract (contracts/src/sim/TradeSimulator.sol) is never deployed. Its runtime
bytecode ships with this package (TradeSimulator.bin, checked against the compiled artefact by a drift
test) and is placed at a fresh address by an eth_call *state override*, together with a native-coin
balance. One call then:

1. reads the DEX pair (router.factory().getPair(token, wrapped)) and its reserves,
2. buys the token with the native coin through the router (swapExactETHForTokensSupportingFee...) and
   compares the tokens received with the router's quote          -> can_buy, buy_tax,
3. transfers a quarter of them to a second fresh address (no code: an ordinary wallet) and compares
   what arrived with what was sent                                 -> can_transfer, transfer_tax,
4. approves the router and sells the rest (swapExactTokensForETHSupportingFee...) and compares the
   native coin received with the quote                             -> can_sell, sell_tax,

recording per step success, gas used and the raw revert data. eth_call discards every state change,
so the chain is untouched. The buyer is a fresh address (never the deployer, never whitelisted) and the
call's `from` is another fresh address (tx.origin).

Time- or block-gated traps: the same call runs again with a *block override* (eth_call's 4th param,
{number, time}) N blocks / N*block_time seconds in the future. All scenarios are pinned to the same
block and sent in one JSON-RPC batch: two round trips in all (the block header, then the batch), one
when only "now" is simulated.

Taxes are fractions 0..1 measured from amounts, never read from the token's variables. The buy tax is
exact (the router's quote is what the pair sends); the sell tax is the native coin lost against the
quote for the tokens offered, so it also includes any price impact of the token's own swap-backs.

Limitations (stated in the report's `gaps` where they apply): a token that blocks contract buyers
(extcodesize checks) fails the buy although an ordinary wallet could buy; owner actions taken later
(e.g. blacklisting a buyer by hand) cannot be seen by a simulation; only the wrapped-native pair of the
chain's main DEX is traded.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from eth_abi.abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from pydantic import BaseModel, Field

from moneygrow.chain.networks import Network
from moneygrow.chain.reader import CallResult, ChainReader, OverrideCall, RpcError
from moneygrow.chains import Chain
from moneygrow.models import Finding, Severity

# --- the simulator contract -------------------------------------------------------------------------

SIMULATOR_BIN = Path(__file__).with_name("TradeSimulator.bin")
SIMULATOR_RUNTIME: str = SIMULATOR_BIN.read_text().strip()  # 0x-prefixed runtime bytecode


def _label_address(label: str) -> str:
    """A fixed address derived from a label: nobody holds its key, no chain has code or history there."""
    return to_checksum_address(keccak(text=label)[12:])


SIMULATOR_ADDRESS = _label_address("moneygrow.heuristics.simulation.simulator")
RECEIVER_ADDRESS = _label_address("moneygrow.heuristics.simulation.receiver")
SENDER_ADDRESS = _label_address("moneygrow.heuristics.simulation.sender")  # the call's from / tx.origin
SIMULATOR_BALANCE = 10**24  # native coin placed on the simulator (1,000,000 ETH/BNB/MATIC)

SIMULATE_SIGNATURE = "simulate(address,address,uint256,address,address)"
SIMULATE_SELECTOR = keccak(text=SIMULATE_SIGNATURE)[:4]
_STEP = "(bool,bool,uint256,uint256,uint256,bytes)"
# Result: blockNumber, timestamp, routerHasCode, tokenHasCode, pair, reserveWrapped, reserveToken,
# amountIn, amountSold, buy, transfer, approve, sell, sellTokenRevert
RESULT_TYPE = (
    "(uint256,uint256,bool,bool,address,uint256,uint256,uint256,uint256," + f"{_STEP}," * 4 + "bytes)"
)
STEP_GAS = 5_000_000  # gas the contract gives each step (STEP_GAS in the Solidity source)

BLOCK_TIME_S: dict[Chain, int] = {Chain.ETHEREUM: 12, Chain.BSC: 3, Chain.POLYGON: 2}
DEFAULT_BLOCK_OFFSETS: tuple[int, ...] = (0, 20, 1_000, 7_200)

# --- thresholds for findings --------------------------------------------------------------------------

TAX_NOISE = 0.001  # below 0.1 % a measured tax is rounding, not a fee
TAX_MEDIUM = 0.05
TAX_HIGH = 0.10
TAX_CRITICAL = 0.50
UNIFORM_FEE_TOLERANCE = 0.005  # buy/transfer/sell taxes within 0.5 pp: one fee-on-transfer finding

# --- revert reasons ----------------------------------------------------------------------------------

ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)
PANIC_CODES = {
    0x00: "generic compiler panic",
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division by zero",
    0x21: "invalid enum value",
    0x22: "corrupt storage byte array",
    0x31: "pop on an empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory",
    0x51: "call to an uninitialised function",
}
# What the Uniswap V2 router/pair's own messages mean for the trader.
ROUTER_MESSAGES = {
    "UniswapV2: TRANSFER_FAILED": "the token refused to move tokens out of the pair to the buyer",
    "TransferHelper: TRANSFER_FROM_FAILED": "the token refused to move the seller's tokens into the pair",
    "TransferHelper: ETH_TRANSFER_FAILED": "the router could not pay out the native coin",
    "UniswapV2: INSUFFICIENT_OUTPUT_AMOUNT": "the swap would have paid out nothing",
    "UniswapV2: INSUFFICIENT_INPUT_AMOUNT": "no tokens arrived at the pair (all taken by the token)",
    "UniswapV2: INSUFFICIENT_LIQUIDITY": "the pair has too little liquidity",
    "UniswapV2: K": "the pair's balances were manipulated during the swap",
    "UniswapV2Library: INSUFFICIENT_LIQUIDITY": "the pair has no liquidity",
}

# Custom errors common in tokens (OpenZeppelin 5 ERC-20 / Ownable / Pausable), named when seen.
KNOWN_CUSTOM_ERRORS = {
    keccak(text=sig)[:4]: sig
    for sig in (
        "ERC20InsufficientBalance(address,uint256,uint256)",
        "ERC20InsufficientAllowance(address,uint256,uint256)",
        "ERC20InvalidSender(address)",
        "ERC20InvalidReceiver(address)",
        "ERC20InvalidApprover(address)",
        "ERC20InvalidSpender(address)",
        "OwnableUnauthorizedAccount(address)",
        "EnforcedPause()",
        "TradingNotOpen()",
        "TradingNotEnabled()",
        "Blacklisted(address)",
        "MaxTxAmountExceeded()",
    )
}


class RevertReason(BaseModel):
    kind: str  # "error" (Error(string)), "panic", "custom", "empty"
    message: str  # human-readable: the string, the panic meaning, or "custom error 0x12345678"
    data: str = ""  # the raw revert data, 0x-hex
    meaning: str | None = None  # plain words for well-known router messages

    def plain(self) -> str:
        return f"{self.message} ({self.meaning})" if self.meaning else self.message


def decode_revert(data: bytes) -> RevertReason:
    """Error(string) / Panic(uint256) / custom error / empty revert data, decoded without failing."""
    raw = "0x" + data.hex()
    if not data:
        return RevertReason(kind="empty", message="reverted without a reason", data=raw)
    head, body = data[:4], data[4:]
    if head == ERROR_SELECTOR:
        try:
            (text,) = decode(["string"], body)
        except (DecodingError, ValueError, UnicodeDecodeError, OverflowError):
            return RevertReason(kind="error", message="Error(string) with undecodable text", data=raw)
        text = str(text)
        return RevertReason(kind="error", message=text, data=raw, meaning=ROUTER_MESSAGES.get(text))
    if head == PANIC_SELECTOR and len(body) >= 32:
        code = int.from_bytes(body[:32], "big")
        meaning = PANIC_CODES.get(code, "unknown panic code")
        return RevertReason(kind="panic", message=f"panic 0x{code:02x}: {meaning}", data=raw)
    if len(data) >= 4:
        name = KNOWN_CUSTOM_ERRORS.get(head)
        message = f"custom error {name}" if name else f"custom error 0x{head.hex()}"
        return RevertReason(kind="custom", message=message, data=raw)
    return RevertReason(kind="custom", message=f"malformed revert data {raw}", data=raw)


# --- models --------------------------------------------------------------------------------------


class StepResult(BaseModel):
    """One step of the simulation (buy, transfer, approve or sell)."""

    attempted: bool  # False: skipped because an earlier step failed (or no liquidity)
    ok: bool  # the call succeeded (ERC-20 calls: and did not return false)
    gas_used: int
    expected: int  # buy: quote (tokens); transfer: tokens sent; sell: quote (native wei)
    received: int  # buy: tokens received; transfer: receiver's balance delta; sell: native wei received
    tax: float | None = None  # 1 - received/expected, clamped to 0..1; None when not measurable
    revert: RevertReason | None = None
    # sell only: the token's own revert reason for a direct transfer to the pair (the router hides it
    # behind "TransferHelper: TRANSFER_FROM_FAILED")
    token_revert: RevertReason | None = None
    out_of_gas: bool = False

    def why(self) -> str | None:
        if self.revert is None:
            return None
        if self.token_revert is not None and self.token_revert.kind != "empty":
            return f"{self.revert.plain()}; the token's own reason: {self.token_revert.plain()}"
        return self.revert.plain()


class ScenarioResult(BaseModel):
    """The simulation at one point in time: now, or N blocks / T seconds later (block override)."""

    label: str
    block_offset: int
    seconds_offset: int
    block_number: int | None = None  # as the simulator saw them (block.number, block.timestamp)
    timestamp: int | None = None
    error: str | None = None  # the call as a whole failed (nothing below is meaningful)
    token_has_code: bool | None = None
    router_has_code: bool | None = None
    pair: str | None = None
    reserve_native: int = 0
    reserve_token: int = 0
    amount_in_wei: int = 0
    amount_sold: int = 0
    buy: StepResult | None = None
    transfer: StepResult | None = None
    approve: StepResult | None = None
    sell: StepResult | None = None
    can_buy: bool | None = None
    can_transfer: bool | None = None
    can_sell: bool | None = None
    buy_tax: float | None = None
    transfer_tax: float | None = None
    sell_tax: float | None = None

    @property
    def has_liquidity(self) -> bool | None:
        if self.error is not None or self.token_has_code is False or self.router_has_code is False:
            return None
        return self.pair is not None and self.reserve_native > 0 and self.reserve_token > 0

    @property
    def trapped(self) -> bool:
        """A buyer here could not get out: the sell fails, or loses at least half to the tax."""
        return self.can_buy is True and (
            self.can_sell is False or (self.sell_tax is not None and self.sell_tax >= TAX_CRITICAL)
        )


class SimulationReport(BaseModel):
    """Outcome of simulate_trades. The top-level fields describe the "now" scenario."""

    token: str
    chain: Chain
    dex: str
    router: str
    wrapped_native: str
    simulator: str = SIMULATOR_ADDRESS
    receiver: str = RECEIVER_ADDRESS
    sender: str = SENDER_ADDRESS
    block_number: int | None = None
    can_buy: bool | None = None
    can_sell: bool | None = None
    can_transfer: bool | None = None
    buy_tax: float | None = None
    sell_tax: float | None = None
    transfer_tax: float | None = None
    gas: dict[str, int] = Field(default_factory=dict)
    revert_reasons: dict[str, str] = Field(default_factory=dict)
    pair: str | None = None
    reserve_native: int = 0
    reserve_token: int = 0
    amount_in_wei: int = 0
    has_liquidity: bool | None = None
    scenarios: list[ScenarioResult] = Field(default_factory=list)
    error: str | None = None  # the simulation could not run at all (e.g. no state-override support)
    gaps: list[str] = Field(default_factory=list)
    rpc_round_trips: int = 0
    duration_ms: int = 0

    @property
    def now(self) -> ScenarioResult | None:
        return self.scenarios[0] if self.scenarios else None

    def summary(self) -> dict[str, Any]:
        """A compact, JSON-safe view for AgentResult.data (wei amounts as strings, one line per scenario)."""
        return {
            "can_buy": self.can_buy,
            "can_sell": self.can_sell,
            "can_transfer": self.can_transfer,
            "buy_tax": self.buy_tax,
            "sell_tax": self.sell_tax,
            "transfer_tax": self.transfer_tax,
            "gas": dict(self.gas),
            "revert_reasons": dict(self.revert_reasons),
            "dex": self.dex,
            "pair": self.pair,
            "reserve_native_wei": str(self.reserve_native),
            "reserve_token": str(self.reserve_token),
            "amount_in_wei": str(self.amount_in_wei),
            "block_number": self.block_number,
            "scenarios": [
                {
                    "label": s.label,
                    "can_buy": s.can_buy,
                    "can_sell": s.can_sell,
                    "sell_tax": s.sell_tax,
                    "error": s.error,
                }
                for s in self.scenarios
            ],
            "error": self.error,
            "rpc_round_trips": self.rpc_round_trips,
            "duration_ms": self.duration_ms,
        }

    @property
    def delayed_traps(self) -> list[ScenarioResult]:
        """Later scenarios that trap a buyer while "now" does not."""
        now = self.now
        if now is None or now.trapped or now.can_buy is not True:
            return []
        return [s for s in self.scenarios[1:] if s.trapped]


# --- encoding / decoding -----------------------------------------------------------------------------


def encode_simulate(router: str, token: str, amount_in_wei: int, wrapped: str, receiver: str) -> bytes:
    return SIMULATE_SELECTOR + encode(
        ["address", "address", "uint256", "address", "address"],
        [
            to_checksum_address(router),
            to_checksum_address(token),
            amount_in_wei,
            to_checksum_address(wrapped),
            to_checksum_address(receiver),
        ],
    )


def state_override(amount_in_wei: int | None = None) -> dict[str, Any]:
    """The simulator's code and balance at its fixed address (eth_call's 3rd param)."""
    balance = max(SIMULATOR_BALANCE, 2 * (amount_in_wei or 0))
    return {SIMULATOR_ADDRESS: {"code": SIMULATOR_RUNTIME, "balance": hex(balance)}}


def tax(expected: int, received: int) -> float | None:
    """1 - received/expected, clamped to 0..1 (a reflection bonus counts as no tax); None if expected is 0."""
    if expected <= 0:
        return None
    value = 1 - Fraction(received, expected)
    return float(min(Fraction(1), max(Fraction(0), value)))


def _step(raw: tuple[Any, ...]) -> StepResult:
    attempted, ok, gas_used, expected, received, revert_data = raw
    revert = None
    if attempted and not ok:
        revert = decode_revert(bytes(revert_data))
    return StepResult(
        attempted=bool(attempted),
        ok=bool(ok),
        gas_used=int(gas_used),
        expected=int(expected),
        received=int(received),
        tax=tax(int(expected), int(received)) if attempted and ok else None,
        revert=revert,
        out_of_gas=bool(
            attempted and not ok and not revert_data and gas_used >= STEP_GAS * 63 // 64 - 10_000
        ),
    )


def decode_result(
    data: bytes, label: str = "now", block_offset: int = 0, seconds_offset: int = 0
) -> ScenarioResult:
    """Decode simulate()'s return data into a scenario (raises DecodingError/ValueError on garbage)."""
    (raw,) = decode([RESULT_TYPE], data)
    block_number, timestamp, router_code, token_code, pair = raw[:5]
    r_native, r_token, amount_in, amount_sold = raw[5:9]
    buy, transfer, approve, sell = (_step(s) for s in raw[9:13])
    if sell.revert is not None and raw[13]:
        sell.token_revert = decode_revert(bytes(raw[13]))
    pair_addr = None if int(pair, 16) == 0 else to_checksum_address(pair)
    sc = ScenarioResult(
        label=label,
        block_offset=block_offset,
        seconds_offset=seconds_offset,
        block_number=int(block_number),
        timestamp=int(timestamp),
        token_has_code=bool(token_code),
        router_has_code=bool(router_code),
        pair=pair_addr,
        reserve_native=int(r_native),
        reserve_token=int(r_token),
        amount_in_wei=int(amount_in),
        amount_sold=int(amount_sold),
        buy=buy,
        transfer=transfer,
        approve=approve,
        sell=sell,
    )
    _derive(sc)
    return sc


def _derive(sc: ScenarioResult) -> None:
    """can_* and taxes from the raw steps."""
    buy, transfer, approve, sell = sc.buy, sc.transfer, sc.approve, sc.sell
    if buy is not None and buy.attempted:
        sc.can_buy = buy.ok and buy.received > 0
        sc.buy_tax = buy.tax
        if buy.ok and buy.received == 0 and buy.expected > 0:
            sc.buy_tax = 1.0
    if transfer is not None and transfer.attempted:
        sc.can_transfer = transfer.ok and transfer.received > 0
        sc.transfer_tax = transfer.tax
    if approve is not None and approve.attempted and not approve.ok:
        sc.can_sell = False
    elif sell is not None and sell.attempted:
        sc.can_sell = sell.ok and sell.received > 0
        sc.sell_tax = sell.tax
        if sell.ok and sell.received == 0 and sell.expected > 0:
            sc.sell_tax = 1.0


def _label(blocks: int, seconds: int) -> str:
    return "now" if blocks == 0 and seconds == 0 else f"+{blocks} blocks (+{seconds} s)"


# --- the simulation ----------------------------------------------------------------------------------


def simulate_trades(
    reader: ChainReader,
    network: Network,
    token: str,
    *,
    amount_in_wei: int | None = None,
    block_offsets: tuple[int, ...] = DEFAULT_BLOCK_OFFSETS,
    block_header: Mapping[str, Any] | None = None,
) -> SimulationReport:
    """Buy, transfer and sell `token` on the network's main DEX in one state-overridden eth_call per
    scenario (block offsets; 0 = now), without changing chain state. `amount_in_wei` None: 0.1 % of the
    pair's native reserve. `block_header`: the block to pin the scenarios to ({"number", "timestamp"},
    hex strings as eth_getBlockByNumber returns them) when the caller already fetched it, e.g. in its
    own first batch: the simulation is then ONE round trip. Raises ChainUnavailable when no endpoint
    answers; everything else (no pair, reverts, a node without override support) is reported in the
    SimulationReport."""
    started = time.perf_counter()
    report = SimulationReport(
        token=to_checksum_address(token),
        chain=network.chain,
        dex=network.dex.name,
        router=to_checksum_address(network.dex.router),
        wrapped_native=to_checksum_address(network.wrapped_native),
    )
    offsets = tuple(dict.fromkeys(max(0, int(o)) for o in (0, *block_offsets)))  # "now" first, no dups
    data = encode_simulate(
        report.router, report.token, amount_in_wei or 0, report.wrapped_native, RECEIVER_ADDRESS
    )
    overrides = state_override(amount_in_wei)
    block_time = BLOCK_TIME_S.get(network.chain, 12)
    try:
        block = "latest"
        base_number = base_time = 0
        if block_header is not None or len(offsets) > 1:  # pin every scenario to one block
            header = block_header
            if header is None:
                header = reader.get_block("latest")
                report.rpc_round_trips += 1
            base_number, base_time = int(header["number"], 16), int(header["timestamp"], 16)
            block = hex(base_number)
        calls = []
        for n in offsets:
            block_override = None
            if n:
                block_override = {"number": hex(base_number + n), "time": hex(base_time + n * block_time)}
            calls.append(
                OverrideCall(SIMULATOR_ADDRESS, data, overrides, block_override, block, SENDER_ADDRESS)
            )
        results = reader.call_many_with_overrides(calls)
        report.rpc_round_trips += 1
    except RpcError as exc:
        report.error = f"the node refused the simulation call: {exc}"
        report.gaps.append("trade simulation: the RPC node does not support eth_call state overrides")
        report.duration_ms = round((time.perf_counter() - started) * 1000)
        return report
    for n, res in zip(offsets, results, strict=True):
        report.scenarios.append(_scenario(res, n, n * block_time))
    _summarise(report)
    report.duration_ms = round((time.perf_counter() - started) * 1000)
    return report


def _scenario(res: CallResult, blocks: int, seconds: int) -> ScenarioResult:
    label = _label(blocks, seconds)
    if res.reverted:
        reason = decode_revert(res.revert_data).plain()
        return ScenarioResult(
            label=label, block_offset=blocks, seconds_offset=seconds, error=f"reverted: {reason}"
        )
    if not res.data:
        return ScenarioResult(
            label=label,
            block_offset=blocks,
            seconds_offset=seconds,
            error="the node returned no data: it probably ignores eth_call state overrides",
        )
    try:
        return decode_result(res.data, label, blocks, seconds)
    except (DecodingError, ValueError, OverflowError) as exc:
        return ScenarioResult(
            label=label, block_offset=blocks, seconds_offset=seconds, error=f"undecodable result: {exc}"
        )


def _summarise(report: SimulationReport) -> None:
    now = report.now
    if now is None:
        return
    if now.error is not None:
        report.error = f"the simulation call failed: {now.error}"
        report.gaps.append("trade simulation: the simulation call itself failed")
        return
    report.block_number = now.block_number
    for field in ("can_buy", "can_sell", "can_transfer", "buy_tax", "sell_tax", "transfer_tax", "pair"):
        setattr(report, field, getattr(now, field))
    report.reserve_native, report.reserve_token = now.reserve_native, now.reserve_token
    report.amount_in_wei = now.amount_in_wei
    report.has_liquidity = now.has_liquidity
    for name in ("buy", "transfer", "approve", "sell"):
        step: StepResult | None = getattr(now, name)
        if step is None or not step.attempted:
            continue
        report.gas[name] = step.gas_used
        why = step.why()
        if why is not None:
            report.revert_reasons[name] = why
    _gaps(report, now)


def _gaps(report: SimulationReport, now: ScenarioResult) -> None:
    if now.token_has_code is False:
        report.gaps.append("trade simulation: no contract code at the token address")
    elif now.router_has_code is False:
        report.gaps.append(f"trade simulation: no {report.dex} router code at {report.router}")
    elif now.has_liquidity is False:
        report.gaps.append(
            f"trade simulation: no {report.dex} pair with liquidity against the wrapped native coin"
        )
    elif now.can_buy is False:
        report.gaps.append("trade simulation: the buy failed, so selling and transfers were not tested")
    failed_later = [s.label for s in report.scenarios[1:] if s.error is not None]
    if failed_later:
        report.gaps.append(f"trade simulation failed for: {', '.join(failed_later)}")


# --- findings ------------------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:.1f}%"


def _evidence(report: SimulationReport, sc: ScenarioResult | None = None, **extra: Any) -> dict[str, Any]:
    sc = sc or report.now
    ev: dict[str, Any] = {
        "dex": report.dex,
        "router": report.router,
        "pair": report.pair,
        "block_number": report.block_number,
        "amount_in_wei": str(report.amount_in_wei),
        "reserve_native_wei": str(report.reserve_native),
        "reserve_token": str(report.reserve_token),
        "buy_tax": report.buy_tax,
        "sell_tax": report.sell_tax,
        "transfer_tax": report.transfer_tax,
        "gas": dict(report.gas),
        "simulator": report.simulator,
    }
    if sc is not None:
        for name in ("buy", "transfer", "sell"):
            step: StepResult | None = getattr(sc, name)
            if step is not None and step.attempted:
                ev[f"{name}_expected"] = str(step.expected)
                ev[f"{name}_received"] = str(step.received)
        if sc is not report.now:
            ev["scenario"] = sc.label
            ev["scenario_block_number"] = sc.block_number
            ev["scenario_timestamp"] = sc.timestamp
    if report.revert_reasons:
        ev["revert_reasons"] = dict(report.revert_reasons)
    ev.update(extra)
    return ev


def _tax_finding(kind: str, value: float, report: SimulationReport, uniform: bool = False) -> Finding:
    what = {"buy": "buying", "sell": "selling", "transfer": "a wallet-to-wallet transfer"}[kind]
    if value >= TAX_CRITICAL:
        return Finding(
            type=f"high_{kind}_tax",
            score=90 if kind == "sell" else 85,
            severity=Severity.CRITICAL,
            reason=f"{what.capitalize()} loses {_pct(value)} of the value to the token's fee: "
            "most of the money cannot come back out.",
            evidence=_evidence(report, tax_kind=kind),
        )
    if value >= TAX_HIGH:
        return Finding(
            type=f"{kind}_tax",
            score=65 if kind == "sell" else 55,
            severity=Severity.HIGH,
            reason=f"{what.capitalize()} costs a {_pct(value)} fee, measured by simulating the trade.",
            evidence=_evidence(report, tax_kind=kind),
        )
    severity = Severity.MEDIUM if value >= TAX_MEDIUM else Severity.LOW
    score = 30 if severity is Severity.MEDIUM else 15
    if uniform:
        return Finding(
            type="transfer_tax",
            score=score,
            severity=severity,
            reason=f"Every transfer of the token (buy, sell, wallet to wallet) pays a {_pct(value)} fee.",
            evidence=_evidence(report, tax_kind="all"),
        )
    return Finding(
        type=f"{kind}_tax",
        score=score,
        severity=severity,
        reason=f"{what.capitalize()} costs a {_pct(value)} fee, measured by simulating the trade.",
        evidence=_evidence(report, tax_kind=kind),
    )


def _tax_findings(report: SimulationReport) -> list[Finding]:
    taxes = {"buy": report.buy_tax, "transfer": report.transfer_tax, "sell": report.sell_tax}
    if report.can_sell is False:
        taxes.pop("sell")  # reported as a honeypot instead
    present = {k: v for k, v in taxes.items() if v is not None and v > TAX_NOISE}
    if not present:
        return []
    values = list(present.values())
    if len(present) == 3 and max(values) < TAX_HIGH and max(values) - min(values) <= UNIFORM_FEE_TOLERANCE:
        return [_tax_finding("transfer", max(values), report, uniform=True)]
    return [_tax_finding(k, v, report) for k, v in present.items()]


def _availability_findings(report: SimulationReport) -> list[Finding] | None:
    """Findings when the simulation could not trade at all (None: it could)."""
    now = report.now
    if report.error is not None or now is None:
        return [
            Finding(
                type="simulation_failed",
                score=40,
                severity=Severity.MEDIUM,
                reason="The buy/sell simulation could not run, so honeypot and tax checks are missing "
                f"for this token: {report.error or 'no result'}.",
                evidence={"error": report.error, "gaps": list(report.gaps), "router": report.router},
            )
        ]
    if now.token_has_code is False:
        return [
            Finding(
                type="no_contract_code",
                score=80,
                severity=Severity.HIGH,
                reason="There is no contract code at this address: it is not a token that can be traded.",
                evidence={"token": report.token, "block_number": report.block_number},
            )
        ]
    if now.router_has_code is False:
        return [
            Finding(
                type="simulation_failed",
                score=40,
                severity=Severity.MEDIUM,
                reason=f"The {report.dex} router has no code on this node, so buying and selling could "
                "not be simulated; honeypot and tax checks are missing.",
                evidence={"router": report.router, "block_number": report.block_number},
            )
        ]
    if now.has_liquidity is False:
        return [
            Finding(
                type="no_liquidity",
                score=50,
                severity=Severity.MEDIUM,
                reason=f"No {report.dex} pair with liquidity against the wrapped native coin was found, "
                "so the token cannot be bought there and the honeypot/tax simulation could not run.",
                evidence=_evidence(report, wrapped_native=report.wrapped_native),
            )
        ]
    return None


def _buy_findings(report: SimulationReport) -> list[Finding]:
    if report.can_buy is not False or (report.buy_tax is not None and report.buy_tax >= TAX_CRITICAL):
        return []
    why = report.revert_reasons.get("buy", "the buy delivered no tokens")
    return [
        Finding(
            type="buy_blocked",
            score=75,
            severity=Severity.HIGH,
            reason=f"Buying the token through {report.dex} failed ({why}): no usable liquidity, or the "
            "token blocks buyers. Sells and transfers could not be tested.",
            evidence=_evidence(report),
        )
    ]


def _sell_findings(report: SimulationReport) -> list[Finding]:
    out: list[Finding] = []
    if report.can_sell is False:
        why = report.revert_reasons.get("approve") or report.revert_reasons.get("sell")
        detail = f"the sell reverted: {why}" if why else "the sell paid out nothing"
        out.append(
            Finding(
                type="honeypot",
                score=100,
                severity=Severity.CRITICAL,
                reason=f"Honeypot: a fresh wallet could buy the token but not sell it back ({detail}).",
                evidence=_evidence(report),
            )
        )
    if report.can_buy and report.can_transfer is False:
        why = report.revert_reasons.get("transfer", "nothing arrived")
        out.append(
            Finding(
                type="transfer_blocked",
                score=70,
                severity=Severity.HIGH,
                reason=f"Bought tokens could not be sent to another wallet ({why}).",
                evidence=_evidence(report),
            )
        )
    for sc in report.delayed_traps[:1]:  # the earliest is enough
        what = (
            f"selling fails ({(sc.sell.why() if sc.sell else None) or 'no payout'})"
            if sc.can_sell is False
            else f"selling loses {_pct(sc.sell_tax)} to the fee"
        )
        out.append(
            Finding(
                type="time_delayed_honeypot",
                score=95,
                severity=Severity.CRITICAL,
                reason=f"Time-delayed honeypot: buying and selling work now, but {sc.label} later {what}.",
                evidence=_evidence(
                    report,
                    sc,
                    trapped_scenarios=[s.label for s in report.delayed_traps],
                    later_sell_tax=sc.sell_tax,
                    later_can_sell=sc.can_sell,
                ),
            )
        )
    return out


def simulation_findings(report: SimulationReport) -> list[Finding]:
    """Findings from a SimulationReport: honeypot, taxes, blocked buy/transfer, delayed traps, and a
    named finding (never silence) when the simulation could not run or found no liquidity."""
    unavailable = _availability_findings(report)
    if unavailable is not None:
        return unavailable
    return [*_sell_findings(report), *_buy_findings(report), *_tax_findings(report)]

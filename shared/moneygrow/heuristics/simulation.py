"""Honeypot and tax detection by simulation: buy, transfer and sell the token as real wallets would.

Primary path: eth_simulateV1 (moneygrow.chain.simulate). Per scenario (now, +20, +1000, +7200 blocks,
block number AND time moved, BLOCK_TIME_S per chain) ONE request with three simulated blocks, all
scenarios (and the existing holders' re-sells) in ONE JSON-RPC batch, pinned to one block header:

1. a fresh buyer EOA (label-derived, no code, native coin from a state override) reads the pair's
   reserves, quotes with router.getAmountsOut and buys with swapExactETHForTokensSupportingFee...
   to itself; token.balanceOf(buyer) before/after                      -> can_buy, buy_tax,
2. next block: the buyer transfers a quarter of the predicted amount to a second fresh EOA; the
   receiver's balance before/after                                      -> can_transfer, transfer_tax,
3. next block: the buyer approves the router and sells "the rest" for WETH (swapExactTokensForTokens
   SupportingFee..., WETH.balanceOf before/after, quoted just before), then tries token.transfer(pair)
   directly to get the token's own revert reason                        -> can_sell, sell_tax.

Every call is from an EOA (what the token sees is what a wallet's transaction shows it: no code at the
sender, tx.origin = the wallet, one step per block), and each call gets the whole block gas limit (no
per-step cap: a heavy but legitimate rebase passes; gas used is reported).

The calldata of a simulated call is fixed before anything runs, so amounts are predicted: the pool's
reserves come from two router quotes read before the simulation (`pool_reads`; in the heuristic
agent they ride in its first batch, so the simulation itself is ONE round trip), the transfer is a
quarter of the buy quote, and the sell is a short ladder of amounts ("the rest" if the buy tax is 0 %,
2 %, 5 %, ... 70 %): the first one the buyer's measured balance covers is the sell; the larger ones
revert harmlessly on the balance and are ignored.

Existing holders (as honeypot.is does): up to MAX_HOLDERS EOAs that hold the token now (largest balances
from the token's Transfer logs, without the pair, burn addresses, the token, the owner and addresses
with code) each sell a small part of their balance in the "now" state. A holder that cannot sell while
a fresh buyer can is evidence of a blacklist-after-buy (finding `holders_cannot_sell`).

Fallback: a node that answers eth_simulateV1 with "method not found" gets the old path: the
TradeSimulator contract (contracts/src/sim/TradeSimulator.sol, runtime in TradeSimulator.bin, never
deployed) placed at a fresh address with an eth_call state override, doing buy -> transfer -> sell in
ONE eth_call per scenario (block override for the later ones); the report says so in `gaps` and
`method`. That path misreads tokens that treat contracts or same-transaction trades differently and
caps each step at STEP_GAS.

Taxes are fractions 0..1 measured from amounts, never read from the token's variables. The buy tax is
exact (the router's quote is what the pair sends); the sell tax is the WETH lost against the quote for
the tokens offered, so it also includes any price impact of the token's own swap-backs.

Limitations (in `gaps` where they apply): owner actions taken later (e.g. blacklisting a buyer by hand)
cannot be seen by a simulation; only the wrapped-native pair of the chain's main DEX is traded.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from eth_abi.abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from pydantic import BaseModel, Field

from moneygrow.chain import simulate as sim
from moneygrow.chain.bytecode import calldata
from moneygrow.chain.networks import Network
from moneygrow.chain.reader import CallResult, ChainReader, OverrideCall, RpcError
from moneygrow.chains import Chain
from moneygrow.models import Finding, Severity

# --- the simulator contract -------------------------------------------------------------------------

SIMULATOR_BIN = Path(__file__).with_name("TradeSimulator.bin")
SIMULATOR_RUNTIME: str = SIMULATOR_BIN.read_text().strip()  # 0x-prefixed runtime bytecode


SIMULATOR_ADDRESS = sim.label_address("moneygrow.heuristics.simulation.simulator")
RECEIVER_ADDRESS = sim.label_address("moneygrow.heuristics.simulation.receiver")
SENDER_ADDRESS = sim.label_address("moneygrow.heuristics.simulation.sender")  # the call's from / tx.origin
SIMULATOR_BALANCE = 10**24  # native coin placed on the simulator (1,000,000 ETH/BNB/MATIC)
BUYER_ADDRESS = sim.label_address(
    "moneygrow.heuristics.simulation.buyer"
)  # the fresh wallet (eth_simulateV1)

SimMethod = Literal["auto", "eth_simulateV1", "eth_call+override"]
METHOD_SIMULATE: Literal["eth_simulateV1"] = "eth_simulateV1"
METHOD_OVERRIDE: Literal["eth_call+override"] = "eth_call+override"
FALLBACK_GAP = (
    "trade simulation: node lacks eth_simulateV1, simulated with a contract buyer (state-override eth_call)"
)

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
    def gas_used(self) -> dict[str, int]:
        return {
            name: step.gas_used
            for name in ("buy", "transfer", "approve", "sell")
            if (step := getattr(self, name)) is not None and step.attempted
        }

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


class HolderSell(BaseModel):
    """An existing holder (an EOA holding the token now) selling a small part of its balance."""

    address: str
    balance: int = 0  # balanceOf at the simulated block
    amount: int = 0  # tokens offered
    expected: int = 0  # router quote (wrapped native wei)
    received: int = 0  # wrapped native wei that arrived
    gas_used: int = 0
    can_sell: bool | None = None  # None: not conclusive (balance moved, nothing to quote, ...)
    sell_tax: float | None = None
    revert: str | None = None  # why the sell failed (with the token's own reason when it gave one)
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "can_sell": self.can_sell,
            "sell_tax": self.sell_tax,
            "amount": str(self.amount),
            "expected_wei": str(self.expected),
            "received_wei": str(self.received),
            "gas_used": self.gas_used,
            "revert": self.revert,
            "note": self.note,
        }


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
    method: Literal["eth_simulateV1", "eth_call+override"] = METHOD_SIMULATE
    holders: list[HolderSell] = Field(default_factory=list)  # existing holders' re-sells ("now")
    holders_skipped: list[str] = Field(default_factory=list)  # candidates left out (code, ...)

    @property
    def holders_cannot_sell(self) -> list[HolderSell]:
        """Existing holders whose sell failed while a fresh buyer's sell worked (blacklist-after-buy)."""
        if self.can_buy is not True or self.can_sell is not True:
            return []
        return [h for h in self.holders if h.can_sell is False]

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
                    "gas_used": s.gas_used,
                    "error": s.error,
                }
                for s in self.scenarios
            ],
            "method": self.method,
            "holders": [h.as_dict() for h in self.holders],
            "holders_cannot_sell": [h.address for h in self.holders_cannot_sell],
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
    method: SimMethod = "auto",
    pool: Mapping[str, dict[str, Any]] | None = None,
    holders: Sequence[tuple[str, int]] = (),
    exclude: Collection[str] = (),
) -> SimulationReport:
    """Buy, transfer and sell `token` on the network's main DEX as fresh wallets (eth_simulateV1), per
    scenario (block offsets; 0 = now), without changing chain state. `amount_in_wei` None: 0.1 % of the
    pair's native reserve. `block_header`: the block to pin the scenarios to ({"number", "timestamp",
    "gasLimit"}, hex strings as eth_getBlockByNumber returns them); `pool`: the raw answers to
    `pool_reads` (read in the caller's own first batch): with both the simulation is ONE round trip.
    `holders`: (address, balance estimate) of existing holders, largest first (e.g. from Transfer logs);
    up to MAX_HOLDERS EOAs among them (not in `exclude`) re-sell a small part in the "now" state.
    `method`: "auto" (eth_simulateV1, the contract fallback when the node lacks it), or force one.
    Raises ChainUnavailable when no endpoint answers; everything else (no pair, reverts, a node without
    support) is reported in the SimulationReport."""
    started = time.perf_counter()
    report = SimulationReport(
        token=to_checksum_address(token),
        chain=network.chain,
        dex=network.dex.name,
        router=to_checksum_address(network.dex.router),
        wrapped_native=to_checksum_address(network.wrapped_native),
    )
    offsets = tuple(dict.fromkeys(max(0, int(o)) for o in (0, *block_offsets)))  # "now" first, no dups
    known_lacking = getattr(reader, _LACKS_SIMULATE_V1, False) is True
    if method != METHOD_OVERRIDE and not (method == "auto" and known_lacking):
        report.simulator = BUYER_ADDRESS
        plan = _V1Inputs(network, offsets, amount_in_wei, block_header, pool, holders, exclude)
        if _simulate_v1(reader, report, plan):
            report.duration_ms = round((time.perf_counter() - started) * 1000)
            return report
        setattr(reader, _LACKS_SIMULATE_V1, True)  # ask this reader's node only once
        if method == METHOD_SIMULATE:
            report.error = "the node does not offer eth_simulateV1"
            report.gaps.append("trade simulation: the RPC node does not offer eth_simulateV1")
            report.duration_ms = round((time.perf_counter() - started) * 1000)
            return report
    if method == "auto":
        report.gaps.append(FALLBACK_GAP)
    report.method = METHOD_OVERRIDE
    report.simulator = SIMULATOR_ADDRESS
    _simulate_with_contract(reader, network, report, offsets, amount_in_wei, block_header)
    report.duration_ms = round((time.perf_counter() - started) * 1000)
    return report


def _simulate_with_contract(
    reader: ChainReader,
    network: Network,
    report: SimulationReport,
    offsets: tuple[int, ...],
    amount_in_wei: int | None,
    block_header: Mapping[str, Any] | None,
) -> None:
    """The fallback: the TradeSimulator contract in one state-overridden eth_call per scenario."""
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
        return
    for n, res in zip(offsets, results, strict=True):
        report.scenarios.append(_scenario(res, n, n * block_time))
    _summarise(report)


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


# --- eth_simulateV1: trading as real wallets -------------------------------------------------------

QUOTE_PROBE = 2**120  # getAmountsOut(QUOTE_PROBE, path)[1] is the output reserve to ~2^-40
DEADLINE = 2**40
MAX_UINT256 = 2**256 - 1
# Sell ladder: "the rest" of the bought tokens if the buy tax were 0 %, 2 %, 5 %, ... 70 % (basis points).
SELL_LADDER_BPS = (0, 200, 500, 1_000, 2_500, 5_000, 7_000)
DEFAULT_GAS_LIMIT = 30_000_000  # when the block header does not say
MAX_HOLDERS = 3  # existing holders that re-sell
HOLDER_CANDIDATES = 6  # candidates simulated (some may turn out to have code)
HOLDER_SHARE = 10  # a holder sells 1/10 of its balance, at most half the fresh buyer's buy (stays under
# max-transaction limits that a real holder would respect as well)

_LACKS_SIMULATE_V1 = "_moneygrow_lacks_simulate_v1"  # reader attribute: its node said "method not found"


def _balance_of(who: str) -> bytes:
    return calldata("balanceOf(address)", ("address",), (who,))


def _amounts_out(amount: int, path: list[str]) -> bytes:
    return calldata("getAmountsOut(uint256,address[])", ("uint256", "address[]"), (amount, path))


def _quoted(res: sim.SimResult) -> int:
    """getAmountsOut(...)[1] ([offset][length][amounts[0]][amounts[1]]); 0 when it failed."""
    return res.word(3) or 0


def amount_out(amount_in: int, reserve_in: int, reserve_out: int) -> int:
    """Uniswap V2's getAmountOut (0.3 % fee)."""
    if amount_in <= 0 or reserve_in <= 0 or reserve_out <= 0:
        return 0
    with_fee = amount_in * 997
    return with_fee * reserve_out // (reserve_in * 1000 + with_fee)


def _call(to: str, signature: str, types: tuple[str, ...] = (), args: tuple[Any, ...] = ()) -> Read:
    data = calldata(signature, types, args)
    return ("eth_call", [{"to": to, "data": "0x" + data.hex()}, "latest"])


Read = tuple[str, list[Any]]  # (JSON-RPC method, params)


def pool_reads(network: Network, token: str) -> dict[str, Read]:
    """Reads the eth_simulateV1 path needs before it can fix its amounts (no dependencies: a caller
    sends them in its own first batch): code at the token and the router, the pair, and two router
    quotes of a huge amount, which give the pool's reserves without knowing the pair's layout."""
    token, wrapped = to_checksum_address(token), to_checksum_address(network.wrapped_native)
    router, factory = to_checksum_address(network.dex.router), to_checksum_address(network.dex.factory)
    path = ("uint256", "address[]")
    return {
        "token_code": ("eth_getCode", [token, "latest"]),
        "router_code": ("eth_getCode", [router, "latest"]),
        "pair": _call(factory, "getPair(address,address)", ("address", "address"), (token, wrapped)),
        "probe_buy": _call(router, "getAmountsOut(uint256,address[])", path, (QUOTE_PROBE, [wrapped, token])),
        "probe_sell": _call(
            router, "getAmountsOut(uint256,address[])", path, (QUOTE_PROBE, [token, wrapped])
        ),
    }


@dataclass(frozen=True)
class PoolFacts:
    token_has_code: bool
    router_has_code: bool
    pair: str | None
    reserve_native: int  # from the router's quotes (exact to ~2^-40; the simulation reads the exact ones)
    reserve_token: int

    @property
    def tradable(self) -> bool:
        return (
            self.token_has_code
            and self.router_has_code
            and self.pair is not None
            and self.reserve_native > 0
            and self.reserve_token > 0
        )


def _raw_bytes(response: Mapping[str, Any] | None) -> bytes:
    if not response or "error" in response:
        return b""
    result = response.get("result")
    if not isinstance(result, str) or not result.startswith("0x"):
        return b""
    try:
        return bytes.fromhex(result[2:])
    except ValueError:
        return b""


def pool_facts(responses: Mapping[str, Mapping[str, Any]]) -> PoolFacts:
    """PoolFacts from the raw answers to pool_reads (a failed read counts as "nothing there")."""

    def word(key: str, index: int) -> int:
        data = _raw_bytes(responses.get(key))
        chunk = data[32 * index : 32 * (index + 1)]
        return int.from_bytes(chunk, "big") if len(chunk) == 32 else 0

    pair_word = word("pair", 0)
    pair = to_checksum_address(pair_word.to_bytes(20, "big")) if 0 < pair_word < 2**160 else None
    out_token, out_native = word("probe_buy", 3), word("probe_sell", 3)
    # out = floor(a*997*R_out / (1000*R_in + 997*a)): invert (rounding up), each reserve refined with
    # the other's estimate; exact for reserves below ~2^100, within ~2^-20 above
    r_native, r_token, a = out_native, out_token, QUOTE_PROBE * 997
    for _ in range(4):
        if not (r_native and r_token):
            break
        r_token = -(-out_token * (1000 * r_native + a) // a)
        r_native = -(-out_native * (1000 * r_token + a) // a)
    return PoolFacts(
        token_has_code=bool(_raw_bytes(responses.get("token_code"))),
        router_has_code=bool(_raw_bytes(responses.get("router_code"))),
        pair=pair,
        reserve_native=r_native,
        reserve_token=r_token,
    )


@dataclass(frozen=True)
class _V1Inputs:
    network: Network
    offsets: tuple[int, ...]
    amount_in_wei: int | None
    block_header: Mapping[str, Any] | None
    pool: Mapping[str, Mapping[str, Any]] | None
    holders: Sequence[tuple[str, int]]
    exclude: Collection[str]


@dataclass(frozen=True)
class _Trade:
    """What the requests are built from: addresses, the pinned block and the predicted amounts."""

    token: str
    router: str
    wrapped: str
    pair: str
    block: str  # the pinned base block (hex)
    number: int
    time: int
    block_time: int
    gas_limit: int
    amount_in: int
    quote: int  # predicted tokens for amount_in (no tax)

    @property
    def transfer_amount(self) -> int:
        return self.quote // 4

    @property
    def sell_ladder(self) -> list[int]:
        rest = [self.quote * (10_000 - bps) // 10_000 - self.transfer_amount for bps in SELL_LADDER_BPS]
        return [a for a in rest if a > 0]

    def block_of(self, offset: int, step: int, calls: list[sim.SimCall], **kw: Any) -> sim.SimBlock:
        """Block `step` (0, 1, 2) of the scenario `offset` blocks ahead: number and time moved together,
        room for every call to use the whole real block gas limit."""
        k = offset + 1 + step
        return sim.SimBlock(
            calls=tuple(calls),
            number=self.number + k,
            time=self.time + k * self.block_time,
            gas_limit=self.gas_limit * max(1, len(calls)),
            **kw,
        )

    def call(self, sender: str, to: str, data: bytes, value: int = 0) -> sim.SimCall:
        return sim.SimCall(sender=sender, to=to, data=data, value=value, gas=self.gas_limit)


def _header_ints(header: Mapping[str, Any]) -> tuple[int, int, int]:
    def num(key: str, default: int) -> int:
        value = header.get(key)
        return int(value, 16) if isinstance(value, str) and value.startswith("0x") else default

    return num("number", 0), num("timestamp", 0), num("gasLimit", DEFAULT_GAS_LIMIT) or DEFAULT_GAS_LIMIT


def _simulate_v1(reader: ChainReader, report: SimulationReport, plan: _V1Inputs) -> bool:
    """The eth_simulateV1 path; False when the node lacks the method (nothing recorded then)."""
    header, facts = _prepare(reader, report, plan)
    if header is None or facts is None:
        return True  # reported (the node failed the first reads)
    block_time = BLOCK_TIME_S.get(plan.network.chain, 12)
    now = ScenarioResult(label="now", block_offset=0, seconds_offset=0)
    now.token_has_code, now.router_has_code = facts.token_has_code, facts.router_has_code
    now.pair, now.reserve_native, now.reserve_token = facts.pair, facts.reserve_native, facts.reserve_token
    amount_in = plan.amount_in_wei or facts.reserve_native // 1000
    if not facts.tradable or facts.pair is None or amount_in <= 0:
        now.block_number = int(header["number"], 16) if "number" in header else None
        report.scenarios.append(now)
        _summarise(report)
        return True
    number, timestamp, gas_limit = _header_ints(header)
    trade = _Trade(
        token=report.token,
        router=report.router,
        wrapped=report.wrapped_native,
        pair=facts.pair,
        block=hex(number),
        number=number,
        time=timestamp,
        block_time=block_time,
        gas_limit=gas_limit,
        amount_in=amount_in,
        quote=amount_out(amount_in, facts.reserve_native, facts.reserve_token),
    )
    candidates = _holder_candidates(plan.holders, plan.exclude, trade)
    batch: list[Read] = [
        (sim.METHOD, sim.params(_scenario_blocks(trade, n), trade.block)) for n in plan.offsets
    ]
    if candidates:
        batch.append((sim.METHOD, sim.params(_holder_blocks(trade, candidates), trade.block)))
        batch += [("eth_getCode", [a, trade.block]) for a, _ in candidates]
    responses = reader._batch(batch)
    report.rpc_round_trips += 1
    if sim.unsupported(responses[0]):
        return False  # the round trips spent stay counted
    for n, response in zip(plan.offsets, responses, strict=False):
        report.scenarios.append(_decode_v1_scenario(response, trade, n, facts))
    _summarise(report)
    if candidates:
        holder_response = responses[len(plan.offsets)]
        codes = responses[len(plan.offsets) + 1 :]
        _decode_holders(report, holder_response, candidates, codes, trade)
    return True


def _prepare(
    reader: ChainReader, report: SimulationReport, plan: _V1Inputs
) -> tuple[Mapping[str, Any] | None, PoolFacts | None]:
    """The block header and the pool facts: given by the caller, or read in one batch."""
    reads: list[tuple[str, Read]] = []
    if plan.pool is None:
        reads += list(pool_reads(plan.network, report.token).items())
    if plan.block_header is None:
        reads.append(("block", ("eth_getBlockByNumber", ["latest", False])))
    got: dict[str, dict[str, Any]] = {}
    if reads:
        got = dict(zip([k for k, _ in reads], reader._batch([r for _, r in reads]), strict=True))
        report.rpc_round_trips += 1
    header = plan.block_header
    if header is None:
        result = got["block"].get("result")
        if not isinstance(result, dict):
            report.error = f"the node did not return the latest block: {sim.error_message(got['block'])}"
            report.gaps.append("trade simulation: the latest block could not be read")
            return None, None
        header = result
    return header, pool_facts(plan.pool if plan.pool is not None else got)


def _scenario_blocks(t: _Trade, offset: int) -> list[sim.SimBlock]:
    buyer, receiver, token = BUYER_ADDRESS, RECEIVER_ADDRESS, t.token
    buy_path, sell_path = [t.wrapped, t.token], [t.token, t.wrapped]
    buy = t.call(
        buyer,
        t.router,
        calldata(
            "swapExactETHForTokensSupportingFeeOnTransferTokens(uint256,address[],address,uint256)",
            ("uint256", "address[]", "address", "uint256"),
            (0, buy_path, buyer, DEADLINE),
        ),
        value=t.amount_in,
    )
    block1 = [
        t.call(buyer, t.pair, calldata("getReserves()")),
        t.call(buyer, t.router, _amounts_out(t.amount_in, buy_path)),
        t.call(buyer, token, _balance_of(buyer)),
        buy,
        t.call(buyer, token, _balance_of(buyer)),
    ]
    block2 = [
        t.call(buyer, token, _balance_of(receiver)),
        t.call(
            buyer,
            token,
            calldata("transfer(address,uint256)", ("address", "uint256"), (receiver, t.transfer_amount)),
        ),
        t.call(buyer, token, _balance_of(receiver)),
    ]
    block3 = [
        t.call(
            buyer,
            token,
            calldata("approve(address,uint256)", ("address", "uint256"), (t.router, MAX_UINT256)),
        ),
        t.call(buyer, token, _balance_of(buyer)),
        t.call(buyer, t.wrapped, _balance_of(buyer)),
    ]
    ladder = t.sell_ladder
    for amount in ladder:
        block3 += [
            t.call(buyer, t.router, _amounts_out(amount, sell_path)),
            t.call(buyer, t.router, _sell_data(amount, sell_path, buyer)),
            t.call(buyer, t.wrapped, _balance_of(buyer)),
        ]
    direct = calldata(
        "transfer(address,uint256)", ("address", "uint256"), (t.pair, ladder[-1] if ladder else 0)
    )
    block3.append(t.call(buyer, token, direct))  # the token's own reason when the router hides it
    balance = max(SIMULATOR_BALANCE, 2 * t.amount_in)
    return [
        t.block_of(offset, 0, block1, state=sim.balance_override(buyer, balance)),
        t.block_of(offset, 1, block2),
        t.block_of(offset, 2, block3),
    ]


def _sell_data(amount: int, path: list[str], to: str) -> bytes:
    return calldata(
        "swapExactTokensForTokensSupportingFeeOnTransferTokens(uint256,uint256,address[],address,uint256)",
        ("uint256", "uint256", "address[]", "address", "uint256"),
        (amount, 0, path, to, DEADLINE),
    )


def _revert(res: sim.SimResult) -> RevertReason | None:
    if res.ok:
        return None
    reason = decode_revert(res.data)
    if reason.kind == "empty" and res.error:
        reason = RevertReason(kind="empty", message=f"reverted without a reason ({res.error})", data="0x")
    return reason


def _out_of_gas(res: sim.SimResult) -> bool:
    return not res.ok and "outofgas" in (res.error or "").replace(" ", "").replace("_", "").lower()


def _v1_step(res: sim.SimResult, expected: int, received: int, *, erc20: bool = False) -> StepResult:
    ok = res.truthy if erc20 else res.ok
    revert = _revert(res)
    if ok is False and revert is None:
        revert = decode_revert(ERROR_SELECTOR + encode(["string"], ["the token returned false"]))
    return StepResult(
        attempted=True,
        ok=ok,
        gas_used=res.gas_used,
        expected=expected,
        received=received,
        tax=tax(expected, received) if ok else None,
        revert=revert if not ok else None,
        out_of_gas=_out_of_gas(res),
    )


def _skipped() -> StepResult:
    return StepResult(attempted=False, ok=False, gas_used=0, expected=0, received=0)


def _delta(before: sim.SimResult, after: sim.SimResult) -> int:
    b, a = before.word() or 0, after.word() or 0
    return a - b if a > b else 0


def _decode_v1_scenario(response: dict[str, Any], t: _Trade, offset: int, facts: PoolFacts) -> ScenarioResult:
    seconds = (offset) * t.block_time
    sc = ScenarioResult(label=_label(offset, seconds), block_offset=offset, seconds_offset=seconds)
    sc.token_has_code, sc.router_has_code, sc.pair = facts.token_has_code, facts.router_has_code, t.pair
    blocks = sim.results(response)
    if blocks is None or len(blocks) != 3:
        sc.error = f"eth_simulateV1 failed: {sim.error_message(response) or 'unexpected answer'}"
        return sc
    b1, b2, b3 = blocks
    if len(b1) != 5 or len(b2) != 3 or len(b3) != 4 + 3 * len(t.sell_ladder):
        sc.error = "eth_simulateV1 answered with an unexpected number of calls"
        return sc
    headers = sim.block_headers(response)
    first = headers[0] if headers else {}
    sc.block_number = first.get("number", t.number + offset + 1)
    sc.timestamp = first.get("timestamp", t.time + (offset + 1) * t.block_time)
    r0, r1 = b1[0].word(0) or 0, b1[0].word(1) or 0
    native_is_0 = int(t.wrapped, 16) < int(t.token, 16)
    sc.reserve_native, sc.reserve_token = (r0, r1) if native_is_0 else (r1, r0)
    sc.amount_in_wei = t.amount_in
    sc.buy = _v1_step(b1[3], _quoted(b1[1]), _delta(b1[2], b1[4]))
    sc.transfer, sc.approve, sc.sell = _skipped(), _skipped(), _skipped()
    if sc.buy.ok and sc.buy.received > 0:
        _v1_transfer_and_sell(sc, b1, b2, b3, t)
    _derive(sc)
    return sc


def _v1_transfer_and_sell(
    sc: ScenarioResult, b1: list[sim.SimResult], b2: list[sim.SimResult], b3: list[sim.SimResult], t: _Trade
) -> None:
    bought = b1[4].word() or 0
    if bought >= t.transfer_amount > 0:
        sc.transfer = _v1_step(b2[1], t.transfer_amount, _delta(b2[0], b2[2]), erc20=True)
    sc.approve = _v1_step(b3[0], 0, 0, erc20=True)
    if not sc.approve.ok:
        return
    balance = b3[1].word() or 0
    weth_before = b3[2]
    for k, amount in enumerate(t.sell_ladder):
        quote, swap, weth_after = b3[3 + 3 * k : 6 + 3 * k]
        if amount > balance:
            weth_before = weth_after
            continue
        sc.amount_sold = amount
        sc.sell = _v1_step(swap, _quoted(quote), _delta(weth_before, weth_after))
        if not sc.sell.ok:
            direct = b3[-1]
            if not direct.truthy:
                sc.sell.token_revert = _revert(direct) or decode_revert(b"")
        return


# --- existing holders ------------------------------------------------------------------------------


def _holder_candidates(
    holders: Sequence[tuple[str, int]], exclude: Collection[str], t: _Trade
) -> list[tuple[str, int]]:
    """(address, amount to sell) for the largest holders that are not the pair, a burn address, the
    token, the router, the wrapped coin, our own wallets or excluded by the caller."""
    skip = {a.lower() for a in exclude} | {
        a.lower() for a in (t.pair, t.token, t.router, t.wrapped, BUYER_ADDRESS, RECEIVER_ADDRESS)
    }
    skip |= {"0x" + "00" * 20, "0x000000000000000000000000000000000000dead", "0x" + "00" * 19 + "01"}
    out: list[tuple[str, int]] = []
    for address, balance in holders:
        amount = min(balance // HOLDER_SHARE, t.quote // 2)
        if address.lower() in skip or amount <= 0:
            continue
        out.append((to_checksum_address(address), amount))
        if len(out) == HOLDER_CANDIDATES:
            break
    return out


def _holder_blocks(t: _Trade, candidates: list[tuple[str, int]]) -> list[sim.SimBlock]:
    sell_path = [t.token, t.wrapped]
    sells: list[sim.SimCall] = []
    directs: list[sim.SimCall] = []
    approve = calldata("approve(address,uint256)", ("address", "uint256"), (t.router, MAX_UINT256))
    for holder, amount in candidates:
        sells += [
            t.call(holder, t.token, _balance_of(holder)),
            t.call(holder, t.token, approve),
            t.call(holder, t.router, _amounts_out(amount, sell_path)),
            t.call(holder, t.wrapped, _balance_of(holder)),
            t.call(holder, t.router, _sell_data(amount, sell_path, holder)),
            t.call(holder, t.wrapped, _balance_of(holder)),
        ]
        directs.append(
            t.call(
                holder,
                t.token,
                calldata("transfer(address,uint256)", ("address", "uint256"), (t.pair, amount)),
            )
        )
    return [t.block_of(0, 0, sells), t.block_of(0, 1, directs)]


def _decode_holders(
    report: SimulationReport,
    response: dict[str, Any],
    candidates: list[tuple[str, int]],
    codes: Sequence[dict[str, Any]],
    t: _Trade,
) -> None:
    blocks = sim.results(response)
    if blocks is None or len(blocks) != 2 or len(blocks[0]) != 6 * len(candidates):
        report.gaps.append(
            f"trade simulation: existing holders' sells failed ({sim.error_message(response) or 'no answer'})"
        )
        return
    sells, directs = blocks
    for i, (holder, amount) in enumerate(candidates):
        if len(report.holders) == MAX_HOLDERS:
            break
        if i < len(codes) and _raw_bytes(codes[i]):
            report.holders_skipped.append(f"{holder}: has code (a contract, not a wallet)")
            continue
        calls = sells[6 * i : 6 * i + 6]
        direct = directs[i] if i < len(directs) else None
        report.holders.append(_holder_sell(holder, amount, calls, direct))


def _holder_sell(
    holder: str, amount: int, calls: list[sim.SimResult], direct: sim.SimResult | None
) -> HolderSell:
    balance_r, approve, quote_r, weth_before, swap, weth_after = calls
    out = HolderSell(address=holder, balance=balance_r.word() or 0, amount=amount, gas_used=swap.gas_used)
    out.expected = _quoted(quote_r)
    if out.balance < amount:
        out.note = "its balance is below the amount offered (it moved since the logs): inconclusive"
        return out
    if not approve.truthy:
        out.can_sell = False
        out.revert = f"approve failed: {(_revert(approve) or decode_revert(b'')).plain()}"
        return out
    if out.expected == 0:
        out.note = "the router quotes nothing for this amount: inconclusive"
        return out
    out.received = _delta(weth_before, weth_after)
    out.can_sell = swap.ok and out.received > 0
    out.sell_tax = tax(out.expected, out.received) if swap.ok else None
    if not swap.ok:
        why = (_revert(swap) or decode_revert(b"")).plain()
        if direct is not None and not direct.truthy:
            why += f"; the token's own reason: {(_revert(direct) or decode_revert(b'')).plain()}"
        out.revert = why
    elif out.received == 0:
        out.revert = "the sell paid out nothing"
    return out


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
        "method": report.method,
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


def _holder_findings(report: SimulationReport) -> list[Finding]:
    stuck = report.holders_cannot_sell
    if not stuck:
        return []
    return [
        Finding(
            type="holders_cannot_sell",
            score=75,
            severity=Severity.HIGH,
            reason=f"{len(stuck)} of {len(report.holders)} existing holders could not sell a small part of "
            "their tokens while a fresh wallet could buy and sell: the token blocks wallets after they "
            f"bought (a blacklist-after-buy). {stuck[0].revert or ''}".strip(),
            evidence=_evidence(
                report,
                holders=[h.address for h in stuck],
                holder_results=[h.as_dict() for h in report.holders],
            ),
        )
    ]


def simulation_findings(report: SimulationReport) -> list[Finding]:
    """Findings from a SimulationReport: honeypot, taxes, blocked buy/transfer, delayed traps, and a
    named finding (never silence) when the simulation could not run or found no liquidity."""
    unavailable = _availability_findings(report)
    if unavailable is not None:
        return unavailable
    return [
        *_sell_findings(report),
        *_holder_findings(report),
        *_buy_findings(report),
        *_tax_findings(report),
    ]

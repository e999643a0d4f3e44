"""Fetch a pair's and its token's logs over RPC and turn them into a PoolHistory.

Round trips (each one JSON-RPC batch, split by the reader at BATCH_SIZE calls):
1. factory.getPair(token, quote), token.totalSupply(), the latest block header;
2. eth_getLogs over the bounded window [latest - max_blocks, latest] in chunks of `chunk_blocks`
   (public nodes cap a query's range): the pair's Mint, Burn, Swap, Sync and Transfer (LP) logs, and
   only the token's mints (Transfer from 0x0) and burns (Transfer to 0x0, 0x..01, 0x..dEaD), not
   every transfer of a busy token; every chunk in the same batch;
3. the token creator's balanceOf, and the headers of the blocks holding Mint/Burn/Swap logs (when
   the node does not put `blockTimestamp` in logs), at most MAX_HEADERS of them; beyond that, times
   are interpolated between evenly spaced fetched headers (a block's time is monotonic in its number).

A pool whose first Mint (LP minted to 0x0, Uniswap's MINIMUM_LIQUIDITY) is not in the window is
older than the window: its history is incomplete, and `fetch` says so instead of computing features
that would mean something else.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from eth_utils.crypto import keccak

from moneygrow.chain.reader import ChainReader, RpcError
from moneygrow.heuristics.registry import Read, as_call, call_address, call_uint, eth_call
from moneygrow.ml.liquidity import BURN_SINKS, Burn, Mint, PoolHistory, Swap

ZERO = "0x" + "00" * 20
ZERO_TOPIC = "0x" + "00" * 32
SINK_TOPICS = ["0x" + "00" * 12 + a[2:] for a in sorted(BURN_SINKS)]
MAX_HEADERS = 300
DEFAULT_MAX_BLOCKS = 250_000  # ~35 days of Ethereum blocks
DEFAULT_CHUNK_BLOCKS = 50_000


def _topic(signature: str) -> str:
    return "0x" + keccak(text=signature).hex()


MINT = _topic("Mint(address,uint256,uint256)")
BURN = _topic("Burn(address,uint256,uint256,address)")
SWAP = _topic("Swap(address,uint256,uint256,uint256,uint256,address)")
SYNC = _topic("Sync(uint112,uint112)")
TRANSFER = _topic("Transfer(address,address,uint256)")


@dataclass
class Fetched:
    """The result of one fetch: the history (None when the pool or its start is not found), why
    not, and what it cost."""

    history: PoolHistory | None
    pair: str | None
    reason: str | None = None
    rpc_requests: int = 0  # JSON-RPC requests (a batch counts once per HTTP request)
    rpc_calls: int = 0  # JSON-RPC calls inside them
    window_blocks: tuple[int, int] = (0, 0)
    notes: list[str] = field(default_factory=list)


class _Counted:
    """Counts what goes through reader._batch (the one way this module talks to the node)."""

    def __init__(self, reader: ChainReader, batch_size: int) -> None:
        self.reader = reader
        self.batch_size = batch_size
        self.requests = 0
        self.calls = 0

    def batch(self, reads: list[Read]) -> list[dict[str, Any]]:
        self.requests += -(-len(reads) // self.batch_size)
        self.calls += len(reads)
        return self.reader._batch([(r.method, r.params) for r in reads])


def _addr(topic: str) -> str:
    return "0x" + topic[-40:].lower()


def _words(data: str) -> list[int]:
    raw = bytes.fromhex(data[2:] if data.startswith("0x") else data)
    return [int.from_bytes(raw[i : i + 32], "big") for i in range(0, len(raw) - 31, 32)]


def _int(value: Any) -> int:
    return int(str(value), 16) if isinstance(value, str) else int(value or 0)


def fetch(
    reader: ChainReader,
    *,
    factory: str,
    token: str,
    quote: str,
    max_blocks: int = DEFAULT_MAX_BLOCKS,
    chunk_blocks: int = DEFAULT_CHUNK_BLOCKS,
    batch_size: int = 100,
) -> Fetched:
    rpc = _Counted(reader, batch_size)
    token, quote = token.lower(), quote.lower()
    first = rpc.batch(
        [
            eth_call(factory, "getPair(address,address)", ("address", "address"), (token, quote)),
            eth_call(token, "totalSupply()"),
            Read("eth_getBlockByNumber", ["latest", False]),
        ]
    )
    pair = call_address(as_call(first[0]))
    header = first[2].get("result") or {}
    latest, now = _int(header.get("number")), _int(header.get("timestamp"))
    out = Fetched(None, None, window_blocks=(max(0, latest - max_blocks), latest))
    if pair is None or int(pair, 16) == 0:
        out.reason = "the token has no pool against the wrapped native coin on the main DEX"
        return _done(out, rpc)
    out.pair = pair = pair.lower()
    supply = call_uint(as_call(first[1]))

    start = out.window_blocks[0]
    reads: list[Read] = []
    for lo in range(start, latest + 1, chunk_blocks):
        hi = min(latest, lo + chunk_blocks - 1)
        span = {"fromBlock": hex(lo), "toBlock": hex(hi)}
        reads.append(
            Read("eth_getLogs", [{**span, "address": pair, "topics": [[MINT, BURN, SWAP, SYNC, TRANSFER]]}])
        )
        reads.append(Read("eth_getLogs", [{**span, "address": token, "topics": [TRANSFER, ZERO_TOPIC]}]))
        reads.append(
            Read("eth_getLogs", [{**span, "address": token, "topics": [TRANSFER, None, SINK_TOPICS]}])
        )
    logs: list[dict[str, Any]] = []
    for response in rpc.batch(reads):
        if "error" in response:
            raise RpcError("eth_getLogs", response["error"])
        logs.extend(response.get("result") or [])
    # a mint to a burn address comes back from both token queries
    unique = {(str(e.get("transactionHash")), _int(e.get("logIndex"))): e for e in logs}
    logs = sorted(unique.values(), key=lambda e: (_int(e.get("blockNumber")), _int(e.get("logIndex"))))

    token0_is_quote = quote < token  # Uniswap orders a pair's tokens by address
    history = PoolHistory(pair=pair, token=token, end_timestamp=now, token_total_supply=supply)
    pool_start = _decode(logs, history, token0_is_quote)
    if pool_start is None:
        out.reason = (
            f"the pool's creation is not in the last {max_blocks:,} blocks: its history is longer than the "
            "window this service reads, so the liquidity model's features would mean something else"
        )
        return _done(out, rpc)
    _stamp(rpc, logs, history, token0_is_quote, now, latest)
    out.history = history
    return _done(out, rpc)


def _done(out: Fetched, rpc: _Counted) -> Fetched:
    out.rpc_requests, out.rpc_calls = rpc.requests, rpc.calls
    return out


def _transfers(logs: list[dict[str, Any]], address: str) -> list[tuple[int, str, str, int]]:
    """(block, from, to, value) of the ERC-20 Transfer logs `address` emitted, in log order."""
    out = []
    for e in logs:
        topics = e.get("topics") or []
        if str(e.get("address", "")).lower() == address and len(topics) == 3 and topics[0] == TRANSFER:
            out.append((_int(e.get("blockNumber")), _addr(topics[1]), _addr(topics[2]), _words(e["data"])[0]))
    return out


def _decode(logs: list[dict[str, Any]], history: PoolHistory, token0_is_quote: bool) -> int | None:
    """Fill the history's balances and token facts; return the pool's creation block (its first
    LP mint to 0x0, Uniswap's MINIMUM_LIQUIDITY) or None. Mint/Burn/Swap get their times in _stamp."""
    lp: dict[str, int] = defaultdict(int)
    pool_start: int | None = None
    for block, src, dst, value in _transfers(logs, history.pair):
        if src == ZERO and dst == ZERO and pool_start is None:
            pool_start = block
        lp[src] -= value
        lp[dst] += value
    history.lp_balances = {a: v for a, v in lp.items() if v > 0 and a != ZERO}
    for _, src, dst, value in _transfers(logs, history.token):
        if src == ZERO and dst != ZERO and history.token_creator is None:
            history.token_creator = dst
        if dst in BURN_SINKS:
            history.token_burnt += value
    return pool_start


def _tx_lp_transfers(logs: list[dict[str, Any]], pair: str) -> dict[str, list[tuple[int, str, str, int]]]:
    """tx hash -> the pair's LP Transfer logs in it: (log index, from, to, value)."""
    out: dict[str, list[tuple[int, str, str, int]]] = defaultdict(list)
    for e in logs:
        topics = e.get("topics") or []
        if (
            str(e.get("address", "")).lower() == pair
            and topics
            and topics[0] == TRANSFER
            and len(topics) == 3
        ):
            out[str(e.get("transactionHash"))].append(
                (_int(e.get("logIndex")), _addr(topics[1]), _addr(topics[2]), _words(e["data"])[0])
            )
    return out


def _stamp(
    rpc: _Counted,
    logs: list[dict[str, Any]],
    history: PoolHistory,
    token0_is_quote: bool,
    now: int,
    latest: int,
) -> None:
    pair = history.pair
    events = [
        e
        for e in logs
        if str(e.get("address", "")).lower() == pair
        and (e.get("topics") or [""])[0] in (MINT, BURN, SWAP, SYNC)
    ]
    creator = history.token_creator
    extra = (
        [] if creator is None else [eth_call(history.token, "balanceOf(address)", ("address",), (creator,))]
    )
    clock = _Clock(rpc, events, now, latest, extra)
    if clock.extra:
        history.token_creator_balance = call_uint(as_call(clock.extra[0]))
    transfers = _tx_lp_transfers(logs, pair)
    for e in events:
        topic, index = e["topics"][0], _int(e.get("logIndex"))
        words = _words(e.get("data") or "0x")
        in_tx = [t for t in transfers.get(str(e.get("transactionHash")), []) if t[0] < index]
        if topic == SYNC:
            history.quote_reserve = words[0] if token0_is_quote else words[1]
            continue
        t = clock.time(e)
        if topic == MINT:
            minted = [t for t in in_tx if t[1] == ZERO and t[2] != ZERO]
            if minted:
                history.mints.append(Mint(t, minted[-1][2], minted[-1][3]))
        elif topic == BURN:
            burnt = [t for t in in_tx if t[1] == pair and t[2] == ZERO]
            returned = [t for t in in_tx if t[2] == pair]
            sender = returned[-1][1] if returned else _addr(e["topics"][2])  # else the Burn's `to`
            history.burns.append(Burn(t, sender, burnt[-1][3] if burnt else 0))
        else:
            a0_in, a1_in, a0_out, a1_out = words[:4]
            quote_in, quote_out = (a0_in, a0_out) if token0_is_quote else (a1_in, a1_out)
            history.swaps.append(Swap(t, quote_in, quote_out))


class _Clock:
    """Block number -> timestamp: the log's own blockTimestamp, else fetched headers (all of them
    up to MAX_HEADERS, else evenly spaced ones and linear interpolation between them). The headers
    ride in one batch with `extra` reads (the creator's balance); their answers are in .extra."""

    def __init__(
        self, rpc: _Counted, events: list[dict[str, Any]], now: int, latest: int, extra: list[Read]
    ) -> None:
        self.known: dict[int, int] = {latest: now}
        missing = sorted(
            {_int(e.get("blockNumber")) for e in events if e.get("blockTimestamp") is None} - {latest}
        )
        if len(missing) > MAX_HEADERS:
            step = len(missing) / MAX_HEADERS
            missing = sorted({missing[int(i * step)] for i in range(MAX_HEADERS)} | {missing[0], missing[-1]})
        reads = extra + [Read("eth_getBlockByNumber", [hex(b), False]) for b in missing]
        responses = rpc.batch(reads) if reads else []
        self.extra = responses[: len(extra)]
        for b, r in zip(missing, responses[len(extra) :], strict=True):
            if isinstance(r.get("result"), dict):
                self.known[b] = _int(r["result"].get("timestamp"))
        self.blocks = sorted(self.known)

    def time(self, event: dict[str, Any]) -> int:
        if event.get("blockTimestamp") is not None:
            return _int(event["blockTimestamp"])
        block = _int(event.get("blockNumber"))
        if block in self.known:
            return self.known[block]
        i = bisect.bisect_left(self.blocks, block)
        if i == 0:
            return self.known[self.blocks[0]]
        if i == len(self.blocks):
            return self.known[self.blocks[-1]]
        b0, b1 = self.blocks[i - 1], self.blocks[i]
        t0, t1 = self.known[b0], self.known[b1]
        return int(t0 + (t1 - t0) * (block - b0) / (b1 - b0))

"""A token's market history from an RPC node, read newest first within a hard budget.

One eth_getLogs filter covers the token's Transfer and OwnershipTransferred events and its pair's
Swap events. Chunks start small (`first_span` blocks back from the head) and grow `growth` times per
call, so a quiet token reaches far back in few calls and a busy one stops early: after `max_calls`
calls or `max_logs` logs the reading stops and the history says why (`truncated`), instead of
reconstructing holders or trades from a window it knows is partial. A node that refuses a range
("too many results", a range cap) gets the same range again in smaller chunks.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from moneygrow.chain.reader import ZERO_ADDRESS, ChainReader
from moneygrow.heuristics.registry import (
    OWNERSHIP_TOPIC,
    TRANSFER_TOPIC,
    TokenLogs,
    topic_address,
    word_uint,
)

SWAP_TOPIC = "0x" + keccak(text="Swap(address,uint256,uint256,uint256,uint256,address)").hex()
DEFAULT_BLOCK_TIME_S = 12


@dataclass(frozen=True)
class LogBudget:
    """Bounded work per analysis (the numbers are documented in README, "Smart money")."""

    max_calls: int = 8  # eth_getLogs round trips
    max_logs: int = 20_000  # past this the token is too busy to reconstruct from logs here
    first_span: int = 512  # blocks in the newest chunk
    growth: int = 4  # each further chunk is this many times larger ...
    max_span: int = 50_000  # ... up to this many blocks


@dataclass(frozen=True)
class Transfer:
    block: int
    tx_index: int
    log_index: int
    tx: str
    src: str
    dst: str
    value: int


@dataclass(frozen=True)
class Swap:
    block: int
    tx_index: int
    log_index: int
    tx: str
    sender: str
    to: str
    amount0_in: int
    amount1_in: int
    amount0_out: int
    amount1_out: int


@dataclass
class History:
    token: str
    pair: str | None
    head: int
    from_block: int
    transfers: list[Transfer] = field(default_factory=list)
    swaps: list[Swap] = field(default_factory=list)
    ownership: list[tuple[int, str, str]] = field(default_factory=list)
    calls: int = 0
    truncated: str | None = None  # why the window stops short of what was asked
    error: str | None = None

    @property
    def complete(self) -> bool:
        """The whole history since genesis was read."""
        return self.error is None and self.truncated is None and self.from_block == 0

    @property
    def covers_launch(self) -> bool:
        """The window holds the first mint (or starts at genesis): the launch can be examined."""
        return self.complete or any(t.src == ZERO_ADDRESS for t in self.transfers)

    def token_logs(self) -> TokenLogs:
        """The same window as the heuristics' TokenLogs (holders ranking, first mint, owners)."""
        logs = TokenLogs(self.from_block, self.head, error=self.error)
        logs.transfers = [(t.block, t.src, t.dst, t.value) for t in self.transfers]
        logs.ownership = list(self.ownership)
        return logs


def _int(value: Any) -> int:
    return int(str(value or "0x0"), 16)


def _parse(history: History, entries: list[dict[str, Any]]) -> None:
    token, pair = history.token.lower(), (history.pair or "").lower()
    for e in entries:
        topics = e.get("topics") or []
        address = str(e.get("address") or "").lower()
        if not topics:
            continue
        where = (_int(e.get("blockNumber")), _int(e.get("transactionIndex")), _int(e.get("logIndex")))
        tx = str(e.get("transactionHash") or "")
        data = bytes.fromhex(str(e.get("data") or "0x")[2:])
        if address == token and topics[0] == TRANSFER_TOPIC and len(topics) == 3:
            value = word_uint(data)
            if value is not None:
                history.transfers.append(
                    Transfer(*where, tx, topic_address(topics[1]), topic_address(topics[2]), value)
                )
        elif address == token and topics[0] == OWNERSHIP_TOPIC and len(topics) == 3:
            history.ownership.append((where[0], topic_address(topics[1]), topic_address(topics[2])))
        elif address == pair and topics[0] == SWAP_TOPIC and len(topics) == 3 and len(data) >= 128:
            amounts = [word_uint(data, i) or 0 for i in range(4)]
            history.swaps.append(
                Swap(*where, tx, topic_address(topics[1]), topic_address(topics[2]), *amounts)
            )


def fetch_history(
    reader: ChainReader, token: str, pair: str | None, head: int, window_blocks: int, budget: LogBudget
) -> History:
    """The token's (and its pair's) logs over the last `window_blocks` blocks, newest first, within
    `budget`. Logs come back in chain order."""
    lower = max(0, head - window_blocks + 1)
    history = History(to_checksum_address(token), pair, head, lower)
    addresses = [history.token] + ([pair] if pair else [])
    topics = [[TRANSFER_TOPIC, SWAP_TOPIC, OWNERSHIP_TOPIC]]
    to, span, count = head, budget.first_span, 0
    while to >= lower:
        if history.calls >= budget.max_calls:
            history.truncated = f"read budget: {budget.max_calls} eth_getLogs calls reached block {to + 1}"
            break
        start = max(lower, to - span + 1)
        flt = {"address": addresses, "fromBlock": hex(start), "toBlock": hex(to), "topics": topics}
        [response] = reader._batch([("eth_getLogs", [flt])])
        history.calls += 1
        if "error" in response:
            if span > 1:  # the node caps ranges or results: the same range in smaller chunks
                span = max(1, span // budget.growth)
                continue
            history.error = str(response["error"])[:200]
            break
        entries = list(response.get("result") or [])
        count += len(entries)
        if count > budget.max_logs:
            history.truncated = (
                f"more than {budget.max_logs} logs in blocks {start}-{head}: the token is too busy "
                "to reconstruct from logs within the read budget"
            )
            history.from_block = start
            return history
        _parse(history, entries)
        to = start - 1
        span = min(budget.max_span, span * budget.growth)
    history.from_block = to + 1
    for items in (history.transfers, history.swaps):
        items.sort(key=lambda x: (x.block, x.tx_index, x.log_index))
    history.ownership.sort()
    return history


# --- block times ------------------------------------------------------------------------------------


def sample_blocks(blocks: Iterable[int], limit: int) -> list[int]:
    """At most `limit` of the distinct blocks, spread evenly (first and last always in)."""
    distinct = sorted(set(blocks))
    if len(distinct) <= limit:
        return distinct
    step = (len(distinct) - 1) / (limit - 1)
    return sorted({distinct[round(i * step)] for i in range(limit)})


class Clock:
    """Block number -> unix time, from the timestamps of some blocks (linear in between)."""

    def __init__(self, known: dict[int, int]) -> None:
        self.blocks = sorted(known)
        self.times = [known[b] for b in self.blocks]

    def at(self, block: int) -> int:
        if not self.blocks:
            return 0
        i = bisect.bisect_left(self.blocks, block)
        if i < len(self.blocks) and self.blocks[i] == block:
            return self.times[i]
        lo, hi = max(0, min(i - 1, len(self.blocks) - 2)), min(len(self.blocks) - 1, max(i, 1))
        if lo == hi:  # one known block: assume the usual block time
            return self.times[lo] + (block - self.blocks[lo]) * DEFAULT_BLOCK_TIME_S
        b0, b1, t0, t1 = self.blocks[lo], self.blocks[hi], self.times[lo], self.times[hi]
        return round(t0 + (block - b0) * (t1 - t0) / (b1 - b0))

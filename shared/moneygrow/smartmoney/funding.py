"""Wallets the deployer funded around the launch: the holders that may be the deployer's own.

A fake distribution looks like many independent buyers; what gives it away is where their gas came
from. Around the launch (LAUNCH_BEFORE blocks before the first mint or pool deposit to LAUNCH_AFTER
after the first trade, at most MAX_BLOCKS blocks, read with full transactions in one batch) every
plain native-coin transfer is an edge, and so is every token transfer in the window; the wallets
reachable from the deployer in at most MAX_HOPS edges are linked, with the path as evidence.
Native coin sent through a contract (an internal transfer) is not seen without traces or an explorer.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from eth_utils.address import to_checksum_address

from moneygrow.chain.reader import ZERO_ADDRESS, ChainReader
from moneygrow.smartmoney.history import History

LAUNCH_BEFORE = 40
LAUNCH_AFTER = 16
MAX_BLOCKS = 64  # full blocks are heavy on a busy chain: one batch, bounded
MAX_HOPS = 2


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    via: str  # "native" | "token"
    block: int
    amount: int


@dataclass(frozen=True)
class Link:
    wallet: str
    path: tuple[Edge, ...]  # deployer -> ... -> wallet

    @property
    def via(self) -> str:
        """ "native" when gas money from the deployer is on the path: the deployer paid for the wallet."""
        return "native" if any(e.via == "native" for e in self.path) else "token"


def launch_window(history: History, pair: str | None) -> tuple[int, int] | None:
    """(first, last) block to read around the launch; None when the window missed the launch."""
    if not history.covers_launch:
        return None
    starts = [t.block for t in history.transfers if t.src == ZERO_ADDRESS]
    starts += [t.block for t in history.transfers if pair is not None and t.dst == pair]
    if not starts and not history.transfers:
        return None
    first = min(starts) if starts else history.transfers[0].block
    first_trade = history.swaps[0].block if history.swaps else first
    end = min(history.head, max(first, first_trade) + LAUNCH_AFTER)
    start = max(0, first - LAUNCH_BEFORE, end - MAX_BLOCKS + 1)
    return start, end


def native_edges(reader: ChainReader, start: int, end: int) -> list[Edge]:
    """Plain native-coin transfers (value, no calldata, to an address) in blocks start..end."""
    blocks = reader._batch([("eth_getBlockByNumber", [hex(b), True]) for b in range(start, end + 1)])
    out: list[Edge] = []
    for response in blocks:
        block: dict[str, Any] = response.get("result") or {}
        for tx in block.get("transactions") or []:
            value = int(str(tx.get("value") or "0x0"), 16)
            if value > 0 and tx.get("to") and str(tx.get("input") or "0x") in ("0x", ""):
                out.append(
                    Edge(
                        to_checksum_address(tx["from"]),
                        to_checksum_address(tx["to"]),
                        "native",
                        int(str(block.get("number") or "0x0"), 16),
                        value,
                    )
                )
    return out


def token_edges(history: History, start: int, end: int) -> list[Edge]:
    return [
        Edge(t.src, t.dst, "token", t.block, t.value) for t in history.transfers if start <= t.block <= end
    ]


def linked_wallets(deployer: str, edges: list[Edge], stop: set[str]) -> dict[str, Link]:
    """Wallets reachable from the deployer in <= MAX_HOPS edges, not through `stop` (pools, routers,
    the token, burn addresses, exchanges): the shortest path to each, preferring native coin."""
    out_edges: dict[str, list[Edge]] = {}
    for e in sorted(edges, key=lambda e: (e.via != "native", e.block)):
        if e.src != e.dst:
            out_edges.setdefault(e.src, []).append(e)
    found: dict[str, Link] = {}
    queue: deque[tuple[str, tuple[Edge, ...]]] = deque([(deployer, ())])
    while queue:
        wallet, path = queue.popleft()
        if len(path) >= MAX_HOPS:
            continue
        for e in out_edges.get(wallet, []):
            if e.dst == deployer or e.dst in stop or e.dst in found:
                continue
            found[e.dst] = Link(e.dst, (*path, e))
            queue.append((e.dst, (*path, e)))
    return found

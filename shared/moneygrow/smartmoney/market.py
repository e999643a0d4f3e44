"""One token's market as the logs show it: the pair, the trades, each wallet's position.

Shared by the smart-money agent (one token, then holders, whales, funding) and the registry job
(every tracked token, then wallet records). Round trips: one batch (head, code, ERC-20 metadata,
getPair against the wrapped native coin and the stablecoins), one for the pair (token0, reserves),
then the bounded log reading (moneygrow.smartmoney.history).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moneygrow.chain.networks import Network
from moneygrow.chain.reader import ZERO_ADDRESS, ChainReader, _decode_field
from moneygrow.chains import Chain
from moneygrow.heuristics.registry import (
    Read,
    as_bytes,
    as_call,
    call_address,
    call_uint,
    checksum,
    eth_call,
    get_code,
)
from moneygrow.smartmoney.history import History, LogBudget, fetch_history
from moneygrow.smartmoney.trades import Position, Trade, peak_price, positions, trades

# Seconds per block, to turn the 7-day window into blocks (a day more, so the 7-day flows are whole).
BLOCK_TIME_S: dict[Chain, float] = {Chain.ETHEREUM: 12.0, Chain.BSC: 3.0, Chain.POLYGON: 2.0}
WINDOW_S = 8 * 86_400
_ERC20 = {"name": "name()", "symbol": "symbol()", "decimals": "decimals()", "total_supply": "totalSupply()"}


@dataclass
class Market:
    token: str
    head: dict[str, Any]
    code: bytes
    meta: dict[str, Any]
    pair: str | None = None
    quote: str | None = None  # the quote coin's symbol
    quote_decimals: int = 18
    token_is_token0: bool = True
    reserves: tuple[int, int] | None = None  # (token, quote)
    history: History | None = None
    trades: list[Trade] = field(default_factory=list)
    positions: dict[str, Position] = field(default_factory=dict)
    rpc_round_trips: int = 0

    @property
    def head_number(self) -> int:
        return int(str(self.head.get("number") or "0x0"), 16)

    @property
    def head_time(self) -> int:
        return int(str(self.head.get("timestamp") or "0x0"), 16)

    @property
    def price(self) -> float | None:
        """Quote units per token unit at the pool's reserves."""
        if not self.reserves or not self.reserves[0]:
            return None
        return self.reserves[1] / self.reserves[0]

    @property
    def peak(self) -> float | None:
        return peak_price(self.trades)

    def human_price(self, price: float | None) -> float | None:
        """Quote coins per whole token."""
        decimals = self.meta.get("decimals")
        if price is None or decimals is None:
            return None
        return float(price * 10.0 ** (int(decimals) - self.quote_decimals))

    def quote_amount(self, units: int | None) -> float | None:
        return None if units is None else units / 10**self.quote_decimals


def _quotes(network: Network, token: str) -> dict[str, str]:
    found = {network.native_symbol: network.wrapped_native, **network.stablecoins}
    return {s: checksum(a) for s, a in found.items() if a.lower() != token.lower()}


def _batch(reader: ChainReader, reads: dict[str, Read]) -> dict[str, dict[str, Any]]:
    keys = list(reads)
    responses = reader._batch([(reads[k].method, reads[k].params) for k in keys])
    return dict(zip(keys, responses, strict=True))


def read_market(
    reader: ChainReader, network: Network, token: str, budget: LogBudget, *, window_s: int = WINDOW_S
) -> Market:
    token = checksum(token)
    quotes = _quotes(network, token)
    reads: dict[str, Read] = {
        "head": Read("eth_getBlockByNumber", ["latest", False]),
        "code": get_code(token),
        **{f"erc20.{k}": eth_call(token, sig) for k, sig in _ERC20.items()},
        **{
            f"pair.{sym}": eth_call(
                network.dex.factory, "getPair(address,address)", ("address", "address"), (token, addr)
            )
            for sym, addr in quotes.items()
        },
        **{f"dec.{sym}": eth_call(addr, "decimals()") for sym, addr in quotes.items()},
    }
    got = _batch(reader, reads)
    head = dict(got["head"].get("result") or {})
    market = Market(
        token=token,
        head=head,
        code=as_bytes("eth_getCode", got["code"]),
        meta={k: _decode_field(k, as_call(got[f"erc20.{k}"])) for k in _ERC20},
        rpc_round_trips=1,
    )
    if not market.code:
        return market
    at = hex(market.head_number)
    for sym in quotes:  # the wrapped native coin first, then the stablecoins
        pair = call_address(as_call(got[f"pair.{sym}"]))
        if pair is not None and pair != ZERO_ADDRESS:
            market.pair, market.quote = pair, sym
            market.quote_decimals = call_uint(as_call(got[f"dec.{sym}"])) or 18
            break
    if market.pair is not None:
        pair_reads = {
            "token0": Read("eth_call", [{"to": market.pair, "data": "0x0dfe1681"}, at]),
            "reserves": Read("eth_call", [{"to": market.pair, "data": "0x0902f1ac"}, at]),
        }
        pair_got = _batch(reader, pair_reads)
        market.rpc_round_trips += 1
        market.token_is_token0 = call_address(as_call(pair_got["token0"])) == token
        r0, r1 = call_uint(as_call(pair_got["reserves"]), 0), call_uint(as_call(pair_got["reserves"]), 1)
        if r0 is not None and r1 is not None:
            market.reserves = (r0, r1) if market.token_is_token0 else (r1, r0)
    window = int(window_s / BLOCK_TIME_S.get(network.chain, 12.0))
    market.history = fetch_history(reader, token, market.pair, market.head_number, window, budget)
    market.rpc_round_trips += market.history.calls
    if market.history.truncated is None:
        market.trades = trades(market.history, market.token_is_token0)
        market.positions = positions(market.trades)
    return market

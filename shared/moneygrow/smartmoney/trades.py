"""Swaps attributed to wallets, and what each wallet's position in the token did.

A swap on the pair is a buy when the pair sends the token out, a sell when the token comes in. The
trader is the wallet on the other side of the token's Transfer in the same transaction (the buyer
receives from the pair, the seller sends to it): through a router the Swap event names the router,
not the wallet. Amounts and prices are in the token's and the quote coin's smallest units; a price is
quote units per token unit (scale by 10**(token decimals - quote decimals) for a human price).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from moneygrow.smartmoney.history import History, Transfer


@dataclass(frozen=True)
class Trade:
    wallet: str
    side: str  # "buy" | "sell"
    block: int
    tx_index: int
    tx: str
    token_amount: int
    quote_amount: int

    @property
    def price(self) -> float:
        return self.quote_amount / self.token_amount if self.token_amount else 0.0


def trades(history: History, token_is_token0: bool) -> list[Trade]:
    """Every swap of the pair in the window, as a buy or sell by the wallet behind it."""
    if history.pair is None:
        return []
    pair = history.pair
    by_tx: dict[str, list[Transfer]] = defaultdict(list)
    for t in history.transfers:
        by_tx[t.tx].append(t)
    out: list[Trade] = []
    for s in history.swaps:
        token_in, token_out = (
            (s.amount0_in, s.amount0_out) if token_is_token0 else (s.amount1_in, s.amount1_out)
        )
        quote_in, quote_out = (
            (s.amount1_in, s.amount1_out) if token_is_token0 else (s.amount0_in, s.amount0_out)
        )
        moves = by_tx.get(s.tx, [])
        if token_out > token_in:
            received = [t for t in moves if t.src == pair and t.dst != pair]
            wallet = max(received, key=lambda t: t.value).dst if received else s.to
            out.append(Trade(wallet, "buy", s.block, s.tx_index, s.tx, token_out - token_in, quote_in))
        elif token_in > token_out:
            sent = [t for t in moves if t.dst == pair and t.src != pair]
            wallet = max(sent, key=lambda t: t.value).src if sent else s.sender
            out.append(Trade(wallet, "sell", s.block, s.tx_index, s.tx, token_in - token_out, quote_out))
    return out


@dataclass
class Position:
    """One wallet's trading in one token over the window (DEX trades only)."""

    wallet: str
    buys: int = 0
    sells: int = 0
    bought: int = 0  # token units
    spent: int = 0  # quote units
    sold: int = 0
    received: int = 0
    first_buy: Trade | None = None
    last_sell: Trade | None = None
    entry_rank: int | None = None  # 0 = the first wallet to buy in the window
    sandwiches: int = 0  # times it bought before and sold after someone else's trade in one block
    trades: list[Trade] = field(default_factory=list)

    @property
    def entry_price(self) -> float | None:
        return self.spent / self.bought if self.bought else None

    @property
    def exit_price(self) -> float | None:
        return self.received / self.sold if self.sold else None

    @property
    def closed_share(self) -> float:
        return min(1.0, self.sold / self.bought) if self.bought else 0.0

    @property
    def realised_pnl(self) -> int | None:
        """Quote units gained on what was sold, at the average buy price; None without a buy."""
        if not self.bought or not self.sold:
            return None
        return self.received - round(self.spent * min(self.sold, self.bought) / self.bought)

    @property
    def realised_roi(self) -> float | None:
        pnl = self.realised_pnl
        cost = self.spent * min(self.sold, self.bought) / self.bought if self.bought else 0
        return pnl / cost if pnl is not None and cost else None

    def unrealised_pnl(self, balance: int, price: float | None) -> int | None:
        """Quote units the tokens still held would gain if sold at `price` (no slippage)."""
        if price is None or not self.bought or balance <= 0:
            return None
        cost = self.spent * min(balance, self.bought) / self.bought
        return round(balance * price - cost)


def positions(trade_list: list[Trade]) -> dict[str, Position]:
    """Per wallet, in chain order, with entry ranks and sandwich counts."""
    out: dict[str, Position] = {}
    rank = 0
    for t in sorted(trade_list, key=lambda t: (t.block, t.tx_index)):
        p = out.setdefault(t.wallet, Position(t.wallet))
        p.trades.append(t)
        if t.side == "buy":
            p.buys += 1
            p.bought += t.token_amount
            p.spent += t.quote_amount
            if p.first_buy is None:
                p.first_buy, p.entry_rank = t, rank
                rank += 1
        else:
            p.sells += 1
            p.sold += t.token_amount
            p.received += t.quote_amount
            p.last_sell = t
    for wallet, count in sandwiches(trade_list).items():
        out[wallet].sandwiches = count
    return out


def sandwiches(trade_list: list[Trade]) -> dict[str, int]:
    """Wallets that bought right before and sold right after another wallet's trade in the same block
    (a sandwich): {wallet: how many times}."""
    by_block: dict[int, list[Trade]] = defaultdict(list)
    for t in trade_list:
        by_block[t.block].append(t)
    found: dict[str, int] = defaultdict(int)
    for block_trades in by_block.values():
        if len(block_trades) < 3:
            continue
        ordered = sorted(block_trades, key=lambda t: t.tx_index)
        for i, first in enumerate(ordered):
            if first.side != "buy":
                continue
            for k in range(i + 2, len(ordered)):
                last = ordered[k]
                if last.wallet == first.wallet and last.side == "sell":
                    if any(m.wallet != first.wallet for m in ordered[i + 1 : k]):
                        found[first.wallet] += 1
                    break
    return dict(found)


def peak_price(trade_list: list[Trade]) -> float | None:
    prices = [t.price for t in trade_list if t.token_amount]
    return max(prices) if prices else None

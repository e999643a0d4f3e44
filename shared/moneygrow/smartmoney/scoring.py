"""How a wallet earns "smart": its record across several tokens, not one lucky trade.

Per token the registry job keeps a `TokenRecord` of the wallet's trading there (from the pair's
swaps): was it early, did it take a profit, did it sell near the top, did it sandwich others. The
wallet's score combines those records:

    score = 100 * (W_WIN * win_rate + W_EARLY * early_rate + W_TOP * top_exit_rate) * evidence

- win: at least MIN_CLOSED of the position sold, at a realised return >= MIN_ROI;
- early: among the first EARLY_PERCENTILE of the token's buyers in the window (rank / buyers);
- top exit: the average sell price >= TOP_EXIT of the highest price paid in that pair;
- evidence = min(1, tokens traded / MIN_TOKENS): one trade, however lucky, scores at most a third.

A wallet is smart when score >= SMART_SCORE, it traded >= MIN_TOKENS tokens with >= MIN_WINS wins,
and it is neither an MEV bot (>= MEV_SANDWICHES sandwiches: its profit is taken from other traders,
not from judgement) nor a labelled exchange, bridge or DEX contract.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from moneygrow.smartmoney.trades import Position

W_WIN, W_EARLY, W_TOP = 0.4, 0.3, 0.3
MIN_TOKENS = 3
MIN_WINS = 2
MIN_ROI = 0.20
MIN_CLOSED = 0.5
EARLY_PERCENTILE = 0.30
TOP_EXIT = 0.70
SMART_SCORE = 60
MEV_SANDWICHES = 2
# Labelled entities that are never smart money (their flows are customers', users' or arbitrage).
NOT_SMART_CATEGORIES = frozenset({"cex", "bridge", "dex_or_defi", "mev_bot", "malicious", "token"})

PARAMETERS: dict[str, Any] = {
    "weights": {"win": W_WIN, "early": W_EARLY, "top_exit": W_TOP},
    "min_tokens": MIN_TOKENS,
    "min_wins": MIN_WINS,
    "min_roi": MIN_ROI,
    "min_closed_share": MIN_CLOSED,
    "early_percentile": EARLY_PERCENTILE,
    "top_exit": TOP_EXIT,
    "smart_score": SMART_SCORE,
    "mev_sandwiches": MEV_SANDWICHES,
}


@dataclass(frozen=True)
class TokenRecord:
    """A wallet's trading in one token (what the registry stores per wallet and token)."""

    token: str
    buys: int
    sells: int
    early: bool
    win: bool
    top_exit: bool
    roi: float | None
    realised_pnl: int | None  # quote units
    quote: str  # the pair's quote coin (symbol)
    sandwiches: int
    first_block: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TokenRecord:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})  # type: ignore[arg-type]


def token_record(token: str, quote: str, p: Position, buyers: int, peak: float | None) -> TokenRecord:
    roi = p.realised_roi
    exit_price = p.exit_price
    return TokenRecord(
        token=token,
        buys=p.buys,
        sells=p.sells,
        early=p.entry_rank is not None and buyers > 0 and p.entry_rank < max(1.0, EARLY_PERCENTILE * buyers),
        win=roi is not None and roi >= MIN_ROI and p.closed_share >= MIN_CLOSED,
        top_exit=exit_price is not None and peak is not None and peak > 0 and exit_price >= TOP_EXIT * peak,
        roi=None if roi is None else round(roi, 4),
        realised_pnl=p.realised_pnl,
        quote=quote,
        sandwiches=p.sandwiches,
        first_block=p.first_buy.block if p.first_buy else None,
    )


@dataclass(frozen=True)
class WalletScore:
    score: int
    smart: bool
    mev: bool
    tokens: int
    wins: int
    early: int
    top_exits: int
    why: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def score_wallet(records: list[TokenRecord], category: str = "") -> WalletScore:
    traded = [r for r in records if r.buys > 0]
    n = len(traded)
    wins = sum(r.win for r in traded)
    early = sum(r.early for r in traded)
    tops = sum(r.top_exit for r in traded)
    mev = sum(r.sandwiches for r in records) >= MEV_SANDWICHES or category == "mev_bot"
    if n == 0:
        return WalletScore(0, False, mev, 0, 0, 0, 0, "no buys in tracked pairs")
    raw = W_WIN * wins / n + W_EARLY * early / n + W_TOP * tops / n
    score = round(100 * raw * min(1.0, n / MIN_TOKENS))
    why = f"{n} tokens traded: {wins} profitable exits, {early} early entries, {tops} exits near the top"
    smart = score >= SMART_SCORE and n >= MIN_TOKENS and wins >= MIN_WINS
    if mev:
        smart, why = False, why + "; sandwiches other traders (MEV bot), not smart money"
    elif category in NOT_SMART_CATEGORIES:
        smart, why = False, why + f"; labelled {category}, not smart money"
    return WalletScore(score, smart, mev, n, wins, early, tops, why)

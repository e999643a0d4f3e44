"""A Uniswap-V2 pool's behaviour -> the rugpull_liquidity_features columns (pure functions, no I/O).

The labelled data (MONEYGROW_DATA_DIR/rugpull_liquidity_features, from kangmyoungseok/RugPull-
Prediction-AI) computed its 18 features from The Graph's Mint/Burn/Swap entities and Bitquery
balances at a "feature timestamp" (a rug pull's own time for positives, one day to a week after
the pool's creation for negatives). The same definitions, from a pair's and its token's logs
(moneygrow.ml.pool_logs fetches them), over the window [first Mint, end of window]:

  t0 = the first Mint's time; active = (the last Mint/Burn/Swap's time) - t0, in seconds;
  weeks1 = active / 604800 + 1  (the source adds 1 so a pool younger than a week is not divided by ~0)

  mint_count_per_week   Mints / weeks1              burn_count_per_week   Burns / weeks1
  mint_ratio            Mints / (Mints+Burns+Swaps) swap_ratio, burn_ratio  likewise
  mint_mean_period      mean(t - t0 over Mints) / active (0 without Mints, or when active is 0)
  swap_mean_period, burn_mean_period   likewise for Swaps, Burns
  swap_in_per_week      Swaps paying the quote coin (WETH) in, i.e. buys / weeks1
  swap_out_per_week     Swaps taking the quote coin out, i.e. sells / weeks1
  swap_rate             buys / (sells + 1)
  LP holders by the source's accounting: a Mint adds its LP to the account the LP was minted to, a
  Burn subtracts it from the account that sent the LP back to the pair (LP moved between wallets is
  not followed; holders left with < 1e-17 LP dropped). total_lp = the sum of their LP.
  lp_avg                100 / number of holders (the mean holding, in percent)
  lp_std                standard deviation of the holdings in percent of total_lp
  lp_creator_holding_ratio  the first LP provider's actual LP balance (Transfer logs) / total_lp
  lp_lock_ratio         (the first provider's LP by the accounting - its actual balance) / total_lp:
                        LP it moved away (to a locker, a burn address or anyone else)
  token_burn_ratio      tokens sent to 0x0, 0x..01 or 0x..dEaD / the token's current totalSupply
  token_creator_holding_ratio  the token creator's balance / current totalSupply; the creator is
                        the recipient of the token's first mint (the source's "receiver")
  number_of_token_creation_of_creator  how many of the data set's pools the same creator made: a
                        count relative to that data set, not computable from one token's logs, so
                        the model does not use it (grouped evaluation: no loss, ml/REPORT.md).

Window-dependent features (the README's caveat: negatives' windows are fixed, positives' stop at
the rug) are the per-week counts and the mean periods: WINDOW_FEATURES. End-of-window state:
STATE_FEATURES.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

WEEK_S = 7 * 24 * 3600
LP_DUST = 10  # wei of LP (1e-17 LP at 18 decimals): the source drops holders below this

DATASET_FEATURES: tuple[str, ...] = (
    "mint_count_per_week",
    "burn_count_per_week",
    "mint_ratio",
    "swap_ratio",
    "burn_ratio",
    "mint_mean_period",
    "swap_mean_period",
    "burn_mean_period",
    "swap_in_per_week",
    "swap_out_per_week",
    "swap_rate",
    "lp_avg",
    "lp_std",
    "lp_creator_holding_ratio",
    "lp_lock_ratio",
    "token_burn_ratio",
    "token_creator_holding_ratio",
    "number_of_token_creation_of_creator",
)
NOT_FROM_LOGS = frozenset({"number_of_token_creation_of_creator"})
FEATURE_NAMES: tuple[str, ...] = tuple(n for n in DATASET_FEATURES if n not in NOT_FROM_LOGS)
WINDOW_FEATURES = frozenset(
    {
        "mint_count_per_week",
        "burn_count_per_week",
        "swap_in_per_week",
        "swap_out_per_week",
        "mint_mean_period",
        "swap_mean_period",
        "burn_mean_period",
    }
)
STATE_FEATURES = frozenset(
    {
        "lp_avg",
        "lp_std",
        "lp_creator_holding_ratio",
        "lp_lock_ratio",
        "token_burn_ratio",
        "token_creator_holding_ratio",
    }
)
BURN_SINKS = frozenset(
    {
        "0x0000000000000000000000000000000000000000",
        "0x0000000000000000000000000000000000000001",
        "0x000000000000000000000000000000000000dead",
    }
)


@dataclass(frozen=True)
class Mint:
    timestamp: int
    to: str  # the account the LP was minted to
    liquidity: int  # LP minted (wei)


@dataclass(frozen=True)
class Burn:
    timestamp: int
    sender: str  # the account that sent the LP back to the pair
    liquidity: int


@dataclass(frozen=True)
class Swap:
    timestamp: int
    quote_in: int  # quote coin (WETH) paid into the pool: a buy of the token
    quote_out: int  # quote coin taken out: a sell


@dataclass
class PoolHistory:
    """What the logs of one pair and its token say over [first Mint, end]. Addresses lower-case."""

    pair: str
    token: str
    end_timestamp: int
    mints: list[Mint] = field(default_factory=list)
    burns: list[Burn] = field(default_factory=list)
    swaps: list[Swap] = field(default_factory=list)
    lp_balances: dict[str, int] = field(default_factory=dict)  # actual LP balances (Transfer logs)
    token_burnt: int = 0  # tokens sent to BURN_SINKS
    token_creator: str | None = None  # the first mint's recipient
    token_creator_balance: int | None = None
    token_total_supply: int | None = None  # current totalSupply()
    quote_reserve: int | None = None  # the pool's quote-coin reserve at the end (last Sync)

    @property
    def start_timestamp(self) -> int | None:
        return self.mints[0].timestamp if self.mints else None

    @property
    def last_event_timestamp(self) -> int | None:
        times = [m.timestamp for m in self.mints] + [b.timestamp for b in self.burns]
        times += [s.timestamp for s in self.swaps]
        return max(times) if times else None

    @property
    def history_seconds(self) -> int:
        """From the first Mint to the end of the window (not only to the last event)."""
        start = self.start_timestamp
        return 0 if start is None else max(0, self.end_timestamp - start)


class InsufficientHistory(ValueError):
    """The logs cannot give the features (no Mint yet, no token creator, no total supply)."""


def lp_holders(history: PoolHistory) -> dict[str, int]:
    """LP per account by the source's Mint/Burn accounting (see the module docstring)."""
    held: dict[str, int] = defaultdict(int)
    for m in history.mints:
        held[m.to] += m.liquidity
    for b in history.burns:
        if b.sender in held:
            held[b.sender] -= b.liquidity
    return {a: v for a, v in held.items() if v >= LP_DUST}


def _mean_period(times: list[int], t0: int, active: int) -> float:
    if not times or active <= 0:
        return 0.0
    return (sum(t - t0 for t in times) / len(times)) / active


def compute_features(history: PoolHistory) -> dict[str, float]:
    """The model's features (FEATURE_NAMES) for one pool; InsufficientHistory when undefined."""
    if not history.mints:
        raise InsufficientHistory("the pool has no Mint in the window: no liquidity was ever added")
    if not history.token_total_supply:
        raise InsufficientHistory("the token's totalSupply() is unknown or zero")
    if history.token_creator is None or history.token_creator_balance is None:
        raise InsufficientHistory("the token's first mint (its creator) is not in the window")
    t0 = history.mints[0].timestamp
    last = history.last_event_timestamp or t0
    active = max(0, last - t0)
    weeks1 = active / WEEK_S + 1
    n_mint, n_burn, n_swap = len(history.mints), len(history.burns), len(history.swaps)
    total = n_mint + n_burn + n_swap
    buys = sum(1 for s in history.swaps if s.quote_in > 0)
    sells = n_swap - buys

    holders = lp_holders(history)
    total_lp = sum(holders.values())
    if total_lp <= 0:
        # The source's features stop before a rug (its lp_avg divides by the holder count): a pool
        # already emptied is outside what the model learnt; the heuristic's empty-pool check covers it.
        raise InsufficientHistory("all of the pool's liquidity has been withdrawn")
    lp_avg = 100.0 / len(holders)
    shares = [100.0 * v / total_lp for v in holders.values()]
    lp_std = math.sqrt(sum((s - lp_avg) ** 2 for s in shares) / len(shares))
    creator = history.mints[0].to
    creator_actual = history.lp_balances.get(creator, 0)
    creator_accounted = holders.get(creator, 0)
    supply = history.token_total_supply

    return {
        "mint_count_per_week": n_mint / weeks1,
        "burn_count_per_week": n_burn / weeks1,
        "mint_ratio": n_mint / total,
        "swap_ratio": n_swap / total,
        "burn_ratio": n_burn / total,
        "mint_mean_period": _mean_period([m.timestamp for m in history.mints], t0, active),
        "swap_mean_period": _mean_period([s.timestamp for s in history.swaps], t0, active),
        "burn_mean_period": _mean_period([b.timestamp for b in history.burns], t0, active),
        "swap_in_per_week": buys / weeks1,
        "swap_out_per_week": sells / weeks1,
        "swap_rate": buys / (sells + 1),
        "lp_avg": lp_avg,
        "lp_std": lp_std,
        "lp_creator_holding_ratio": creator_actual / total_lp,
        "lp_lock_ratio": (creator_accounted - creator_actual) / total_lp,
        "token_burn_ratio": history.token_burnt / supply,
        "token_creator_holding_ratio": history.token_creator_balance / supply,
    }

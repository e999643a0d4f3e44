"""The liquidity features without a chain: recorded logs replayed through the extractor (the
node's answers to tests/integration/test_pool_features.py's script, without `blockTimestamp`, so
times come from block headers), and the definitions on hand-made histories."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from moneygrow.chain.networks import NETWORKS
from moneygrow.chains import Chain
from moneygrow.ml import pool_logs
from moneygrow.ml.liquidity import (
    FEATURE_NAMES,
    Burn,
    InsufficientHistory,
    Mint,
    PoolHistory,
    Swap,
    compute_features,
    lp_holders,
)

RECORDED = Path(__file__).with_name("pool_logs_recorded.json")
ETH = NETWORKS[Chain.ETHEREUM]
H, WEEK = 3600, 7 * 86400


class ReplayReader:
    """Answers each batch with the recorded responses, checking the requests are the same."""

    def __init__(self, calls: list[dict[str, Any]]) -> None:
        self.calls = list(calls)

    def _batch(self, batch: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        call = self.calls.pop(0)
        assert [m for m, _ in batch] == [m for m, _ in call["request"]]
        responses: list[dict[str, Any]] = call["response"]
        return responses


def test_recorded_logs_give_the_scripted_features() -> None:
    rec = json.loads(RECORDED.read_text())
    reader = ReplayReader(rec["calls"])
    got = pool_logs.fetch(reader, factory=ETH.dex.factory, token=rec["token"], quote=ETH.wrapped_native)  # type: ignore[arg-type]
    assert got.history is not None and reader.calls == []
    assert got.rpc_requests == 3  # first batch, the logs, the creator's balance + the event blocks' headers
    f = compute_features(got.history)
    # The script: LP added at t0, a buy at t0+1h, a third of it sold at t0+2h; nothing else.
    weeks1 = 2 * H / WEEK + 1
    want = {
        "mint_count_per_week": 1 / weeks1,
        "mint_ratio": 1 / 3,
        "swap_ratio": 2 / 3,
        "swap_mean_period": (H + 2 * H) / 2 / (2 * H),
        "swap_in_per_week": 1 / weeks1,
        "swap_out_per_week": 1 / weeks1,
        "swap_rate": 1 / 2,
        "lp_avg": 100.0,
        "lp_creator_holding_ratio": 1.0,
        "token_creator_holding_ratio": 0.5,
    }
    for name, value in want.items():
        assert f[name] == pytest.approx(value), name
    assert f == pytest.approx(rec["features"])


def _history(**kw: Any) -> PoolHistory:
    base: dict[str, Any] = {
        "pair": "0xpair",
        "token": "0xtoken",
        "end_timestamp": 10 * WEEK,
        "token_creator": "0xc",
        "token_creator_balance": 250,
        "token_total_supply": 1000,
    }
    return PoolHistory(**{**base, **kw})


def test_definitions_on_a_hand_made_history() -> None:
    h = _history(
        mints=[Mint(0, "0xc", 900), Mint(WEEK, "0xd", 100)],
        burns=[Burn(2 * WEEK, "0xd", 50), Burn(3 * WEEK, "0xnobody", 7)],  # unknown burner: ignored
        swaps=[Swap(H, 5, 0), Swap(2 * H, 0, 3), Swap(3 * H, 1, 0)],
        lp_balances={"0xc": 300, "0xd": 50},  # the creator moved 600 LP away (to a locker, say)
        token_burnt=100,
    )
    f = compute_features(h)
    weeks1 = 3 * WEEK / WEEK + 1
    assert f["mint_count_per_week"] == pytest.approx(2 / weeks1)
    assert f["burn_count_per_week"] == pytest.approx(2 / weeks1)
    assert f["mint_ratio"] == pytest.approx(2 / 7) and f["burn_ratio"] == pytest.approx(2 / 7)
    assert f["mint_mean_period"] == pytest.approx((0 + WEEK) / 2 / (3 * WEEK))
    assert f["burn_mean_period"] == pytest.approx((2 * WEEK + 3 * WEEK) / 2 / (3 * WEEK))
    assert f["swap_in_per_week"] == pytest.approx(2 / weeks1)
    assert f["swap_rate"] == pytest.approx(2 / 2)
    assert lp_holders(h) == {"0xc": 900, "0xd": 50}
    share_c, share_d = 100 * 900 / 950, 100 * 50 / 950
    assert f["lp_avg"] == 50.0
    assert f["lp_std"] == pytest.approx(math.sqrt(((share_c - 50) ** 2 + (share_d - 50) ** 2) / 2))
    assert f["lp_creator_holding_ratio"] == pytest.approx(300 / 950)
    assert f["lp_lock_ratio"] == pytest.approx((900 - 300) / 950)
    assert f["token_burn_ratio"] == pytest.approx(0.1)
    assert f["token_creator_holding_ratio"] == pytest.approx(0.25)
    assert list(f) == list(FEATURE_NAMES) and "number_of_token_creation_of_creator" not in f


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"mints": []}, "no Mint"),
        ({"mints": [Mint(0, "0xc", 5)], "token_total_supply": None}, "totalSupply"),
        ({"mints": [Mint(0, "0xc", 5)], "token_creator": None}, "creator"),
        ({"mints": [Mint(0, "0xc", 5)], "burns": [Burn(1, "0xc", 5)]}, "withdrawn"),
    ],
)
def test_undefined_features_are_refused_not_guessed(kw: dict[str, Any], match: str) -> None:
    with pytest.raises(InsufficientHistory, match=match):
        compute_features(_history(**kw))

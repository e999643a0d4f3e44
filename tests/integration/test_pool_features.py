"""The liquidity model's features from real logs: scripted pool histories on the local chain
(devstack/pools.py, the real Uniswap V2), each feature checked against its value computed by hand
from the script (times, counts, amounts). LP amounts are read with balanceOf: the pool's share
arithmetic is Uniswap's, not what is under test.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack.chain import E18
from devstack.pools import PoolScript
from devstack.zoo import DEAD, zoo_account
from moneygrow.chain.networks import NETWORKS
from moneygrow.chain.reader import ChainReader
from moneygrow.chains import Chain
from moneygrow.ml import pool_logs
from moneygrow.ml.liquidity import FEATURE_NAMES, InsufficientHistory, compute_features

pytestmark = pytest.mark.chain

ETH = NETWORKS[Chain.ETHEREUM]
H, D, WEEK = 3600, 86400, 7 * 86400
RECORDED = Path(__file__).resolve().parents[1] / "unit" / "pool_logs_recorded.json"


@pytest.fixture
def script(dex: dict[str, Any], chain_snapshot: str) -> Iterator[Any]:
    made: list[PoolScript] = []

    def make(label: str, contract: str = "PlainToken") -> PoolScript:
        s = PoolScript(chain_snapshot, label, contract)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def _fetch(s: PoolScript, **kw: Any) -> pool_logs.Fetched:
    reader = ChainReader([s.url])
    return pool_logs.fetch(reader, factory=ETH.dex.factory, token=s.token, quote=ETH.wrapped_native, **kw)


def _features(s: PoolScript, **kw: Any) -> dict[str, float]:
    got = _fetch(s, **kw)
    assert got.history is not None, got.reason
    return compute_features(got.history)


def _check(got: dict[str, float], want: dict[str, float]) -> None:
    assert list(got) == list(FEATURE_NAMES)
    for name, value in want.items():
        assert got[name] == pytest.approx(value, rel=1e-9, abs=1e-12), name


def test_healthy_pool(script: Any) -> None:
    s = script("healthy")
    lp2, b1, b2 = s.actor("pools.healthy.lp2"), s.actor("pools.healthy.b1"), s.actor("pools.healthy.b2")
    s.give(10, lp2, 100_000 * E18)
    s.add_liquidity(100, s.creator, 500_000 * E18, 10 * E18)  # t0
    s.buy(100 + H, b1, E18)
    s.buy(100 + 2 * H, b2, E18 // 2)
    s.sell(100 + D, b1, s.token_balance(b1.address) // 2)
    s.add_liquidity(100 + 2 * D, lp2, 50_000 * E18, 2 * E18)
    s.mine(100 + 3 * D)
    l1, l2 = s.lp_balance(s.creator.address), s.lp_balance(lp2.address)
    weeks1 = 2 * D / WEEK + 1
    share1 = 100 * l1 / (l1 + l2)
    _check(
        _features(s),
        {
            "mint_count_per_week": 2 / weeks1,
            "burn_count_per_week": 0.0,
            "mint_ratio": 2 / 5,
            "swap_ratio": 3 / 5,
            "burn_ratio": 0.0,
            "mint_mean_period": (0 + 2 * D) / 2 / (2 * D),
            "swap_mean_period": (H + 2 * H + D) / 3 / (2 * D),
            "burn_mean_period": 0.0,
            "swap_in_per_week": 2 / weeks1,
            "swap_out_per_week": 1 / weeks1,
            "swap_rate": 2 / (1 + 1),
            "lp_avg": 50.0,
            "lp_std": abs(share1 - 50.0),
            "lp_creator_holding_ratio": l1 / (l1 + l2),
            "lp_lock_ratio": 0.0,
            "token_burn_ratio": 0.0,
            "token_creator_holding_ratio": (1_000_000 - 100_000 - 500_000) / 1_000_000,
        },
    )


def test_creator_pulls_most_of_the_liquidity(script: Any) -> None:
    s = script("pull")
    b1 = s.actor("pools.pull.b1")
    s.add_liquidity(100, s.creator, 800_000 * E18, 20 * E18)
    s.buy(100 + H, b1, 2 * E18)
    s.buy(100 + 2 * H, b1, 3 * E18)
    minted = s.lp_balance(s.creator.address)
    s.remove_liquidity(100 + D, s.creator, minted * 9 // 10)
    s.mine(100 + D + H)
    weeks1 = D / WEEK + 1
    _check(
        _features(s),
        {
            "mint_count_per_week": 1 / weeks1,
            "burn_count_per_week": 1 / weeks1,
            "mint_ratio": 1 / 4,
            "swap_ratio": 2 / 4,
            "burn_ratio": 1 / 4,
            "mint_mean_period": 0.0,
            "swap_mean_period": (H + 2 * H) / 2 / D,
            "burn_mean_period": 1.0,
            "swap_in_per_week": 2 / weeks1,
            "swap_out_per_week": 0.0,
            "swap_rate": 2.0,
            "lp_avg": 100.0,  # one holder left: the creator, with the tenth it kept
            "lp_std": 0.0,
            "lp_creator_holding_ratio": 1.0,
            "lp_lock_ratio": 0.0,
        },
    )


def test_a_pool_emptied_completely_has_no_features(script: Any) -> None:
    s = script("drained")
    s.add_liquidity(100, s.creator, 800_000 * E18, 20 * E18)
    s.remove_liquidity(100 + H, s.creator, s.lp_balance(s.creator.address))
    got = _fetch(s)
    assert got.history is not None
    with pytest.raises(InsufficientHistory, match="withdrawn"):
        compute_features(got.history)


def test_minted_and_dumped_into_the_pool(script: Any) -> None:
    s = script("dump", contract="Mintable")
    b1 = s.actor("pools.dump.b1")
    s.add_liquidity(100, s.creator, 500_000 * E18, 10 * E18)
    s.buy(100 + H, b1, E18)
    s.mint(100 + 2 * H, s.creator.address, 9_000_000 * E18)
    s.sell(100 + 3 * H, s.creator, 9_000_000 * E18)
    s.mine(100 + 4 * H)
    active = 3 * H
    weeks1 = active / WEEK + 1
    supply = 10_000_000
    _check(
        _features(s),
        {
            "mint_count_per_week": 1 / weeks1,
            "swap_in_per_week": 1 / weeks1,
            "swap_out_per_week": 1 / weeks1,
            "swap_rate": 1 / 2,
            "mint_ratio": 1 / 3,
            "swap_mean_period": (H + 3 * H) / 2 / active,
            "token_burn_ratio": 0.0,
            # kept 500,000 of the 1,000,000 supply; minted and sold 9,000,000 more
            "token_creator_holding_ratio": 500_000 / supply,
        },
    )


@pytest.mark.parametrize(
    ("fate", "holding", "lock"),
    [
        ("held", 1.0, 0.0),
        ("burnt", 0.0, 1.0),  # sent to 0xdEaD after the mint: "moved away" in the source's terms
        ("locked", 0.0, 1.0),  # sent to a locker contract: the same
        ("minted_to_dead", 1.0, 0.0),  # minted straight to 0xdEaD: 0xdEaD is the "creator"
    ],
)
def test_lp_burnt_held_or_locked(script: Any, fate: str, holding: float, lock: float) -> None:
    s = script(f"lp-{fate}")
    s.add_liquidity(100, s.creator, 500_000 * E18, 10 * E18, lp_to=DEAD if fate == "minted_to_dead" else None)
    lp = s.lp_balance(s.creator.address)
    if fate == "burnt":
        s.move_lp(200, s.creator, DEAD, lp)
    elif fate == "locked":
        s.move_lp(200, s.creator, zoo_account("pools.locker"), lp)
    s.mine(300)
    f = _features(s)
    assert f["lp_creator_holding_ratio"] == pytest.approx(holding)
    assert f["lp_lock_ratio"] == pytest.approx(lock)
    assert f["lp_avg"] == 100.0 and f["lp_std"] == 0.0


def test_chunked_logs_and_headers_give_the_same_features_and_count_the_calls(script: Any) -> None:
    s = script("chunks")
    b1 = s.actor("pools.chunks.b1")
    s.add_liquidity(100, s.creator, 500_000 * E18, 10 * E18)
    for i in range(6):
        s.buy(100 + (i + 1) * H, b1, E18 // 10)
    s.mine(100 + D)
    whole = _fetch(s)
    chunked = _fetch(s, chunk_blocks=3)
    assert whole.history is not None and chunked.history is not None
    assert compute_features(chunked.history) == compute_features(whole.history)
    # getPair/totalSupply/header; the logs; the creator's balance (+ event blocks' headers when logs
    # carry no blockTimestamp): three batches of up to 100 calls
    assert whole.rpc_requests == 3
    assert chunked.rpc_calls > whole.rpc_calls


def test_window_that_misses_the_pool_creation_says_so(script: Any) -> None:
    s = script("old")
    s.add_liquidity(100, s.creator, 500_000 * E18, 10 * E18)
    for i in range(3):
        s.buy(200 + i, s.actor("pools.old.b1"), E18 // 10)
    got = _fetch(s, max_blocks=2)
    assert got.history is None and got.reason is not None and "creation" in got.reason


def test_token_without_a_pool(script: Any) -> None:
    s = script("nopool")
    got = _fetch(s)
    assert got.history is None and got.pair is None and "no pool" in str(got.reason)


def test_record_logs_for_the_offline_test(script: Any) -> None:
    """Writes tests/unit/pool_logs_recorded.json (the healthy-like history, without blockTimestamp so
    the offline test exercises the header path) when MONEYGROW_RECORD=1; otherwise checks that the
    recording still matches what this chain produces for the same script."""
    s = script("recorded")
    b1 = s.actor("pools.recorded.b1")
    s.add_liquidity(100, s.creator, 500_000 * E18, 10 * E18)
    s.buy(100 + H, b1, E18)
    s.sell(100 + 2 * H, b1, s.token_balance(b1.address) // 3)
    s.mine(100 + 3 * H)  # a pool three hours old
    reader = ChainReader([s.url])
    calls: list[dict[str, Any]] = []
    real = reader._batch

    def recording(batch: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        responses = real(batch)
        for r in responses:
            for e in r.get("result") or [] if isinstance(r.get("result"), list) else []:
                e.pop("blockTimestamp", None)
        calls.append({"request": batch, "response": responses})
        return responses

    reader._batch = recording  # type: ignore[method-assign]
    got = pool_logs.fetch(reader, factory=ETH.dex.factory, token=s.token, quote=ETH.wrapped_native)
    assert got.history is not None
    features = compute_features(got.history)
    if os.environ.get("MONEYGROW_RECORD") == "1" or not RECORDED.exists():
        RECORDED.write_text(
            json.dumps({"token": s.token, "calls": calls, "features": features}, indent=1) + "\n"
        )
    recorded = json.loads(RECORDED.read_text())
    assert set(recorded["features"]) == set(features)


def test_ml_agent_scores_a_pool_with_enough_history(script: Any, tmp_path: Path) -> None:
    """The agent end to end on the chain: pool logs -> features -> the stored liquidity model, with the
    basis in words and the features that moved this prediction."""
    from moneygrow.agents.ml import analyse
    from moneygrow.agents.runner import AgentDeps
    from moneygrow.config import Settings
    from moneygrow.ml import liquidity_model
    from moneygrow.ml.model_store import LocalDirModelStore
    from moneygrow.models import AgentStatus, AnalysisTask
    from tests.unit.test_ml_agent import synthetic_liquidity

    s = script("agent")
    b1 = s.actor("pools.agent.b1")
    s.add_liquidity(100, s.creator, 500_000 * E18, 10 * E18)
    for i in range(4):
        s.buy(100 + (i + 1) * H, b1, E18 // 4)
    s.sell(100 + D, b1, s.token_balance(b1.address) // 2)
    s.mine(100 + 3 * D)
    store = LocalDirModelStore(tmp_path)
    bundle = liquidity_model.train_bundle(synthetic_liquidity())
    store.save(liquidity_model.MODEL_NAME, bundle)
    settings = Settings(rpc_urls={c: [s.url] for c in Chain})
    deps = AgentDeps(settings=settings, chain=lambda chain: ChainReader([s.url], chain=chain), models=store)
    task = AnalysisTask(task_id="t", user_id="u", token_address=s.token, chain=Chain.ETHEREUM)
    result = analyse(task, deps)
    # no bytecode model stored: named as a gap, the liquidity model still answers
    assert result.status is AgentStatus.DEGRADED
    assert result.gaps == ["no trained model in the model store (scam_bytecode)"]
    data = result.data
    assert data["model_kind"] == "liquidity" and 0 <= data["scam_probability"] <= 1
    assert data["basis"].startswith("liquidity model on 3.0 days of pool history")
    assert data["pool"]["swaps"] == 5 and data["pool"]["rpc_requests"] <= 3
    assert data["top_features"] and {f["name"] for f in data["top_features"]} <= set(FEATURE_NAMES)
    want = compute_features(_fetch(s).history)  # type: ignore[arg-type]
    for f in data["top_features"]:
        assert f["value"] == pytest.approx(want[f["name"]])

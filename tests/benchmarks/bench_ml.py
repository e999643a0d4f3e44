"""ML figures on the local chain (a script that prints numbers, not a test).

    uv run python tests/benchmarks/bench_ml.py [--models .local/models] [--runs 200] [--swaps 40]

1. Feature extraction per token: scripted pools on a fresh anvil (devstack/pools.py: a healthy
   pool with --swaps trades, a pulled one, a minted-and-dumped one) read with moneygrow.ml.pool_logs
   (chunked eth_getLogs): wall time, JSON-RPC requests (a batch of up to 100 calls counts once) and
   calls per token.
2. Inference once the chain data is fetched: features + predict (+ the per-prediction feature
   contributions) with the served liquidity model, and the bytecode model's scoring, p50/p95 over
   --runs. The models come from --models (trained by ml/train.py; the model store layout).
Target: features + predict p95 < 5 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from devstack.chain import E18, free_port, start_anvil  # noqa: E402
from devstack.dex import deploy_dex  # noqa: E402
from devstack.pools import PoolScript  # noqa: E402
from moneygrow.chain.networks import NETWORKS  # noqa: E402
from moneygrow.chain.reader import ChainReader  # noqa: E402
from moneygrow.chains import Chain  # noqa: E402
from moneygrow.ml import liquidity_model, pool_logs, training  # noqa: E402
from moneygrow.ml.liquidity import compute_features  # noqa: E402
from moneygrow.ml.model_store import LocalDirModelStore  # noqa: E402
from moneygrow.ml.serving import score_bytecode, score_liquidity  # noqa: E402

H, D = 3600, 86400
ETH = NETWORKS[Chain.ETHEREUM]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _scripts(url: str, swaps: int) -> list[PoolScript]:
    healthy = PoolScript(url, "bench.healthy")
    buyers = [healthy.actor(f"bench.healthy.b{i}") for i in range(4)]
    healthy.add_liquidity(100, healthy.creator, 500_000 * E18, 10 * E18)
    for i in range(swaps):
        healthy.buy(200 + i * H, buyers[i % 4], E18 // 20)
    healthy.mine(2 * D + swaps * H)
    pulled = PoolScript(url, "bench.pulled")
    pulled.add_liquidity(100, pulled.creator, 800_000 * E18, 20 * E18)
    pulled.buy(100 + H, pulled.actor("bench.pulled.b1"), 2 * E18)
    pulled.remove_liquidity(100 + D, pulled.creator, pulled.lp_balance(pulled.creator.address) * 9 // 10)
    pulled.mine(100 + 2 * D)
    dumped = PoolScript(url, "bench.dumped", "Mintable")
    dumped.add_liquidity(100, dumped.creator, 500_000 * E18, 10 * E18)
    dumped.buy(100 + H, dumped.actor("bench.dumped.b1"), E18)
    dumped.mint(100 + 2 * H, dumped.creator.address, 9_000_000 * E18)
    dumped.sell(100 + 3 * H, dumped.creator, 9_000_000 * E18)
    dumped.mine(100 + 2 * D)
    return [healthy, pulled, dumped]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", default=str(ROOT / ".local" / "models"))
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--swaps", type=int, default=40)
    args = parser.parse_args()

    store = LocalDirModelStore(args.models)
    liq: dict[str, Any] | None = store.load(liquidity_model.MODEL_NAME)
    bc: dict[str, Any] | None = store.load(training.MODEL_NAME)
    with start_anvil(free_port()) as anvil:
        deploy_dex(anvil.url)
        scripts = _scripts(anvil.url, args.swaps)
        print("feature extraction on the local chain (pool_logs.fetch + compute_features):")
        histories = []
        for s in scripts:
            times, fetched = [], None
            for _ in range(5):
                started = time.perf_counter()
                fetched = pool_logs.fetch(
                    ChainReader([anvil.url]), factory=ETH.dex.factory, token=s.token, quote=ETH.wrapped_native
                )
                assert fetched.history is not None, fetched.reason
                compute_features(fetched.history)
                times.append((time.perf_counter() - started) * 1000)
            assert fetched is not None and fetched.history is not None
            h = fetched.history
            histories.append(h)
            print(
                f"  {s.label:14} {len(h.mints)} mints {len(h.swaps):3} swaps {len(h.burns)} burns: "
                f"median {statistics.median(times):6.1f} ms, {fetched.rpc_requests} JSON-RPC requests "
                f"({fetched.rpc_calls} calls)"
            )
        for s in scripts:
            s.close()

    if liq is None:
        print(
            f"no {liquidity_model.MODEL_NAME} in {args.models}: train it (ml/train.py) for inference figures"
        )
        return
    print(f"inference with {liq['version']} (features + predict + contributions), {args.runs} runs per pool:")
    every: list[float] = []
    cpu: list[float] = []
    for h in histories:
        for _ in range(args.runs):
            started, started_cpu = time.perf_counter(), time.thread_time()
            score_liquidity(liq, compute_features(h), max(h.history_seconds, liq["min_history_s"]))
            every.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
    print(
        f"  liquidity: wall p50 {_pct(every, 0.5):.2f} ms, p95 {_pct(every, 0.95):.2f} ms; CPU p50 "
        f"{_pct(cpu, 0.5):.2f} ms, p95 {_pct(cpu, 0.95):.2f} ms (target p95 < 5 ms; wall time includes "
        f"waiting for a core: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    if bc is not None:
        from tests.unit.test_ml_agent import LEGIT_CODE

        raw = LEGIT_CODE  # pre-0.6-shaped synthetic code: inside the model's domain, so fully scored
        runs, cpu = [], []
        for _ in range(args.runs):
            started, started_cpu = time.perf_counter(), time.thread_time()
            score_bytecode(bc, raw)
            runs.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
        print(
            f"  bytecode:  wall p50 {_pct(runs, 0.5):.2f} ms, p95 {_pct(runs, 0.95):.2f} ms; CPU p50 "
            f"{_pct(cpu, 0.5):.2f} ms, p95 {_pct(cpu, 0.95):.2f} ms"
        )


if __name__ == "__main__":
    main()

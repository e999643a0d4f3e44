"""Smart-money agent figures on the scripted market (a script that prints numbers, not a test).

    uv run python tests/benchmarks/bench_smart_money.py [--runs 5]

Starts its own anvil with the DEX, the scripted market (devstack/market.py) and a token with
100,000 holders, scores the registry (the job, in memory), then for every token: the agent's wall
time (median and worst of --runs warm runs) and the JSON-RPC round trips and calls per analysis.
Also the precision and recall of smart-wallet and sybil detection. Target: < 3 s per analysis.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from devstack.chain import free_port, start_anvil  # noqa: E402
from devstack.dex import deploy_dex  # noqa: E402
from devstack.market import deploy_crowded_token, deploy_market, fill_registry  # noqa: E402
from moneygrow.agents.runner import AgentDeps  # noqa: E402
from moneygrow.agents.smart_money import analyse  # noqa: E402
from moneygrow.chain.reader import chain_reader_factory  # noqa: E402
from moneygrow.chains import Chain  # noqa: E402
from moneygrow.config import Settings  # noqa: E402
from moneygrow.models import AnalysisTask  # noqa: E402
from moneygrow.store.wallets import MemoryWalletRegistry  # noqa: E402
from tests.benchmarks.bench_heuristic import Counter  # noqa: E402


def _pr(found: set[str], truth: set[str]) -> str:
    hits = len(found & truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth)
    return f"precision {precision:.2f}, recall {recall:.2f} ({hits}/{len(found)} found, {len(truth)} true)"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    counter = Counter()
    counter.install()
    with start_anvil(free_port()) as anvil:
        started = time.perf_counter()
        deploy_dex(anvil.url)
        world = deploy_market(anvil.url)
        tokens = {**world["tokens"], "CROWDED (100k holders)": deploy_crowded_token(anvil.url)}
        print(f"world deployed in {time.perf_counter() - started:.1f} s")
        settings = Settings(rpc_urls={c: [anvil.url] for c in Chain})
        registry = MemoryWalletRegistry()
        readers = chain_reader_factory(settings)
        deps = AgentDeps(settings=settings, chain=readers, models=None, wallets=registry)  # type: ignore[arg-type]
        before = counter.round_trips
        started = time.perf_counter()
        summary = fill_registry(world, registry, readers, data_dir=None)
        print(
            f"registry job: {summary} in {time.perf_counter() - started:.2f} s, "
            f"{counter.round_trips - before} round trips"
        )
        smart = {p.address for p in registry.profiles.values() if p.smart}
        print(f"smart wallets (registry job): {_pr(smart, set(world['smart']))}")
        print(f"{'token':24} {'median ms':>10} {'max ms':>8} {'round trips':>12} {'calls':>6}  outcome")
        linked: set[str] = set()
        worst = 0.0
        for name, address in tokens.items():
            task = AnalysisTask(
                task_id="b" * 32, user_id="bench", token_address=address, chain=Chain.ETHEREUM
            )
            analyse(task, deps)  # warm-up
            times, trips, calls = [], 0, 0
            for _ in range(args.runs):
                mark = (counter.round_trips, counter.requests)
                t0 = time.perf_counter()
                result = analyse(task, deps)
                times.append((time.perf_counter() - t0) * 1000)
                trips, calls = counter.round_trips - mark[0], counter.requests - mark[1]
            linked |= {w["address"] for w in result.data.get("deployer_linked", []) if w["via"] == "native"}
            outcome = (
                f"insufficient data: {result.data['insufficient_data'][0][:60]}"
                if result.data.get("insufficient_data")
                else f"score {result.data.get('smart_money_score')}, {result.data.get('signal')}, "
                f"{len(result.data.get('smart_wallets', []))} smart, "
                f"findings {[f.type for f in result.findings]}"
            )
            worst = max(worst, max(times))
            print(
                f"{name:24} {statistics.median(times):10.1f} {max(times):8.1f} {trips:12d} {calls:6d}  "
                f"{outcome}"
            )
        print(f"deployer-funded (sybil) holders: {_pr(linked, set(world['sybils']))}")
        print(f"worst analysis {worst:.0f} ms (target < 3000 ms)")


if __name__ == "__main__":
    main()

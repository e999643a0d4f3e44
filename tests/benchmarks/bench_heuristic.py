"""Heuristic agent figures on the local chain (a script that prints numbers, not a test).

    uv run python tests/benchmarks/bench_heuristic.py [--runs 5]

For every zoo and demo token: the agent's wall time (median and worst of --runs warm runs) and
the JSON-RPC round trips per analysis (a batch counts as one).
Targets: p95 < 1.5 s, <= 8 round trips (with the owner-power probes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from devstack.chain import free_port, start_anvil  # noqa: E402
from devstack.zoo import deploy_world  # noqa: E402
from moneygrow.agents.heuristic import analyse  # noqa: E402
from moneygrow.agents.runner import AgentDeps  # noqa: E402
from moneygrow.chain.reader import ChainReader, chain_reader_factory  # noqa: E402
from moneygrow.chains import Chain  # noqa: E402
from moneygrow.config import Settings  # noqa: E402
from moneygrow.models import AnalysisTask  # noqa: E402


class Counter:
    """Counts HTTP round trips by wrapping the reader's two transport methods."""

    def __init__(self) -> None:
        self.round_trips = 0
        self.requests = 0

    def install(self) -> None:
        batch, single = ChainReader._batch, ChainReader._request
        counter = self

        def counted_batch(reader: ChainReader, calls: list[Any]) -> Any:
            counter.round_trips += 1
            counter.requests += len(calls)
            return batch(reader, calls)

        def counted_request(reader: ChainReader, method: str, params: list[Any]) -> Any:
            counter.round_trips += 1
            counter.requests += 1
            return single(reader, method, params)

        ChainReader._batch = counted_batch  # type: ignore[method-assign]
        ChainReader._request = counted_request  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    counter = Counter()
    counter.install()
    with start_anvil(free_port()) as anvil:
        world = deploy_world(anvil.url)
        settings = Settings(rpc_urls={c: [anvil.url] for c in Chain})
        deps = AgentDeps(settings=settings, chain=chain_reader_factory(settings), models=None)  # type: ignore[arg-type]
        tokens = {**world["zoo"], "DemoToken": world["DemoToken"], "ScamToken": world["ScamToken"]}
        print(f"world deployed in {world['deploy_seconds']['total']:.2f} s; {args.runs} warm runs per token")
        print(f"{'token':20} {'median ms':>10} {'max ms':>8} {'round trips':>12} {'requests':>9}  verdict")
        all_ms, all_trips = [], []
        for name, address in tokens.items():
            task = AnalysisTask(
                task_id="b" * 32, user_id="bench", token_address=address, chain=Chain.ETHEREUM
            )
            analyse(task, deps)  # warm-up (imports, HTTP session)
            times, trips, requests = [], 0, 0
            for _ in range(args.runs):
                before = (counter.round_trips, counter.requests)
                start = time.perf_counter()
                result = analyse(task, deps)
                times.append((time.perf_counter() - start) * 1000)
                trips, requests = counter.round_trips - before[0], counter.requests - before[1]
            worst = max(result.findings, key=lambda f: f.score, default=None)
            verdict = f"{worst.type} ({worst.severity.value})" if worst else "no findings"
            print(
                f"{name:20} {statistics.median(times):10.1f} {max(times):8.1f} {trips:12d} {requests:9d}  "
                f"{verdict}"
            )
            all_ms += times
            all_trips.append(trips)
        print(
            f"overall: median {statistics.median(all_ms):.1f} ms, max {max(all_ms):.1f} ms, "
            f"round trips max {max(all_trips)} (targets p95 < 1500 ms, <= 8)"
        )


if __name__ == "__main__":
    main()

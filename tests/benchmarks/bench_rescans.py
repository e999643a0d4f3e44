"""Scheduled rescans of watched tokens on the local chain, through the real stack (a script that
prints numbers, not a test).

    PYTHONPATH=shared:functions/api:. uv run --frozen python tests/benchmarks/bench_rescans.py \
        [--tokens 500] [--in-flight 4] [--users 12] [--cycles 2]

Starts its own anvil with the DEX, the native/USD pools and --tokens distinct tokens, each launched
like a zoo token by its own deployer (a mix of zoo artefacts: plain, fee-on-transfer, 99 % sell tax,
mintable, honeypot; pool with 80 % of the supply against 10 ETH, two retail buys). In moto
(in-process) provisioned from the synthesized CDK template, --users users watch them (about two
watch entries per token; the most watched 2 % by every user), then each cycle is one
`run_schedule` with the cloud's bounded concurrency through the real state machine, agents, aggregate
and Notify (DynamoDB store and watch store, models from the model bucket, RPC to the anvil).

Prints, per cycle: wall time (the schedule run, and until the last Notify step), tokens/s, analyses
started (one per token, however many users watch it), per-analysis time (created_at ->
completed_at) p50/p95, JSON-RPC round trips and requests per token by agent, the verdicts and the
alerts published (0 on the first cycle, the baseline, and 0 again when nothing changed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import warnings
from collections import Counter as Tally
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "shared"), str(ROOT / "functions" / "api")]

from moto import mock_aws  # noqa: E402
from web3 import HTTPProvider  # noqa: E402

from devstack.aws import MOTO_CONFIG, LocalAws, _short, load_template, synth  # noqa: E402
from devstack.chain import _web3, free_port, start_anvil  # noqa: E402
from devstack.dex import deploy_dex, seed_stable_pools  # noqa: E402
from devstack.zoo import LAUNCHES, _Actor, zoo_account  # noqa: E402

# The mix of launched tokens, in turn (plain ones twice as often).
KINDS = ("PlainToken", "FeeToken", "PlainToken", "HighSellTax", "Mintable", "Honeypot")


def deploy_tokens(rpc_url: str, n: int) -> list[str]:
    """n distinct tokens with pools, each by its own deployer, launched as devstack.zoo launches them."""
    w3, tokens = _web3(rpc_url), []
    for i in range(n):
        owner = _Actor(w3, rpc_url, zoo_account(f"bench-rescans.{i}.deployer"))
        try:
            tokens.append(LAUNCHES[KINDS[i % len(KINDS)]](owner)["address"])
        finally:
            owner.close()
    return tokens


class RpcCounter:
    """JSON-RPC round trips (HTTP requests) and calls, by the Lambda function that made them."""

    def __init__(self) -> None:
        self.local = threading.local()
        self.trips: Tally[str] = Tally()
        self.calls: Tally[str] = Tally()
        self.times: dict[str, list[float]] = {}  # run times of each function's handler
        self._lock = threading.Lock()

    def _count(self, calls: int) -> None:
        who = getattr(self.local, "function", "outside a function")
        with self._lock:
            self.trips[who] += 1
            self.calls[who] += calls

    def install(self) -> None:
        single, batch = HTTPProvider.make_request, HTTPProvider.make_batch_request
        counter = self

        def make_request(provider: HTTPProvider, method: Any, params: Any) -> Any:
            counter._count(1)
            return single(provider, method, params)

        def make_batch_request(provider: HTTPProvider, requests: list[Any]) -> Any:
            counter._count(len(requests))
            return batch(provider, requests)

        HTTPProvider.make_request = make_request  # type: ignore[method-assign]
        HTTPProvider.make_batch_request = make_batch_request  # type: ignore[method-assign,assignment]

    def tag(self, name: str, handler: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        """The handler, with what it sends counted under `name` (and its run times kept)."""
        times = self.times.setdefault(name, [])

        def tagged(event: Any, context: Any) -> Any:
            self.local.function = name
            started = time.perf_counter()
            try:
                return handler(event, context)
            finally:
                times.append(time.perf_counter() - started)
                self.local.function = "outside a function"

        return tagged

    def reset(self) -> None:
        self.trips.clear()
        self.calls.clear()
        for t in self.times.values():
            t.clear()


def _configure(resources_env: dict[str, str], rpc_url: str) -> None:
    os.environ.update(resources_env)
    os.environ["MONEYGROW_RPC_URLS"] = json.dumps({c: [rpc_url] for c in ("ethereum", "bsc", "polygon")})
    from moneygrow.agents.runner import default_deps
    from moneygrow.config import get_settings
    from moneygrow.ml.model_store import forget_stores
    from moneygrow.store.factory import default_store, default_watch_store

    for cached in (get_settings, default_deps, default_store, default_watch_store):
        cached.cache_clear()
    forget_stores()


def watch_tokens(tokens: list[str], users: int, topic_arn: str) -> tuple[int, int]:
    """About two entries per token: the most watched 2 % by every user, the others by one or two.
    Returns (entries, tokens watched)."""
    from moneygrow.adapters.sns import SnsAlertChannels
    from moneygrow.chains import Chain
    from moneygrow.services.watchlist import watch
    from moneygrow.store.factory import default_watch_store
    from moneygrow.store.records import User
    from moneygrow.watch.records import AlertThreshold

    store, channels, now = default_watch_store(), SnsAlertChannels(topic_arn), datetime.now(UTC)
    people = [
        User(user_id=f"{i:032x}", email=f"u{i}@bench.test", password_hash="-", created_at=now, tier="pro")
        for i in range(1, users + 1)
    ]
    popular, rest = max(1, len(tokens) // 50), tokens[max(1, len(tokens) // 50) :]
    pairs = [(u, t) for t in tokens[:popular] for u in people]
    twice = max(0, 2 * len(tokens) - len(pairs) - len(rest))  # of the rest, this many get a second
    for k, token in enumerate(rest):
        pairs.append((people[k % users], token))
        if k < twice:
            pairs.append((people[(k + 1 + (k // users) % (users - 1)) % users], token))
    for user, token in pairs:
        watch(store, channels, user, Chain.ETHEREUM, token, AlertThreshold(), now)
    return len(pairs), len({t for _, t in pairs})


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def _wait_for_executions(sfn: Any, arn: str, timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        running = sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING", maxResults=1)
        if not running["executions"]:
            return
        time.sleep(0.1)
    raise TimeoutError("executions still running")


def run_cycle(
    n: int, in_flight: int, counter: RpcCounter, alerts: list[Any], sfn: Any, tokens: list[str]
) -> None:
    from moneygrow.adapters.stepfunctions import StepFunctionsWorkflow
    from moneygrow.chains import Chain
    from moneygrow.config import get_settings
    from moneygrow.store.factory import default_store, default_watch_store
    from moneygrow.watch.scheduler import Schedule, run_schedule

    settings, store, watch_store = get_settings(), default_store(), default_watch_store()
    workflow = StepFunctionsWorkflow(settings.state_machine_arn, express=settings.workflow_express)
    # every=0: due again at once, so a second cycle rescans them all; budget: the whole cycle
    schedule = Schedule(every=timedelta(0), max_in_flight=in_flight, max_starts=n, budget_s=3600.0)
    counter.reset()
    published_before = len(alerts)
    started = time.perf_counter()
    summary = run_schedule(store, watch_store, workflow, schedule)
    scheduled_s = time.perf_counter() - started
    _wait_for_executions(sfn, settings.state_machine_arn)
    wall_s = time.perf_counter() - started
    print(f"  schedule run: {summary}")
    print(
        f"  wall time {scheduled_s:.1f} s (run_schedule), {wall_s:.1f} s until the last Notify; "
        f"{n / wall_s:.2f} tokens/s; analyses started {summary.get('started')} for {n} tokens"
    )
    watched = watch_store.get_tokens([(Chain.ETHEREUM, t) for t in tokens])
    records = [store.get_analysis(w.rescan_task_id) for w in watched.values() if w.rescan_task_id]
    done = [a for a in records if a is not None and a.completed_at is not None]
    durations = [(a.completed_at - a.created_at).total_seconds() for a in done if a.completed_at]
    print(
        f"  per analysis (created_at -> completed_at, {len(done)} completed): "
        f"p50 {_pct(durations, 0.5):.2f} s, p95 {_pct(durations, 0.95):.2f} s, "
        f"max {max(durations, default=0):.2f} s"
    )
    levels = Tally(str((a.result or {}).get("risk_level")) for a in records if a is not None)
    statuses = Tally(str(a.status.value) for a in records if a is not None)
    degraded = sum(1 for a in records if a is not None and (a.result or {}).get("degraded"))
    print(f"  statuses {dict(statuses)}; levels {dict(levels)}; degraded {degraded}")
    agents = Tally(
        f"{name}:{status}"
        for a in records
        if a is not None and a.result
        for name, status in a.result.get("agent_statuses", {}).items()
    )
    print(f"  agent statuses {dict(sorted(agents.items()))}")
    baselined = sum(
        1 for w in watched.values() if w.checked_task_id and w.checked_task_id == w.rescan_task_id
    )
    print(f"  compared by Notify (state recorded): {baselined}/{n}")
    print(f"  {'function':30} {'round trips/token':>18} {'requests/token':>15} {'runs':>6} {'median s':>9}")
    for name in sorted(set(counter.times) | set(counter.trips)):
        runs = counter.times.get(name, [])
        median = statistics.median(runs) if runs else float("nan")
        print(
            f"  {name:30} {counter.trips[name] / n:18.1f} {counter.calls[name] / n:15.1f} "
            f"{len(runs):6d} {median:9.3f}"
        )
    print(
        f"  all: {sum(counter.trips.values()) / n:.1f} round trips, {sum(counter.calls.values()) / n:.1f} "
        f"JSON-RPC requests per token"
    )
    print(f"  Notify alerts published: {len(alerts) - published_before}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tokens", type=int, default=500)
    parser.add_argument("--in-flight", type=int, default=4, help="Schedule.max_in_flight (the cloud's: 4)")
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--cycles", type=int, default=2, help="the second one changes nothing")
    args = parser.parse_args()
    if args.users < 2 or 2 * args.tokens > args.users * 90:
        parser.error("at most 100 watched tokens per (pro) user: raise --users")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    # The handlers' JSON logs and EMF metrics would bury the figures (CloudWatch's job in the cloud).
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    template = load_template(synth())
    with start_anvil(free_port()) as anvil:
        started = time.perf_counter()
        deploy_dex(anvil.url)
        seed_stable_pools(anvil.url)
        dex_s = time.perf_counter() - started
        tokens = deploy_tokens(anvil.url, args.tokens)
        print(
            f"deploy: DEX and native/USD pools {dex_s:.1f} s; {args.tokens} tokens with pools "
            f"{time.perf_counter() - started - dex_s:.1f} s ({', '.join(dict.fromkeys(KINDS))})"
        )
        moto = mock_aws(config=MOTO_CONFIG)  # type: ignore[call-overload]
        with moto, LocalAws(template, retry_sleep=0.0) as aws:
            resources = aws.provision()
            _configure(resources.env(), anvil.url)
            from devstack.models import publish
            from moneygrow.adapters.sns import SnsAlertChannels

            print(publish(resources.bucket_name, None))
            counter, alerts = RpcCounter(), []
            counter.install()
            for fn in resources.functions.values():
                if fn.arn in resources.definition:  # the workflow's steps
                    aws.bridge._handlers[fn.name] = counter.tag(_short(fn.logical_id), aws.bridge.handler(fn))
            original_publish = SnsAlertChannels.publish

            def counting_publish(channels: SnsAlertChannels, alert: Any) -> str:
                alerts.append(alert)
                return original_publish(channels, alert)

            SnsAlertChannels.publish = counting_publish  # type: ignore[method-assign,assignment]
            started = time.perf_counter()
            entries, watched = watch_tokens(tokens, args.users, resources.env()["MONEYGROW_ALERTS_TOPIC_ARN"])
            print(
                f"watchlists: {entries} entries by {args.users} users over {watched} tokens "
                f"({time.perf_counter() - started:.1f} s); max in flight {args.in_flight}"
            )
            sfn = aws.client("stepfunctions")
            for cycle in range(1, args.cycles + 1):
                print(f"cycle {cycle}" + (" (the baseline)" if cycle == 1 else " (nothing changed)"))
                run_cycle(args.tokens, args.in_flight, counter, alerts, sfn, tokens)
            for alert in alerts[:5]:
                print(f"  alert: {alert.token_address} {[c.kind for c in alert.changes]}")


if __name__ == "__main__":
    main()

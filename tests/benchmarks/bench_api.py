"""API and end-to-end latency figures (a script that prints numbers, not a pass/fail test).

    make bench        # or: uv run python tests/benchmarks/bench_api.py [--requests 300] [--analyses 20]

1. In-process API (FastAPI TestClient) on DynamoDB and Step Functions emulated by moto in-process,
   tables created from the CDK-synthesized template: p50/p95 of POST /analyze and
   GET /analysis/{task_id}, authenticated with an API key. Target p95 < 50 ms.
2. End to end on the local chain: submit → COMPLETED through the synthesized state machine (three
   agent Lambdas in-process, anvil as the chain) for the demo tokens.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "shared"), str(ROOT / "functions" / "api")]
for key, value in {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    # Every benchmark account registers and logs in from the same client address: keep the per-IP
    # auth limit (brute-force protection, exercised by tests/security) out of the measurement.
    "MONEYGROW_RATE_LIMIT_AUTH_IP_PER_MIN": "100000",
}.items():
    os.environ.setdefault(key, value)
os.environ["MONEYGROW_JWT_SECRET"] = "bench-secret-" + "z" * 40

from moto import mock_aws  # noqa: E402

from devstack.aws import MOTO_CONFIG, LocalAws, load_template, synth  # noqa: E402
from devstack.chain import free_port, start_anvil, write_smart_money_wallets  # noqa: E402
from devstack.zoo import deploy_world  # noqa: E402


def _percentiles(samples_ms: list[float]) -> str:
    q = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return f"n={len(samples_ms)} p50={q[49]:.1f} ms p95={q[94]:.1f} ms max={max(samples_ms):.1f} ms"


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


@contextmanager
def _stack(execute: bool, env: dict[str, str]) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    config = {**MOTO_CONFIG, "stepfunctions": {"execute_state_machine": execute}}
    with mock_aws(config=config), LocalAws(load_template(synth()), retry_sleep=0) as aws:
        os.environ.update({**aws.provision().env(), **env})
        from moneygrow.agents.runner import default_deps
        from moneygrow.config import get_settings
        from moneygrow.store.factory import default_store

        for cached in (get_settings, default_deps, default_store):
            cached.cache_clear()
        from moneygrow_api import create_app

        with TestClient(create_app()) as client:
            yield client


def _api_key(client: Any, email: str) -> dict[str, str]:
    creds = {"email": email, "password": "benchmark passphrase"}
    client.post("/auth/register", json=creds)
    access = client.post("/auth/token", json=creds).json()["access_token"]
    key = client.post(
        "/users/api-keys", json={"name": "bench"}, headers={"Authorization": f"Bearer {access}"}
    )
    return {"X-API-Key": key.json()["api_key"]}


def bench_api(n: int) -> None:
    print("## In-process API (moto DynamoDB + Step Functions, API-key auth)")
    with _stack(execute=False, env={}) as client:
        headers = _api_key(client, "bench@example.com")
        task_ids: list[str] = []

        def submit(i: int) -> None:
            r = client.post(
                "/analyze", json={"token_address": f"0x{i + 1:040x}", "chain": "ethereum"}, headers=headers
            )
            assert r.status_code == 202, r.text
            task_ids.append(r.json()["task_id"])

        for i in range(20):  # warm-up: imports, first moto calls
            submit(10_000 + i)
        post = [_timed(lambda i=i: submit(i)) for i in range(n)]
        get = [_timed(lambda t=t: client.get(f"/analysis/{t}", headers=headers)) for t in task_ids[-n:]]
        hist = [
            _timed(lambda: client.get("/analysis/history?limit=20", headers=headers)) for _ in range(n // 3)
        ]
        print(f"POST /analyze           {_percentiles(post)}")
        print(f"GET  /analysis/{{id}}     {_percentiles(get)}")
        print(f"GET  /analysis/history  {_percentiles(hist)}")


def bench_end_to_end(n: int) -> None:
    print("## End to end on the local chain (submit -> COMPLETED, synthesized state machine)")
    state = ROOT / ".local" / "bench"
    state.mkdir(parents=True, exist_ok=True)
    with start_anvil(free_port()) as anvil:
        world = deploy_world(anvil.url)  # as `make dev`: the DEX too, so the trade simulation runs
        write_smart_money_wallets(anvil.url, state / "smart_money.csv")
        env = {
            "MONEYGROW_RPC_URLS": json.dumps({c: [anvil.url] for c in ("ethereum", "bsc", "polygon")}),
            "MONEYGROW_SMART_MONEY_WALLETS": str(state / "smart_money.csv"),
        }
        with _stack(execute=True, env=env) as client:
            _publish_cached_model()
            agent_ms: dict[str, list[float]] = {"heuristic": [], "ml": [], "smart_money": []}
            for name in ("DemoToken", "ScamToken"):
                totals: list[float] = []
                for i in range(n):
                    headers = _api_key(client, f"e2e{name}{i}@example.com")
                    start = time.perf_counter()
                    task = client.post(
                        "/analyze", json={"token_address": world[name]}, headers=headers
                    ).json()
                    while (body := client.get(f"/analysis/{task['task_id']}", headers=headers).json())[
                        "status"
                    ] not in ("COMPLETED", "FAILED"):
                        time.sleep(0.005)
                    totals.append((time.perf_counter() - start) * 1000)
                    for agent, ms in body["result"]["timings_ms"].items():
                        agent_ms.setdefault(agent, []).append(ms)
                print(
                    f"{name:10} end to end  {_percentiles(totals)}  "
                    f"(level {body['result']['risk_level']}, score {body['result']['risk_score']})"
                )
            for agent in ("heuristic", "ml", "smart_money"):
                print(f"agent {agent:12} {_percentiles(agent_ms[agent])}")


def _publish_cached_model() -> None:
    """Use the model `make dev` trained (if any), so the ML agent runs for real."""
    from moneygrow.config import get_settings
    from moneygrow.ml.model_store import LocalDirModelStore, store_for_location
    from moneygrow.ml.training import MODEL_NAME

    bundle = LocalDirModelStore(ROOT / ".local" / "models").load(MODEL_NAME)
    if bundle is not None:
        store_for_location(f"s3://{get_settings().model_bucket}").save(MODEL_NAME, bundle)
    else:
        print("(no cached model: run `make dev` once; the ML agent reports DEGRADED here)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--analyses", type=int, default=10)
    args = parser.parse_args()
    bench_api(args.requests)
    bench_end_to_end(args.analyses)


if __name__ == "__main__":
    main()

"""Load test: the in-process API served by uvicorn on 127.0.0.1, driven open-loop at a fixed rate.

    uv run python tests/benchmarks/load_api.py                        # 100 req/s for 60 s, in-memory store
    uv run python tests/benchmarks/load_api.py --store moto --rate 30  # DynamoDB API on a moto server
    uv run python tests/benchmarks/load_api.py --rate 50 --duration 10

What runs: the real FastAPI app (all middleware, auth, rate limits, audit logs) under uvicorn, with the
in-memory store (default: measures the app, not the emulator) or the DynamoDB store talking HTTP to a
moto server in a subprocess (moto costs ~15 ms per request here, so it saturates well below 100 req/s on
a small machine), and a recording workflow in place of Step Functions (analyses stay RUNNING; the
agents are not part of this test).

The traffic (requests are scheduled at fixed instants, not when the previous one returns):
- "users" (70 % of the rate): 10 accounts with their own API keys: GET /analysis/{id} (own tasks),
  GET /analysis/history, POST /analyze (mostly deduplicated), GET /users/me with a Bearer token.
  Every answer must be 2xx.
- "abuser" (25 %): one API key sending more than its tier allows: 2xx until the limit, then 429.
- "brute force" (5 %): wrong passwords for one account from this IP: 401 until the per-account and
  per-IP login limits trip, then 429.
Anything else (another status, a timeout, a connection error) is an error: the exit status is 1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import random
import socket
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
for p in (ROOT / "shared", ROOT / "functions" / "api", ROOT):
    sys.path.insert(0, str(p))

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")  # audit lines would swamp the output

import httpx  # noqa: E402

PASSWORD = "load test passphrase"
EXPECTED = {"users": {200, 202}, "abuser": {200, 429}, "brute force": {401, 429}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _moto_dynamodb() -> Iterator[Any]:
    """moto's server in its own process (its own GIL), reached over HTTP like DynamoDB."""
    import subprocess

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(f"{endpoint}/moto-api/", timeout=1)
                break
            time.sleep(0.1)
        from moneygrow.store.dynamo import DynamoStore, Item

        store = DynamoStore("moneygrow-load", "us-east-1")
        Item.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        yield store
    finally:
        server.terminate()
        server.wait(timeout=10)


@dataclass
class NullWorkflow:
    started: int = 0

    def start(self, task: Any) -> None:
        self.started += 1

    def state(self, task_id: str) -> Any:
        from moneygrow.workflow import ExecutionState

        return ExecutionState.RUNNING

    def ping(self) -> None:
        return None


@contextlib.contextmanager
def _serve(store: Any) -> Iterator[str]:
    import uvicorn

    from moneygrow.auth.tokens import TokenIssuer
    from moneygrow.config import Settings
    from moneygrow_api import ApiDeps, create_app

    # Free tier at 600/min: each of the 10 users sends ~420/min (under it), the abuser ~1,500/min,
    # so it crosses the limit within every one-minute window (at the default 1,200/min a 60 s run
    # split over two windows may never reach it).
    settings = Settings(jwt_secret="load-test-secret-" + "q" * 32, rate_limit_free_per_min=600)
    deps = ApiDeps(
        settings=settings,
        store=store,
        workflow=NullWorkflow(),
        issuer=TokenIssuer(settings.jwt_secret, settings.access_token_ttl_s, settings.refresh_token_ttl_s),
    )
    port = _free_port()
    config = uvicorn.Config(
        create_app(deps),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,  # no server banner
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Account:
    email: str
    bearer: dict[str, str]
    key: dict[str, str]
    tasks: list[str] = field(default_factory=list)


async def _account(http: httpx.AsyncClient, email: str, tasks: int) -> Account:
    creds = {"email": email, "password": PASSWORD}
    assert (await http.post("/auth/register", json=creds)).status_code == 202
    tokens = (await http.post("/auth/token", json=creds)).json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    key = (await http.post("/users/api-keys", json={"name": "load"}, headers=bearer)).json()["api_key"]
    acct = Account(email, bearer, {"X-API-Key": key})
    for i in range(tasks):
        r = await http.post(
            "/analyze", json={"token_address": f"0x{random.getrandbits(160):040x}"}, headers=bearer
        )
        acct.tasks.append(r.json()["task_id"])
        del i
    return acct


def _user_request(rng: random.Random, acct: Account) -> tuple[str, str, dict[str, Any]]:
    roll = rng.random()
    if roll < 0.55:
        return "GET", f"/analysis/{rng.choice(acct.tasks)}", {"headers": acct.key}
    if roll < 0.75:
        return "GET", "/analysis/history?limit=20", {"headers": acct.key}
    if roll < 0.90:  # a small pool of tokens: mostly answered from the running task (deduplicated)
        token = f"0x{rng.randrange(1, 20):040x}"
        return "POST", "/analyze", {"headers": acct.key, "json": {"token_address": token}}
    return "GET", "/users/me", {"headers": acct.bearer}


async def run(base: str, rate: float, duration: float, seed: int) -> int:
    rng = random.Random(seed)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as http:
        users = [await _account(http, f"user{i}@example.com", 5) for i in range(10)]
        abuser = await _account(http, "abuser@example.com", 3)
        victim = "victim@example.com"
        await http.post("/auth/register", json={"email": victim, "password": PASSWORD})

        latencies: dict[str, list[float]] = defaultdict(list)
        statuses: dict[str, Counter[int | str]] = defaultdict(Counter)
        inflight: set[asyncio.Task[None]] = set()
        semaphore = asyncio.Semaphore(500)  # bound: a stalled server cannot make the client explode

        async def one(kind: str, method: str, path: str, kwargs: dict[str, Any]) -> None:
            async with semaphore:
                t = time.perf_counter()
                try:
                    r = await http.request(method, path, **kwargs)
                    status: int | str = r.status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                latencies[kind].append((time.perf_counter() - t) * 1000)
                statuses[kind][status] += 1

        total = int(rate * duration)
        start = time.perf_counter()
        for i in range(total):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            roll = rng.random()
            if roll < 0.70:
                kind, req = "users", _user_request(rng, rng.choice(users))
            elif roll < 0.95:
                kind, req = (
                    "abuser",
                    ("GET", f"/analysis/{rng.choice(abuser.tasks)}", {"headers": abuser.key}),
                )
            else:
                creds = {"email": victim, "password": f"guess number {i}"}
                kind, req = "brute force", ("POST", "/auth/token", {"json": creds})
            task = asyncio.create_task(one(kind, *req))
            inflight.add(task)
            task.add_done_callback(inflight.discard)
        await asyncio.gather(*inflight)
        elapsed = time.perf_counter() - start

    return _report(latencies, statuses, total, elapsed, rate, duration)


def _pct(samples: list[float]) -> str:
    if len(samples) < 2:
        return f"n={len(samples)}"
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return (
        f"n={len(samples)} p50={q[49]:.1f} ms p95={q[94]:.1f} ms p99={q[98]:.1f} ms max={max(samples):.1f} ms"
    )


def _report(
    latencies: dict[str, list[float]],
    statuses: dict[str, Counter[int | str]],
    total: int,
    elapsed: float,
    rate: float,
    duration: float,
) -> int:
    everything = [x for xs in latencies.values() for x in xs]
    errors = {
        kind: {s: n for s, n in counts.items() if s not in EXPECTED[kind]}
        for kind, counts in statuses.items()
    }
    n_errors = sum(sum(e.values()) for e in errors.values())
    achieved = total / elapsed
    print(f"## Load: {total} requests at {rate:g} req/s for {duration:g} s -> achieved {achieved:.1f} req/s")
    print(f"all          {_pct(everything)}")
    for kind in ("users", "abuser", "brute force"):
        print(f"{kind:<12} {_pct(latencies[kind])}  statuses {dict(sorted(statuses[kind].items(), key=str))}")
    intended_429 = statuses["abuser"][429] + statuses["brute force"][429]
    print(f"intended 429s: {intended_429}; errors (anything unexpected): {n_errors}")
    if n_errors:
        print(f"unexpected: {errors}")
    return 1 if n_errors else 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--store", choices=("moto", "memory"), default="memory")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    if args.store == "memory":
        from moneygrow.store.memory import MemoryStore

        store_cm: contextlib.AbstractContextManager[Any] = contextlib.nullcontext(MemoryStore())
    else:
        store_cm = _moto_dynamodb()
    with store_cm as store, _serve(store) as base:
        print(f"API {base} (uvicorn, in-process app; store: {args.store}; workflow: recording stub)")
        code = asyncio.run(run(base, args.rate, args.duration, args.seed))
    sys.exit(code)


if __name__ == "__main__":
    main()

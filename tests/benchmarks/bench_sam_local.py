"""SAM local figures (a script that prints numbers, not a pass/fail test).

    uv run python tests/benchmarks/bench_sam_local.py [--warm 50] [--rebuild-image]

Starts what `make sam-local` starts (dockerd, the offline Lambda python3.11 image, `sam build`,
`sam local start-api` + `start-lambda` against the dev stack) and prints:
- the image: built or cached, build time by step, size;
- the API function's cold start (the first request makes SAM start its container) and warm latency
  (p50/p95 of GET /health and of GET /users/me, which verifies a JWT and reads DynamoDB in moto);
- one analysis of the demo ScamToken with every agent and the aggregate in a container;
- `sam local invoke` of the heuristic agent (a new container each time: always cold).
Everything stops at the end: no dockerd or container is left running.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

import httpx  # noqa: E402

from devstack import samlocal  # noqa: E402
from tests.e2e.flow import poll_analysis  # noqa: E402


def _timed(http: httpx.Client, method: str, path: str, **kwargs: object) -> float:
    started = time.perf_counter()
    response = http.request(method, path, **kwargs)  # type: ignore[arg-type]
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed


def _pcts(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=20)
    return f"p50 {statistics.median(samples):.0f} ms, p95 {q[18]:.0f} ms (n={len(samples)})"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--warm", type=int, default=50, help="warm requests per route")
    parser.add_argument("--rebuild-image", action="store_true", help="build the image even if cached")
    args = parser.parse_args()
    reason = samlocal.docker_unavailable_reason()
    if reason:
        print(f"SAM local cannot run here: {reason}")
        return 2
    if args.rebuild_image:
        with samlocal.Dockerd() as docker:
            samlocal.ensure_image(docker, force=True)
    started = time.monotonic()
    with samlocal.sam_local(Path(tempfile.mkdtemp(prefix="mg-bench-sam-"))) as sam:
        print(f"image            {sam.image.summary()}")
        print(
            f"stack up in      {time.monotonic() - started:.1f} s (dockerd, sam build, dev stack, sam local)"
        )
        with httpx.Client(base_url=sam.api, timeout=120) as http:
            cold = _timed(http, "GET", "/health")
            health = [_timed(http, "GET", "/health") for _ in range(args.warm)]
            creds = {"email": "bench@example.com", "password": "a benchmark passphrase"}
            http.post("/auth/register", json=creds).raise_for_status()
            access = http.post("/auth/token", json=creds).json()["access_token"]
            auth = {"Authorization": f"Bearer {access}"}
            me = [_timed(http, "GET", "/users/me", headers=auth) for _ in range(args.warm)]
            print(f"API cold start   {cold:.0f} ms (first request: container start + imports + handler)")
            print(f"API warm /health {_pcts(health)}")
            print(f"API warm /users/me {_pcts(me)}")

            t = time.monotonic()
            task = http.post(
                "/analyze",
                json={"token_address": sam.stack.chain["ScamToken"], "chain": "ethereum"},
                headers=auth,
            ).json()["task_id"]
            body = poll_analysis(http, task, auth, timeout_s=300)
            print(
                f"analysis         {body['status']} in {time.monotonic() - t:.1f} s (agents + aggregate cold)"
            )

        path = samlocal.agent_event("HeuristicAgentFunction", sam.stack.chain["ScamToken"], sam.stack.state)
        t = time.monotonic()
        result = sam.invoke("HeuristicAgentFunction", path)
        print(f"sam local invoke HeuristicAgentFunction {result['status']} in {time.monotonic() - t:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

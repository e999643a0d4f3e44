"""Start `python -m devstack` (what `make dev` runs) as a child process on free ports, wait until it is
ready, and stop it with its whole process group: for the end-to-end tests and SAM local."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess  # nosec B404
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.chain import free_port

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class DevStack:
    proc: subprocess.Popen[bytes]
    api: str
    moto_port: int
    anvil_port: int
    state: Path
    web: str = ""  # the web app's URL (frontend/dist)

    @property
    def chain(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.state / "chain.json").read_text())
        return data

    def log_tail(self) -> str:
        path = self.state / "devstack.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


_GIVEN = ("MONEYGROW_DATA_DIR", "MONEYGROW_MODEL_CACHE")


def child_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The dev stack's environment: ours without MONEYGROW_* settings and AWS endpoints (the stack
    sets its own), except its inputs: the labelled data directory (the ML models are trained from
    it, the wallet labels seeded from it: dropping it left a checkout that is not beside
    ../shared/data, such as a CI clone, without a model and with an unlabelled registry) and where
    the trained models are cached (devstack/models.py)."""
    return {
        k: v for k, v in environ.items() if k in _GIVEN or not k.startswith(("MONEYGROW_", "AWS_ENDPOINT"))
    }


@contextlib.contextmanager
def dev_stack(
    state: Path, *, lambda_endpoint: str | None = None, timeout_s: float = 240
) -> Iterator[DevStack]:
    """`python -m devstack` on free ports (its Lambda tasks forwarded to `lambda_endpoint` if given)."""
    import httpx

    state.mkdir(parents=True, exist_ok=True)
    api_port, moto_port, anvil_port, web_port = free_port(), free_port(), free_port(), free_port()
    env = child_env(os.environ)
    module = (
        ["-m", "devstack.samlocal", "devstack", "--lambda-endpoint", lambda_endpoint]
        if lambda_endpoint
        else ["-m", "devstack"]
    )
    logfile = (state / "devstack.log").open("w")
    proc = subprocess.Popen(  # nosec B603
        [
            sys.executable,
            *module,
            "--api-port",
            str(api_port),
            "--web-port",
            str(web_port),
            "--moto-port",
            str(moto_port),
            "--anvil-port",
            str(anvil_port),
            "--state-dir",
            str(state),
        ],
        cwd=ROOT,
        env=env,
        stdout=logfile,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    logfile.close()
    stack = DevStack(
        proc, f"http://127.0.0.1:{api_port}", moto_port, anvil_port, state, f"http://127.0.0.1:{web_port}"
    )

    def ready() -> bool:
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(f"{stack.api}/health/ready", timeout=2).status_code == 200
        return False

    try:
        wait_until(ready, proc, "devstack", stack.log_tail, timeout_s)
        yield stack
    finally:
        stop_group(proc, signal.SIGINT)


def wait_until(
    ready: Callable[[], bool],
    proc: subprocess.Popen[Any],
    what: str,
    log_tail: Callable[[], str],
    timeout_s: float,
    interval_s: float = 0.5,
) -> None:
    """Poll `ready` until it is true; fail with the log's tail if `proc` exits or time runs out."""
    deadline = time.monotonic() + timeout_s
    while not ready():
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{log_tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready after {timeout_s} s:\n{log_tail()}")
        time.sleep(interval_s)


def stop_group(proc: subprocess.Popen[Any], sig: int, timeout_s: float = 30) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

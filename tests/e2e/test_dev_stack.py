"""End to end: start the local product exactly as the README says (`python -m devstack`, which
`make dev` runs) and drive it over HTTP: register → key → analyze → poll → result → history."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.chain import anvil_binary, free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.chain]


@pytest.fixture(scope="module")
def dev_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    anvil_binary()  # a clear error if `make install` has not run
    state = tmp_path_factory.mktemp("devstack")
    api_port, moto_port, anvil_port = free_port(), free_port(), free_port()
    log = (state / "devstack.log").open("w")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONEYGROW_", "AWS_ENDPOINT"))}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devstack",
            "--api-port",
            str(api_port),
            "--moto-port",
            str(moto_port),
            "--anvil-port",
            str(anvil_port),
            "--state-dir",
            str(state),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{api_port}"
    try:
        _wait_ready(base, proc, state / "devstack.log")
        yield {"base": base, "chain": (state / "chain.json").read_text(), "log": state / "devstack.log"}
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 240) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"devstack exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"devstack not ready after {timeout_s} s:\n{log.read_text()[-4000:]}")


def test_register_key_analyze_poll_result_history(dev_stack: dict[str, Any]) -> None:
    import json

    tokens = json.loads(dev_stack["chain"])
    with httpx.Client(base_url=dev_stack["base"], timeout=10) as http:
        assert http.get("/health").json() == {"status": "ok"}
        creds = {"email": "e2e@example.com", "password": "an end to end passphrase"}
        assert http.post("/auth/register", json=creds).status_code == 202
        access = http.post("/auth/token", json=creds).json()["access_token"]
        key = http.post(
            "/users/api-keys", json={"name": "e2e"}, headers={"Authorization": f"Bearer {access}"}
        ).json()["api_key"]
        headers = {"X-API-Key": key}

        submitted = http.post(
            "/analyze", json={"token_address": tokens["ScamToken"], "chain": "ethereum"}, headers=headers
        )
        assert submitted.status_code == 202
        task_id = submitted.json()["task_id"]
        again = http.post(
            "/analyze", json={"token_address": tokens["ScamToken"], "chain": "ethereum"}, headers=headers
        ).json()
        if again["deduplicated"]:  # still running: the same task comes back
            assert again["task_id"] == task_id
        else:  # it had already finished, so a new analysis started
            assert http.get(f"/analysis/{task_id}", headers=headers).json()["status"] == "COMPLETED"

        deadline = time.monotonic() + 60
        body: dict[str, Any] = {}
        while time.monotonic() < deadline:
            body = http.get(f"/analysis/{task_id}", headers=headers).json()
            if body["status"] in ("COMPLETED", "FAILED"):
                break
            time.sleep(0.2)
        assert body["status"] == "COMPLETED", body
        result = body["result"]
        assert result["risk_level"] in ("HIGH", "CRITICAL")
        assert {"owner_can_mint", "owner_can_blacklist"} <= {f["type"] for f in result["heuristic_risks"]}
        assert result["agent_statuses"]["heuristic"] == "OK"
        assert result["agent_statuses"]["smart_money"] == "OK"

        history = http.get("/analysis/history", headers=headers).json()
        assert task_id in [item["task_id"] for item in history["items"]]
        other = http.post(
            "/auth/register", json={"email": "other@example.com", "password": "another passphrase"}
        )
        assert other.status_code == 202
        other_access = http.post(
            "/auth/token", json={"email": "other@example.com", "password": "another passphrase"}
        ).json()["access_token"]
        hidden = http.get(f"/analysis/{task_id}", headers={"Authorization": f"Bearer {other_access}"})
        assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"

"""SAM local, for real: the API and every Lambda of the analysis run in Lambda-like containers
(devstack.samlocal: our own dockerd, the offline python3.11 image, `sam build`, `sam local
start-api` / `start-lambda` / `invoke`) against the dev stack's moto and anvil.

Skipped, with the reason printed, where Docker cannot run (no docker.io, not root, no debootstrap).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack import samlocal
from devstack.sam import load_sam_template
from moneygrow.agents.runner import run_agent
from moneygrow.models import AgentName
from tests.conftest import reset_process_caches
from tests.e2e.flow import assert_scam_verdict, user_journey

REASON = samlocal.docker_unavailable_reason()
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.chain,
    pytest.mark.docker,
    pytest.mark.skipif(REASON is not None, reason=f"SAM local cannot run here: {REASON}"),
    pytest.mark.timeout(1500),  # a fresh machine builds the image and the layer first
]
AGENTS = {
    "HeuristicAgentFunction": AgentName.HEURISTIC,
    "MlAgentFunction": AgentName.ML,
    "SmartMoneyAgentFunction": AgentName.SMART_MONEY,
}


@pytest.fixture(scope="module")
def sam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[samlocal.SamLocal]:
    with contextlib.ExitStack() as running:
        try:
            session = running.enter_context(samlocal.sam_local(tmp_path_factory.mktemp("sam-local")))
        except samlocal.DockerUnavailable as exc:  # installed, but this machine cannot run containers
            pytest.skip(f"SAM local cannot run here: {exc}")
        print(f"\n[sam-local] image: {session.image.summary()}")
        yield session
    # Stopped cleanly: the dockerd we started (and reaped) is gone, its containers removed before.
    if session.docker.started_pid is not None:
        with pytest.raises(ProcessLookupError):
            os.kill(session.docker.started_pid, 0)


def test_register_key_analyze_result_with_every_function_in_a_container(sam: samlocal.SamLocal) -> None:
    body = user_journey(sam.api, sam.stack.chain["ScamToken"], poll_timeout_s=300)
    assert_scam_verdict(body)
    assert body["result"]["agent_statuses"]["ml"] == _ml_status(sam)
    # The workflow's tasks really ran in containers: start-lambda served an invocation of each. Its
    # request line is logged once the invocation has returned, which can be just after the aggregate
    # wrote the verdict the journey saw: wait for it a little.
    wanted = [
        f'/functions/{function}/invocations HTTP/1.1" 200' for function in (*AGENTS, "AggregateFunction")
    ]
    deadline = time.monotonic() + 30
    while True:
        log = (sam.stack.state.parent / "start-lambda.log").read_text()
        missing = [line for line in wanted if line not in log]
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert not missing, f"not run by start-lambda: {missing}"


@pytest.mark.parametrize("function", list(AGENTS))
def test_sam_local_invoke_matches_the_in_process_handler(
    sam: samlocal.SamLocal, function: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = samlocal.agent_event(function, sam.stack.chain["ScamToken"], tmp_path)
    event = json.loads(path.read_text())

    in_container = sam.invoke(function, path)
    in_process = _in_process(sam, AGENTS[function], event, monkeypatch)

    assert in_container["agent"] == in_process["agent"] == AGENTS[function].value
    expected = _ml_status(sam) if function == "MlAgentFunction" else "OK"
    assert in_container["status"] == in_process["status"] == expected, (in_container, in_process)
    assert _findings(in_container) == _findings(in_process)
    assert in_container["gaps"] == in_process["gaps"]
    if function == "MlAgentFunction" and expected == "OK":
        # the same verdict from the same artifacts (ScamToken: solc 0.8, no pool -> insufficient data)
        assert in_container["data"]["verdict"] == in_process["data"]["verdict"]
        assert in_container["data"]["basis"] == in_process["data"]["basis"]
        if "scam_probability" in in_process["data"]:
            assert in_container["data"]["scam_probability"] == pytest.approx(
                in_process["data"]["scam_probability"]
            )
            assert in_container["data"]["model_version"] == in_process["data"]["model_version"]
    if function == "SmartMoneyAgentFunction":
        assert in_container["data"] == in_process["data"]


def _ml_status(sam: samlocal.SamLocal) -> str:
    """OK when the dev stack published a model (it trains one from MONEYGROW_DATA_DIR), else the ML
    agent rightly says DEGRADED (no model)."""
    return "OK" if "published to s3://" in (sam.stack.state / "devstack.log").read_text() else "DEGRADED"


def _in_process(
    sam: samlocal.SamLocal, agent: AgentName, event: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """The same agent in this process, configured like the container: the dev stack's moto and anvil."""
    params = load_sam_template(samlocal.TEMPLATE.read_text())["Parameters"]
    rpc = f"http://127.0.0.1:{sam.stack.anvil_port}"
    for key, value in {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{sam.stack.moto_port}",
        "MONEYGROW_TABLE_NAME": params["TableName"]["Default"],
        "MONEYGROW_MODEL_BUCKET": params["ModelBucketName"]["Default"],
        "MONEYGROW_RPC_URLS": json.dumps({c: [rpc] for c in ("ethereum", "bsc", "polygon")}),
        "MONEYGROW_SMART_MONEY_WALLETS": str(sam.stack.state / "smart_money.csv"),
    }.items():
        monkeypatch.setenv(key, value)
    reset_process_caches()
    try:
        return run_agent(agent, event)
    finally:
        reset_process_caches()


def _findings(result: dict[str, Any]) -> list[tuple[str, str, int]]:
    return sorted((f["type"], f["severity"], f["score"]) for f in result["findings"])

"""The synthesized state machine, executed by moto with the real handlers in-process.

No chain is needed: MONEYGROW_RPC_URLS points at a closed port, so every agent's RPC fails, the
workflow's Retry/Catch turn each branch into a FAILED AgentResult, and the aggregate still runs.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devstack.aws import (
    MOTO_CONFIG,
    HandlerBridge,
    LocalAws,
    LocalResources,
    load_template,
    server_url,
    start_server,
    synth,
)

AGENT_SOURCES = ("functions/agents/heuristic", "functions/agents/ml", "functions/agents/smart_money")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(synth())


@pytest.fixture(scope="module")
def local(template: dict[str, Any]) -> Iterator[tuple[LocalAws, LocalResources]]:
    from moneygrow.agents.runner import default_deps
    from moneygrow.config import get_settings

    rpc = f"http://127.0.0.1:{_closed_port()}"
    with pytest.MonkeyPatch.context() as mp, mock_aws(config=MOTO_CONFIG):
        mp.setenv("MONEYGROW_RPC_URLS", json.dumps({c: [rpc] for c in ("ethereum", "bsc", "polygon")}))
        mp.setenv("MONEYGROW_RPC_TIMEOUT_S", "1")
        with LocalAws(template, retry_sleep=0.0) as aws:
            resources = aws.provision()
            for key, value in resources.env().items():
                mp.setenv(key, value)
            get_settings.cache_clear()
            default_deps.cache_clear()
            yield aws, resources
        get_settings.cache_clear()
        default_deps.cache_clear()


def _task(chain: str = "ethereum") -> dict[str, str]:
    return {
        "task_id": f"t-{uuid.uuid4().hex[:12]}",
        "user_id": "u-local",
        "token_address": "0x" + "ab" * 20,
        "chain": chain,
    }


def _seed_analysis(resources: LocalResources, task: dict[str, str]) -> Any:
    """What the API does before starting an execution: the RUNNING analysis and its lock."""
    from moneygrow.chains import Chain
    from moneygrow.models import AnalysisStatus
    from moneygrow.store.dynamo import DynamoStore
    from moneygrow.store.records import Analysis

    store = DynamoStore(resources.table_name, "us-east-1")
    now = datetime.now(UTC)
    store.create_analysis(
        Analysis(
            task_id=task["task_id"],
            user_id=task["user_id"],
            token_address=task["token_address"],
            chain=Chain(task["chain"]),
            status=AnalysisStatus.RUNNING,
            created_at=now,
            updated_at=now,
        ),
        600,
    )
    return store


def _history(execution_arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = boto3.client(
        "stepfunctions", region_name="us-east-1"
    ).get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    return events


# --- server mode (first: it must run before the module's mock_aws fixture starts) -----------------


def test_server_mode_runs_the_same_workflow(
    template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ThreadedMotoServer, as the dev stack runs it: every boto3/PynamoDB client reaches it through
    AWS_ENDPOINT_URL, and moto's Step Functions engine calls Lambda on MOTO_PORT."""
    from moneygrow.agents.runner import default_deps
    from moneygrow.config import get_settings

    port = _closed_port()
    url = server_url(port)
    monkeypatch.setenv("MOTO_PORT", str(port))  # restored afterwards (start_server sets it)
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    monkeypatch.setenv("MONEYGROW_RPC_URLS", json.dumps({"ethereum": [f"http://127.0.0.1:{_closed_port()}"]}))
    server = start_server(port)
    try:
        with LocalAws(template, endpoint_url=url, prefix="moneygrow-server", retry_sleep=0.0) as aws:
            resources = aws.provision()
            for key, value in resources.env().items():
                monkeypatch.setenv(key, value)
            get_settings.cache_clear()
            default_deps.cache_clear()
            task = _task()
            store = _seed_analysis(resources, task)
            execution = aws.run_execution(resources.state_machine_arn, task, name=task["task_id"])
            assert execution["status"] == "SUCCEEDED", execution
            assert store.get_analysis(task["task_id"]).status == "COMPLETED"
    finally:
        server.stop()
        get_settings.cache_clear()
        default_deps.cache_clear()


# --- the flow ------------------------------------------------------------------------------------


def test_agents_failing_on_rpc_are_caught_and_the_aggregate_still_runs(
    local: tuple[LocalAws, LocalResources],
) -> None:
    aws, resources = local
    task = _task()
    store = _seed_analysis(resources, task)

    execution = aws.run_execution(resources.state_machine_arn, task, name=task["task_id"])

    assert execution["status"] == "SUCCEEDED", execution
    output = json.loads(execution["output"])
    assert output["task_id"] == task["task_id"]
    assert output["status"] == "COMPLETED"

    analysis = store.get_analysis(task["task_id"])
    assert analysis.status == "COMPLETED"
    assert analysis.result["degraded"] is True
    statuses = analysis.result["agent_statuses"]
    assert list(statuses) == ["heuristic", "ml", "smart_money"]
    # The heuristic agent cannot work without the chain: it raises, and the workflow catches it.
    # (Agents that can still answer without RPC return DEGRADED themselves.)
    assert statuses["heuristic"] == "FAILED"
    assert set(statuses.values()) <= {"FAILED", "DEGRADED"}
    assert [a["agent"] for a in analysis.agents] == ["heuristic", "ml", "smart_money"]
    assert all(a["error"] for a in analysis.agents if a["status"] == "FAILED")
    # An agent that answered records how it ended on the record itself, during the run (the progress
    # view's live state); one that raised records nothing: its FAILED comes from the aggregate's list
    # (and so does the API's progress for it).
    answered = {agent for agent, status in statuses.items() if status != "FAILED"}
    assert set(analysis.progress) == answered  # here every agent needs the chain: none answered
    for agent in answered:
        assert analysis.progress[agent].status == statuses[agent]
        assert analysis.created_at <= analysis.progress[agent].finished_at <= analysis.completed_at
    from moneygrow.services.analyses import agent_progress

    assert [(s.agent, s.state, s.status) for s in agent_progress(analysis)] == [
        (agent, "done", status) for agent, status in statuses.items()
    ]

    # Retry ran before Catch: a failed agent was scheduled 1 + MaxAttempts(2) times; others once.
    scheduled: dict[str, int] = {}
    for event in _history(execution["executionArn"]):
        if event["type"] == "LambdaFunctionScheduled":
            arn = event["lambdaFunctionScheduledEventDetails"]["resource"]
            scheduled[arn] = scheduled.get(arn, 0) + 1
    for source, agent in zip(AGENT_SOURCES, ("heuristic", "ml", "smart_money"), strict=True):
        expected = 3 if statuses[agent] == "FAILED" else 1
        assert scheduled.get(resources.function(source).arn) == expected, (agent, scheduled)
    assert scheduled[resources.function("functions/aggregate").arn] == 1


def test_aggregate_failure_runs_the_fail_path(
    local: tuple[LocalAws, LocalResources], monkeypatch: pytest.MonkeyPatch
) -> None:
    import moneygrow.aggregate

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ArithmeticError("aggregation bug")

    monkeypatch.setattr(moneygrow.aggregate, "build_result", broken)
    aws, resources = local
    task = _task()
    store = _seed_analysis(resources, task)

    execution = aws.run_execution(resources.state_machine_arn, task, name=task["task_id"])

    assert execution["status"] == "FAILED"
    assert execution.get("error") == "AnalysisFailed"
    analysis = store.get_analysis(task["task_id"])
    assert analysis.status == "FAILED"
    assert "ArithmeticError" in analysis.error["message"] or "aggregation bug" in analysis.error["message"]
    assert [a["agent"] for a in analysis.agents] == ["heuristic", "ml", "smart_money"]


# --- the bridge ----------------------------------------------------------------------------------


def test_handler_exception_is_a_lambda_function_error(local: tuple[LocalAws, LocalResources]) -> None:
    _, resources = local
    fn = resources.function("functions/agents/heuristic")
    response = boto3.client("lambda", region_name="us-east-1").invoke(
        FunctionName=fn.name, Payload=json.dumps({"not": "a task"})
    )
    assert response["FunctionError"] == "Unhandled"
    payload = json.loads(response["Payload"].read())
    assert payload["errorType"] == "ValidationError"
    assert payload["errorMessage"]
    assert isinstance(payload["stackTrace"], list)


def test_bridge_sets_the_error_header_and_imports_one_module_per_function(
    local: tuple[LocalAws, LocalResources],
) -> None:
    aws, resources = local
    agg = resources.function("functions/aggregate", "handler.handler")
    fail = resources.function("functions/aggregate", "handler.fail_handler")
    headers: dict[str, str] = {}
    body = aws.bridge.invoke(agg, b"{}", headers)
    assert headers == {"x-amz-function-error": "Unhandled"}
    assert json.loads(body)["errorType"] == "ValidationError"
    assert aws.bridge.handler(agg).__module__ != aws.bridge.handler(fail).__module__
    assert aws.bridge.handler(agg) is aws.bridge.handler(agg)  # cached


def test_bridge_uninstall_restores_moto() -> None:
    from moto.awslambda_simple.models import LambdaSimpleBackend

    original = LambdaSimpleBackend.invoke
    bridge = HandlerBridge()
    with bridge:
        assert LambdaSimpleBackend.invoke is not original
    assert LambdaSimpleBackend.invoke is original


# --- no second copy ------------------------------------------------------------------------------


def test_local_definition_is_the_synthesized_one(
    template: dict[str, Any], local: tuple[LocalAws, LocalResources]
) -> None:
    _, resources = local
    (sm,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine"]
    separator, parts = sm["Properties"]["DefinitionString"]["Fn::Join"]
    arns = {fn.logical_id: fn.arn for fn in resources.functions.values()}
    refs = {"AWS::Partition": "aws", **resources.queues}  # the Notify step's DLQ: its local URL

    def local(p: Any) -> str:
        return p if isinstance(p, str) else arns[p["Fn::GetAtt"][0]] if "Fn::GetAtt" in p else refs[p["Ref"]]

    expected = separator.join(local(p) for p in parts)
    deployed = boto3.client("stepfunctions", region_name="us-east-1").describe_state_machine(
        stateMachineArn=resources.state_machine_arn
    )["definition"]
    assert deployed == expected == resources.definition
    # only functions, the partition and queues: what devstack/aws.py resolves
    assert all(isinstance(p, str) or set(p) in ({"Fn::GetAtt"}, {"Ref"}) for p in parts)
    assert "Notify" in json.loads(deployed)["States"]


def test_table_is_provisioned_from_the_template(
    template: dict[str, Any], local: tuple[LocalAws, LocalResources]
) -> None:
    _, resources = local
    (props,) = [
        r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"
    ]
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    table = ddb.describe_table(TableName=resources.table_name)["Table"]
    assert table["KeySchema"] == props["KeySchema"]
    assert [(g["IndexName"], g["KeySchema"]) for g in table["GlobalSecondaryIndexes"]] == [
        (g["IndexName"], g["KeySchema"]) for g in props["GlobalSecondaryIndexes"]
    ]
    ttl = ddb.describe_time_to_live(TableName=resources.table_name)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == props["TimeToLiveSpecification"]["AttributeName"] == "expires_at"
    s3 = boto3.client("s3", region_name="us-east-1")
    assert s3.get_bucket_versioning(Bucket=resources.bucket_name)["Status"] == "Enabled"


def test_synth_is_cached_when_inputs_are_unchanged() -> None:
    first = synth()
    mtime = first.stat().st_mtime
    assert synth() == first
    assert first.stat().st_mtime == mtime

"""The synthesized CloudFormation: storage, functions, workflow shape, API and least privilege.

The app is built and synthesized once per session (≈ 6 s); synthesis itself proves cdk-nag found
no unacknowledged error (its validation plugin fails synth otherwise).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from infra.app import build_app

pytestmark = pytest.mark.infra

STACK = "MoneyGrow-dev"
FUNCTIONS = {
    "ApiFunction": ("functions/api", "handler.handler"),
    "HeuristicAgentFunction": ("functions/agents/heuristic", "handler.handler"),
    "MlAgentFunction": ("functions/agents/ml", "handler.handler"),
    "SmartMoneyAgentFunction": ("functions/agents/smart_money", "handler.handler"),
    "AggregateFunction": ("functions/aggregate", "handler.handler"),
    "FailAnalysisFunction": ("functions/aggregate", "handler.fail_handler"),
}
AGENTS = ("HeuristicAgentFunction", "MlAgentFunction", "SmartMoneyAgentFunction")


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    outdir = tmp_path_factory.mktemp("cdk.out")
    assembly = build_app(outdir=str(outdir), context={"stage": "dev"}).synth()
    template: dict[str, Any] = json.loads(
        Path(assembly.get_stack_by_name(STACK).template_full_path).read_text()
    )
    return template


@pytest.fixture(scope="session")
def template(synthesized: dict[str, Any]) -> Template:
    return Template.from_json(synthesized)


def _resources(tpl: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in tpl["Resources"].items() if v["Type"] == type_}


def _function_ids(tpl: dict[str, Any]) -> dict[str, str]:
    """Construct id (e.g. "MlAgentFunction") -> logical id, via the moneygrow:* Metadata."""
    by_source = {v: k for k, v in FUNCTIONS.items()}
    out = {}
    for logical_id, res in _resources(tpl, "AWS::Lambda::Function").items():
        meta = res.get("Metadata", {})
        construct_id = by_source[(meta.get("moneygrow:source"), meta.get("moneygrow:handler"))]
        assert construct_id in logical_id
        out[construct_id] = logical_id
    return out


def _role_statements(tpl: dict[str, Any], function_logical_id: str) -> list[dict[str, Any]]:
    role_id = tpl["Resources"][function_logical_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    statements: list[dict[str, Any]] = []
    for policy in _resources(tpl, "AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    for inline in tpl["Resources"][role_id]["Properties"].get("Policies", []):
        statements += inline["PolicyDocument"]["Statement"]
    return statements


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    actions: set[str] = set()
    for st in statements:
        a = st["Action"]
        actions.update([a] if isinstance(a, str) else a)
    return actions


def _definition(tpl: dict[str, Any]) -> dict[str, Any]:
    (sm,) = _resources(tpl, "AWS::StepFunctions::StateMachine").values()
    parts = sm["Properties"]["DefinitionString"]["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else f"arn:lambda:{p['Fn::GetAtt'][0]}" for p in parts)
    definition: dict[str, Any] = json.loads(text)
    return definition


# --- data ----------------------------------------------------------------------------------------


def test_table_keys_gsi_ttl_pitr_and_encryption(template: Template) -> None:
    template.resource_count_is("AWS::DynamoDB::Table", 1)
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": Match.array_with(
                [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                    {"AttributeName": "gsi1pk", "AttributeType": "S"},
                    {"AttributeName": "gsi1sk", "AttributeType": "S"},
                ]
            ),
            "BillingMode": "PAY_PER_REQUEST",
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "gsi1",
                    "KeySchema": [
                        {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                        {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
        },
    )


def test_model_bucket_is_versioned_encrypted_private_and_tls_only(
    template: Template, synthesized: dict[str, Any]
) -> None:
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "VersioningConfiguration": {"Status": "Enabled"},
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "LoggingConfiguration": Match.object_like({"LogFilePrefix": "model-bucket/"}),
        },
    )
    model_bucket = next(
        k
        for k, v in _resources(synthesized, "AWS::S3::Bucket").items()
        if "VersioningConfiguration" in v["Properties"]
    )
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": model_bucket},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                        )
                    ]
                )
            },
        },
    )


# --- functions -----------------------------------------------------------------------------------


def test_six_functions_on_python_311_with_source_metadata(synthesized: dict[str, Any]) -> None:
    functions = _resources(synthesized, "AWS::Lambda::Function")
    ids = _function_ids(synthesized)
    assert set(ids) == set(FUNCTIONS)
    for construct_id, (source, handler) in FUNCTIONS.items():
        res = functions[ids[construct_id]]
        assert res["Properties"]["Runtime"] == "python3.11"
        assert res["Properties"]["Handler"] == handler
        assert res["Metadata"]["moneygrow:source"] == source
        assert res["Metadata"]["moneygrow:handler"] == handler
        assert (Path(__file__).parents[2] / source).is_dir()
        assert len(res["Properties"]["Layers"]) == 1
        assert res["Properties"]["TracingConfig"] == {"Mode": "Active"}


def test_function_environment(synthesized: dict[str, Any]) -> None:
    functions = synthesized["Resources"]
    for construct_id, logical_id in _function_ids(synthesized).items():
        env = functions[logical_id]["Properties"]["Environment"]["Variables"]
        assert env["MONEYGROW_STAGE"] == "dev"
        for key in ("MONEYGROW_TABLE_NAME", "MONEYGROW_MODEL_BUCKET"):
            assert "Ref" in env[key]
        assert env["POWERTOOLS_SERVICE_NAME"] == "moneygrow"
        assert {"POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"} <= set(env)
        is_api = construct_id == "ApiFunction"
        assert ("MONEYGROW_STATE_MACHINE_ARN" in env) is is_api
        assert ("MONEYGROW_JWT_SECRET_PARAMETER" in env) is is_api


def test_each_function_has_its_own_role(synthesized: dict[str, Any]) -> None:
    roles = [
        fn["Properties"]["Role"]["Fn::GetAtt"][0]
        for fn in _resources(synthesized, "AWS::Lambda::Function").values()
    ]
    assert len(set(roles)) == 6


# --- workflow ------------------------------------------------------------------------------------


def test_state_machine_shape(synthesized: dict[str, Any]) -> None:
    ids = _function_ids(synthesized)
    definition = _definition(synthesized)
    states = definition["States"]
    assert definition["StartAt"] == "RunAgents"
    assert definition["TimeoutSeconds"] == 300

    agents = states["RunAgents"]
    assert agents["Type"] == "Parallel"
    assert agents["ResultPath"] == "$.agents"
    assert agents["Next"] == "Aggregate"
    assert len(agents["Branches"]) == 3
    for branch, (construct_id, name) in zip(
        agents["Branches"], zip(AGENTS, ("heuristic", "ml", "smart_money"), strict=True), strict=True
    ):
        task = branch["States"][branch["StartAt"]]
        assert task["Type"] == "Task"
        assert task["Resource"] == f"arn:lambda:{ids[construct_id]}"  # payload_response_only
        assert task["TimeoutSeconds"] > 0
        (retry,) = task["Retry"]
        assert retry["ErrorEquals"] == ["States.ALL"] and retry["MaxAttempts"] >= 1
        assert retry["BackoffRate"] > 1
        (catch,) = task["Catch"]
        assert catch["ErrorEquals"] == ["States.ALL"]
        failed = branch["States"][catch["Next"]]
        assert failed["Type"] == "Pass"
        assert failed["Parameters"]["agent"] == name
        assert failed["Parameters"]["status"] == "FAILED"
        assert failed.get("End") is True

    aggregate = states["Aggregate"]
    assert aggregate["Resource"] == f"arn:lambda:{ids['AggregateFunction']}"
    assert aggregate["Retry"]
    (catch,) = aggregate["Catch"]
    assert catch["ResultPath"] == "$.error"
    fail_task = states[catch["Next"]]
    assert fail_task["Resource"] == f"arn:lambda:{ids['FailAnalysisFunction']}"
    assert states[fail_task["Next"]]["Type"] == "Fail"


def test_state_machine_logs_and_traces(template: Template) -> None:
    template.has_resource_properties(
        "AWS::StepFunctions::StateMachine",
        {
            "StateMachineType": "STANDARD",
            "TracingConfiguration": {"Enabled": True},
            "LoggingConfiguration": Match.object_like({"Level": "ALL"}),
        },
    )


# --- api -----------------------------------------------------------------------------------------


def test_rest_api_with_key_usage_plan_and_stage(template: Template) -> None:
    template.resource_count_is("AWS::ApiGateway::RestApi", 1)
    template.resource_count_is("AWS::ApiGateway::ApiKey", 1)
    template.resource_count_is("AWS::ApiGateway::UsagePlan", 1)
    template.resource_count_is("AWS::ApiGateway::UsagePlanKey", 1)
    template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "StageName": "dev",
            "TracingEnabled": True,
            "AccessLogSetting": Match.object_like({"DestinationArn": Match.any_value()}),
            "MethodSettings": Match.array_with([Match.object_like({"LoggingLevel": "ERROR"})]),
        },
    )
    template.has_resource_properties("AWS::ApiGateway::Method", {"HttpMethod": "ANY", "ApiKeyRequired": True})


# --- least privilege -----------------------------------------------------------------------------


def test_agents_cannot_write_the_table(synthesized: dict[str, Any]) -> None:
    ids = _function_ids(synthesized)
    for construct_id in AGENTS:
        actions = _actions(_role_statements(synthesized, ids[construct_id]))
        assert not any(a.startswith("dynamodb:") for a in actions), (construct_id, actions)
        assert not any(a.startswith("states:") for a in actions)
    assert any(
        a.startswith("s3:GetObject") for a in _actions(_role_statements(synthesized, ids["MlAgentFunction"]))
    )


def test_api_role_can_start_and_describe_executions(synthesized: dict[str, Any]) -> None:
    ids = _function_ids(synthesized)
    actions = _actions(_role_statements(synthesized, ids["ApiFunction"]))
    assert {"states:StartExecution", "states:DescribeExecution", "ssm:GetParameter"} <= actions
    assert "dynamodb:PutItem" in actions


def test_aggregate_roles_write_the_table(synthesized: dict[str, Any]) -> None:
    ids = _function_ids(synthesized)
    for construct_id in ("AggregateFunction", "FailAnalysisFunction"):
        actions = _actions(_role_statements(synthesized, ids[construct_id]))
        assert {"dynamodb:PutItem", "dynamodb:UpdateItem"} <= actions
        assert not any(a.startswith("states:") for a in actions)

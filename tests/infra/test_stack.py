"""The synthesized CloudFormation: storage, functions, workflow shape, API, alerts, observability,
frontend, stage differences and least privilege.

The app is built and synthesized once per session and stage (≈ 10 s each); synthesis itself proves
cdk-nag found no unacknowledged error (its validation plugin fails synth otherwise).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from infra.app import assembly_messages, build_app
from infra.constructs.lambdas import reserve_concurrency
from infra.stack import RESERVED_CONCURRENCY
from moneygrow.metering import FREE_SHARDS, shard_key_value

pytestmark = pytest.mark.infra

STACK = "MoneyGrow-dev"
FRONTEND_STACK = "MoneyGrow-dev-frontend"
FUNCTIONS = {
    "ApiFunction": ("functions/api", "handler.handler"),
    "AuthorizerFunction": ("functions/authorizer", "handler.handler"),
    "HeuristicAgentFunction": ("functions/agents/heuristic", "handler.handler"),
    "MlAgentFunction": ("functions/agents/ml", "handler.handler"),
    "SmartMoneyAgentFunction": ("functions/agents/smart_money", "handler.handler"),
    "AggregateFunction": ("functions/aggregate", "handler.handler"),
    "FailAnalysisFunction": ("functions/aggregate", "handler.fail_handler"),
    "WalletRegistryJobFunction": ("functions/jobs/wallet_registry", "handler.handler"),
    "NotifyFunction": ("functions/notify", "handler.handler"),
    "RescanScheduleFunction": ("functions/jobs/rescan", "handler.handler"),
}
AGENTS = ("HeuristicAgentFunction", "MlAgentFunction", "SmartMoneyAgentFunction")


RPC_URLS = '{"ethereum": ["https://eth.example.com"], "bsc": ["https://bsc.example.com"]}'


def _synth(outdir: Path, context: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every stack's template by stack name (the local-chain variant unless RPC URLs are given)."""
    if "moneygrow:rpcUrls" not in context:
        context = {**context, "moneygrow:localChain": True}
    assembly = build_app(outdir=str(outdir), context=context).synth()
    return {s.stack_name: json.loads(Path(s.template_full_path).read_text()) for s in assembly.stacks}


@pytest.fixture(scope="session")
def dev_outdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cdk.out")


@pytest.fixture(scope="session")
def dev_templates(dev_outdir: Path) -> dict[str, dict[str, Any]]:
    return _synth(dev_outdir, {"stage": "dev"})


@pytest.fixture(scope="session")
def prod_outdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cdk.out.prod")


@pytest.fixture(scope="session")
def prod_templates(prod_outdir: Path) -> dict[str, dict[str, Any]]:
    return _synth(
        prod_outdir,
        {
            "stage": "prod",
            "moneygrow:corsOrigins": "https://app.example.com",
            "moneygrow:domainName": "api.example.com",
            "moneygrow:certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            "moneygrow:alarmEmail": "ops@example.com",
            "moneygrow:rpcUrls": RPC_URLS,
        },
    )


@pytest.fixture(scope="session")
def synthesized(dev_templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return dev_templates[STACK]


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
    text = "".join(
        p
        if isinstance(p, str)
        else f"arn:lambda:{p['Fn::GetAtt'][0]}"
        if "Fn::GetAtt" in p
        else "aws"
        if p["Ref"] == "AWS::Partition"
        else f"ref:{p['Ref']}"
        for p in parts
    )
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


def test_functions_on_python_311_with_source_metadata(synthesized: dict[str, Any]) -> None:
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
        starts_analyses = construct_id in ("ApiFunction", "RescanScheduleFunction")
        assert ("MONEYGROW_STATE_MACHINE_ARN" in env) is starts_analyses
        alerts = construct_id in ("ApiFunction", "NotifyFunction")
        assert ("MONEYGROW_ALERTS_TOPIC_ARN" in env) is alerts
        reads_jwt_key = construct_id in ("ApiFunction", "AuthorizerFunction")
        assert ("MONEYGROW_JWT_SECRET_PARAMETER" in env) is reads_jwt_key


def test_each_function_has_its_own_role(synthesized: dict[str, Any]) -> None:
    roles = [
        fn["Properties"]["Role"]["Fn::GetAtt"][0]
        for fn in _resources(synthesized, "AWS::Lambda::Function").values()
    ]
    assert len(set(roles)) == len(roles) == 10


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
        # only what can pass is retried; a deterministic error (a bug, bad input) is caught at once
        assert "States.ALL" not in retry["ErrorEquals"] and retry["MaxAttempts"] >= 1
        assert {"States.Timeout", "Lambda.TooManyRequestsException", "ChainUnavailable"} <= set(
            retry["ErrorEquals"]
        )
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

    # rescans only (owner "watchlist"): Notify; when it keeps failing, the task goes to its DLQ
    choice = states[aggregate["Next"]]
    assert choice["Type"] == "Choice"
    (rescan,) = choice["Choices"]
    assert rescan == {"Variable": "$.user_id", "StringEquals": "watchlist", "Next": "Notify"}
    assert states[choice["Default"]]["Type"] == "Succeed"
    notify = states["Notify"]
    assert notify["Resource"] == f"arn:lambda:{ids['NotifyFunction']}"
    assert "States.ALL" not in notify["Retry"][0]["ErrorEquals"]
    (catch,) = notify["Catch"]
    dlq = states[catch["Next"]]
    assert dlq["Resource"] == "arn:aws:states:::sqs:sendMessage"
    assert "NotifyDlq" in json.dumps(dlq["Parameters"]["QueueUrl"])


def _worst_case_s(task: dict[str, Any]) -> float:
    """A task's longest run: every try times out, with the retry waits in between."""
    (retry,) = task["Retry"]
    tries = 1 + retry["MaxAttempts"]
    waits = sum(retry["IntervalSeconds"] * retry["BackoffRate"] ** i for i in range(retry["MaxAttempts"]))
    return float(tries * task["TimeoutSeconds"] + waits)


def test_timeouts_and_retries_add_up_to_less_than_the_execution_timeout(synthesized: dict[str, Any]) -> None:
    definition = _definition(synthesized)
    states = definition["States"]
    agents = max(_worst_case_s(b["States"][b["StartAt"]]) for b in states["RunAgents"]["Branches"])
    # after the aggregate: the fail path, or (rescans) Notify; its DLQ send is one SQS call
    after = max(_worst_case_s(states["FailAnalysis"]), _worst_case_s(states["Notify"]) + 5)
    worst = agents + _worst_case_s(states["Aggregate"]) + after
    assert worst < definition["TimeoutSeconds"] <= 300, worst  # 300 s: Express's hard limit
    functions = _resources(synthesized, "AWS::Lambda::Function")
    ids = _function_ids(synthesized)
    assert functions[ids["NotifyFunction"]]["Properties"]["Timeout"] < states["Notify"]["TimeoutSeconds"]
    for construct_id in (*AGENTS, "AggregateFunction", "FailAnalysisFunction"):
        # the function gives up first, so its own error (not a bare States.Timeout) is reported
        assert functions[ids[construct_id]]["Properties"]["Timeout"] < states["Aggregate"]["TimeoutSeconds"]


def test_state_machine_is_express_traced_and_logs_no_execution_data(template: Template) -> None:
    # Express: billed by duration, not by transition (the cost table in the README); users' inputs
    # and verdicts never go to CloudWatch.
    template.has_resource_properties(
        "AWS::StepFunctions::StateMachine",
        {
            "StateMachineType": "EXPRESS",
            "TracingConfiguration": {"Enabled": True},
            "LoggingConfiguration": Match.object_like({"Level": "ALL", "IncludeExecutionData": False}),
        },
    )


# --- api -----------------------------------------------------------------------------------------


def test_rest_api_with_key_usage_plans_and_stage(template: Template) -> None:
    template.resource_count_is("AWS::ApiGateway::RestApi", 1)
    # no shared key: the free plan's metering shards (pro users' keys are added at run time)
    template.resource_count_is("AWS::ApiGateway::ApiKey", FREE_SHARDS)
    template.resource_count_is("AWS::ApiGateway::UsagePlan", 2)
    template.resource_count_is("AWS::ApiGateway::UsagePlanKey", FREE_SHARDS)
    template.has_resource_properties("AWS::ApiGateway::RestApi", {"ApiKeySourceType": "AUTHORIZER"})
    template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "StageName": "dev",
            "TracingEnabled": True,
            "AccessLogSetting": Match.object_like({"DestinationArn": Match.any_value()}),
            "MethodSettings": Match.array_with(
                [
                    Match.object_like(
                        {
                            "LoggingLevel": "ERROR",
                            "DataTraceEnabled": False,
                            "MetricsEnabled": True,
                            "ThrottlingRateLimit": 100,
                            "ThrottlingBurstLimit": 200,
                        }
                    )
                ]
            ),
        },
    )
    template.has_resource_properties("AWS::ApiGateway::Method", {"HttpMethod": "ANY", "ApiKeyRequired": True})


def _paths(tpl: dict[str, Any]) -> dict[str, str]:
    """Resource logical id -> its full path ("/auth/{proxy+}")."""
    resources = _resources(tpl, "AWS::ApiGateway::Resource")

    def path(logical_id: str) -> str:
        props = resources[logical_id]["Properties"]
        parent = props["ParentId"]
        prefix = path(parent["Ref"]) if "Ref" in parent else ""
        return f"{prefix}/{props['PathPart']}"

    return {lid: path(lid) for lid in resources}


def test_browsers_and_sign_ups_need_no_key_and_the_rest_passes_the_authorizer(
    synthesized: dict[str, Any],
) -> None:
    paths = _paths(synthesized)
    (authorizer_id, authorizer), *_ = _resources(synthesized, "AWS::ApiGateway::Authorizer").items()
    assert authorizer["Properties"]["Type"] == "TOKEN"
    assert authorizer["Properties"]["IdentitySource"] == "method.request.header.Authorization"
    assert authorizer["Properties"]["AuthorizerResultTtlInSeconds"] == 300  # cached per header
    methods: dict[str, dict[str, Any]] = {}
    for m in _resources(synthesized, "AWS::ApiGateway::Method").values():
        props = m["Properties"]
        if props["HttpMethod"] == "OPTIONS":
            continue
        resource = props["ResourceId"]
        methods[paths[resource["Ref"]] if "Ref" in resource else "/"] = props
    public = {"/", "/health", "/health/{proxy+}", "/auth", "/auth/{proxy+}", "/docs", "/docs/{proxy+}"}
    public |= {"/redoc", "/openapi.json", "/hooks", "/hooks/{proxy+}"}  # hooks: SNS's relay, links
    assert set(methods) == public | {"/{proxy+}"}
    for path in public:  # register, login, refresh, health, docs: no key, no authorizer
        assert methods[path]["AuthorizationType"] == "NONE" and methods[path]["ApiKeyRequired"] is False
    protected = methods["/{proxy+}"]
    assert protected["AuthorizationType"] == "CUSTOM" and protected["AuthorizerId"] == {"Ref": authorizer_id}
    assert protected["ApiKeyRequired"] is True  # the usage-plan key the authorizer names
    keys = [k["Properties"] for k in _resources(synthesized, "AWS::ApiGateway::ApiKey").values()]
    assert sorted(k["Value"] for k in keys) == [shard_key_value("dev", n) for n in range(FREE_SHARDS)]


def test_gateway_errors_carry_cors_headers(synthesized: dict[str, Any]) -> None:
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]["ResponseParameters"]
        for r in _resources(synthesized, "AWS::ApiGateway::GatewayResponse").values()
    }
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        assert (
            responses[kind]["gatewayresponse.header.Access-Control-Allow-Origin"] == "'http://localhost:5173'"
        )


def test_authorizer_reads_only_the_jwt_key_and_the_key_hash_index(synthesized: dict[str, Any]) -> None:
    ids = _function_ids(synthesized)
    actions = _actions(_role_statements(synthesized, ids["AuthorizerFunction"]))
    assert {"dynamodb:Query", "ssm:GetParameter", "secretsmanager:GetSecretValue"} <= actions
    assert not any(
        a.startswith(("dynamodb:Put", "dynamodb:Update", "dynamodb:Delete", "dynamodb:Scan")) for a in actions
    )
    (query,) = [
        s
        for s in _role_statements(synthesized, ids["AuthorizerFunction"])
        if _actions([s]) == {"dynamodb:Query"}
    ]
    assert json.dumps(query["Resource"]).endswith('"/index/gsi1"]]}') and "DataTable" in json.dumps(query)


def test_usage_plan_tiers_throttle_and_quota(synthesized: dict[str, Any]) -> None:
    plans = {
        p["Properties"]["UsagePlanName"]: p["Properties"]
        for p in _resources(synthesized, "AWS::ApiGateway::UsagePlan").values()
    }
    # the free plan meters shards (1/16 of sessions and free keys each), so it is sized per shard
    assert plans["moneygrow-dev-free"]["Throttle"] == {"RateLimit": 25, "BurstLimit": 50}
    assert plans["moneygrow-dev-free"]["Quota"] == {"Limit": 200_000, "Period": "DAY"}
    assert plans["moneygrow-dev-pro"]["Throttle"] == {"RateLimit": 50, "BurstLimit": 100}
    assert plans["moneygrow-dev-pro"]["Quota"] == {"Limit": 100_000, "Period": "DAY"}
    for plan in plans.values():
        (stage,) = plan["ApiStages"]
        assert "Ref" in stage["Stage"] and "Ref" in stage["ApiId"]


def test_usage_plan_ids_reach_the_api_function(synthesized: dict[str, Any]) -> None:
    resources = synthesized["Resources"]
    ids = _function_ids(synthesized)
    env = resources[ids["ApiFunction"]]["Properties"]["Environment"]["Variables"]
    assert env["MONEYGROW_USAGE_PLAN_IDS"] == "{{resolve:ssm:/moneygrow/dev/usage-plan-ids}}"
    ((param_id, param),) = _resources(synthesized, "AWS::SSM::Parameter").items()
    assert param["Properties"]["Name"] == "/moneygrow/dev/usage-plan-ids"
    sep, parts = param["Properties"]["Value"]["Fn::Join"]
    plan_ids = {lid: f"<{lid}>" for lid in _resources(synthesized, "AWS::ApiGateway::UsagePlan")}
    value = json.loads(sep.join(p if isinstance(p, str) else plan_ids[p["Ref"]] for p in parts))
    names = {
        f"<{lid}>": r["Properties"]["UsagePlanName"].rsplit("-", 1)[1]
        for lid, r in _resources(synthesized, "AWS::ApiGateway::UsagePlan").items()
    }
    assert {tier: names[ref] for tier, ref in value.items()} == {"free": "free", "pro": "pro"}
    # CloudFormation resolves the reference when it creates the function: the parameter comes first.
    depends = resources[ids["ApiFunction"]].get("DependsOn", [])
    assert param_id in depends
    assert env["MONEYGROW_CORS_ORIGINS"] == "http://localhost:5173"


def test_methods_reach_the_function_by_name_and_validate_requests(synthesized: dict[str, Any]) -> None:
    """No Method -> Function reference (it would close a cycle with the usage-plan ids)."""
    ids = _function_ids(synthesized)
    api_fn = synthesized["Resources"][ids["ApiFunction"]]
    assert api_fn["Properties"]["FunctionName"] == "moneygrow-dev-api"
    (validator_id,) = _resources(synthesized, "AWS::ApiGateway::RequestValidator")
    validator = synthesized["Resources"][validator_id]["Properties"]
    assert validator["ValidateRequestBody"] is True and validator["ValidateRequestParameters"] is True
    proxies = [
        m["Properties"]
        for m in _resources(synthesized, "AWS::ApiGateway::Method").values()
        if m["Properties"]["HttpMethod"] != "OPTIONS"
    ]
    assert len(proxies) == 12
    for method in proxies:
        assert method["RequestValidatorId"] == {"Ref": validator_id}
        uri = json.dumps(method["Integration"]["Uri"])
        assert ":function:moneygrow-dev-api/invocations" in uri
        assert ids["ApiFunction"] not in uri
    for permission in _resources(synthesized, "AWS::Lambda::Permission").values():
        if permission["Properties"]["Principal"] != "apigateway.amazonaws.com":
            continue  # the wallet registry job's schedule
        if ids["AuthorizerFunction"] in json.dumps(permission["Properties"]["FunctionName"]):
            continue  # the authorizer is referenced directly (no cycle: it needs no plan ids)
        assert ids["ApiFunction"] in permission.get("DependsOn", [])


def test_cors_preflight_for_the_spa_origin(synthesized: dict[str, Any]) -> None:
    options = [
        m["Properties"]
        for m in _resources(synthesized, "AWS::ApiGateway::Method").values()
        if m["Properties"]["HttpMethod"] == "OPTIONS"
    ]
    assert len(options) == 12
    for method in options:
        assert method["ApiKeyRequired"] is False  # browsers send no key on preflight
        (response,) = method["Integration"]["IntegrationResponses"]
        origin = response["ResponseParameters"]["method.response.header.Access-Control-Allow-Origin"]
        assert origin == "'http://localhost:5173'"


def test_custom_domain_only_when_configured(
    synthesized: dict[str, Any], prod_templates: dict[str, dict[str, Any]]
) -> None:
    assert not _resources(synthesized, "AWS::ApiGateway::DomainName")
    prod = Template.from_json(prod_templates["MoneyGrow-prod"])
    prod.has_resource_properties(
        "AWS::ApiGateway::DomainName",
        {
            "DomainName": "api.example.com",
            "RegionalCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            "SecurityPolicy": "TLS_1_2",
            "EndpointConfiguration": {"Types": ["REGIONAL"]},
        },
    )
    prod.resource_count_is("AWS::ApiGateway::BasePathMapping", 1)


# --- secrets ---------------------------------------------------------------------------------------


def test_jwt_secret_is_generated_and_read_through_parameter_store(synthesized: dict[str, Any]) -> None:
    ((secret_id, secret),) = _resources(synthesized, "AWS::SecretsManager::Secret").items()
    assert secret["Properties"]["Name"] == "moneygrow/dev/jwt-signing-key"
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    assert "SecretString" not in secret["Properties"]
    ids = _function_ids(synthesized)
    env = synthesized["Resources"][ids["ApiFunction"]]["Properties"]["Environment"]["Variables"]
    name = "/aws/reference/secretsmanager/moneygrow/dev/jwt-signing-key"
    assert env["MONEYGROW_JWT_SECRET_PARAMETER"] == name
    statements = _role_statements(synthesized, ids["ApiFunction"])
    read = [s for s in statements if "secretsmanager:GetSecretValue" in _actions([s])]
    assert [s["Resource"] for s in read] == [{"Ref": secret_id}]
    (ssm_read,) = [s for s in statements if _actions([s]) == {"ssm:GetParameter"}]
    assert json.dumps(ssm_read["Resource"]).endswith(f':parameter{name}"]]}}')
    for construct_id in set(FUNCTIONS) - {"ApiFunction", "AuthorizerFunction"}:
        assert "secretsmanager:GetSecretValue" not in _actions(
            _role_statements(synthesized, ids[construct_id])
        )


def test_jwt_secret_can_stay_in_ssm(tmp_path: Path) -> None:
    tpl = _synth(tmp_path, {"stage": "dev", "moneygrow:jwtSsmParameter": "/moneygrow/dev/jwt-secret"})[STACK]
    assert not _resources(tpl, "AWS::SecretsManager::Secret")
    ids = _function_ids(tpl)
    env = tpl["Resources"][ids["ApiFunction"]]["Properties"]["Environment"]["Variables"]
    assert env["MONEYGROW_JWT_SECRET_PARAMETER"] == "/moneygrow/dev/jwt-secret"


# --- schedules, alerts, observability ---------------------------------------------------------------


def test_topics_are_kms_encrypted_with_a_rotated_key(template: Template, synthesized: dict[str, Any]) -> None:
    ((key_id, key),) = _resources(synthesized, "AWS::KMS::Key").items()
    assert key["Properties"]["EnableKeyRotation"] is True
    topics = _resources(synthesized, "AWS::SNS::Topic")
    assert {t["Properties"]["TopicName"] for t in topics.values()} == {
        "moneygrow-dev-alerts",
        "moneygrow-dev-ops",
    }
    for topic in topics.values():
        assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    principals = json.dumps(key["Properties"]["KeyPolicy"])
    assert "cloudwatch.amazonaws.com" in principals  # alarms can publish to the encrypted topic


def test_rescan_schedule_invokes_the_scheduler_with_retries_and_a_dead_letter_queue(
    synthesized: dict[str, Any],
) -> None:
    ids = _function_ids(synthesized)
    rules = _resources(synthesized, "AWS::Events::Rule")
    ((_, rule),) = [(k, r) for k, r in rules.items() if "Rescan" in k]
    props = rule["Properties"]
    assert props["ScheduleExpression"] == "rate(6 hours)"
    (target,) = props["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [ids["RescanScheduleFunction"], "Arn"]}
    assert json.loads(target["Input"]) == {"kind": "watchlist-rescan"}
    queues = _resources(synthesized, "AWS::SQS::Queue")
    assert target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0] in queues
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 2
    invoke_configs = _resources(synthesized, "AWS::Lambda::EventInvokeConfig")
    (config,) = [
        c
        for c in invoke_configs.values()
        if c["Properties"]["FunctionName"] == {"Ref": ids["RescanScheduleFunction"]}
    ]
    assert config["Properties"]["MaximumRetryAttempts"] == 2
    assert (
        config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
        == target["DeadLetterConfig"]["Arn"]
    )
    env = synthesized["Resources"][ids["RescanScheduleFunction"]]["Properties"]["Environment"]["Variables"]
    assert env["MONEYGROW_RESCAN_EVERY_S"] == "21600" and env["MONEYGROW_RESCAN_MAX_IN_FLIGHT"] == "4"


def test_every_queue_is_a_dead_letter_queue_and_encrypted(synthesized: dict[str, Any]) -> None:
    """What the stack-wide AwsSolutions-SQS3 acknowledgment rests on: no queue needs a DLQ of its own."""
    queues = _resources(synthesized, "AWS::SQS::Queue")
    text = json.dumps({k: v for k, v in synthesized["Resources"].items() if k not in queues})
    for logical_id, queue in queues.items():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
        assert logical_id.split("Dlq")[0] != logical_id, logical_id  # named as what it is
        used_as_dlq = (
            f'"DeadLetterConfig": {{"Arn": {{"Fn::GetAtt": ["{logical_id}", "Arn"]}}' in text
            or f'"Destination": {{"Fn::GetAtt": ["{logical_id}", "Arn"]}}' in text
            or f'"Ref": "{logical_id}"' in text  # the state machine's Notify DLQ, SNS's redrive target
            or f'["{logical_id}", "Arn"]' in text
        )
        assert used_as_dlq, logical_id
    for policy in _resources(synthesized, "AWS::SQS::QueuePolicy").values():
        assert "aws:SecureTransport" in json.dumps(policy)


def test_only_sns_of_the_alerts_topic_may_dead_letter(synthesized: dict[str, Any]) -> None:
    topics = _resources(synthesized, "AWS::SNS::Topic")
    (alerts_id,) = [k for k, t in topics.items() if t["Properties"]["TopicName"].endswith("-alerts")]
    statements = [
        st
        for p in _resources(synthesized, "AWS::SQS::QueuePolicy").values()
        for st in p["Properties"]["PolicyDocument"]["Statement"]
        if st.get("Principal") == {"Service": "sns.amazonaws.com"}
    ]
    (st,) = statements
    assert st["Action"] == "sqs:SendMessage"
    assert st["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Ref": alerts_id}}}


def test_alarms_page_the_ops_topic(synthesized: dict[str, Any]) -> None:
    alarms = _resources(synthesized, "AWS::CloudWatch::Alarm")
    ops = next(k for k, t in _resources(synthesized, "AWS::SNS::Topic").items() if "Ops" in k)
    by_metric: dict[tuple[str, str], int] = {}
    for alarm in alarms.values():
        props = alarm["Properties"]
        assert props["AlarmActions"] == [{"Ref": ops}]
        key = (
            (props["Namespace"], props["MetricName"])
            if "MetricName" in props
            else ("math", props["AlarmName"])
        )
        by_metric[key] = by_metric.get(key, 0) + 1
    assert by_metric == {
        ("AWS/ApiGateway", "5XXError"): 1,
        ("AWS/ApiGateway", "4XXError"): 1,
        ("AWS/ApiGateway", "Latency"): 1,
        ("MoneyGrow", "GatewayApiKeys"): 1,
        ("math", "moneygrow-dev-TableThrottles"): 1,
        ("math", "moneygrow-dev-DegradedVerdicts"): 1,
        ("AWS/Lambda", "Errors"): 10,
        ("AWS/Lambda", "Throttles"): 10,
        ("AWS/States", "ExecutionsFailed"): 1,
        ("AWS/States", "ExecutionsTimedOut"): 1,
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"): 4,
    }
    latency = next(a["Properties"] for a in alarms.values() if a["Properties"].get("MetricName") == "Latency")
    assert latency["ExtendedStatistic"] == "p95"
    assert len(_resources(synthesized, "AWS::CloudWatch::Dashboard")) == 1


def test_prod_subscribes_the_alarm_email(prod_templates: dict[str, dict[str, Any]]) -> None:
    Template.from_json(prod_templates["MoneyGrow-prod"]).has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "ops@example.com"}
    )


# --- stages ------------------------------------------------------------------------------------------


STATEFUL = (
    "AWS::DynamoDB::Table",
    "AWS::S3::Bucket",
    "AWS::Logs::LogGroup",
    "AWS::SecretsManager::Secret",
    "AWS::KMS::Key",
    "AWS::SQS::Queue",
)


def test_prod_retains_and_protects_state(
    dev_templates: dict[str, dict[str, Any]], prod_templates: dict[str, dict[str, Any]]
) -> None:
    prod, dev = prod_templates["MoneyGrow-prod"], dev_templates[STACK]
    for type_ in STATEFUL:
        assert _resources(prod, type_), type_
        for logical_id, res in _resources(prod, type_).items():
            assert res.get("DeletionPolicy") == "Retain", (type_, logical_id)
        for logical_id, res in _resources(dev, type_).items():
            assert res.get("DeletionPolicy") == "Delete", (type_, logical_id)
    ((_, table),) = _resources(prod, "AWS::DynamoDB::Table").items()
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    ((_, dev_table),) = _resources(dev, "AWS::DynamoDB::Table").items()
    assert not dev_table["Properties"].get("DeletionProtectionEnabled")
    logs = [r["Properties"].get("RetentionInDays") for r in _resources(prod, "AWS::Logs::LogGroup").values()]
    assert set(logs) == {90}
    assert set(
        r["Properties"].get("RetentionInDays") for r in _resources(dev, "AWS::Logs::LogGroup").values()
    ) == {14}


def test_prod_stacks_have_termination_protection(tmp_path: Path) -> None:
    context = {"stage": "prod", "moneygrow:rpcUrls": RPC_URLS, "moneygrow:alarmEmail": "ops@example.com"}
    assembly = build_app(outdir=str(tmp_path), context=context)
    stacks = [c for c in assembly.node.children if isinstance(c, cdk.Stack)]
    assert {s.stack_name for s in stacks} == {"MoneyGrow-prod", "MoneyGrow-prod-frontend"}
    assert all(s.termination_protection for s in stacks)


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_a_deployable_stage_without_rpc_urls_is_refused(tmp_path: Path, stage: str) -> None:
    # Without endpoints the agents would call 127.0.0.1:8545 in the cloud: synth must say so, not warn.
    with pytest.raises(ValueError, match="no RPC endpoints"):
        build_app(outdir=str(tmp_path), context={"stage": stage})
    with pytest.raises(ValueError, match="localChain is for local stacks"):
        build_app(outdir=str(tmp_path), context={"stage": "prod", "moneygrow:localChain": True})


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_synth_with_a_concrete_environment_passes_cdk_nag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    # What `npx aws-cdk deploy` does: the CLI sets the account and Region, so ARNs in cdk-nag findings
    # carry the concrete Region and acknowledgments spelled with <AWS::Region> would no longer match.
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "123456789012")
    monkeypatch.setenv("CDK_DEFAULT_REGION", "eu-west-1")
    context = {"stage": stage, "moneygrow:rpcUrls": RPC_URLS, "moneygrow:alarmEmail": "ops@example.com"}
    assembly = build_app(outdir=str(tmp_path), context=context).synth()
    assert {s.environment.region for s in assembly.stacks} == {"eu-west-1"}
    report = json.loads((tmp_path / "validation-report.json").read_text())
    assert [v for r in report["pluginReports"] for v in r["violations"]] == []


def test_prod_without_an_alarm_recipient_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="alarmEmail"):
        build_app(outdir=str(tmp_path), context={"stage": "prod", "moneygrow:rpcUrls": RPC_URLS})


def test_synth_warns_when_alarms_reach_nobody(
    dev_templates: dict[str, dict[str, Any]],
    dev_outdir: Path,
    prod_templates: dict[str, dict[str, Any]],
    prod_outdir: Path,
) -> None:
    # Outside prod (which refuses it) a stage may go without moneygrow:alarmEmail: the ops topic then
    # has no subscriber, so `make synth` (app.py's main prints these lines) must say it.
    assert not _resources(dev_templates[STACK], "AWS::SNS::Subscription")
    warnings = [m for m in assembly_messages(dev_outdir) if "alarmEmail" in m]
    assert len(warnings) == 1 and warnings[0].startswith(f"[warning] {STACK} ")
    assert "nobody is subscribed" in warnings[0] and "-c moneygrow:alarmEmail=" in warnings[0]
    assert not [m for m in assembly_messages(prod_outdir) if "alarmEmail" in m]


def test_operations_alarms_and_the_execution_log_group(synthesized: dict[str, Any]) -> None:
    alarms = {
        a["Properties"]["AlarmName"]: a["Properties"]
        for a in _resources(synthesized, "AWS::CloudWatch::Alarm").values()
    }
    assert alarms["moneygrow-dev-Api4xx"]["MetricName"] == "4XXError"
    throttles = alarms["moneygrow-dev-TableThrottles"]["Metrics"]
    assert {m["MetricStat"]["Metric"]["MetricName"] for m in throttles if "MetricStat" in m} == {
        "ReadThrottleEvents",
        "WriteThrottleEvents",
    }
    degraded = alarms["moneygrow-dev-DegradedVerdicts"]
    assert degraded["Threshold"] == 0.2
    names = {m["MetricStat"]["Metric"]["MetricName"] for m in degraded["Metrics"] if "MetricStat" in m}
    assert names == {"Verdicts", "DegradedVerdicts"}  # what moneygrow.aggregate emits
    for alarm in alarms.values():
        assert alarm["AlarmActions"]  # every alarm reaches the ops topic
    groups = [g["Properties"] for g in _resources(synthesized, "AWS::Logs::LogGroup").values()]
    execution = [g for g in groups if "API-Gateway-Execution-Logs_" in json.dumps(g.get("LogGroupName"))]
    assert len(execution) == 1 and execution[0]["RetentionInDays"] == 14


def test_unknown_stage_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown stage"):
        build_app(outdir=str(tmp_path), context={"stage": "staging"})


# --- frontend -------------------------------------------------------------------------------------------


def test_frontend_bucket_behind_cloudfront_with_oac(dev_templates: dict[str, dict[str, Any]]) -> None:
    tpl = dev_templates[FRONTEND_STACK]
    frontend = Template.from_json(tpl)
    frontend.resource_count_is("AWS::CloudFront::Distribution", 1)
    frontend.resource_count_is("AWS::CloudFront::OriginAccessControl", 1)
    # frontend/dist is built by `make install`; without it (a fresh clone) there is no BucketDeployment.
    built = (Path(__file__).resolve().parents[2] / "frontend" / "dist" / "index.html").is_file()
    frontend.resource_count_is("Custom::CDKBucketDeployment", 1 if built else 0)
    ((_, dist),) = _resources(tpl, "AWS::CloudFront::Distribution").items()
    config = dist["Properties"]["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert "ResponseHeadersPolicyId" in config["DefaultCacheBehavior"]
    (origin,) = config["Origins"]
    assert "OriginAccessControlId" in origin
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    fallbacks = {
        (e["ErrorCode"], e["ResponseCode"], e["ResponsePagePath"]) for e in config["CustomErrorResponses"]
    }
    assert fallbacks == {(403, 200, "/index.html"), (404, 200, "/index.html")}
    assert "Logging" in config
    ((_, policy),) = _resources(tpl, "AWS::CloudFront::ResponseHeadersPolicy").items()
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert "ContentSecurityPolicy" in headers and "ContentTypeOptions" in headers
    for bucket in _resources(tpl, "AWS::S3::Bucket").values():
        assert bucket["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
        assert "AccessControl" not in bucket["Properties"]


def test_frontend_dist_is_deployed_when_built(tmp_path: Path) -> None:
    from infra.constructs.frontend import Frontend

    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>MoneyGrow</title>")
    app = cdk.App(outdir=str(tmp_path / "out"))
    stack = cdk.Stack(app, "FrontendTest")
    Frontend(stack, "Frontend", stage="dev", removal_policy=cdk.RemovalPolicy.DESTROY, dist=dist)
    tpl = Template.from_stack(stack)
    tpl.resource_count_is("Custom::CDKBucketDeployment", 1)
    tpl.has_resource_properties("Custom::CDKBucketDeployment", {"Prune": True, "DistributionPaths": ["/*"]})


def test_frontend_deploys_dist_and_config_under_a_strict_csp(tmp_path: Path) -> None:
    """The built app plus /config.json naming the API (a cross-stack value), behind a CSP without
    inline scripts; cdk-nag passes with the deployment's findings acknowledged one by one."""
    from cdk_nag import AwsSolutionsChecks

    from infra.constructs.frontend import Frontend

    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text('<!doctype html><script type="module" src="/assets/a.js"></script>')
    (dist / "assets" / "a.js").write_text("console.log(1)")
    app = cdk.App(outdir=str(tmp_path / "out"))
    stack = cdk.Stack(app, "FrontendTest")
    api_url = cdk.Fn.import_value("MoneyGrowApiUrl")  # resolved at deployment, as the app's cross-stack value
    Frontend(
        stack, "Frontend", stage="dev", removal_policy=cdk.RemovalPolicy.DESTROY, dist=dist, api_url=api_url
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()  # raises when cdk-nag finds an unacknowledged error
    tpl = Template.from_stack(stack)
    deployment = next(iter(tpl.find_resources("Custom::CDKBucketDeployment").values()))["Properties"]
    assert len(deployment["SourceObjectKeys"]) == 2  # the build and config.json
    assert '{"Fn::ImportValue": "MoneyGrowApiUrl"}' in json.dumps(deployment["SourceMarkers"])
    ((_, policy),) = tpl.find_resources("AWS::CloudFront::ResponseHeadersPolicy").items()
    csp = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"][
        "ContentSecurityPolicy"
    ]
    value = csp["ContentSecurityPolicy"]
    sep, parts = value["Fn::Join"]  # the API's URL is a deploy-time value
    assert {"Fn::ImportValue": "MoneyGrowApiUrl"} in parts
    value = sep.join(p if isinstance(p, str) else "<api>" for p in parts)
    directives = dict(d.strip().split(" ", 1) for d in value.split(";"))
    assert directives["script-src"] == "'self'" and "unsafe" not in value
    assert directives["connect-src"] == "'self' <api>"  # the app talks to itself and the API only
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert csp["Override"] is True


def test_prod_frontend_talks_to_the_custom_api_domain(prod_templates: dict[str, dict[str, Any]]) -> None:
    tpl = prod_templates["MoneyGrow-prod-frontend"]
    ((_, policy),) = _resources(tpl, "AWS::CloudFront::ResponseHeadersPolicy").items()
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "; connect-src 'self' https://api.example.com;" in csp


# --- cdk-nag --------------------------------------------------------------------------------------------


def test_every_cdk_nag_acknowledgment_has_a_reason(
    dev_outdir: Path, dev_templates: dict[str, dict[str, Any]]
) -> None:
    """Synth succeeded, so cdk-nag found no unacknowledged error; each acknowledgment says why."""
    report = json.loads((dev_outdir / "validation-report.json").read_text())
    assert report["pluginReports"] == []
    nag: dict[str, str] = {}
    for stack in dev_templates:
        metadata = json.loads((dev_outdir / f"{stack}.metadata.json").read_text())
        for path, entries in metadata.items():
            for entry in entries:
                if entry["type"] == "aws:cdk:acknowledged-rules":
                    for rule, reason in entry["data"].items():
                        if "AwsSolutions" in rule:
                            nag[f"{path} {rule}"] = reason
    assert len(nag) >= 20
    for finding, reason in nag.items():
        assert len(reason) >= 30, finding
    rules = {k.split("AwsSolutions-", 1)[1].split("[", 1)[0] for k in nag}
    # No blanket suppression of what the stack is meant to satisfy.
    assert not rules & {"DDB3", "S10", "SNS2", "SNS3", "SQS2", "SQS4", "APIG1", "APIG6", "SF1", "SF2", "CFR7"}


# --- what devstack and template.local.yaml rely on ---------------------------------------------------------


def test_main_stack_functions_are_all_moneygrow_functions(synthesized: dict[str, Any]) -> None:
    """devstack/aws.py and devstack/sam.py translate every function: no CDK-provided ones here."""
    for res in _resources(synthesized, "AWS::Lambda::Function").values():
        assert "moneygrow:source" in res.get("Metadata", {})


def test_function_environment_has_no_unresolvable_references(synthesized: dict[str, Any]) -> None:
    """devstack/aws.py resolves each variable locally: table, bucket, state machine, topic, queue refs."""
    allowed = {
        "AWS::DynamoDB::Table",
        "AWS::S3::Bucket",
        "AWS::StepFunctions::StateMachine",
        "AWS::SNS::Topic",
        "AWS::SQS::Queue",
    }
    for res in _resources(synthesized, "AWS::Lambda::Function").values():
        for name, value in res["Properties"]["Environment"]["Variables"].items():
            for target in _refs(value):
                assert synthesized["Resources"][target]["Type"] in allowed, (name, target)


def _refs(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["Ref"]} if isinstance(value.get("Ref"), str) and "::" not in value["Ref"] else set()
        if "Fn::GetAtt" in value:
            found.add(value["Fn::GetAtt"][0])
        for v in value.values():
            found |= _refs(v)
        return found
    if isinstance(value, list):
        return set().union(*(_refs(v) for v in value)) if value else set()
    return set()


# --- least privilege -----------------------------------------------------------------------------


def _allows(condition: dict[str, dict[str, Any]], request: dict[str, Any]) -> bool:
    """IAM's evaluation of the condition operators the agents' table statements use, on the context
    DynamoDB derives from an UpdateItem/PutItem/BatchGetItem request (LeadingKeys, the top-level
    Attributes the expressions name, ReturnValues)."""
    import fnmatch
    import re

    names = request.get("ExpressionAttributeNames", {})
    expressions = " ".join(request.get(k, "") for k in ("UpdateExpression", "ConditionExpression"))
    # a document path's first element is the top-level attribute (#0 in #0.#1 or #0[2])
    top = {names.get(m, m) for m in re.findall(r"(?<![.\w#])(#\w+)", expressions)}
    context: dict[str, list[str]] = {
        "dynamodb:LeadingKeys": [request["Key"]["pk"]["S"]],
        "dynamodb:Attributes": sorted(top | {"pk", "sk"}) if expressions else [],
    }
    if "ReturnValues" in request:
        context["dynamodb:ReturnValues"] = [request["ReturnValues"]]
    for operator, tests in condition.items():
        for key, allowed in tests.items():
            allowed = allowed if isinstance(allowed, list) else [allowed]
            values = context.get(key)
            if operator == "Null":
                ok = (values is None) == (allowed == ["true"])
            elif operator == "ForAllValues:StringLike":
                ok = all(any(fnmatch.fnmatchcase(v, a) for a in allowed) for v in values or [])
            elif operator == "ForAllValues:StringEquals":
                ok = all(v in allowed for v in values or [])
            elif operator == "StringEqualsIfExists":
                ok = values is None or all(v in allowed for v in values)
            else:
                raise AssertionError(f"no evaluator for {operator}")
            if not ok:
                return False
    return True


def test_agents_can_write_only_their_progress_on_analyses(synthesized: dict[str, Any]) -> None:
    """The agents write one thing to the table: how they ended, on the analysis record (UpdateItem of
    ANALYSIS#* items, only `progress`, returning nothing). Only the smart-money agent also touches the
    registry: wallet profiles (read) and tracked tokens (add). The policy is checked against the very
    requests the store sends (moto): the progress write passes, a verdict write does not."""
    from moto import mock_aws

    from moneygrow.chains import Chain
    from moneygrow.models import AgentStatus, AnalysisStatus, utcnow
    from moneygrow.store.dynamo import AnalysisItem, DynamoStore, Item
    from moneygrow.store.records import AgentProgress, Analysis

    ids = _function_ids(synthesized)
    (table_id,) = _resources(synthesized, "AWS::DynamoDB::Table")
    conditions = []
    for construct_id in AGENTS:
        statements = _role_statements(synthesized, ids[construct_id])
        table = [st for st in statements if any(a.startswith("dynamodb:") for a in _actions([st]))]
        progress = [st for st in table if _actions([st]) == {"dynamodb:UpdateItem"}]
        assert len(progress) == 1, (construct_id, progress)
        (statement,) = progress
        assert statement["Effect"] == "Allow"
        assert statement["Resource"] == {"Fn::GetAtt": [table_id, "Arn"]}  # the table, not its indexes
        assert statement["Condition"] == {
            "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["ANALYSIS#*"]},
            "ForAllValues:StringEquals": {"dynamodb:Attributes": ["pk", "sk", "progress"]},
            "StringEqualsIfExists": {"dynamodb:ReturnValues": ["NONE"]},
            "Null": {"dynamodb:LeadingKeys": "false", "dynamodb:Attributes": "false"},
        }
        conditions.append(statement["Condition"])
        others = [st for st in table if st is not statement]
        if construct_id == "SmartMoneyAgentFunction":
            keys = {
                a: st["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
                for st in others
                for a in _actions([st])
            }
            assert keys == {"dynamodb:BatchGetItem": ["WALLET#*"], "dynamodb:PutItem": ["TRACKED"]}
        else:
            assert others == [], (construct_id, others)
        assert not any(a.startswith("states:") for a in _actions(statements))
    s3 = {a for a in _actions(_role_statements(synthesized, ids["MlAgentFunction"])) if a.startswith("s3:")}
    assert s3 == {"s3:GetObject", "s3:ListBucket"}  # no s3:List*/GetBucket* wildcards

    with mock_aws():
        store = DynamoStore("policy-test", "us-east-1")
        Item.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        sent: list[dict[str, Any]] = []
        AnalysisItem._get_connection().connection.client.meta.events.register(
            "before-parameter-build.dynamodb.UpdateItem", lambda params, **_: sent.append(params)
        )
        at = utcnow()
        store.create_analysis(
            Analysis(
                task_id="t1",
                user_id="u1",
                token_address="0x5FbDB2315678afecb367f032d93F642f64180aa3",
                chain=Chain.ETHEREUM,
                status=AnalysisStatus.RUNNING,
                created_at=at,
                updated_at=at,
            ),
            60,
        )
        assert store.record_agent_progress(
            "t1", "ml", AgentProgress(status=AgentStatus.OK, duration_ms=1, finished_at=at)
        )
        (progress_write,) = sent
        store.update_analysis("t1", status=AnalysisStatus.COMPLETED, result={"risk_score": 0})
        verdict_write = sent[-1]
    condition = conditions[0]
    assert _allows(condition, progress_write)
    assert not _allows(condition, verdict_write)  # other attributes, and ReturnValues ALL_NEW
    assert not _allows(condition, {**verdict_write, "ReturnValues": "NONE"})  # other attributes alone
    assert not _allows(condition, {**progress_write, "ReturnValues": "ALL_NEW"})  # would read the verdict
    other_item = {**progress_write, "Key": {"pk": {"S": "USER#u1"}, "sk": {"S": "PROFILE"}}}
    assert not _allows(condition, other_item)


def test_api_role_can_start_executions_and_check_readiness(synthesized: dict[str, Any]) -> None:
    ids = _function_ids(synthesized)
    actions = _actions(_role_statements(synthesized, ids["ApiFunction"]))
    # /health/ready describes the state machine; executions are never read (Express)
    assert {"states:StartExecution", "states:DescribeStateMachine", "ssm:GetParameter"} <= actions
    assert "states:DescribeExecution" not in actions
    assert "dynamodb:PutItem" in actions
    env = synthesized["Resources"][ids["ApiFunction"]]["Properties"]["Environment"]["Variables"]
    assert env["MONEYGROW_WORKFLOW_EXPRESS"] == "true"


def test_api_role_registers_keys_in_the_tier_plans_only(synthesized: dict[str, Any]) -> None:
    ids = _function_ids(synthesized)
    (pro,) = [
        lid
        for lid, p in _resources(synthesized, "AWS::ApiGateway::UsagePlan").items()
        if p["Properties"]["UsagePlanName"].endswith("-pro")
    ]
    conditions: list[Any] = []
    granted: dict[str, set[str]] = {}
    for st in _role_statements(synthesized, ids["ApiFunction"]):
        for action in _actions([st]):
            if action.startswith("apigateway:"):
                resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
                for r in resources:
                    parts = r["Fn::Join"][1]
                    path = "".join(p if isinstance(p, str) else f"<{p['Ref']}>" for p in parts)
                    granted.setdefault(action, set()).add(path.rsplit("::", 1)[1])
                    if ("apikeys" in path or "tags" in path) and action != "apigateway:GET":
                        conditions.append(st.get("Condition"))
    # only pro keys are registered, only in the pro plan, only keys tagged with this stage
    assert granted == {
        "apigateway:GET": {"/apikeys"},  # counting keys for the quota alarm
        "apigateway:POST": {"/apikeys", f"/usageplans/<{pro}>/keys"},
        "apigateway:DELETE": {"/apikeys/*", f"/usageplans/<{pro}>/keys/*"},
        "apigateway:PUT": {"/tags/*"},
    }
    assert len(conditions) == 3 and all(
        json.dumps(c).count('moneygrow:stage": "dev"') == 1 for c in conditions
    ), conditions
    for construct_id in set(FUNCTIONS) - {"ApiFunction", "AuthorizerFunction"}:
        actions = _actions(_role_statements(synthesized, ids[construct_id]))
        assert not any(a.startswith(("apigateway:", "ssm:", "secretsmanager:")) for a in actions)


def test_no_role_can_act_on_everything(synthesized: dict[str, Any]) -> None:
    """Resource "*" only for X-Ray and the state machine's log delivery, which have no resource-level
    permissions: what the stack-wide cdk-nag acknowledgment (infra/constructs/lambdas.py) relies on."""
    no_resource_level = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules"}
    no_resource_level |= {"xray:GetSamplingTargets"}
    no_resource_level |= {
        f"logs:{a}"
        for a in (
            "CreateLogDelivery",
            "GetLogDelivery",
            "UpdateLogDelivery",
            "DeleteLogDelivery",
            "ListLogDeliveries",
            "PutResourcePolicy",
            "DescribeResourcePolicies",
            "DescribeLogGroups",
        )
    }
    for logical_id, policy in _resources(synthesized, "AWS::IAM::Policy").items():
        for st in policy["Properties"]["PolicyDocument"]["Statement"]:
            if st.get("Resource") == "*" or (isinstance(st.get("Resource"), list) and "*" in st["Resource"]):
                assert _actions([st]) <= no_resource_level, (logical_id, _actions([st]))


def test_aggregate_roles_write_the_table(synthesized: dict[str, Any]) -> None:
    ids = _function_ids(synthesized)
    for construct_id in ("AggregateFunction", "FailAnalysisFunction"):
        actions = _actions(_role_statements(synthesized, ids[construct_id]))
        table = {a for a in actions if a.startswith("dynamodb:")}
        assert table == {
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        }  # no Scan, no batch
        assert not any(a.startswith("states:") for a in actions)


def test_api_role_has_only_the_table_actions_it_uses(synthesized: dict[str, Any]) -> None:
    ids = _function_ids(synthesized)
    statements = _role_statements(synthesized, ids["ApiFunction"])
    table = {a for a in _actions(statements) if a.startswith("dynamodb:")}
    assert table == {
        f"dynamodb:{a}"
        for a in (
            "GetItem",
            "BatchGetItem",
            "PutItem",
            "UpdateItem",
            "DeleteItem",
            "ConditionCheckItem",
            "Query",
            "DescribeTable",
        )
    }
    (statement,) = [s for s in statements if "dynamodb:Query" in _actions([s])]
    assert "index/*" not in json.dumps(statement) and "/index/gsi1" in json.dumps(statement)


def test_goplus_and_prices_are_switched_on_by_context(tmp_path: Path) -> None:
    context = {
        "stage": "dev",
        "moneygrow:rpcUrls": RPC_URLS,
        "moneygrow:goplus": "true",
        "moneygrow:prices": True,
    }
    on = _synth(tmp_path / "on", context)[STACK]
    off = _synth(tmp_path / "off", {"stage": "dev"})[STACK]
    for tpl, expected in (
        (on, {"MONEYGROW_GOPLUS_ENABLED": "true", "MONEYGROW_PRICES_ENABLED": "true"}),
        (off, {}),
    ):
        env = tpl["Resources"][_function_ids(tpl)["HeuristicAgentFunction"]]["Properties"]["Environment"][
            "Variables"
        ]
        assert {
            k: v for k, v in env.items() if k in ("MONEYGROW_GOPLUS_ENABLED", "MONEYGROW_PRICES_ENABLED")
        } == expected


def test_rpc_urls_reach_the_agents_and_the_api_and_the_etherscan_key_the_agents_only(tmp_path: Path) -> None:
    rpc = {"ethereum": ["https://eth.example"], "bsc": ["https://bsc.example"]}
    tpl = _synth(
        tmp_path,
        {
            "stage": "dev",
            "moneygrow:rpcUrls": json.dumps(rpc),
            "moneygrow:etherscanKeyParameter": "/moneygrow/dev/etherscan-api-key",
        },
    )[STACK]
    ids = _function_ids(tpl)
    for construct_id, logical_id in ids.items():
        env = tpl["Resources"][logical_id]["Properties"]["Environment"]["Variables"]
        is_agent = construct_id in AGENTS
        # the API reads one address's code at submit (a wallet gets a 422), the aggregator no chain
        reads_chain = is_agent or construct_id in ("ApiFunction", "WalletRegistryJobFunction")
        assert ("MONEYGROW_RPC_URLS" in env) is reads_chain, construct_id
        assert "MONEYGROW_CHECK_CODE_AT_SUBMIT" not in env, construct_id
        if is_agent:
            assert json.loads(env["MONEYGROW_RPC_URLS"]) == rpc
            assert env["MONEYGROW_ETHERSCAN_API_KEY_PARAMETER"] == "/moneygrow/dev/etherscan-api-key"
            statements = _role_statements(tpl, logical_id)
            (read,) = [s for s in statements if _actions([s]) == {"ssm:GetParameter"}]
            assert json.dumps(read["Resource"]).endswith(':parameter/moneygrow/dev/etherscan-api-key"]]}')


def test_bad_rpc_urls_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rpcUrls"):
        build_app(outdir=str(tmp_path), context={"stage": "dev", "moneygrow:rpcUrls": '["https://x"]'})


def test_without_rpc_urls_the_api_does_not_check_code_at_submit(tmp_path: Path) -> None:
    tpl = _synth(tmp_path, {"stage": "dev"})[STACK]
    api = _function_ids(tpl)["ApiFunction"]
    env = tpl["Resources"][api]["Properties"]["Environment"]["Variables"]
    assert env["MONEYGROW_CHECK_CODE_AT_SUBMIT"] == "false" and "MONEYGROW_RPC_URLS" not in env


# --- wallet registry job -------------------------------------------------------------------------


def test_wallet_registry_job_runs_on_a_schedule_with_a_dead_letter_queue(synthesized: dict[str, Any]) -> None:
    ids = _function_ids(synthesized)
    job = ids["WalletRegistryJobFunction"]
    [rule] = [
        r
        for r in _resources(synthesized, "AWS::Events::Rule").values()
        if r["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [job, "Arn"]}
    ]
    assert rule["Properties"]["ScheduleExpression"] == "rate(6 hours)"
    target = rule["Properties"]["Targets"][0]
    dlq = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 2
    [invoke] = [
        c
        for c in _resources(synthesized, "AWS::Lambda::EventInvokeConfig").values()
        if c["Properties"]["FunctionName"] == {"Ref": job}
    ]
    assert invoke["Properties"]["MaximumRetryAttempts"] == 2
    on_failure = invoke["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
    assert on_failure == {"Fn::GetAtt": [dlq, "Arn"]}
    assert synthesized["Resources"][dlq]["Properties"]["SqsManagedSseEnabled"] is True
    alarms = _resources(synthesized, "AWS::CloudWatch::Alarm").values()
    assert any(
        {"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq, "QueueName"]}}
        in a["Properties"].get("Dimensions", [])
        for a in alarms
    )


def test_wallet_registry_job_touches_only_registry_items(synthesized: dict[str, Any]) -> None:
    ids = _function_ids(synthesized)
    statements = _role_statements(synthesized, ids["WalletRegistryJobFunction"])
    table = [st for st in statements if any(a.startswith("dynamodb:") for a in _actions([st]))]
    keys = [st["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] for st in table]
    assert keys and all(k == ["WALLET#*", "TRACKED"] for k in keys)
    assert "dynamodb:Scan" not in _actions(table) and "dynamodb:DeleteItem" not in _actions(table)


def test_fewer_cdk_nag_acknowledgments_than_before(
    dev_outdir: Path, dev_templates: dict[str, dict[str, Any]]
) -> None:
    """Each acknowledgment is a finding accepted with a reason: the review counted 42; keep it down."""
    total = 0
    for stack in dev_templates:
        metadata = json.loads((dev_outdir / f"{stack}.metadata.json").read_text())
        for entries in metadata.values():
            for entry in entries:
                if entry["type"] == "aws:cdk:acknowledged-rules":
                    assert all(reason.strip() for reason in entry["data"].values())  # always a reason
                    total += len(entry["data"])
    assert 0 < total <= 36, total


# --- reserved concurrency ----------------------------------------------------------------------------


def _reserved(tpl: dict[str, Any]) -> dict[str, int | None]:
    functions = tpl["Resources"]
    return {
        construct_id: functions[logical_id]["Properties"].get("ReservedConcurrentExecutions")
        for construct_id, logical_id in _function_ids(tpl).items()
    }


def test_prod_reserves_concurrency_for_every_function_and_dev_reserves_none(
    dev_templates: dict[str, dict[str, Any]], prod_templates: dict[str, dict[str, Any]]
) -> None:
    prod = _reserved(prod_templates["MoneyGrow-prod"])
    assert prod == RESERVED_CONCURRENCY and set(prod) == set(FUNCTIONS)
    # Lambda keeps 100 of the default account limit (1,000) unreserved
    assert sum(RESERVED_CONCURRENCY.values()) <= 900
    # the API and its authorizer are never starved by the agents, and the agents are capped
    assert prod["ApiFunction"] >= max(prod[a] for a in AGENTS)
    # a new account has a limit of 10 and cannot reserve anything: dev reserves only when asked
    assert set(_reserved(dev_templates[STACK]).values()) == {None}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, {}),
        ("false", {}),
        ("true", RESERVED_CONCURRENCY),
        (True, RESERVED_CONCURRENCY),
        (
            '{"ApiFunction": 10, "MlAgentFunction": null}',
            {k: v for k, v in RESERVED_CONCURRENCY.items() if k != "MlAgentFunction"} | {"ApiFunction": 10},
        ),
    ],
)
def test_dev_reserves_concurrency_only_when_asked(value: Any, expected: dict[str, int]) -> None:
    from infra.stack import StageConfig

    context = {"stage": "dev", "moneygrow:localChain": True, "moneygrow:reservedConcurrency": value}
    app = cdk.App(context=context)
    assert StageConfig.from_context(app).reserved_concurrency == expected


@pytest.mark.parametrize(
    ("context", "match"),
    [
        # a new account's limit of 10 leaves nothing to reserve: refused at synth, not at deploy
        ({"stage": "prod", "moneygrow:accountConcurrency": 10}, "leaves 0 to reserve"),
        (
            {"stage": "dev", "moneygrow:reservedConcurrency": "true", "moneygrow:accountConcurrency": 350},
            f"reserves {sum(RESERVED_CONCURRENCY.values())} .* leaves 250",
        ),
        ({"stage": "dev", "moneygrow:reservedConcurrency": '{"ApiFunction": 0}'}, "ApiFunction"),
        ({"stage": "dev", "moneygrow:reservedConcurrency": "[5]"}, "must be true, false or"),
    ],
)
def test_reserved_concurrency_the_account_cannot_give_is_refused(
    tmp_path: Path, context: dict[str, Any], match: str
) -> None:
    context = {**context, "moneygrow:rpcUrls": RPC_URLS, "moneygrow:alarmEmail": "ops@example.com"}
    with pytest.raises(ValueError, match=match):
        build_app(outdir=str(tmp_path), context=context)


def test_reserving_for_an_unknown_function_is_refused() -> None:
    from aws_cdk import aws_lambda as lambda_

    stack = cdk.Stack(cdk.App())
    code = lambda_.Code.from_inline("def handler(event, context): return None")
    fn = lambda_.Function(
        stack, "ApiFunction", runtime=lambda_.Runtime.PYTHON_3_11, handler="index.handler", code=code
    )
    with pytest.raises(ValueError, match="ApiFuncton"):  # a typo must not silently reserve nothing
        reserve_concurrency(stack, {"ApiFuncton": 5})
    reserve_concurrency(stack, {"ApiFunction": 5})
    assert fn.node.default_child.reserved_concurrent_executions == 5  # type: ignore[union-attr]

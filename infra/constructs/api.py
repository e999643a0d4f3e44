"""The public REST API: API Gateway proxy (every path) → the ApiFunction (FastAPI behind Mangum).

Authentication is the app's own JWT or API key (the signing key in Secrets Manager or SSM, see
MONEYGROW_JWT_SECRET_PARAMETER). At the gateway: public routes (health, auth, docs) need nothing;
every other route passes a cached TOKEN authorizer (functions/authorizer, moneygrow.services.edge)
that reads `Authorization: Bearer <access token | API key>` and names the usage-plan key that meters
the caller (API key source AUTHORIZER): a pro key its own, sessions and free keys one of the fixed
free-plan shard keys. No shared key, and no sign-up creates a gateway key. Also: stage throttling,
request validation, access logs, execution logs, X-Ray, CORS for the SPA origins (on the gateway's
own 4xx/5xx too) and, optionally, a custom domain.

Usage-plan ids reach the function as MONEYGROW_USAGE_PLAN_IDS ({"free": id, "pro": id}; the API
registers user keys in them): the JSON is stored in the SSM parameter /moneygrow/<stage>/usage-plan-ids
and the variable is the dynamic reference {{resolve:ssm:...}}, which CloudFormation resolves when it
creates/updates the function (a fixed string in the template, as devstack/aws.py needs). The plans
need the stage, the stage the deployment, the deployment the methods: so the methods reach the
function by its (fixed) name, not by a reference to the function resource — otherwise the
function's environment would close a dependency cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.lambdas import (
    FunctionDefaults,
    FunctionSpec,
    acknowledge,
    grant_table,
    nag_arn,
    python_function,
)
from infra.constructs.secrets import JwtSecret
from moneygrow.metering import FREE_SHARDS, shard_key_value


@dataclass(frozen=True)
class Tier:
    name: str
    rate_limit: float  # requests per second, steady
    burst_limit: int
    daily_quota: int


TIERS: tuple[Tier, ...] = (
    # per *shard* key: 1/16 of all browser sessions and free keys (each also limited by the app)
    Tier("free", rate_limit=25, burst_limit=50, daily_quota=200_000),
    Tier("pro", rate_limit=50, burst_limit=100, daily_quota=100_000),
)
STAGE_RATE_LIMIT = 100  # the whole stage, every caller
# Public routes (everything else needs the authorizer); those with sub-paths get a proxy too.
# hooks: SNS's webhook deliveries (signed by SNS) and the links in them (each with its own token)
PUBLIC_PATHS = ("health", "auth", "docs", "redoc", "openapi.json", "hooks")
PUBLIC_PREFIXES = ("health", "auth", "docs", "hooks")
# An authorizer answer is reused this long per Authorization header: one call per session per 5 min.
AUTHORIZER_CACHE_TTL = cdk.Duration.minutes(5)
STAGE_BURST_LIMIT = 200


@dataclass(frozen=True)
class CustomDomain:
    domain_name: str
    certificate_arn: str  # ACM, same region as the (regional) API


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        table: dynamodb.ITable,
        state_machine: sfn.IStateMachine,
        jwt_secret: JwtSecret | str,
        cors_origins: list[str],
        custom_domain: CustomDomain | None = None,
        rpc_urls: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self._defaults = defaults
        self._rpc_urls = rpc_urls
        self.function_name = f"moneygrow-{defaults.stage}-api"
        self.usage_plan_parameter_name = f"/moneygrow/{defaults.stage}/usage-plan-ids"
        self.authorizer_function = self._authorizer_function(jwt_secret)
        self.rest_api = self._rest_api(cors_origins)
        self._routes()
        self._validate_requests(self.rest_api)
        self._cors_on_gateway_errors(cors_origins)
        self.usage_plans = self._usage_plans()
        self._shard_keys()
        self.usage_plan_parameter = self._usage_plan_parameter()
        self.function = self._function(state_machine, jwt_secret, cors_origins)
        self.function.node.add_dependency(self.usage_plan_parameter)
        self._grant(table, state_machine, jwt_secret)
        self._grant_authorizer(table, jwt_secret)
        self._wire_function()
        self.domain = self._custom_domain(custom_domain) if custom_domain else None

    # --- the function ----------------------------------------------------------------------------

    def _function(
        self,
        state_machine: sfn.IStateMachine,
        jwt_secret: JwtSecret | str,
        cors_origins: list[str],
    ) -> lambda_.Function:
        spec = FunctionSpec(
            construct_id="ApiFunction",
            source="functions/api",
            description="MoneyGrow REST API",
            function_name=self.function_name,
            memory_mb=512,
            timeout=cdk.Duration.seconds(29),  # API Gateway's integration limit
            environment={
                "MONEYGROW_STATE_MACHINE_ARN": state_machine.state_machine_arn,
                "MONEYGROW_WORKFLOW_EXPRESS": "true",  # status lives in the table, not DescribeExecution
                "MONEYGROW_JWT_SECRET_PARAMETER": (
                    jwt_secret if isinstance(jwt_secret, str) else jwt_secret.parameter_name
                ),
                "MONEYGROW_USAGE_PLAN_IDS": "{{resolve:ssm:" + self.usage_plan_parameter_name + "}}",
                "MONEYGROW_CORS_ORIGINS": ",".join(cors_origins),
                # POST /analyze refuses a wallet after one eth_getCode: only with real RPC endpoints
                **(
                    {"MONEYGROW_RPC_URLS": self._rpc_urls}
                    if self._rpc_urls
                    else {"MONEYGROW_CHECK_CODE_AT_SUBMIT": "false"}
                ),
            },
        )
        return python_function(self, spec, self._defaults)

    def _grant(
        self,
        table: dynamodb.ITable,
        state_machine: sfn.IStateMachine,
        jwt_secret: JwtSecret | str,
    ) -> None:
        fn = self.function
        # users, keys, sessions, rate counters, analyses (the lock and record in one transaction),
        # history and key lookups on gsi1, and DescribeTable for /health/ready: nothing else
        grant_table(
            fn,
            table,
            [
                "GetItem",
                "BatchGetItem",  # the watched tokens of a watchlist page
                "PutItem",
                "UpdateItem",
                "DeleteItem",
                "ConditionCheckItem",
                "Query",
                "DescribeTable",
            ],
            index="gsi1",
        )
        state_machine.grant_start_execution(fn)
        # /health/ready asks whether the state machine is there (its executions are never read).
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:DescribeStateMachine"], resources=[state_machine.state_machine_arn]
            )
        )
        _grant_jwt_key(fn, jwt_secret)
        self._grant_key_registration()

    def _grant_key_registration(self) -> None:
        """Users' API keys: create (with tags) and delete keys, add them to / remove them from the
        tier plans (moneygrow.adapters.apigateway). Nothing else in API Gateway."""
        partition, region = cdk.Aws.PARTITION, cdk.Stack.of(self).region

        def arn(path: str) -> str:
            return f"arn:{partition}:apigateway:{region}::{path}"

        # Only pro keys are registered (moneygrow.services.accounts), only in the pro plan, and only
        # keys tagged with this stage can be created, tagged or deleted: not the other stage's.
        pro = self.usage_plans["pro"].usage_plan_id
        this_stage = {"StringEquals": {"aws:ResourceTag/moneygrow:stage": self._defaults.stage}}
        tagging_this_stage = {"StringEquals": {"aws:RequestTag/moneygrow:stage": self._defaults.stage}}
        statements = [
            iam.PolicyStatement(
                actions=["apigateway:POST"], resources=[arn("/apikeys")], conditions=tagging_this_stage
            ),
            # list (count) the account's keys: the quota alarm's metric
            iam.PolicyStatement(actions=["apigateway:GET"], resources=[arn("/apikeys")]),
            iam.PolicyStatement(
                actions=["apigateway:DELETE"], resources=[arn("/apikeys/*")], conditions=this_stage
            ),
            iam.PolicyStatement(
                actions=["apigateway:PUT"], resources=[arn("/tags/*")], conditions=tagging_this_stage
            ),
            iam.PolicyStatement(actions=["apigateway:POST"], resources=[arn(f"/usageplans/{pro}/keys")]),
            iam.PolicyStatement(actions=["apigateway:DELETE"], resources=[arn(f"/usageplans/{pro}/keys/*")]),
        ]
        for statement in statements:
            self.function.add_to_role_policy(statement)
        assert self.function.role is not None
        acknowledge(
            self.function.role,
            f"AwsSolutions-IAM5[Resource::{nag_arn(self, 'apigateway', '/apikeys/*', account=False)}]",
            "Deleting a user's pro API key: ids are created at run time; only keys tagged with this stage.",
        )
        acknowledge(
            self.function.role,
            f"AwsSolutions-IAM5[Resource::{nag_arn(self, 'apigateway', '/tags/*', account=False)}]",
            "Tag-on-create of users' pro API keys needs apigateway:PUT on tags; only with this stage's tag.",
        )
        token = cdk.Stack.of(self).resolve(self.usage_plans["pro"].node.default_child.logical_id)  # type: ignore[union-attr]
        keys = f"/usageplans/<{token}>/keys/*"
        acknowledge(
            self.function.role,
            f"AwsSolutions-IAM5[Resource::{nag_arn(self, 'apigateway', keys, account=False)}]",
            "Removing a key from the pro plan: key ids are created at run time.",
        )

    def _wire_function(self) -> None:
        """Invoke permissions need the function to exist (the methods only carry its name)."""
        fn_resource = self.function.node.default_child
        assert isinstance(fn_resource, cdk.CfnResource)
        for child in self.rest_api.node.find_all():
            if isinstance(child, lambda_.CfnPermission):
                child.add_resource_dependency(fn_resource)

    # --- API Gateway -----------------------------------------------------------------------------

    def _rest_api(self, cors_origins: list[str]) -> apigw.LambdaRestApi:
        stack = cdk.Stack.of(self)
        handler = lambda_.Function.from_function_attributes(
            self,
            "ApiFunctionByName",
            function_arn=stack.format_arn(
                service="lambda",
                resource="function",
                resource_name=self.function_name,
                arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
            ),
            same_environment=True,
        )
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=self._defaults.log_retention,
            removal_policy=self._defaults.removal_policy,
        )
        api = apigw.LambdaRestApi(
            self,
            "RestApi",
            handler=handler,
            proxy=False,  # the routes are added in _routes: public ones and the authorizer's
            api_key_source_type=apigw.ApiKeySourceType.AUTHORIZER,
            description=f"MoneyGrow API ({self._defaults.stage})",
            cloud_watch_role=True,
            # API Gateway's CloudWatch role is an account/region-wide setting that every stage's stack
            # points at: destroying dev must not take prod's execution logs with it.
            cloud_watch_role_removal_policy=cdk.RemovalPolicy.RETAIN,
            endpoint_types=[apigw.EndpointType.REGIONAL],
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=cors_origins,
                allow_headers=["Authorization", "Content-Type", "X-Api-Key"],
                allow_methods=apigw.Cors.ALL_METHODS,
                max_age=cdk.Duration.hours(1),
            ),
            deploy_options=apigw.StageOptions(
                stage_name=self._defaults.stage,
                tracing_enabled=True,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # request bodies carry credentials: never log them
                metrics_enabled=True,
                throttling_rate_limit=STAGE_RATE_LIMIT,
                throttling_burst_limit=STAGE_BURST_LIMIT,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ),
            ),
        )
        # API Gateway would create its execution log group itself, kept forever: own it, with the
        # stage's retention, before the stage starts logging.
        execution_logs = logs.LogGroup(
            self,
            "ExecutionLogs",
            log_group_name=f"API-Gateway-Execution-Logs_{api.rest_api_id}/{self._defaults.stage}",
            retention=self._defaults.log_retention,
            removal_policy=self._defaults.removal_policy,
        )
        api.deployment_stage.node.add_dependency(execution_logs)
        self._acknowledge_api_findings(api)
        return api

    @staticmethod
    def _validate_requests(api: apigw.RestApi) -> None:
        """One validator on every proxied method. Parameters declared on a method are enforced; a
        proxy declares no body model, so FastAPI/pydantic validates bodies (422) behind it."""
        validator = api.add_request_validator(
            "RequestValidator", validate_request_body=True, validate_request_parameters=True
        )
        for child in api.node.find_all():
            if isinstance(child, apigw.CfnMethod) and child.http_method != "OPTIONS":
                child.request_validator_id = validator.request_validator_id

    def _usage_plans(self) -> dict[str, apigw.UsagePlan]:
        plans = {}
        for tier in TIERS:
            plans[tier.name] = self.rest_api.add_usage_plan(
                f"{tier.name.capitalize()}Plan",
                name=f"moneygrow-{self._defaults.stage}-{tier.name}",
                description=f"MoneyGrow {tier.name} tier",
                throttle=apigw.ThrottleSettings(rate_limit=tier.rate_limit, burst_limit=tier.burst_limit),
                quota=apigw.QuotaSettings(limit=tier.daily_quota, period=apigw.Period.DAY),
                api_stages=[
                    apigw.UsagePlanPerApiStage(api=self.rest_api, stage=self.rest_api.deployment_stage)
                ],
            )
        return plans

    def _usage_plan_parameter(self) -> ssm.StringParameter:
        plan_ids = cdk.Stack.of(self).to_json_string(
            {t: p.usage_plan_id for t, p in self.usage_plans.items()}
        )
        return ssm.StringParameter(
            self,
            "UsagePlanIds",
            parameter_name=self.usage_plan_parameter_name,
            description="MoneyGrow usage plan ids by tier (MONEYGROW_USAGE_PLAN_IDS)",
            string_value=plan_ids,
        )

    def _shard_keys(self) -> None:
        """The fixed free-plan keys that meter browser sessions and free API keys (moneygrow.metering).
        Their values are ids, not secrets: with API key source AUTHORIZER clients never send one."""
        for n in range(FREE_SHARDS):
            key = self.rest_api.add_api_key(
                f"FreeShard{n:02d}",
                api_key_name=shard_key_value(self._defaults.stage, n),
                value=shard_key_value(self._defaults.stage, n),
                description=f"MoneyGrow free-plan metering shard {n} ({self._defaults.stage})",
            )
            self.usage_plans["free"].add_api_key(key)

    # --- the edge: routes, the authorizer ------------------------------------------------------

    def _authorizer_function(self, jwt_secret: JwtSecret | str) -> lambda_.Function:
        spec = FunctionSpec(
            construct_id="AuthorizerFunction",
            source="functions/authorizer",
            description="MoneyGrow API Gateway authorizer",
            memory_mb=256,
            timeout=cdk.Duration.seconds(5),
            environment={
                "MONEYGROW_JWT_SECRET_PARAMETER": (
                    jwt_secret if isinstance(jwt_secret, str) else jwt_secret.parameter_name
                )
            },
        )
        return python_function(self, spec, self._defaults)

    def _routes(self) -> None:
        """Public: health, the auth endpoints and the docs. Everything else: the authorizer, and the
        caller's usage-plan key (from the authorizer) is required."""
        authorizer = apigw.TokenAuthorizer(
            self,
            "Authorizer",
            handler=self.authorizer_function,
            identity_source=apigw.IdentitySource.header("Authorization"),
            results_cache_ttl=AUTHORIZER_CACHE_TTL,
        )
        protected: dict[str, Any] = {"authorizer": authorizer, "api_key_required": True}
        public: dict[str, Any] = {
            "authorization_type": apigw.AuthorizationType.NONE,
            "api_key_required": False,
        }
        root = self.rest_api.root
        root.add_method("ANY", **public)  # "/" is a 404 from the app
        root.add_proxy(any_method=True, default_method_options=apigw.MethodOptions(**protected))
        for path in PUBLIC_PATHS:
            resource = root.resource_for_path(path)
            resource.add_method("ANY", **public)
            if path in PUBLIC_PREFIXES:
                resource.add_proxy(any_method=True, default_method_options=apigw.MethodOptions(**public))

    def _cors_on_gateway_errors(self, cors_origins: list[str]) -> None:
        """API Gateway's own answers (401 from the authorizer, 429 from a usage plan, 5xx) carry CORS
        headers too, or the browser hides them from the app as network errors."""
        origin = f"'{cors_origins[0]}'" if len(cors_origins) == 1 else "method.request.header.Origin"
        headers = {"Access-Control-Allow-Origin": origin, "Vary": "'Origin'"}
        for response_type, construct_id in (
            (apigw.ResponseType.DEFAULT_4_XX, "Gateway4xx"),
            (apigw.ResponseType.DEFAULT_5_XX, "Gateway5xx"),
        ):
            self.rest_api.add_gateway_response(construct_id, type=response_type, response_headers=headers)

    def _grant_authorizer(self, table: dynamodb.ITable, jwt_secret: JwtSecret | str) -> None:
        """The authorizer reads the JWT key and looks API keys up by hash (gsi1): nothing else."""
        fn = self.authorizer_function
        _grant_jwt_key(fn, jwt_secret)
        stack = cdk.Stack.of(self)
        index = stack.format_arn(
            service="dynamodb", resource="table", resource_name=f"{table.table_name}/index/gsi1"
        )
        fn.add_to_role_policy(iam.PolicyStatement(actions=["dynamodb:Query"], resources=[index]))

    def _custom_domain(self, domain: CustomDomain) -> apigw.DomainName:
        name = self.rest_api.add_domain_name(
            "Domain",
            domain_name=domain.domain_name,
            certificate=acm.Certificate.from_certificate_arn(self, "Certificate", domain.certificate_arn),
            endpoint_type=apigw.EndpointType.REGIONAL,
            security_policy=apigw.SecurityPolicy.TLS_1_2,
        )
        cdk.CfnOutput(
            self,
            "DomainTarget",
            value=name.domain_name_alias_domain_name,
            description=f"CNAME/alias target for {domain.domain_name}",
        )
        return name

    def _acknowledge_api_findings(self, api: apigw.RestApi) -> None:
        for rule, reason in (
            (
                "AwsSolutions-APIG4",
                "The app authenticates with its own JWT (login/refresh are public by design); "
                "API Gateway adds the API key + usage plans.",
            ),
            ("AwsSolutions-COG4", "No Cognito: the app issues and verifies its own JWTs."),
            (
                "AwsSolutions-APIG3",
                "WAF is a later, cost-driven decision; stage throttling and usage plans limit abuse "
                "meanwhile.",
            ),
            (
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AmazonAPIGatewayPushToCloudWatchLogs]",
                "API Gateway's account-level CloudWatch role (needed for execution logs) uses the AWS "
                "managed policy made for exactly that.",
            ),
        ):
            acknowledge(api, rule, reason)


def _grant_jwt_key(fn: lambda_.Function, jwt_secret: JwtSecret | str) -> None:
    """Read the JWT signing key: its SSM parameter (or Parameter Store's name for the secret)."""
    stack = cdk.Stack.of(fn)
    parameter = jwt_secret if isinstance(jwt_secret, str) else jwt_secret.parameter_name
    arn = stack.format_arn(service="ssm", resource="parameter", resource_name=parameter.lstrip("/"))
    fn.add_to_role_policy(iam.PolicyStatement(actions=["ssm:GetParameter"], resources=[arn]))
    if not isinstance(jwt_secret, str):
        jwt_secret.secret.grant_read(fn)

"""The public REST API: API Gateway proxy (every path) → the ApiFunction (FastAPI behind Mangum).

Authentication is the app's own JWT (the signing key in Secrets Manager or SSM, see
MONEYGROW_JWT_SECRET_PARAMETER). API Gateway adds: API keys in usage plans by tier (free / pro:
rate, burst, daily quota), stage throttling, request validation, access logs, execution logs,
X-Ray, CORS for the SPA origins and, optionally, a custom domain.

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
    arn_token,
    nag_arn,
    python_function,
)
from infra.constructs.secrets import JwtSecret


@dataclass(frozen=True)
class Tier:
    name: str
    rate_limit: float  # requests per second, steady
    burst_limit: int
    daily_quota: int


TIERS: tuple[Tier, ...] = (
    Tier("free", rate_limit=5, burst_limit=10, daily_quota=1_000),
    Tier("pro", rate_limit=50, burst_limit=100, daily_quota=100_000),
)
STAGE_RATE_LIMIT = 100  # the whole stage, every caller
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
        self.rest_api = self._rest_api(cors_origins)
        self.usage_plans = self._usage_plans()
        self.api_key = self._frontend_key()
        self.usage_plan_parameter = self._usage_plan_parameter()
        self.function = self._function(state_machine, jwt_secret, cors_origins)
        self.function.node.add_dependency(self.usage_plan_parameter)
        self._grant(table, state_machine, jwt_secret)
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
        table.grant_read_write_data(fn)
        state_machine.grant_start_execution(fn)
        # /health/ready asks whether the state machine is there (its executions are never read).
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:DescribeStateMachine"], resources=[state_machine.state_machine_arn]
            )
        )
        stack = cdk.Stack.of(self)
        parameter = jwt_secret if isinstance(jwt_secret, str) else jwt_secret.parameter_name
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ssm:GetParameter"],
                resources=[
                    stack.format_arn(service="ssm", resource="parameter", resource_name=parameter.lstrip("/"))
                ],
            )
        )
        if not isinstance(jwt_secret, str):
            jwt_secret.secret.grant_read(fn)
        self._grant_key_registration()
        assert fn.role is not None
        acknowledge(
            fn.role,
            f"AwsSolutions-IAM5[Resource::{arn_token(table)}/index/*]",
            "Access to the table's own indexes (gsi1) granted by grant_read_write_data.",
        )

    def _grant_key_registration(self) -> None:
        """Users' API keys: create (with tags) and delete keys, add them to / remove them from the
        tier plans (moneygrow.adapters.apigateway). Nothing else in API Gateway."""
        partition, region = cdk.Aws.PARTITION, cdk.Stack.of(self).region

        def arn(path: str) -> str:
            return f"arn:{partition}:apigateway:{region}::{path}"

        plans = [p.usage_plan_id for p in self.usage_plans.values()]
        statements = [
            iam.PolicyStatement(actions=["apigateway:POST"], resources=[arn("/apikeys")]),
            iam.PolicyStatement(actions=["apigateway:DELETE"], resources=[arn("/apikeys/*")]),
            iam.PolicyStatement(actions=["apigateway:PUT"], resources=[arn("/tags/*")]),
            iam.PolicyStatement(
                actions=["apigateway:POST"], resources=[arn(f"/usageplans/{p}/keys") for p in plans]
            ),
            iam.PolicyStatement(
                actions=["apigateway:DELETE"], resources=[arn(f"/usageplans/{p}/keys/*") for p in plans]
            ),
        ]
        for statement in statements:
            self.function.add_to_role_policy(statement)
        assert self.function.role is not None
        acknowledge(
            self.function.role,
            f"AwsSolutions-IAM5[Resource::{nag_arn(self, 'apigateway', '/apikeys/*', account=False)}]",
            "Deleting a user's API key: key ids are created at run time.",
        )
        acknowledge(
            self.function.role,
            f"AwsSolutions-IAM5[Resource::{nag_arn(self, 'apigateway', '/tags/*', account=False)}]",
            "Tag-on-create of users' API keys (moneygrow:key_id, moneygrow:tier) needs "
            "apigateway:PUT on tags.",
        )
        for plan in self.usage_plans.values():
            token = cdk.Stack.of(self).resolve(plan.node.default_child.logical_id)  # type: ignore[union-attr]
            keys = f"/usageplans/<{token}>/keys/*"
            acknowledge(
                self.function.role,
                f"AwsSolutions-IAM5[Resource::{nag_arn(self, 'apigateway', keys, account=False)}]",
                "Removing a key from this tier's plan: key ids are created at run time.",
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
            proxy=True,
            description=f"MoneyGrow API ({self._defaults.stage})",
            cloud_watch_role=True,
            # API Gateway's CloudWatch role is an account/region-wide setting that every stage's stack
            # points at: destroying dev must not take prod's execution logs with it.
            cloud_watch_role_removal_policy=cdk.RemovalPolicy.RETAIN,
            endpoint_types=[apigw.EndpointType.REGIONAL],
            default_method_options=apigw.MethodOptions(api_key_required=True),
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
        self._validate_requests(api)
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
            if isinstance(child, apigw.CfnMethod) and child.http_method == "ANY":
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

    def _frontend_key(self) -> apigw.IApiKey:
        """The SPA's own key, in the free plan (users' keys are registered by the API at run time)."""
        key = self.rest_api.add_api_key("ApiKey", description=f"MoneyGrow frontend ({self._defaults.stage})")
        self.usage_plans["free"].add_api_key(key)
        return key

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

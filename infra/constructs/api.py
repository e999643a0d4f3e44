"""The public REST API: API Gateway proxy (every path) → the ApiFunction (FastAPI behind Mangum).

Authentication is the app's own JWT (see MONEYGROW_JWT_SECRET_PARAMETER); API Gateway adds an
API key + usage plan for throttling/quota, access logs, execution logs and X-Ray.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.lambdas import FunctionDefaults, FunctionSpec, acknowledge, arn_token, python_function


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        table: dynamodb.ITable,
        state_machine: sfn.IStateMachine,
        state_machine_name: str,
        jwt_secret_parameter: str,
        cors_origins: list[str],
    ) -> None:
        super().__init__(scope, construct_id)
        self._defaults = defaults
        self.function = self._function(state_machine, jwt_secret_parameter)
        self._grant(table, state_machine, state_machine_name, jwt_secret_parameter)
        self.rest_api = self._rest_api(cors_origins)
        self.api_key = self._usage_plan()

    def _function(self, state_machine: sfn.IStateMachine, jwt_secret_parameter: str) -> lambda_.Function:
        spec = FunctionSpec(
            construct_id="ApiFunction",
            source="functions/api",
            description="MoneyGrow REST API",
            memory_mb=512,
            timeout=cdk.Duration.seconds(29),  # API Gateway's integration limit
            environment={
                "MONEYGROW_STATE_MACHINE_ARN": state_machine.state_machine_arn,
                "MONEYGROW_JWT_SECRET_PARAMETER": jwt_secret_parameter,
            },
        )
        return python_function(self, spec, self._defaults)

    def _grant(
        self,
        table: dynamodb.ITable,
        state_machine: sfn.IStateMachine,
        state_machine_name: str,
        jwt_parameter: str,
    ) -> None:
        fn = self.function
        table.grant_read_write_data(fn)
        state_machine.grant_start_execution(fn)
        stack = cdk.Stack.of(self)
        executions = stack.format_arn(
            service="states",
            resource="execution",
            resource_name=f"{state_machine_name}:*",
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )
        fn.add_to_role_policy(
            iam.PolicyStatement(actions=["states:DescribeExecution"], resources=[executions])
        )
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ssm:GetParameter"],
                resources=[
                    stack.format_arn(
                        service="ssm",
                        resource="parameter",
                        resource_name=jwt_parameter.lstrip("/"),
                    )
                ],
            )
        )
        assert fn.role is not None
        acknowledge(
            fn.role,
            f"AwsSolutions-IAM5[Resource::{arn_token(table)}/index/*]",
            "Access to the table's own indexes (gsi1) granted by grant_read_write_data.",
        )
        acknowledge(
            fn.role,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:"
            f"{state_machine_name}:*]",
            "DescribeExecution on this state machine's executions: their ARNs are only known at run time.",
        )

    def _rest_api(self, cors_origins: list[str]) -> apigw.LambdaRestApi:
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=self._defaults.log_retention,
            removal_policy=self._defaults.removal_policy,
        )
        api = apigw.LambdaRestApi(
            self,
            "RestApi",
            handler=self.function,
            proxy=True,
            description=f"MoneyGrow API ({self._defaults.stage})",
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=self._defaults.removal_policy,
            endpoint_types=[apigw.EndpointType.REGIONAL],
            default_method_options=apigw.MethodOptions(api_key_required=True),
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=cors_origins,
                allow_headers=["Authorization", "Content-Type", "X-Api-Key"],
                allow_methods=apigw.Cors.ALL_METHODS,
            ),
            deploy_options=apigw.StageOptions(
                stage_name=self._defaults.stage,
                tracing_enabled=True,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # request bodies carry credentials: never log them
                metrics_enabled=True,
                throttling_rate_limit=50,
                throttling_burst_limit=100,
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
        self._acknowledge_api_findings(api)
        return api

    def _usage_plan(self) -> apigw.IApiKey:
        key = self.rest_api.add_api_key("ApiKey", description=f"MoneyGrow frontend ({self._defaults.stage})")
        plan = self.rest_api.add_usage_plan(
            "UsagePlan",
            description="Default MoneyGrow usage plan",
            throttle=apigw.ThrottleSettings(rate_limit=20, burst_limit=40),
            quota=apigw.QuotaSettings(limit=50_000, period=apigw.Period.DAY),
        )
        plan.add_api_key(key)
        plan.add_api_stage(stage=self.rest_api.deployment_stage)
        return key

    def _acknowledge_api_findings(self, api: apigw.RestApi) -> None:
        for rule, reason in (
            ("AwsSolutions-APIG2", "A catch-all proxy to one FastAPI app: pydantic validates every request."),
            (
                "AwsSolutions-APIG4",
                "The app authenticates with its own JWT (login/refresh are public by design); "
                "API Gateway adds the API key + usage plan.",
            ),
            ("AwsSolutions-COG4", "No Cognito: the app issues and verifies its own JWTs."),
            (
                "AwsSolutions-APIG3",
                "WAF is a later, cost-driven decision; the usage plan throttles meanwhile.",
            ),
            (
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AmazonAPIGatewayPushToCloudWatchLogs]",
                "API Gateway's account-level CloudWatch role (needed for execution logs) uses the AWS "
                "managed policy made for exactly that.",
            ),
        ):
            acknowledge(api, rule, reason)

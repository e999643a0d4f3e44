"""One MoneyGrow stack per stage: data, workflow (agents + aggregate + state machine) and API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.api import Api
from infra.constructs.data import Data
from infra.constructs.lambdas import FunctionDefaults, SharedLayer
from infra.constructs.workflow import Workflow

DEFAULT_STAGE = "dev"


@dataclass(frozen=True)
class StageConfig:
    stage: str
    cors_origins: list[str]
    log_level: str = "INFO"

    @property
    def stack_name(self) -> str:
        return f"MoneyGrow-{self.stage}"

    @property
    def is_production(self) -> bool:
        return self.stage == "prod"

    @property
    def removal_policy(self) -> cdk.RemovalPolicy:
        return cdk.RemovalPolicy.RETAIN if self.is_production else cdk.RemovalPolicy.DESTROY

    @property
    def log_retention(self) -> logs.RetentionDays:
        return logs.RetentionDays.THREE_MONTHS if self.is_production else logs.RetentionDays.TWO_WEEKS

    @property
    def jwt_secret_parameter(self) -> str:
        """SSM SecureString holding the JWT signing key. Created out of band (CloudFormation cannot
        create SecureStrings): aws ssm put-parameter --type SecureString --name <this> --value ..."""
        return f"/moneygrow/{self.stage}/jwt-secret"

    @classmethod
    def from_context(cls, scope: Construct) -> StageConfig:
        node = scope.node
        stage = str(node.try_get_context("stage") or DEFAULT_STAGE)
        origins: Any = node.try_get_context("moneygrow:corsOrigins") or ["http://localhost:5173"]
        if isinstance(origins, str):  # -c moneygrow:corsOrigins=https://a,https://b
            origins = [o for o in origins.split(",") if o]
        return cls(stage=stage, cors_origins=list(origins))


class MoneyGrowStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        self.data = Data(self, "Data", removal_policy=config.removal_policy)
        layer = SharedLayer(self, "SharedLayer").layer
        defaults = FunctionDefaults(
            stage=config.stage,
            layer=layer,
            environment=self._environment(),
            log_retention=config.log_retention,
            removal_policy=config.removal_policy,
        )
        self.workflow = Workflow(
            self,
            "Workflow",
            defaults=defaults,
            table=self.data.table,
            model_bucket=self.data.model_bucket,
            removal_policy=config.removal_policy,
        )
        self.api = Api(
            self,
            "Api",
            defaults=defaults,
            table=self.data.table,
            state_machine=self.workflow.state_machine,
            state_machine_name=self.workflow.state_machine_name,
            jwt_secret_parameter=config.jwt_secret_parameter,
            cors_origins=config.cors_origins,
        )
        self._outputs()

    def _environment(self) -> dict[str, str]:
        return {
            "MONEYGROW_STAGE": self.config.stage,
            "MONEYGROW_TABLE_NAME": self.data.table.table_name,
            "MONEYGROW_MODEL_BUCKET": self.data.model_bucket.bucket_name,
            "POWERTOOLS_SERVICE_NAME": "moneygrow",
            "POWERTOOLS_METRICS_NAMESPACE": "MoneyGrow",
            "POWERTOOLS_LOG_LEVEL": self.config.log_level,
        }

    def _outputs(self) -> None:
        cdk.CfnOutput(self, "ApiUrl", value=self.api.rest_api.url)
        cdk.CfnOutput(self, "ApiKeyId", value=self.api.api_key.key_id)
        cdk.CfnOutput(self, "TableName", value=self.data.table.table_name)
        cdk.CfnOutput(self, "ModelBucketName", value=self.data.model_bucket.bucket_name)
        cdk.CfnOutput(self, "StateMachineArn", value=self.workflow.state_machine.state_machine_arn)

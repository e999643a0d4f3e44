"""The MoneyGrow stacks of one stage (dev / prod).

* MoneyGrow-<stage>: data, JWT secret, workflow (agents + aggregate + state machine), API,
  schedules & alerts, observability. devstack/aws.py runs this template in moto and devstack/sam.py
  translates it to template.local.yaml.
* MoneyGrow-<stage>-frontend: the SPA bucket + CloudFront (and the deployment of frontend/dist).

prod differs from dev in retention and protection: RETAIN on every stateful resource, DynamoDB
deletion protection, stack termination protection, longer log retention.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.alerts import SchedulesAndAlerts
from infra.constructs.api import Api, CustomDomain
from infra.constructs.data import Data
from infra.constructs.frontend import Frontend
from infra.constructs.lambdas import FunctionDefaults, SharedLayer, acknowledge, reserve_concurrency
from infra.constructs.observability import Observability
from infra.constructs.secrets import JwtSecret
from infra.constructs.wallet_registry import WalletRegistryJob
from infra.constructs.workflow import Notify, Workflow

DEFAULT_STAGE = "dev"
LOCAL_APP_URL = "http://127.0.0.1:8080"  # make dev's web app
STAGES = ("dev", "prod")

# Reserved concurrency per function (construct id -> concurrent executions): each function keeps
# this much of the account's Lambda concurrency and never runs more, so a burst of analyses cannot
# starve the API and authorizer, and the agents never exceed what the RPC nodes and the table are
# sized for (a throttled agent is retried by the workflow; each function has a throttle alarm).
# Sized for 100,000 users: the API at ~60 ms behind the stage's 100 req/s (200 burst) with cold
# starts; 50 heuristic agents at ~2.5 s are 20 analyses/s. Lambda keeps 100 of an account's limit
# (1,000 by default; new accounts start at 10) unreserved, so reserving is on by
# default in prod only: elsewhere opt in with -c moneygrow:reservedConcurrency=true (or a JSON
# object of overrides), and synth checks the total against -c moneygrow:accountConcurrency.
RESERVED_CONCURRENCY = {
    "ApiFunction": 100,
    "AuthorizerFunction": 50,
    "HeuristicAgentFunction": 50,
    "MlAgentFunction": 20,
    "SmartMoneyAgentFunction": 50,
    "AggregateFunction": 20,
    "FailAnalysisFunction": 5,
    "WalletRegistryJobFunction": 2,
    "RescanScheduleFunction": 1,  # one run at a time anyway (a lease in the table)
    "NotifyFunction": 10,
}
DEFAULT_ACCOUNT_CONCURRENCY = 1000
UNRESERVED_MINIMUM = 100  # what Lambda always leaves to the functions without a reservation


@dataclass(frozen=True)
class StageConfig:
    stage: str
    cors_origins: list[str]
    log_level: str = "INFO"
    # An SSM SecureString name to use instead of the generated Secrets Manager secret (optional).
    jwt_ssm_parameter: str | None = None
    custom_domain: CustomDomain | None = None
    alarm_email: str | None = None
    rescan_every_hours: int = 6
    rescan_max_in_flight: int = 4  # watchlist rescans running at once (the RPC provider's load)
    app_url: str = LOCAL_APP_URL  # the web app, for the links in alerts
    # JSON {"<chain>": ["https://..."]} for the agents (MONEYGROW_RPC_URLS); None: the app's default.
    rpc_urls: str | None = None
    # Outside services the heuristic agent may ask (off by default: they are third parties).
    goplus: bool = False
    prices: bool = False
    # SSM SecureString holding the Etherscan v2 key (MONEYGROW_ETHERSCAN_API_KEY_PARAMETER).
    etherscan_key_parameter: str | None = None
    # Reserved concurrency by function construct id (empty: nothing reserved).
    reserved_concurrency: dict[str, int] = field(default_factory=dict)

    @property
    def stack_name(self) -> str:
        return f"MoneyGrow-{self.stage}"

    @property
    def frontend_stack_name(self) -> str:
        return f"MoneyGrow-{self.stage}-frontend"

    @property
    def is_production(self) -> bool:
        return self.stage == "prod"

    @property
    def removal_policy(self) -> cdk.RemovalPolicy:
        return cdk.RemovalPolicy.RETAIN if self.is_production else cdk.RemovalPolicy.DESTROY

    @property
    def log_retention(self) -> logs.RetentionDays:
        return logs.RetentionDays.THREE_MONTHS if self.is_production else logs.RetentionDays.TWO_WEEKS

    @classmethod
    def from_context(cls, scope: Construct) -> StageConfig:
        """Context keys (cdk.json or -c): stage, moneygrow:corsOrigins, moneygrow:jwtSsmParameter,
        moneygrow:domainName + moneygrow:certificateArn, moneygrow:alarmEmail, moneygrow:rescanEveryHours,
        moneygrow:rescanMaxInFlight, moneygrow:appUrl (the web app's URL, for links in alerts),
        moneygrow:rpcUrls (JSON chain -> [urls]), moneygrow:etherscanKeyParameter, moneygrow:localChain,
        moneygrow:goplus and moneygrow:prices (true: the agents may ask GoPlus / GeckoTerminal),
        moneygrow:reservedConcurrency and moneygrow:accountConcurrency (see RESERVED_CONCURRENCY).

        A deployable stage needs RPC endpoints: without moneygrow:rpcUrls the agents would call the
        embedded local chain (127.0.0.1:8545), which does not exist in the cloud, so synth refuses
        unless moneygrow:localChain says the template is for the local stack (make dev, SAM local)."""
        node = scope.node
        stage = str(node.try_get_context("stage") or DEFAULT_STAGE)
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}: one of {STAGES}")
        origins: Any = node.try_get_context("moneygrow:corsOrigins") or ["http://localhost:5173"]
        if isinstance(origins, str):  # -c moneygrow:corsOrigins=https://a,https://b
            origins = [o for o in origins.split(",") if o]
        rpc_urls = _rpc_urls(node.try_get_context("moneygrow:rpcUrls"))
        local_chain = str(node.try_get_context("moneygrow:localChain") or "").lower() in ("true", "1")
        if local_chain and stage == "prod":
            raise ValueError("moneygrow:localChain is for local stacks; prod needs moneygrow:rpcUrls")
        if not rpc_urls and not local_chain:
            raise ValueError(
                f"stage {stage!r} has no RPC endpoints: pass -c 'moneygrow:rpcUrls="
                '{"ethereum":["https://..."],"bsc":[...],"polygon":[...]}\' (or, for a template used '
                "only with the local chain, -c moneygrow:localChain=true)"
            )
        if stage == "prod" and not node.try_get_context("moneygrow:alarmEmail"):
            # alarms that reach nobody are no alarms: prod names who gets them
            raise ValueError("stage 'prod' needs -c moneygrow:alarmEmail=<who receives the alarms>")
        domain = node.try_get_context("moneygrow:domainName")
        certificate = node.try_get_context("moneygrow:certificateArn")
        if bool(domain) != bool(certificate):
            raise ValueError("moneygrow:domainName and moneygrow:certificateArn go together")
        return cls(
            stage=stage,
            cors_origins=list(origins),
            jwt_ssm_parameter=node.try_get_context("moneygrow:jwtSsmParameter") or None,
            custom_domain=CustomDomain(str(domain), str(certificate)) if domain else None,
            alarm_email=node.try_get_context("moneygrow:alarmEmail") or None,
            rescan_every_hours=int(node.try_get_context("moneygrow:rescanEveryHours") or 6),
            rescan_max_in_flight=int(node.try_get_context("moneygrow:rescanMaxInFlight") or 4),
            app_url=node.try_get_context("moneygrow:appUrl") or LOCAL_APP_URL,
            rpc_urls=rpc_urls,
            goplus=_flag(node.try_get_context("moneygrow:goplus")),
            prices=_flag(node.try_get_context("moneygrow:prices")),
            etherscan_key_parameter=node.try_get_context("moneygrow:etherscanKeyParameter") or None,
            reserved_concurrency=_reserved_concurrency(
                node.try_get_context("moneygrow:reservedConcurrency"),
                default_on=stage == "prod",
                account_limit=int(
                    node.try_get_context("moneygrow:accountConcurrency") or DEFAULT_ACCOUNT_CONCURRENCY
                ),
            ),
        )

    def agent_environment(self) -> dict[str, str]:
        env = {}
        if self.rpc_urls:
            env["MONEYGROW_RPC_URLS"] = self.rpc_urls
        if self.etherscan_key_parameter:
            env["MONEYGROW_ETHERSCAN_API_KEY_PARAMETER"] = self.etherscan_key_parameter
        if self.goplus:  # GoPlus's token-security API as a second opinion
            env["MONEYGROW_GOPLUS_ENABLED"] = "true"
        if self.prices:  # GeckoTerminal prices and pools
            env["MONEYGROW_PRICES_ENABLED"] = "true"
        return env


def _flag(value: Any) -> bool:
    """A boolean context value: true from cdk.json, "true"/"1" from -c."""
    return value is True or str(value).lower() in ("true", "1", "yes")


def _reserved_concurrency(value: Any, *, default_on: bool, account_limit: int) -> dict[str, int]:
    """Context value -> construct id -> reserved executions. Absent: RESERVED_CONCURRENCY when
    `default_on` (prod), else nothing; true/false: the defaults or nothing; a JSON object: the
    defaults with these overrides (null: that function reserves nothing)."""
    if value is None or value == "":
        reserved = dict(RESERVED_CONCURRENCY) if default_on else {}
    elif str(value).lower() in ("true", "false", "on", "off", "yes", "no", "1", "0"):
        reserved = dict(RESERVED_CONCURRENCY) if str(value).lower() in ("true", "on", "yes", "1") else {}
    else:
        overrides = json.loads(value) if isinstance(value, str) else value
        if not isinstance(overrides, dict):
            raise ValueError('moneygrow:reservedConcurrency must be true, false or {"<Function>": n, ...}')
        reserved = {k: v for k, v in {**RESERVED_CONCURRENCY, **overrides}.items() if v is not None}
    bad = sorted(k for k, v in reserved.items() if isinstance(v, bool) or not isinstance(v, int) or v < 1)
    if bad:  # 0 would throttle every invocation of the function: say null to reserve nothing
        raise ValueError(f"moneygrow:reservedConcurrency needs a whole number >= 1 (or null) for {bad}")
    total, room = sum(reserved.values()), max(account_limit - UNRESERVED_MINIMUM, 0)
    if total > room:
        raise ValueError(
            f"moneygrow:reservedConcurrency reserves {total} concurrent executions, but an account limit "
            f"of {account_limit} (moneygrow:accountConcurrency) leaves {room} to reserve (Lambda keeps "
            f"{UNRESERVED_MINIMUM} unreserved): reserve less, turn it off with "
            "-c moneygrow:reservedConcurrency=false, or ask AWS for a higher limit"
        )
    return reserved


def _rpc_urls(value: Any) -> str | None:
    """Context value (a JSON string from -c, or an object from cdk.json) -> compact JSON, checked."""
    if not value:
        return None
    parsed = json.loads(value) if isinstance(value, str) else value
    if not isinstance(parsed, dict) or not all(isinstance(v, list) and v for v in parsed.values()):
        raise ValueError('moneygrow:rpcUrls must be {"<chain>": ["https://..."], ...}')
    return json.dumps(parsed, separators=(",", ":"), sort_keys=True)


class MoneyGrowStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, termination_protection=config.is_production, **kwargs)
        self.config = config
        self.data = Data(
            self, "Data", removal_policy=config.removal_policy, deletion_protection=config.is_production
        )
        jwt_secret = config.jwt_ssm_parameter or JwtSecret(
            self, "JwtSecret", stage=config.stage, removal_policy=config.removal_policy
        )
        layer = SharedLayer(self, "SharedLayer").layer
        defaults = FunctionDefaults(
            stage=config.stage,
            layer=layer,
            environment=self._environment(),
            log_retention=config.log_retention,
            removal_policy=config.removal_policy,
        )
        self.alerts = SchedulesAndAlerts(
            self,
            "Alerts",
            defaults=defaults,
            table=self.data.table,
            alarm_email=config.alarm_email,
            app_url=config.app_url,
        )
        self.workflow = Workflow(
            self,
            "Workflow",
            defaults=defaults,
            table=self.data.table,
            model_bucket=self.data.model_bucket,
            removal_policy=config.removal_policy,
            agent_environment=config.agent_environment(),
            agent_parameters=(config.etherscan_key_parameter,) if config.etherscan_key_parameter else (),
            notify=Notify(self.alerts.notify_function, self.alerts.notify_dlq),
        )
        self.alerts.schedule_rescans(
            self.workflow.state_machine,
            cdk.Duration.hours(config.rescan_every_hours),
            max_in_flight=config.rescan_max_in_flight,
        )
        self.wallet_registry = WalletRegistryJob(
            self,
            "WalletRegistry",
            defaults=defaults,
            table=self.data.table,
            every=cdk.Duration.hours(6),
            environment={k: v for k, v in config.agent_environment().items() if k == "MONEYGROW_RPC_URLS"},
        )
        self.wallet_registry.grant_agent(self.workflow.agent_functions["smart_money"])
        if not config.rpc_urls:
            cdk.Annotations.of(self).add_warning_v2(
                "moneygrow:no-rpc-urls",
                "No moneygrow:rpcUrls context: the agents use the app's default RPC endpoints "
                "(the local anvil), which do not exist in the cloud.",
            )
        if not config.alarm_email:  # prod refuses this in from_context
            cdk.Annotations.of(self).add_warning_v2(
                "moneygrow:no-alarm-email",
                "No moneygrow:alarmEmail context: the alarms publish to the ops topic (output OpsTopicArn) "
                "and nobody is subscribed, so nobody hears of them. Deploy with "
                "-c moneygrow:alarmEmail=ops@example.com (then confirm the email) or subscribe to the topic.",
            )
        self.api = Api(
            self,
            "Api",
            defaults=defaults,
            table=self.data.table,
            state_machine=self.workflow.state_machine,
            jwt_secret=jwt_secret,
            cors_origins=config.cors_origins,
            custom_domain=config.custom_domain,
            rpc_urls=config.rpc_urls,
        )
        self.alerts.grant_subscriptions(self.api.function)
        for name, value in {
            "MONEYGROW_ALERTS_TOPIC_ARN": self.alerts.alerts_topic.topic_arn,
            "MONEYGROW_ALERT_DELIVERY_DLQ_ARN": self.alerts.delivery_dlq.queue_arn,
            "MONEYGROW_APP_URL": config.app_url,
        }.items():
            self.api.function.add_environment(name, value)
        self.observability = Observability(
            self,
            "Observability",
            stage=config.stage,
            rest_api=self.api.rest_api,
            table=self.data.table,
            functions={
                "Api": self.api.function,
                "Authorizer": self.api.authorizer_function,
                "Aggregate": self.workflow.aggregate_function,
                "FailAnalysis": self.workflow.fail_function,
                "WalletRegistryJob": self.wallet_registry.function,
                "Notify": self.alerts.notify_function,
                "RescanSchedule": self.alerts.rescan_function,
                **{
                    f"{name.title().replace('_', '')}Agent": fn
                    for name, fn in self.workflow.agent_functions.items()
                },
            },
            state_machine=self.workflow.state_machine,
            dead_letter_queues={**self.alerts.dead_letter_queues, **self.wallet_registry.dead_letter_queues},
            ops_topic=self.alerts.ops_topic,
        )
        acknowledge(
            self,
            "AwsSolutions-SQS3",
            "Every queue in this stack is a dead-letter queue (infra/constructs/jobs.py; checked by a test).",
        )
        reserve_concurrency(self, config.reserved_concurrency)
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
        for tier, plan in self.api.usage_plans.items():
            cdk.CfnOutput(self, f"{tier.capitalize()}UsagePlanId", value=plan.usage_plan_id)
        cdk.CfnOutput(self, "TableName", value=self.data.table.table_name)
        cdk.CfnOutput(self, "ModelBucketName", value=self.data.model_bucket.bucket_name)
        cdk.CfnOutput(self, "StateMachineArn", value=self.workflow.state_machine.state_machine_arn)
        cdk.CfnOutput(self, "AlertsTopicArn", value=self.alerts.alerts_topic.topic_arn)
        cdk.CfnOutput(self, "OpsTopicArn", value=self.alerts.ops_topic.topic_arn)
        cdk.CfnOutput(self, "AlertDeliveryDlqUrl", value=self.alerts.delivery_dlq.queue_url)


class FrontendStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        api_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        """`api_url`: where the SPA calls the API (written to its /config.json at deployment)."""
        super().__init__(scope, construct_id, termination_protection=config.is_production, **kwargs)
        self.frontend = Frontend(
            self, "Frontend", stage=config.stage, removal_policy=config.removal_policy, api_url=api_url
        )
        cdk.CfnOutput(
            self,
            "SiteUrl",
            value=f"https://{self.frontend.distribution.distribution_domain_name}",
            description="Add it to moneygrow:corsOrigins for the API stack",
        )
        cdk.CfnOutput(self, "SiteBucketName", value=self.frontend.bucket.bucket_name)

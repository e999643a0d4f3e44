"""The wallet registry job: a schedule that rescores the wallets trading the tracked tokens.

    EventBridge rule (rate) ──► WalletRegistryJobFunction (async, 2 retries)
            │                          └─ failed after its retries ──► WalletRegistryDlq (SQS)
            └─ delivery failures ──► WalletRegistryDlq

The registry lives in the application table (items WALLET#... and TRACKED, see
shared/moneygrow/store/wallets_dynamo.py). Least privilege by partition key: the job reads and
writes only those items; the smart-money agent reads wallet profiles and adds tracked tokens.
A run is idempotent (moneygrow.smartmoney.job), so retries and overlapping runs are safe.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.lambdas import FunctionDefaults, FunctionSpec, acknowledge, python_function

JOB_TIMEOUT = cdk.Duration.minutes(5)  # MAX_TOKENS tokens x the agent's log budget, with margin
DLQ_RETENTION = cdk.Duration.days(14)
REGISTRY_KEYS = ("WALLET#*", "TRACKED")  # the partition keys of the registry's items


def _leading_keys(*patterns: str) -> dict[str, dict[str, list[str]]]:
    return {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": list(patterns)}}


class WalletRegistryJob(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        table: dynamodb.ITable,
        every: cdk.Duration,
        environment: dict[str, str] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self._table = table
        self.dlq = sqs.Queue(
            self,
            "WalletRegistryDlq",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=DLQ_RETENTION,
            removal_policy=defaults.removal_policy,
        )
        acknowledge(self.dlq, "AwsSolutions-SQS3", "This queue is itself a dead-letter queue.")
        self.function = python_function(
            self,
            FunctionSpec(
                construct_id="WalletRegistryJobFunction",
                source="functions/jobs/wallet_registry",
                description="MoneyGrow wallet registry job (scores wallets from tracked pairs' swaps)",
                memory_mb=512,
                timeout=JOB_TIMEOUT,
                environment=dict(environment or {}),
            ),
            defaults,
        )
        self.function.configure_async_invoke(
            retry_attempts=2,
            on_failure=destinations.SqsDestination(self.dlq),
            max_event_age=cdk.Duration.hours(2),
        )
        self.rule = events.Rule(
            self,
            "WalletRegistrySchedule",
            description=f"Wallet registry refresh ({defaults.stage})",
            schedule=events.Schedule.rate(every),
        )
        self.rule.add_target(
            targets.LambdaFunction(
                self.function,
                event=events.RuleTargetInput.from_object({"kind": "wallet-registry-refresh"}),
                dead_letter_queue=self.dlq,
                retry_attempts=2,
                max_event_age=cdk.Duration.hours(2),
            )
        )
        self.grant(
            self.function,
            [
                "dynamodb:Query",
                "dynamodb:BatchGetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:BatchWriteItem",
            ],
            *REGISTRY_KEYS,
        )

    @property
    def dead_letter_queues(self) -> dict[str, sqs.IQueue]:
        return {"WalletRegistryDlq": self.dlq}

    def grant(self, fn: lambda_.IFunction, actions: list[str], *leading_keys: str) -> None:
        """`actions` on the registry's items only (a condition on the partition key)."""
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=actions, resources=[self._table.table_arn], conditions=_leading_keys(*leading_keys)
            )
        )

    def grant_agent(self, fn: lambda_.IFunction) -> None:
        """The smart-money agent reads wallet profiles and marks what it analysed as tracked."""
        self.grant(fn, ["dynamodb:BatchGetItem"], "WALLET#*")
        self.grant(fn, ["dynamodb:PutItem"], "TRACKED")

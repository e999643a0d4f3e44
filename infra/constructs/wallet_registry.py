"""The wallet registry job: a schedule (infra/constructs/jobs.py) that rescores the wallets trading
the tracked tokens: WalletRegistryJobFunction, with its WalletRegistryDlq.

The registry lives in the application table (items WALLET#... and TRACKED, see
shared/moneygrow/store/wallets_dynamo.py). Least privilege by partition key: the job reads and
writes only those items; the smart-money agent reads wallet profiles and adds tracked tokens.
A run is idempotent (moneygrow.smartmoney.job), so retries and overlapping runs are safe.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.jobs import ScheduledJob
from infra.constructs.lambdas import FunctionDefaults, FunctionSpec, grant_items

JOB_TIMEOUT = cdk.Duration.minutes(5)  # MAX_TOKENS tokens x the agent's log budget, with margin
REGISTRY_KEYS = ("WALLET#*", "TRACKED")  # the partition keys of the registry's items


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
        self.job = ScheduledJob(
            self,
            "WalletRegistry",
            defaults=defaults,
            spec=FunctionSpec(
                construct_id="WalletRegistryJobFunction",
                source="functions/jobs/wallet_registry",
                description="MoneyGrow wallet registry job (scores wallets from tracked pairs' swaps)",
                memory_mb=512,
                timeout=JOB_TIMEOUT,
                environment=dict(environment or {}),
            ),
            every=every,
            event={"kind": "wallet-registry-refresh"},
            description=f"Wallet registry refresh ({defaults.stage})",
        )
        self.function = self.job.function
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
        return self.job.dead_letter_queues

    def grant(self, fn: lambda_.IFunction, actions: list[str], *leading_keys: str) -> None:
        """`actions` on the registry's items only (a condition on the partition key)."""
        grant_items(fn, self._table, actions, *leading_keys)

    def grant_agent(self, fn: lambda_.IFunction) -> None:
        """The smart-money agent reads wallet profiles and marks what it analysed as tracked."""
        self.grant(fn, ["dynamodb:BatchGetItem"], "WALLET#*")
        self.grant(fn, ["dynamodb:PutItem"], "TRACKED")

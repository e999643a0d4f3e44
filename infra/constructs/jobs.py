"""A scheduled job: an EventBridge rule invoking a function, with retries and one dead-letter queue.

    EventBridge rule (rate) ──► function (async, 2 retries)
            │                      └─ failed after its retries ──► <name>Dlq (SQS, alarmed)
            └─ delivery failures ──► <name>Dlq

Used by the wallet registry and the watchlist rescans. A job must be idempotent: EventBridge and
Lambda both retry.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.lambdas import FunctionDefaults, FunctionSpec, python_function

DLQ_RETENTION = cdk.Duration.days(14)
MAX_EVENT_AGE = cdk.Duration.hours(2)


def dead_letter_queue(scope: Construct, construct_id: str, removal_policy: cdk.RemovalPolicy) -> sqs.Queue:
    """The stack's only kind of queue (AwsSolutions-SQS3, "no DLQ of its own", is acknowledged once
    for the stack on that ground, and a test checks that every queue is some DLQ)."""
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=DLQ_RETENTION,
        removal_policy=removal_policy,
    )


class ScheduledJob(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        spec: FunctionSpec,
        every: cdk.Duration,
        event: dict[str, Any],
        description: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dlq = dead_letter_queue(self, f"{construct_id}Dlq", defaults.removal_policy)
        self.function: lambda_.Function = python_function(self, spec, defaults)
        self.function.configure_async_invoke(
            retry_attempts=2, on_failure=destinations.SqsDestination(self.dlq), max_event_age=MAX_EVENT_AGE
        )
        self.rule = events.Rule(
            self, f"{construct_id}Schedule", description=description, schedule=events.Schedule.rate(every)
        )
        self.rule.add_target(
            targets.LambdaFunction(
                self.function,
                event=events.RuleTargetInput.from_object(event),
                dead_letter_queue=self.dlq,
                retry_attempts=2,
                max_event_age=MAX_EVENT_AGE,
            )
        )

    @property
    def dead_letter_queues(self) -> dict[str, sqs.IQueue]:
        return {f"{self.node.id}Dlq": self.dlq}

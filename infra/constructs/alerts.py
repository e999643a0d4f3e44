"""Schedules and alerts: watchlist rescans on a schedule, KMS-encrypted SNS topics, dead-letter queues.

    EventBridge rule (rate) ──► RescanQueue (SQS, DLQ after 3 receives)
                      └─ delivery failures ──► RescanTargetDlq
    AlertsTopic (user-facing alerts) and OpsTopic (CloudWatch alarms), both encrypted with one CMK.

The rule enqueues one rescan request per period ({"kind": "watchlist-rescan", "time": ...}); the
consumer that fans out to the watchlists is not built yet, so requests expire after a day.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.lambdas import acknowledge

RESCAN_RETENTION = cdk.Duration.days(1)
DLQ_RETENTION = cdk.Duration.days(14)


class SchedulesAndAlerts(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        rescan_every: cdk.Duration,
        alarm_email: str | None,
        removal_policy: cdk.RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self._removal_policy = removal_policy
        self.key = kms.Key(
            self,
            "TopicKey",
            description=f"MoneyGrow SNS topics ({stage})",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )
        # CloudWatch alarms and EventBridge publish to the encrypted topics.
        for service in ("cloudwatch.amazonaws.com", "events.amazonaws.com"):
            self.key.grant(iam.ServicePrincipal(service), "kms:Decrypt", "kms:GenerateDataKey*")
        self.alerts_topic = self._topic("AlertsTopic", f"moneygrow-{stage}-alerts", "MoneyGrow alerts")
        self.ops_topic = self._topic("OpsTopic", f"moneygrow-{stage}-ops", "MoneyGrow operations alarms")
        if alarm_email:
            self.ops_topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.rescan_dlq = self._queue("RescanDlq", retention=DLQ_RETENTION)
        self.rescan_queue = self._queue(
            "RescanQueue",
            retention=RESCAN_RETENTION,
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=self.rescan_dlq),
        )
        self.target_dlq = self._queue("RescanTargetDlq", retention=DLQ_RETENTION)
        self.rescan_rule = events.Rule(
            self,
            "RescanSchedule",
            description=f"Watchlist rescans ({stage})",
            schedule=events.Schedule.rate(rescan_every),
        )
        self.rescan_rule.add_target(
            targets.SqsQueue(
                self.rescan_queue,
                message=events.RuleTargetInput.from_object(
                    {"kind": "watchlist-rescan", "stage": stage, "time": events.EventField.time}
                ),
                dead_letter_queue=self.target_dlq,
                retry_attempts=3,
                max_event_age=cdk.Duration.hours(2),
            )
        )
        for dlq in (self.rescan_dlq, self.target_dlq):
            acknowledge(dlq, "AwsSolutions-SQS3", "This queue is itself a dead-letter queue.")

    @property
    def dead_letter_queues(self) -> dict[str, sqs.IQueue]:
        return {"RescanDlq": self.rescan_dlq, "RescanTargetDlq": self.target_dlq}

    def _topic(self, construct_id: str, name: str, display_name: str) -> sns.Topic:
        return sns.Topic(
            self,
            construct_id,
            topic_name=name,
            display_name=display_name,
            master_key=self.key,
            enforce_ssl=True,
        )

    def _queue(self, construct_id: str, *, retention: cdk.Duration, **kwargs: object) -> sqs.Queue:
        return sqs.Queue(
            self,
            construct_id,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=retention,
            removal_policy=self._removal_policy,
            **kwargs,  # type: ignore[arg-type]
        )

"""Watchlist rescans and alerts: the schedule, the Notify function, the topics and their DLQs.

RescanSchedule (rate per stage) ──► RescanScheduleFunction (moneygrow.watch.scheduler)
    starts due tokens' analyses on the workflow, a bounded number at once ─► RescanDlq on failure
workflow: Aggregate ─► (rescans only) Notify ─► NotifyFunction (moneygrow.watch.notify)
    └─ failed after its retries ──► NotifyDlq (the state machine sends the task there)
NotifyFunction ──► AlertsTopic ──► each user's subscriptions (filter policy = their watchlist):
    email, SMS, and HTTPS to the API's webhook relay; SNS retries HTTP deliveries per the topic's
    delivery policy, then each subscription's redrive policy moves them to AlertDeliveryDlq
OpsTopic: CloudWatch alarms. Both topics are encrypted with one CMK.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.jobs import ScheduledJob, dead_letter_queue
from infra.constructs.lambdas import FunctionDefaults, FunctionSpec, acknowledge, grant_items, python_function

NOTIFY_FUNCTION_TIMEOUT = cdk.Duration.seconds(10)  # a read, a compare, one publish
SCHEDULE_TIMEOUT = cdk.Duration.minutes(15)  # the run waits for its rescans (moneygrow.watch.scheduler)


class SchedulesAndAlerts(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        table: dynamodb.ITable,
        alarm_email: str | None,
        app_url: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self._defaults, self._table = defaults, table
        stage = defaults.stage
        self.key = kms.Key(
            self,
            "TopicKey",
            description=f"MoneyGrow SNS topics ({stage})",
            enable_key_rotation=True,
            removal_policy=defaults.removal_policy,
        )
        # CloudWatch alarms publish to the encrypted ops topic.
        self.key.grant(
            iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*"
        )
        self.alerts_topic = self._topic("AlertsTopic", f"moneygrow-{stage}-alerts", "MoneyGrow alerts")
        self.ops_topic = self._topic("OpsTopic", f"moneygrow-{stage}-ops", "MoneyGrow operations alarms")
        if alarm_email:
            self.ops_topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.delivery_dlq = self._delivery_dlq()
        self.notify_dlq = dead_letter_queue(self, "NotifyDlq", defaults.removal_policy)
        self.notify_function = self._notify_function(app_url)
        self.rescans: ScheduledJob | None = None

    # --- topics ----------------------------------------------------------------------------------

    def _topic(self, construct_id: str, name: str, display_name: str) -> sns.Topic:
        return sns.Topic(
            self,
            construct_id,
            topic_name=name,
            display_name=display_name,
            master_key=self.key,
            enforce_ssl=True,
        )

    def _delivery_dlq(self) -> sqs.Queue:
        """Where SNS puts an alert it could not deliver after its retries (each subscription's
        RedrivePolicy names it; the API sets it when it subscribes)."""
        queue = dead_letter_queue(self, "AlertDeliveryDlq", self._defaults.removal_policy)
        queue.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("sns.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[queue.queue_arn],
                conditions={"ArnEquals": {"aws:SourceArn": self.alerts_topic.topic_arn}},
            )
        )
        return queue

    # --- functions -------------------------------------------------------------------------------

    def _notify_function(self, app_url: str) -> lambda_.Function:
        fn = python_function(
            self,
            FunctionSpec(
                construct_id="NotifyFunction",
                source="functions/notify",
                description="MoneyGrow rescan Notify step (compare with the last state, alert on change)",
                timeout=NOTIFY_FUNCTION_TIMEOUT,
                environment={
                    "MONEYGROW_ALERTS_TOPIC_ARN": self.alerts_topic.topic_arn,
                    "MONEYGROW_APP_URL": app_url,
                },
            ),
            self._defaults,
        )
        # the rescan's record, then its token's state (compare, record): nothing else
        self._grant(fn, ["dynamodb:GetItem"], "ANALYSIS#*")
        self._grant(fn, ["dynamodb:BatchGetItem", "dynamodb:UpdateItem"], "WATCHED#*")
        # publish to the encrypted topic: exact KMS actions (grant_publish would add GenerateDataKey*)
        fn.add_to_role_policy(
            iam.PolicyStatement(actions=["sns:Publish"], resources=[self.alerts_topic.topic_arn])
        )
        fn.add_to_role_policy(
            iam.PolicyStatement(actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[self.key.key_arn])
        )
        return fn

    def _grant(self, fn: lambda_.IFunction, actions: list[str], *leading_keys: str) -> None:
        grant_items(fn, self._table, actions, *leading_keys)

    def schedule_rescans(
        self, state_machine: sfn.IStateMachine, every: cdk.Duration, max_in_flight: int
    ) -> None:
        """The scheduler starts rescans on the workflow: created once the state machine exists."""
        self.rescans = ScheduledJob(
            self,
            "Rescan",
            defaults=self._defaults,
            spec=FunctionSpec(
                construct_id="RescanScheduleFunction",
                source="functions/jobs/rescan",
                description="MoneyGrow watchlist rescans (starts due tokens' analyses, a few at a time)",
                timeout=SCHEDULE_TIMEOUT,
                environment={
                    "MONEYGROW_STATE_MACHINE_ARN": state_machine.state_machine_arn,
                    "MONEYGROW_WORKFLOW_EXPRESS": "true",
                    "MONEYGROW_RESCAN_EVERY_S": str(int(every.to_seconds())),
                    "MONEYGROW_RESCAN_MAX_IN_FLIGHT": str(max_in_flight),
                },
            ),
            every=every,
            event={"kind": "watchlist-rescan"},
            description=f"Watchlist rescans ({self._defaults.stage})",
        )
        fn = self.rescans.function
        state_machine.grant_start_execution(fn)
        # due tokens (gsi1 WATCHDUE#*), claims and the lease; the rescan's record and its lock
        # (owner "watchlist"), written in one transaction, read back and read while it runs
        self._grant(
            fn, ["dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:GetItem"], "WATCHED#*", "LEASE#*"
        )
        self._grant(
            fn,
            ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
            "ANALYSIS#*",
            "USER#watchlist",
        )
        index = cdk.Stack.of(self).format_arn(
            service="dynamodb", resource="table", resource_name=f"{self._table.table_name}/index/gsi1"
        )
        fn.add_to_role_policy(iam.PolicyStatement(actions=["dynamodb:Query"], resources=[index]))

    def grant_subscriptions(self, fn: lambda_.IFunction) -> None:
        """The API subscribes users' destinations to the alerts topic (filtered) and removes them."""
        fn.add_to_role_policy(
            iam.PolicyStatement(actions=["sns:Subscribe"], resources=[self.alerts_topic.topic_arn])
        )
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["sns:SetSubscriptionAttributes", "sns:GetSubscriptionAttributes", "sns:Unsubscribe"],
                resources=[f"{self.alerts_topic.topic_arn}:*"],
            )
        )
        assert fn.role is not None
        acknowledge(
            fn.role,
            f"AwsSolutions-IAM5[Resource::<{cdk.Stack.of(self).resolve(self._topic_logical_id())}>:*]",
            "Subscription ARNs are the topic's ARN plus an id SNS assigns: only this topic's subscriptions.",
        )

    def _topic_logical_id(self) -> str:
        topic = self.alerts_topic.node.default_child
        assert isinstance(topic, cdk.CfnResource)
        return str(topic.logical_id)

    @property
    def rescan_function(self) -> lambda_.Function:
        assert self.rescans is not None, "schedule_rescans() first"
        return self.rescans.function

    @property
    def dead_letter_queues(self) -> dict[str, sqs.IQueue]:
        rescans = self.rescans.dead_letter_queues if self.rescans else {}
        return {"NotifyDlq": self.notify_dlq, "AlertDeliveryDlq": self.delivery_dlq, **rescans}

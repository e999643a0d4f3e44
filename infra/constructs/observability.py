"""Observability: one CloudWatch dashboard and the alarms that page the ops SNS topic.

Alarms: API 5xx, 4xx (429s included) and p95 latency, per-function errors and throttles, DynamoDB
throttling, the share of degraded verdicts, state-machine failures and timeouts, and any message in a
dead-letter queue. (Powertools' service name, log level and metrics
namespace are in every function's environment, see infra/stack.py.)
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

PERIOD = cdk.Duration.minutes(5)
DEGRADED_MIN_VERDICTS = 20


@dataclass(frozen=True)
class Thresholds:
    api_5xx_per_period: int = 5
    api_p95_latency_ms: int = 5_000
    function_errors_per_period: int = 1
    function_throttles_per_period: int = 1
    failed_executions_per_period: int = 1
    api_4xx_per_period: int = 500  # refused logins, rate limits, bad input: a spike is an attack or a bug
    table_throttles_per_period: int = 1
    degraded_share: float = 0.2  # of at least DEGRADED_MIN_VERDICTS verdicts in the period
    gateway_api_keys: int = 8_000  # 80 % of API Gateway's 10,000 keys per account and Region


class Observability(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        rest_api: apigw.RestApi,
        functions: dict[str, lambda_.IFunction],
        state_machine: sfn.StateMachine,
        dead_letter_queues: dict[str, sqs.IQueue],
        ops_topic: sns.ITopic,
        table: dynamodb.ITable,
        thresholds: Thresholds | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        t = thresholds or Thresholds()
        self._action = actions.SnsAction(ops_topic)
        self._stage = stage
        self.alarms: list[cloudwatch.Alarm] = []

        api_5xx = rest_api.metric_server_error(period=PERIOD, statistic="Sum")
        api_p95 = rest_api.metric_latency(period=PERIOD, statistic="p95")
        api_count = rest_api.metric_count(period=PERIOD, statistic="Sum")
        self._alarm("Api5xx", api_5xx, t.api_5xx_per_period, "API Gateway 5xx responses")
        self._alarm("ApiLatencyP95", api_p95, t.api_p95_latency_ms, "API Gateway p95 latency (ms)")
        api_4xx = rest_api.metric_client_error(period=PERIOD, statistic="Sum")
        self._alarm("Api4xx", api_4xx, t.api_4xx_per_period, "API Gateway 4xx responses (429 included)")
        throttled = cloudwatch.MathExpression(
            expression="r + w",
            using_metrics={
                "r": table.metric("ReadThrottleEvents", period=PERIOD, statistic="Sum"),
                "w": table.metric("WriteThrottleEvents", period=PERIOD, statistic="Sum"),
            },
            period=PERIOD,
        )
        self._alarm("TableThrottles", throttled, t.table_throttles_per_period, "DynamoDB throttled requests")
        self._alarm("DegradedVerdicts", _degraded_share(), t.degraded_share, "Share of degraded verdicts")
        keys = _count("GatewayApiKeys", statistic="Maximum")  # reported by the API when a key is added
        self._alarm(
            "GatewayApiKeys", keys, t.gateway_api_keys, "API Gateway keys in the account (quota 10,000)"
        )

        for name, fn in functions.items():
            self._alarm(
                f"{name}Errors",
                fn.metric_errors(period=PERIOD),
                t.function_errors_per_period,
                f"{name} errors",
            )
            self._alarm(
                f"{name}Throttles",
                fn.metric_throttles(period=PERIOD),
                t.function_throttles_per_period,
                f"{name} throttles",
            )

        failed = state_machine.metric_failed(period=PERIOD)
        timed_out = state_machine.metric_timed_out(period=PERIOD)
        self._alarm("WorkflowFailed", failed, t.failed_executions_per_period, "Analysis executions failed")
        self._alarm("WorkflowTimedOut", timed_out, 1, "Analysis executions timed out")

        for name, queue in dead_letter_queues.items():
            depth = queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum")
            self._alarm(f"{name}Depth", depth, 1, f"Messages in the dead-letter queue {name}")

        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"moneygrow-{stage}",
            default_interval=cdk.Duration.hours(6),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="API requests / 5xx", left=[api_count], right=[api_5xx], width=12),
            cloudwatch.GraphWidget(title="API latency p95 (ms)", left=[api_p95], width=12),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Lambda errors",
                left=[fn.metric_errors(period=PERIOD, label=n) for n, fn in functions.items()],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Lambda duration p95 (ms)",
                left=[
                    fn.metric_duration(period=PERIOD, statistic="p95", label=n) for n, fn in functions.items()
                ],
                width=12,
            ),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Analysis executions",
                left=[
                    state_machine.metric_succeeded(period=PERIOD),
                    failed,
                    timed_out,
                ],
                width=12,
            ),
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms), width=12),
        )

    def _alarm(self, construct_id: str, metric: cloudwatch.IMetric, threshold: float, what: str) -> None:
        alarm = metric.create_alarm(
            self,
            construct_id,
            alarm_name=f"moneygrow-{self._stage}-{construct_id}",
            alarm_description=f"{what} >= {threshold} in {PERIOD.to_minutes()} min ({self._stage})",
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        self.alarms.append(alarm)


def _count(name: str, statistic: str = "Sum") -> cloudwatch.Metric:
    """One of the app's own metrics (Powertools EMF, namespace MoneyGrow)."""
    return cloudwatch.Metric(
        namespace="MoneyGrow",
        metric_name=name,
        dimensions_map={"service": "moneygrow"},
        period=PERIOD,
        statistic=statistic,
    )


def _degraded_share() -> cloudwatch.MathExpression:
    """Degraded verdicts / verdicts (counted by the aggregate function), 0 while there are few."""
    return cloudwatch.MathExpression(
        expression=f"IF(v >= {DEGRADED_MIN_VERDICTS}, d / v, 0)",
        using_metrics={"d": _count("DegradedVerdicts"), "v": _count("Verdicts")},
        period=PERIOD,
        label="degraded share",
    )

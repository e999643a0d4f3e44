"""The analysis workflow: three agents in parallel, then the aggregate (or the failure path).

This is the only definition of the state machine. Locally, devstack/aws.py runs the very
DefinitionString synthesized from here (resolved to moto's Lambda ARNs).

    input  {task_id, user_id, token_address, chain}                       (AnalysisTask)
    RunAgents (Parallel, result_path $.agents)
      ├─ RunHeuristicAgent   ─Catch→ HeuristicAgentFailed   {agent, status: FAILED, error, data}
      ├─ RunMlAgent          ─Catch→ MlAgentFailed
      └─ RunSmartMoneyAgent  ─Catch→ SmartMoneyAgentFailed
    Aggregate (input {task_id, user_id, token_address, chain, agents: [h, m, s]})
      ├─Catch (result_path $.error)→ FailAnalysis → AnalysisFailed (Fail)
      └→ IsRescan (Choice: user_id == "watchlist", a watchlist rescan)
           └→ Notify (infra/constructs/alerts.py) ─Catch→ NotifyFailed (SQS: NotifyDlq) → Done
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infra.constructs.lambdas import (
    FunctionDefaults,
    FunctionSpec,
    acknowledge,
    arn_token,
    grant_table,
    python_function,
)

from aws_cdk import aws_dynamodb as dynamodb  # isort: skip


@dataclass(frozen=True)
class AgentSpec:
    name: str  # AgentName value, as in the AgentResult the branch yields
    state_prefix: str  # state names: Run<prefix>Agent / <prefix>AgentFailed
    construct_id: str
    source: str
    memory_mb: int = 256
    bundle_ml: bool = False


# Branch order is part of the contract: $.agents is [heuristic, ml, smart_money].
AGENTS: tuple[AgentSpec, ...] = (
    AgentSpec("heuristic", "Heuristic", "HeuristicAgentFunction", "functions/agents/heuristic"),
    AgentSpec("ml", "Ml", "MlAgentFunction", "functions/agents/ml", memory_mb=1024, bundle_ml=True),
    AgentSpec("smart_money", "SmartMoney", "SmartMoneyAgentFunction", "functions/agents/smart_money"),
)


@dataclass(frozen=True)
class Notify:
    """The rescans' last step: its function, and the queue a task goes to when it keeps failing."""

    function: lambda_.IFunction
    dead_letter_queue: sqs.IQueue


# What the agents may write: how they ended, on the analysis record (moneygrow.store DynamoStore.
# record_agent_progress), for the API's live progress. Only UpdateItem of ANALYSIS#* items, naming
# only the key and `progress`, returning nothing: an agent can neither read nor change a verdict.
PROGRESS_KEYS = ("ANALYSIS#*",)
PROGRESS_ATTRIBUTES = ("pk", "sk", "progress")  # the table's key must be listed (DynamoDB FGAC)

RESCAN_OWNER = "watchlist"  # moneygrow.watch.records.RESCAN_OWNER: who owns rescan analyses
NOTIFY_TASK_TIMEOUT = cdk.Duration.seconds(12)  # above the Notify function's own 10 s

# Timeouts that add up: three steps run one after another at worst (agents, aggregate, fail), each
# up to 1 + RETRY_ATTEMPTS tries of TASK_TIMEOUT plus the retry waits (2 s, then 4 s):
# 3 x (3 x 30 s + 6 s) = 288 s < EXECUTION_TIMEOUT (300 s, also Express's hard limit). Checked by
# tests/infra/test_stack.py from the synthesized definition.
FUNCTION_TIMEOUT = cdk.Duration.seconds(28)
TASK_TIMEOUT = cdk.Duration.seconds(30)  # above the function timeout: Lambda reports its own first
EXECUTION_TIMEOUT = cdk.Duration.minutes(5)
RETRY_ATTEMPTS = 2
RETRY_INTERVAL = cdk.Duration.seconds(2)
RETRY_BACKOFF = 2.0
# Retried: what can pass (Lambda's service and throttling errors, a task timeout, an RPC node or a
# provider that was down). Anything else is deterministic (bad input, a bug): caught at once.
TRANSIENT_ERRORS = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    sfn.Errors.TIMEOUT,
    "ChainUnavailable",
    "ProviderUnavailable",
)


class Workflow(Construct):
    """Agent, aggregate and fail functions plus the EXPRESS state machine running them.

    Express, not Standard: an analysis is a short, idempotent run (seconds, never past 5 min), and
    Standard bills every state transition ($25 per million; ~10 per analysis) where Express bills
    duration. The analysis record in DynamoDB, not the execution, is the status users read (the
    aggregate and fail functions write it), so Express's lack of DescribeExecution costs nothing.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        table: dynamodb.ITable,
        model_bucket: s3.IBucket,
        removal_policy: cdk.RemovalPolicy,
        agent_environment: dict[str, str] | None = None,
        agent_parameters: tuple[str, ...] = (),
        notify: Notify | None = None,
    ) -> None:
        """`agent_environment`: extra variables of the agent functions (RPC endpoints, providers);
        `agent_parameters`: SSM parameter names they may read (e.g. the Etherscan key)."""
        super().__init__(scope, construct_id)
        self._defaults = defaults
        self._notify = notify
        self._agent_environment = dict(agent_environment or {})
        self.state_machine_name = f"moneygrow-{defaults.stage}-analysis"
        self.agent_functions = {agent.name: self._agent_function(agent) for agent in AGENTS}
        self._grant_parameters(agent_parameters)
        self._grant_progress(table)
        self._grant_model_read(model_bucket)
        self.aggregate_function = self._aggregate_function("AggregateFunction", "handler.handler")
        self.fail_function = self._aggregate_function("FailAnalysisFunction", "handler.fail_handler")
        for fn in (self.aggregate_function, self.fail_function):
            # read the record, write its verdict or failure, release the token's lock
            grant_table(fn, table, ["GetItem", "UpdateItem", "DeleteItem"])
        self.state_machine = self._state_machine(removal_policy)

    # --- functions -------------------------------------------------------------------------------

    def _agent_function(self, agent: AgentSpec) -> lambda_.Function:
        spec = FunctionSpec(
            construct_id=agent.construct_id,
            source=agent.source,
            description=f"MoneyGrow {agent.name} agent",
            memory_mb=agent.memory_mb,
            timeout=FUNCTION_TIMEOUT,
            bundle_ml=agent.bundle_ml,
            environment=self._agent_environment,
        )
        return python_function(self, spec, self._defaults)

    def _grant_parameters(self, names: tuple[str, ...]) -> None:
        if not names:
            return
        stack = cdk.Stack.of(self)
        arns = [
            stack.format_arn(service="ssm", resource="parameter", resource_name=n.lstrip("/")) for n in names
        ]
        for fn in self.agent_functions.values():
            fn.add_to_role_policy(iam.PolicyStatement(actions=["ssm:GetParameter"], resources=arns))

    def _grant_progress(self, table: dynamodb.ITable) -> None:
        statement = iam.PolicyStatement(
            actions=["dynamodb:UpdateItem"],
            resources=[table.table_arn],
            conditions={
                "ForAllValues:StringLike": {"dynamodb:LeadingKeys": list(PROGRESS_KEYS)},
                "ForAllValues:StringEquals": {"dynamodb:Attributes": list(PROGRESS_ATTRIBUTES)},
                "StringEqualsIfExists": {"dynamodb:ReturnValues": ["NONE"]},
                # ForAllValues holds for an absent key: require both to be in the request
                "Null": {"dynamodb:LeadingKeys": "false", "dynamodb:Attributes": "false"},
            },
        )
        for fn in self.agent_functions.values():
            fn.add_to_role_policy(statement)

    def _aggregate_function(self, construct_id: str, handler: str) -> lambda_.Function:
        spec = FunctionSpec(
            construct_id=construct_id,
            source="functions/aggregate",
            handler=handler,
            description=f"MoneyGrow {construct_id}",
            timeout=FUNCTION_TIMEOUT,
        )
        return python_function(self, spec, self._defaults)

    def _grant_model_read(self, model_bucket: s3.IBucket) -> None:
        ml = self.agent_functions["ml"]
        # Read the model objects; ListBucket only so that a missing model is a 404 (not a 403).
        ml.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[model_bucket.arn_for_objects("*")])
        )
        ml.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:ListBucket"], resources=[model_bucket.bucket_arn])
        )
        assert ml.role is not None
        acknowledge(
            ml.role,
            f"AwsSolutions-IAM5[Resource::{arn_token(model_bucket)}/*]",
            "The ML agent reads any model version under the model bucket (keys are versioned by name).",
        )

    # --- states ----------------------------------------------------------------------------------

    def _invoke(
        self, state_id: str, fn: lambda_.IFunction, timeout: cdk.Duration = TASK_TIMEOUT
    ) -> tasks.LambdaInvoke:
        task = tasks.LambdaInvoke(
            self,
            state_id,
            lambda_function=fn,
            payload_response_only=True,  # the state's output is the function's return value
            retry_on_service_exceptions=False,  # our Retry below names the transient errors
            task_timeout=sfn.Timeout.duration(timeout),
        )
        task.add_retry(
            errors=list(TRANSIENT_ERRORS),
            max_attempts=RETRY_ATTEMPTS,
            interval=RETRY_INTERVAL,
            backoff_rate=RETRY_BACKOFF,
        )
        return task

    def _agent_branch(self, agent: AgentSpec) -> sfn.IChainable:
        """Run one agent; whatever it raises, the branch still yields an AgentResult-shaped dict."""
        failed = sfn.Pass(
            self,
            f"{agent.state_prefix}AgentFailed",
            parameters={
                "agent": agent.name,
                "status": "FAILED",
                "error.$": "$.error.Error",  # always present; Cause may be absent (e.g. States.Timeout)
                "data": {"caught.$": "$.error"},
            },
        )
        invoke = self._invoke(f"Run{agent.state_prefix}Agent", self.agent_functions[agent.name])
        invoke.add_catch(failed, errors=[sfn.Errors.ALL], result_path="$.error")
        return invoke

    def _definition(self) -> sfn.IChainable:
        agents = sfn.Parallel(self, "RunAgents", result_path="$.agents")
        for agent in AGENTS:
            agents.branch(self._agent_branch(agent))
        fail = self._invoke("FailAnalysis", self.fail_function).next(
            sfn.Fail(self, "AnalysisFailed", error="AnalysisFailed", cause="The aggregate step failed")
        )
        aggregate = self._invoke("Aggregate", self.aggregate_function)
        aggregate.add_catch(fail, errors=[sfn.Errors.ALL], result_path="$.error")
        chain = agents.next(aggregate)
        return chain.next(self._notify_states()) if self._notify else chain

    def _notify_states(self) -> sfn.IChainable:
        """Rescans only (the aggregate's output is the task): compare and alert. A Notify that keeps
        failing does not fail the analysis (its verdict is stored): the task goes to the DLQ."""
        assert self._notify is not None
        done = sfn.Succeed(self, "Done")
        notify = self._invoke("Notify", self._notify.function, NOTIFY_TASK_TIMEOUT)
        notify.add_catch(
            tasks.SqsSendMessage(
                self,
                "NotifyFailed",
                queue=self._notify.dead_letter_queue,
                message_body=sfn.TaskInput.from_json_path_at("$"),
            ).next(done),
            errors=[sfn.Errors.ALL],
            result_path="$.error",
        )
        return (
            sfn.Choice(self, "IsRescan")
            .when(sfn.Condition.string_equals("$.user_id", RESCAN_OWNER), notify.next(done))
            .otherwise(done)
        )

    def _state_machine(self, removal_policy: cdk.RemovalPolicy) -> sfn.StateMachine:
        log_group = logs.LogGroup(
            self,
            "StateMachineLogs",
            log_group_name=f"/aws/vendedlogs/states/moneygrow-{self._defaults.stage}-analysis",
            retention=self._defaults.log_retention,
            removal_policy=removal_policy,
        )
        state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(self._definition()),
            state_machine_type=sfn.StateMachineType.EXPRESS,
            timeout=EXECUTION_TIMEOUT,
            tracing_enabled=True,
            state_machine_name=self.state_machine_name,
            # Every event (Express has no execution history) but no execution data: inputs and
            # verdicts are users' data, not log lines (the functions log causes with the task id).
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )
        self._acknowledge_state_machine_role(state_machine)
        return state_machine

    def _acknowledge_state_machine_role(self, state_machine: sfn.StateMachine) -> None:
        functions = [*self.agent_functions.values(), self.aggregate_function, self.fail_function]
        if self._notify:
            functions.append(self._notify.function)
        for fn in functions:
            acknowledge(
                state_machine.role,
                f"AwsSolutions-IAM5[Resource::{arn_token(fn)}:*]",
                "LambdaInvoke grants the function's versions/aliases (ARN:*) along with the function.",
            )

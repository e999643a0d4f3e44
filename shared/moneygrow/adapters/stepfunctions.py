"""Step Functions adapter: one execution per analysis, named by its task id."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from moneygrow.models import AnalysisTask
from moneygrow.workflow import ExecutionState


class StepFunctionsWorkflow:
    def __init__(self, state_machine_arn: str, client: Any = None, *, express: bool = False) -> None:
        self._arn = state_machine_arn
        self._client = client or boto3.client("stepfunctions")
        self._express = express

    def _execution_arn(self, task_id: str) -> str:
        return self._arn.replace(":stateMachine:", ":execution:") + f":{task_id}"

    def start(self, task: AnalysisTask) -> None:
        # The name makes a second start of the same task a no-op error instead of a duplicate run
        # (Standard; Express does not promise it, and an analysis run twice only writes twice).
        try:
            self._client.start_execution(
                stateMachineArn=self._arn, name=task.task_id, input=task.model_dump_json()
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
                raise  # started already (a reconciled PENDING record): that is success

    def state(self, task_id: str) -> ExecutionState:
        if self._express:  # Express executions cannot be described: say so, don't guess
            return ExecutionState.UNKNOWN
        try:
            status = self._client.describe_execution(executionArn=self._execution_arn(task_id))["status"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
                return ExecutionState.NOT_STARTED
            return ExecutionState.UNKNOWN
        return ExecutionState(status) if status in ExecutionState.__members__ else ExecutionState.UNKNOWN

    def ping(self) -> None:
        self._client.describe_state_machine(stateMachineArn=self._arn)

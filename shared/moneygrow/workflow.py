"""The analysis workflow as the API sees it: start one, ask how it is doing."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from moneygrow.models import AnalysisTask


class ExecutionState(StrEnum):
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    ABORTED = "ABORTED"
    NOT_STARTED = "NOT_STARTED"  # no execution of this task exists
    UNKNOWN = "UNKNOWN"  # the workflow service could not say


class Workflow(Protocol):
    def start(self, task: AnalysisTask) -> None: ...
    def state(self, task_id: str) -> ExecutionState: ...
    def ping(self) -> None: ...

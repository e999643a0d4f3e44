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
    UNKNOWN = "UNKNOWN"


class Workflow(Protocol):
    def start(self, task: AnalysisTask) -> None: ...
    def state(self, task_id: str) -> ExecutionState: ...
    def ping(self) -> None: ...

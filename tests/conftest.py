"""Shared fixtures. Environment is set before any moneygrow module reads settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from argon2 import PasswordHasher

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("MONEYGROW_JWT_SECRET", "test-secret-" + "x" * 40)

import moneygrow.auth.passwords as passwords
from moneygrow.auth.tokens import TokenIssuer
from moneygrow.config import Settings
from moneygrow.models import AnalysisTask
from moneygrow.store.memory import MemoryStore
from moneygrow.workflow import ExecutionState

pytest_plugins = ["tests.chain_fixtures"]

# Argon2id at its production cost (t=3, 64 MiB, p=4) takes 0.1-0.4 s a hash here, and every sign-up,
# login and refused login in the tests pays it (the fuzzer alone sends hundreds): in-process tests
# hash with Argon2id at its smallest cost instead. The production parameters are checked in
# tests/unit/test_auth.py, and the login timing test runs with them (`production_password_hashing`).
# Processes the tests start (the dev stack, SAM local) hash as production does.
# (kept on the module: `from tests.conftest import ...` runs this file a second time)
PRODUCTION_HASHER, _PRODUCTION_DUMMY_HASH = passwords.__dict__.setdefault(
    "_production_hashing", (passwords._hasher, passwords._DUMMY_HASH)
)
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
passwords._DUMMY_HASH = passwords._hasher.hash("moneygrow-timing-equaliser")


@pytest.fixture
def production_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at the production cost for this test (e.g. to compare login timings)."""
    monkeypatch.setattr(passwords, "_hasher", PRODUCTION_HASHER)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", _PRODUCTION_DUMMY_HASH)


@dataclass
class RecordingWorkflow:
    """A local stand-in for Step Functions that records what was started (unit tests only)."""

    started: list[AnalysisTask] = field(default_factory=list)
    fail_with: Exception | None = None
    states: dict[str, ExecutionState] = field(default_factory=dict)

    def start(self, task: AnalysisTask) -> None:
        if self.fail_with:
            raise self.fail_with
        self.started.append(task)

    def state(self, task_id: str) -> ExecutionState:
        started = any(t.task_id == task_id for t in self.started)
        return self.states.get(task_id, ExecutionState.RUNNING if started else ExecutionState.NOT_STARTED)

    def ping(self) -> None:
        if self.fail_with:
            raise self.fail_with


@pytest.fixture
def settings() -> Settings:
    return Settings(jwt_secret="unit-test-secret-" + "y" * 32)


@pytest.fixture
def memory_store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def workflow() -> RecordingWorkflow:
    return RecordingWorkflow()


@pytest.fixture
def issuer(settings: Settings) -> TokenIssuer:
    return TokenIssuer(settings.jwt_secret, settings.access_token_ttl_s, settings.refresh_token_ttl_s)


@pytest.fixture
def api(
    settings: Settings, memory_store: MemoryStore, workflow: RecordingWorkflow, issuer: TokenIssuer
) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from moneygrow_api import ApiDeps, create_app

    deps = ApiDeps(
        settings=settings,
        store=memory_store,
        workflow=workflow,
        issuer=issuer,
        readiness={"store": memory_store.ping, "workflow": workflow.ping},
    )
    with TestClient(create_app(deps), raise_server_exceptions=False) as client:
        yield client


def reset_process_caches() -> None:
    """Forget what a warm Lambda keeps (settings, stores, readers) so a test can reconfigure."""
    from moneygrow.agents.runner import default_deps
    from moneygrow.config import get_settings
    from moneygrow.ml.model_store import forget_stores
    from moneygrow.store.factory import default_store, default_watch_store

    for cached in (get_settings, default_deps, default_store, default_watch_store):
        cached.cache_clear()
    forget_stores()

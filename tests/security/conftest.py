"""Builders for an in-process API with chosen settings (rate limits, CORS) and fakes at the edges."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from moneygrow.auth.tokens import TokenIssuer
from moneygrow.config import Settings
from moneygrow.ratelimit import Policy, RateLimiter
from moneygrow.store.memory import MemoryStore

PASSWORD = "security passphrase 7"


def mid_window_clock() -> float:
    """A limiter clock pinned 30 s into the current 15-minute window (so also 30 s into a 1-minute
    one): a test's burst never straddles a fixed-window boundary, which would reset its counts."""
    return (time.time() // 900) * 900 + 30


@dataclass
class FakeGateway:
    """Records what would be registered with API Gateway; can be told to fail."""

    keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # gateway id -> (key id, tier)
    fail: bool = False

    def register(self, key_id: str, tier: str) -> str | None:
        if self.fail:
            raise ConnectionError("apigateway unreachable")
        gid = f"gw{len(self.keys) + 1}"
        self.keys[gid] = (key_id, tier)
        return gid

    def count(self) -> int:
        return len(self.keys)

    def remove(self, gateway_key_id: str) -> None:
        if self.fail:
            raise ConnectionError("apigateway unreachable")
        self.keys.pop(gateway_key_id, None)


@dataclass
class Stack:
    store: Any  # MemoryStore unless a test passes another
    gateway: FakeGateway
    settings: Settings
    app: Any

    def client(self, ip: str = "10.0.0.1") -> TestClient:
        return TestClient(self.app, raise_server_exceptions=False, client=(ip, 50000))


@pytest.fixture
def make_stack(workflow: Any) -> Callable[..., Stack]:
    from moneygrow_api import ApiDeps, create_app

    def build(store: Any = None, *, deps: dict[str, Any] | None = None, **overrides: Any) -> Stack:
        """`overrides`: Settings fields; `deps`: ApiDeps fields (e.g. watch_store, alerts)."""
        settings = Settings(jwt_secret="security-test-secret-" + "z" * 32, **overrides)
        store, gateway = store or MemoryStore(), FakeGateway()
        pinned = mid_window_clock()
        api_deps = ApiDeps(
            settings=settings,
            store=store,
            workflow=workflow,
            issuer=TokenIssuer(
                settings.jwt_secret, settings.access_token_ttl_s, settings.refresh_token_ttl_s
            ),
            readiness={"store": store.ping},
            gateway=gateway,
            limiter=RateLimiter(store, Policy.from_settings(settings), clock=lambda: pinned),
            **(deps or {}),
        )
        return Stack(store, gateway, settings, create_app(api_deps))

    return build


@pytest.fixture
def stack(make_stack: Callable[..., Stack]) -> Stack:
    return make_stack()


@pytest.fixture
def client(stack: Stack) -> Iterator[TestClient]:
    with stack.client() as c:
        yield c


def login(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    assert client.post("/auth/register", json={"email": email, "password": password}).status_code == 202
    r = client.post("/auth/token", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    tokens: dict[str, Any] = r.json()
    tokens["headers"] = {"Authorization": f"Bearer {tokens['access_token']}"}
    return tokens


@pytest.fixture(params=["memory", "dynamodb"])
def api(
    request: pytest.FixtureRequest, settings: Settings, workflow: Any, issuer: TokenIssuer
) -> Iterator[TestClient]:
    """The in-process API on both stores: the in-memory one and DynamoDB (PynamoDB under moto)."""
    from moneygrow_api import ApiDeps, create_app

    with contextlib.ExitStack() as stack:
        store = MemoryStore() if request.param == "memory" else stack.enter_context(dynamo_store())
        deps = ApiDeps(
            settings=settings, store=store, workflow=workflow, issuer=issuer, gateway=FakeGateway()
        )
        with TestClient(create_app(deps), raise_server_exceptions=False) as client:
            yield client


@contextlib.contextmanager
def dynamo_store() -> Iterator[Any]:
    """A DynamoStore on a fresh table under moto (in-process)."""
    from moto import mock_aws

    with mock_aws():
        from moneygrow.store.dynamo import DynamoStore, Item

        store = DynamoStore("security-test", "us-east-1")
        Item.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        yield store


def same_body(response: Any) -> Any:
    """The body with its per-request correlation id blanked, to compare two answers for equality."""
    body = response.json()
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body = {**body, "error": {**body["error"], "request_id": None}}
    return body


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """Everything the Powertools logger writes, with its own JSON formatter."""
    from moneygrow.observability import logger

    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(logger.registered_formatter)
    target = logging.getLogger(logger.service)
    target.addHandler(handler)
    try:
        yield buf
    finally:
        target.removeHandler(handler)


def audit_events(out: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return [e for e in lines if e.get("audit")]

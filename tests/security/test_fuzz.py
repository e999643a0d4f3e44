"""Property-based fuzzing of the whole API from its OpenAPI document (schemathesis, in-process ASGI).

Every operation gets positive (schema-valid) and negative (schema-violating) generated requests, sent
with a valid Bearer token, a valid API key or no credentials at all. Every response must be:
not a 5xx, a documented status code, a documented content type, valid against the documented schema
(ErrorResponse for every error), and negative data must be rejected with a 4xx.
Derandomized (a fixed seed per test) and without the example database, so it cannot flake;
MONEYGROW_FUZZ_SEED=<n> runs it with seed n instead, to explore other inputs (a review does).
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections import Counter
from typing import Any

import boto3
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from moto import mock_aws
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from moneygrow.adapters.sns import SnsAlertChannels
from moneygrow.store.watch_dynamo import DynamoWatchStore
from tests.security.conftest import dynamo_store, login

MIN_REQUESTS = 2000
EXAMPLES_PER_OPERATION_AND_MODE = 110
FUZZ_SEED = os.environ.get("MONEYGROW_FUZZ_SEED")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def test_openapi_declares_an_error_model_for_every_error_status(make_stack: Any) -> None:
    stack = make_stack()
    with stack.client() as client:
        doc = client.get("/openapi.json").json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorResponse"), (method, path, status)
            if path not in ("/health", "/health/ready"):
                assert any(s.startswith("4") for s in op["responses"]), (method, path)
            if "429" in op["responses"]:
                assert {"Retry-After", "X-RateLimit-Remaining"} <= set(op["responses"]["429"]["headers"])


@pytest.mark.parametrize("store", ["memory", "dynamodb"])
def test_fuzz_the_api_from_its_openapi_document(make_stack: Any, store: str) -> None:
    """The same run on the in-memory store and on DynamoDB (PynamoDB under moto), with an alerts
    topic (moto's SNS), so the watchlist and alert routes are reached, not refused with a 503."""
    with contextlib.ExitStack() as resources:
        if store == "dynamodb":
            backend = resources.enter_context(dynamo_store())
            deps: dict[str, Any] = {"watch_store": DynamoWatchStore("security-test", "us-east-1")}
        else:
            resources.enter_context(mock_aws())
            backend, deps = None, {}
        sns = boto3.client("sns", region_name="us-east-1")
        topic = sns.create_topic(Name="moneygrow-fuzz-alerts")["TopicArn"]
        _fuzz_all(make_stack, backend, deps | {"alerts": SnsAlertChannels(topic, sns)}, topic)


def _fuzz_all(make_stack: Any, backend: Any, deps: dict[str, Any], topic: str) -> None:
    # Limits out of the way so the fuzzer reaches the handlers (429 is exercised in test_rate_limits).
    stack = make_stack(
        store=backend,
        deps=deps,
        alerts_topic_arn=topic,
        rate_limit_free_per_min=10**9,
        rate_limit_auth_ip_per_min=10**9,
        rate_limit_auth_account_per_15min=10**9,
    )
    with stack.client() as client:
        bearer = login(client, "fuzz@example.com")["headers"]
        created = client.post("/users/api-keys", json={"name": "fuzz"}, headers=bearer).json()
        for token in ("0x" + "1" * 40, "0x5FbDB2315678afecb367f032d93F642f64180aa3"):
            client.post("/analyze", json={"token_address": token}, headers=bearer)
    credentials = {"bearer": bearer, "key": {"X-API-Key": created["api_key"]}, "none": {}}

    schema = schemathesis.openapi.from_asgi("/openapi.json", stack.app)
    statuses: Counter[int] = Counter()
    per_operation: Counter[str] = Counter()
    counter = itertools.count()

    def record(label: str, status: int) -> None:
        statuses[status] += 1
        per_operation[label] += 1
        next(counter)

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation.as_strategy(generation_mode=mode), mode, credentials, record)()
            except Unsatisfiable:
                assert mode == GenerationMode.NEGATIVE  # nothing to violate: GET /health has no inputs

    total = next(counter)
    print(f"\nschemathesis: {total} requests over {len(per_operation)} operations; statuses {dict(statuses)}")
    assert total >= MIN_REQUESTS
    assert not [s for s in statuses if s >= 500]
    assert statuses[200] and statuses[202] and statuses[401] and statuses[422]


def rejects_negative_data(ctx: Any, response: Any, case: Any) -> bool | None:
    """negative_data_rejection, also accepting 413: an oversized body is refused before parsing."""
    if response.status_code == 413:
        return None
    return negative_data_rejection(ctx, response, case)


def _fuzz(strategy: Any, mode: GenerationMode, credentials: dict[str, dict[str, str]], record: Any) -> Any:
    checks = [*CHECKS, rejects_negative_data] if mode == GenerationMode.NEGATIVE else CHECKS

    @given(case=strategy, who=st.sampled_from(sorted(credentials)))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION_AND_MODE,
        derandomize=FUZZ_SEED is None,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any, who: str) -> None:
        headers = dict(case.headers or {})
        generated = {h for h in headers if h.lower() in ("authorization", "x-api-key")}
        if who != "none" and (mode == GenerationMode.POSITIVE or not generated):
            # a real credential instead of the generated one (a negative case may be about a header,
            # so there the generated one stays); "none" keeps whatever schemathesis generated
            headers = {k: v for k, v in headers.items() if k not in generated} | credentials[who]
        case.headers = headers
        response = case.call()
        case.validate_response(response, checks=checks)
        record(case.operation.label, response.status_code)

    return seed(int(FUZZ_SEED))(run) if FUZZ_SEED is not None else run


@pytest.mark.parametrize("path", ["/docs", "/openapi.json"])
def test_docs_are_served(make_stack: Any, path: str) -> None:
    with make_stack().client() as client:
        assert client.get(path).status_code == 200


def test_docs_load_nothing_from_a_cdn(make_stack: Any) -> None:
    with make_stack().client() as client:
        page = client.get("/docs").text
        assert "https://" not in page and "cdn" not in page.lower()  # it rendered blank offline
        for asset in ("docs/assets/swagger-ui-bundle.js", "docs/assets/swagger-ui.css"):
            assert asset in page
            served = client.get(f"/{asset}")
            assert served.status_code == 200 and len(served.content) > 10_000

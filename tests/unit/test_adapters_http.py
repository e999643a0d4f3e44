"""The resilient JSON client: retries/backoff, Retry-After, timeouts, circuit breaker, log redaction.

Every HTTP call is served by respx; nothing reaches the network.
"""

from __future__ import annotations

import io
import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import respx

from moneygrow.adapters.http import (
    BreakerState,
    CircuitBreaker,
    CircuitOpenError,
    JsonClient,
    ProviderResponseError,
    ProviderUnavailable,
    breaker_for,
    parse_retry_after,
    redact_url,
    reset_breakers,
)
from tests.fixtures.http.recorded import log_stream

__all__ = ["log_stream"]  # the fixture

URL = "https://provider.test/api"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def breaker(clock: FakeClock) -> CircuitBreaker:
    return CircuitBreaker("test", failure_threshold=3, reset_timeout_s=30.0, clock=clock)


def make_client(breaker: CircuitBreaker, sleeps: list[float], **kw: object) -> JsonClient:
    return JsonClient("test", breaker=breaker, sleep=sleeps.append, **kw)  # type: ignore[arg-type]


@respx.mock
def test_success_returns_decoded_json(breaker: CircuitBreaker, sleeps: list[float]) -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(200, json={"ok": True}))
    assert make_client(breaker, sleeps).get_json(URL, {"a": 1}) == {"ok": True}
    assert route.calls.last.request.url.params["a"] == "1"
    assert sleeps == []


@respx.mock
def test_5xx_then_success_is_retried_with_backoff(breaker: CircuitBreaker, sleeps: list[float]) -> None:
    route = respx.get(URL).mock(
        side_effect=[
            httpx.Response(502, text="bad gateway"),
            httpx.Response(503),
            httpx.Response(200, json=[1]),
        ]
    )
    client = make_client(breaker, sleeps, max_attempts=3, backoff_base_s=0.5, backoff_max_s=4.0)
    assert client.get_json(URL) == [1]
    assert route.call_count == 3
    assert len(sleeps) == 2
    # full jitter: each wait is random within an exponentially widening window
    assert 0 <= sleeps[0] <= 0.5 * 2**0 + 1e-9
    assert 0 <= sleeps[1] <= 0.5 * 2**1 + 1e-9
    assert breaker.state is BreakerState.CLOSED


@respx.mock
def test_connect_errors_exhaust_retries_into_provider_unavailable(
    breaker: CircuitBreaker, sleeps: list[float]
) -> None:
    route = respx.get(URL).mock(side_effect=httpx.ConnectError("connection refused"))
    with pytest.raises(ProviderUnavailable) as info:
        make_client(breaker, sleeps, max_attempts=2).get_json(URL)
    assert route.call_count == 2
    assert len(sleeps) == 1
    assert "ConnectError" in info.value.reason


@respx.mock
def test_timeout_is_retried_then_reported(breaker: CircuitBreaker, sleeps: list[float]) -> None:
    route = respx.get(URL).mock(side_effect=[httpx.ReadTimeout("slow"), httpx.Response(200, json={"x": 1})])
    assert make_client(breaker, sleeps).get_json(URL) == {"x": 1}
    assert route.call_count == 2

    respx.get(URL).mock(side_effect=httpx.ConnectTimeout("slow"))
    with pytest.raises(ProviderUnavailable, match="timeout"):
        make_client(CircuitBreaker("t2"), sleeps, max_attempts=2).get_json(URL)


def test_a_silent_server_times_out_for_real(breaker: CircuitBreaker, sleeps: list[float]) -> None:
    """No mock: a local socket that accepts and never answers (loopback only)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        client = make_client(breaker, sleeps, timeout_s=0.2, max_attempts=2)
        started = time.perf_counter()
        with pytest.raises(ProviderUnavailable, match="timeout"):
            client.get_json(f"http://127.0.0.1:{port}/slow")
        assert time.perf_counter() - started < 2.0
        client.close()
    assert breaker._failures == 2


def test_per_request_timeout_is_configured() -> None:
    client = JsonClient("t", timeout_s=1.5, breaker=CircuitBreaker("t"))
    assert client._client.timeout == httpx.Timeout(1.5)
    client.close()


@respx.mock
def test_429_honours_retry_after_seconds(breaker: CircuitBreaker, sleeps: list[float]) -> None:
    respx.get(URL).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200, json={})]
    )
    assert make_client(breaker, sleeps, backoff_base_s=0.1, backoff_max_s=0.2).get_json(URL) == {}
    assert sleeps == [3.0]


@respx.mock
def test_retry_after_longer_than_budget_gives_up_at_once(
    breaker: CircuitBreaker, sleeps: list[float]
) -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(429, headers={"Retry-After": "120"}))
    with pytest.raises(ProviderUnavailable, match="Retry-After"):
        make_client(breaker, sleeps, max_retry_after_s=10).get_json(URL)
    assert route.call_count == 1
    assert sleeps == []


def test_parse_retry_after_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=7), usegmt=True)
    assert parse_retry_after(header, now=lambda: now) == pytest.approx(7.0)
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after("garbage") is None
    assert parse_retry_after(None) is None


@respx.mock
def test_4xx_is_not_retried_and_not_a_breaker_failure(breaker: CircuitBreaker, sleeps: list[float]) -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(403, json={"error": "forbidden"}))
    with pytest.raises(ProviderResponseError, match="HTTP 403"):
        make_client(breaker, sleeps).get_json(URL)
    assert route.call_count == 1
    assert breaker._failures == 0


@respx.mock
def test_malformed_json_is_a_response_error_not_retried(breaker: CircuitBreaker, sleeps: list[float]) -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(200, text='{"status":"1","result":[{'))
    with pytest.raises(ProviderResponseError, match="malformed JSON"):
        make_client(breaker, sleeps).get_json(URL)
    assert route.call_count == 1


@respx.mock
def test_retry_body_predicate_retries_a_200_that_reports_a_transient_error(
    breaker: CircuitBreaker, sleeps: list[float]
) -> None:
    respx.get(URL).mock(
        side_effect=[
            httpx.Response(200, json={"status": "0", "result": "rate limit"}),
            httpx.Response(200, json={"status": "1"}),
        ]
    )

    def check(payload: dict[str, str]) -> str | None:
        return "rate limited" if payload["status"] == "0" else None

    assert make_client(breaker, sleeps).get_json(URL, retry_body=check) == {"status": "1"}
    assert len(sleeps) == 1


# -- circuit breaker --------------------------------------------------------------------------------


def test_breaker_opens_fails_fast_half_opens_and_closes(breaker: CircuitBreaker, clock: FakeClock) -> None:
    assert breaker.state is BreakerState.CLOSED
    for _ in range(2):
        breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()

    clock.now += 30
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()  # the one trial call
    assert not breaker.allow()  # no second concurrent trial
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow()


def test_failed_half_open_trial_reopens_for_a_full_cool_down(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    for _ in range(3):
        breaker.record_failure()
    clock.now += 31
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    clock.now += 29
    assert breaker.state is BreakerState.OPEN
    clock.now += 1
    assert breaker.state is BreakerState.HALF_OPEN


def test_success_resets_the_consecutive_failure_count(breaker: CircuitBreaker) -> None:
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED


@respx.mock
def test_client_fails_fast_while_open_then_recovers(
    breaker: CircuitBreaker, clock: FakeClock, sleeps: list[float]
) -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(500))
    client = make_client(breaker, sleeps, max_attempts=3)
    with pytest.raises(ProviderUnavailable):
        client.get_json(URL)
    assert route.call_count == 3
    assert breaker.state is BreakerState.OPEN

    with pytest.raises(CircuitOpenError):
        client.get_json(URL)
    assert route.call_count == 3  # nothing went out

    clock.now += 30
    route.mock(return_value=httpx.Response(200, json={"back": True}))
    assert client.get_json(URL) == {"back": True}
    assert breaker.state is BreakerState.CLOSED


@respx.mock
def test_breaker_opening_mid_retries_stops_the_retries(clock: FakeClock, sleeps: list[float]) -> None:
    breaker = CircuitBreaker("test", failure_threshold=2, clock=clock)
    route = respx.get(URL).mock(return_value=httpx.Response(503))
    with pytest.raises(CircuitOpenError):
        make_client(breaker, sleeps, max_attempts=5).get_json(URL)
    assert route.call_count == 2


def test_breakers_are_shared_per_provider() -> None:
    reset_breakers()
    assert breaker_for("etherscan") is breaker_for("etherscan")
    assert breaker_for("etherscan") is not breaker_for("goplus")
    reset_breakers()


# -- secrets never reach the logs -------------------------------------------------------------------


def test_redact_url_hides_api_keys() -> None:
    url = "https://api.etherscan.io/v2/api?chainid=1&module=contract&apikey=SECRETKEY123&action=x"
    redacted = redact_url(url)
    assert "SECRETKEY123" not in redacted
    assert "apikey=***" in redacted
    assert "chainid=1" in redacted and "action=x" in redacted


@respx.mock
def test_api_key_is_redacted_from_logs(
    breaker: CircuitBreaker, sleeps: list[float], log_stream: io.StringIO
) -> None:
    secret = "ABCDEF0123456789SECRET"
    respx.get(URL).mock(side_effect=httpx.ConnectError(f"failed {URL}?apikey={secret}"))
    client = make_client(breaker, sleeps, max_attempts=2, headers={"Authorization": "tok-" + secret})
    with pytest.raises(ProviderUnavailable) as info:
        client.get_json(URL, {"apikey": secret, "module": "contract"})
    logs = log_stream.getvalue()
    assert "provider unavailable" in logs
    assert "provider call retried" in logs
    assert secret not in logs
    assert secret not in str(info.value)
    assert "apikey=***" in logs

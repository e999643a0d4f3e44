"""A small resilient JSON-over-HTTP client for the external data providers.

- a per-request timeout (httpx);
- retries with exponential backoff and full jitter (tenacity) on connection errors, timeouts, HTTP
  5xx and 429, honouring a Retry-After header (a wait longer than we are willing to spend inside a
  Lambda gives up at once instead);
- a circuit breaker per provider, shared by every client of that provider in the process (so a warm
  Lambda stops calling a provider that is down): it opens after N consecutive failed attempts,
  fails fast while open, lets one trial call through after a cool-down (half-open) and closes again
  on success;
- structured Powertools logs that never contain a secret: API keys are redacted from URLs and from
  exception texts.

Callers get a decoded JSON value or a `ProviderError`; the adapters turn that into `None` (a named
gap), never into a crash of the agent.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_random_exponential

from moneygrow.observability import logger

# Query parameters / headers whose values are secrets (compared case-insensitively).
SECRET_NAMES = frozenset({"apikey", "api_key", "key", "token", "access_token", "authorization", "x-api-key"})
REDACTED = "***"


class ProviderError(Exception):
    """A provider call did not give a usable answer. `reason` is short and secret-free."""

    def __init__(self, provider: str, reason: str) -> None:
        super().__init__(f"{provider}: {reason}")
        self.provider = provider
        self.reason = reason


class CircuitOpenError(ProviderError):
    """The provider's breaker is open: the call was not attempted."""


class ProviderUnavailable(ProviderError):
    """Connection error, timeout, 5xx or 429 after the retries were spent."""


class ProviderResponseError(ProviderError):
    """The provider answered, but not with what we can use (4xx, malformed JSON)."""


class _Retryable(Exception):
    """Internal: one failed attempt that may be retried."""

    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass
class CircuitBreaker:
    """Consecutive-failure circuit breaker (thread-safe, clock injectable for tests)."""

    name: str
    failure_threshold: int = 5
    reset_timeout_s: float = 30.0
    clock: Callable[[], float] = time.monotonic
    _failures: int = field(default=0, init=False)
    _opened_at: float | None = field(default=None, init=False)
    _trial_in_flight: bool = field(default=False, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state()

    def _state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self.clock() - self._opened_at >= self.reset_timeout_s:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self) -> bool:
        """May a call go out now? In half-open state only one trial call at a time."""
        with self._lock:
            state = self._state()
            if state is BreakerState.CLOSED:
                return True
            if state is BreakerState.HALF_OPEN and not self._trial_in_flight:
                self._trial_in_flight = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            if self._opened_at is not None:
                logger.info("circuit closed", extra={"provider": self.name})
            self._failures = 0
            self._opened_at = None
            self._trial_in_flight = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            was_trial = self._trial_in_flight
            self._trial_in_flight = False
            if was_trial or self._failures >= self.failure_threshold:
                if self._opened_at is None or was_trial:
                    logger.warning(
                        "circuit opened",
                        extra={"provider": self.name, "consecutive_failures": self._failures},
                    )
                self._opened_at = self.clock()

    def reset(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_in_flight = False


_BREAKERS: dict[str, CircuitBreaker] = {}
_BREAKERS_LOCK = threading.Lock()


def breaker_for(provider: str, failure_threshold: int = 5, reset_timeout_s: float = 30.0) -> CircuitBreaker:
    """The process-wide breaker of one provider (created on first use)."""
    with _BREAKERS_LOCK:
        breaker = _BREAKERS.get(provider)
        if breaker is None:
            breaker = CircuitBreaker(provider, failure_threshold, reset_timeout_s)
            _BREAKERS[provider] = breaker
        return breaker


def reset_breakers() -> None:
    """Forget every breaker's state (tests; a new deployment starts closed anyway)."""
    with _BREAKERS_LOCK:
        _BREAKERS.clear()


def redact_url(url: httpx.URL | str, secret_names: Iterable[str] = SECRET_NAMES) -> str:
    """The URL with the values of secret query parameters replaced by ***."""
    parsed = httpx.URL(str(url))
    names = {n.lower() for n in secret_names}
    items: list[tuple[str, str | int | float | bool | None]] = [
        (k, REDACTED if k.lower() in names else v) for k, v in parsed.params.multi_items()
    ]
    if not items:
        return str(parsed)
    # Keep '*' readable (httpx would percent-encode it).
    return str(parsed.copy_with(params=httpx.QueryParams(items))).replace("%2A", "*")


def redact_text(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def parse_retry_after(value: str | None, now: Callable[[], datetime] | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now() if now else datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


BodyCheck = Callable[[Any], str | None]


class JsonClient:
    """GET JSON from one provider with timeout, retries, backoff and the provider's breaker."""

    def __init__(
        self,
        provider: str,
        *,
        timeout_s: float = 5.0,
        max_attempts: int = 3,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 4.0,
        max_retry_after_s: float = 10.0,
        breaker: CircuitBreaker | None = None,
        headers: Mapping[str, str] | None = None,
        secret_names: Iterable[str] = SECRET_NAMES,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.provider = provider
        self.max_attempts = max(1, max_attempts)
        self.breaker = breaker or breaker_for(provider)
        self._secret_names = frozenset(n.lower() for n in secret_names)
        self._backoff = wait_random_exponential(multiplier=backoff_base_s, max=backoff_max_s)
        self._max_retry_after_s = max_retry_after_s
        self._sleep = sleep
        self._headers = dict(headers or {})
        self._secrets = [v for k, v in self._headers.items() if k.lower() in self._secret_names]
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout_s), headers={"Accept": "application/json"}
        )

    def close(self) -> None:
        self._client.close()

    def get_json(
        self, url: str, params: Mapping[str, str | int] | None = None, *, retry_body: BodyCheck | None = None
    ) -> Any:
        """Decoded JSON of a GET. `retry_body(payload)` may name a transient error the provider
        reports inside a 200 answer (e.g. Etherscan's rate limit): that attempt is retried too."""
        request_url = httpx.URL(url, params={k: str(v) for k, v in (params or {}).items()})
        secrets = [
            *self._secrets,
            *(v for k, v in request_url.params.multi_items() if k.lower() in self._secret_names),
        ]
        safe_url = redact_url(request_url, self._secret_names)
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            sleep=self._sleep,
            before_sleep=lambda state: self._log_retry(state, safe_url),
            reraise=True,
        )
        try:
            return retrying(self._attempt, request_url, safe_url, secrets, retry_body)
        except _Retryable as exc:
            logger.warning(
                "provider unavailable",
                extra={"provider": self.provider, "url": safe_url, "reason": exc.reason},
            )
            raise ProviderUnavailable(self.provider, exc.reason) from None

    # -- one attempt -------------------------------------------------------------------------------

    def _attempt(
        self, url: httpx.URL, safe_url: str, secrets: list[str], retry_body: BodyCheck | None
    ) -> Any:
        if not self.breaker.allow():
            logger.info("circuit open, call skipped", extra={"provider": self.provider, "url": safe_url})
            raise CircuitOpenError(self.provider, "circuit open")
        started = time.perf_counter()
        try:
            response = self._client.get(url, headers=self._headers)
        except httpx.TimeoutException as exc:
            self.breaker.record_failure()
            raise _Retryable(f"timeout ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            self.breaker.record_failure()
            raise _Retryable(f"{type(exc).__name__}: {redact_text(str(exc), secrets)}") from None
        except Exception:
            self.breaker.record_failure()  # never leave a half-open trial dangling
            raise
        elapsed_ms = int((time.perf_counter() - started) * 1000)
        logger.debug(
            "provider call",
            extra={
                "provider": self.provider,
                "url": safe_url,
                "status_code": response.status_code,
                "elapsed_ms": elapsed_ms,
            },
        )
        status = response.status_code
        if status == 429 or status >= 500:
            self.breaker.record_failure()
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise _Retryable(f"HTTP {status}", retry_after)
        if status >= 400:
            # The provider is up; the request (or our key) is wrong. Not retried, not a breaker failure.
            self.breaker.record_success()
            raise ProviderResponseError(self.provider, f"HTTP {status}")
        try:
            payload = response.json()
        except ValueError:
            self.breaker.record_failure()
            logger.warning(
                "provider sent malformed JSON",
                extra={"provider": self.provider, "url": safe_url, "status_code": status},
            )
            raise ProviderResponseError(self.provider, "malformed JSON") from None
        self.breaker.record_success()
        if retry_body is not None:
            reason = retry_body(payload)
            if reason:
                raise _Retryable(reason)
        return payload

    # -- tenacity hooks ----------------------------------------------------------------------------

    def _wait(self, state: RetryCallState) -> float:
        backoff = float(self._backoff(state))
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after_s", None)
        if retry_after is None:
            return backoff
        if retry_after > self._max_retry_after_s:
            # Waiting that long would burn the Lambda's time budget: give up now.
            raise _Retryable(f"{getattr(exc, 'reason', 'retry')} (Retry-After {retry_after:.0f}s too long)")
        return max(backoff, float(retry_after))

    def _log_retry(self, state: RetryCallState, safe_url: str) -> None:
        exc = state.outcome.exception() if state.outcome else None
        logger.info(
            "provider call retried",
            extra={
                "provider": self.provider,
                "url": safe_url,
                "attempt": state.attempt_number,
                "reason": getattr(exc, "reason", type(exc).__name__),
                "wait_s": round(state.upcoming_sleep, 3),
            },
        )

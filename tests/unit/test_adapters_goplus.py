"""GoPlus token_security adapter over recorded responses (respx; no network)."""

from __future__ import annotations

import io

import httpx
import pytest
import respx

from moneygrow.adapters.goplus import GoPlusSecurity, normalise
from moneygrow.adapters.http import CircuitBreaker, JsonClient
from moneygrow.chains import Chain
from tests.fixtures.http.recorded import log_stream, response

__all__ = ["log_stream"]

BASE = "https://api.gopluslabs.io/api/v1"
TOKEN = "0x5a52E96BAcdaBb82fd05763E25335261B270Efcb"


@pytest.fixture
def sleeps() -> list[float]:
    return []


def goplus(sleeps: list[float], headers: dict[str, str] | None = None) -> GoPlusSecurity:
    client = JsonClient("goplus", breaker=CircuitBreaker("goplus"), sleep=sleeps.append, headers=headers)
    return GoPlusSecurity(client, BASE)


@respx.mock
def test_token_security_is_normalised_to_plain_types(sleeps: list[float]) -> None:
    route = respx.get(f"{BASE}/token_security/1").mock(
        return_value=response("goplus", "token_security_honeypot")
    )
    sec = goplus(sleeps).token_security(Chain.ETHEREUM, TOKEN)
    assert sec is not None
    assert route.calls.last.request.url.params["contract_addresses"] == TOKEN
    assert sec["is_honeypot"] is True
    assert sec["is_proxy"] is False
    assert sec["is_mintable"] is True
    assert sec["hidden_owner"] is True
    assert sec["buy_tax"] == 0.0
    assert sec["sell_tax"] == pytest.approx(0.99)
    assert sec["owner_address"] == "0x00c5e04176d95a286fcce0e68c683ca0bfec8454"
    assert sec["owner_percent"] == pytest.approx(0.098)
    assert sec["holder_count"] == 412
    assert sec["token_symbol"] == "MOON"
    assert sec["holders"][0]["percent"] == pytest.approx(0.512)
    assert sec["holders"][0]["is_contract"] is True
    assert sec["dex"][0]["liquidity"] == pytest.approx(10234.56789)
    # not reported ("") means unknown: absent, never False
    assert "transfer_tax" not in sec and "trust_list" not in sec


def test_normalise_keeps_unknown_values_out() -> None:
    assert normalise({"is_honeypot": "", "sell_tax": "abc", "is_proxy": "1", "note": "x"}) == {
        "is_proxy": True,
        "note": "x",
    }


@respx.mock
def test_chain_ids_are_used_in_the_path(sleeps: list[float]) -> None:
    bsc = respx.get(f"{BASE}/token_security/56").mock(return_value=response("goplus", "token_security_empty"))
    polygon = respx.get(f"{BASE}/token_security/137").mock(
        return_value=response("goplus", "token_security_empty")
    )
    client = goplus(sleeps)
    assert client.token_security(Chain.BSC, TOKEN) is None  # unknown token: no opinion
    assert client.token_security(Chain.POLYGON, TOKEN) is None
    assert bsc.called and polygon.called


@respx.mock
def test_rate_limit_code_is_retried(sleeps: list[float]) -> None:
    respx.get(f"{BASE}/token_security/1").mock(
        side_effect=[response("goplus", "rate_limited"), response("goplus", "token_security_honeypot")]
    )
    assert goplus(sleeps).token_security(Chain.ETHEREUM, TOKEN) is not None
    assert len(sleeps) == 1


@respx.mock
def test_error_code_is_none_with_reason(sleeps: list[float], log_stream: io.StringIO) -> None:
    respx.get(f"{BASE}/token_security/1").mock(return_value=response("goplus", "unsupported_chain"))
    assert goplus(sleeps).token_security(Chain.ETHEREUM, TOKEN) is None
    assert "Chain not supported" in log_stream.getvalue()


@respx.mock
def test_down_provider_is_none(sleeps: list[float]) -> None:
    route = respx.get(f"{BASE}/token_security/1").mock(return_value=httpx.Response(503))
    assert goplus(sleeps).token_security(Chain.ETHEREUM, TOKEN) is None
    assert route.call_count == 3


@respx.mock
def test_malformed_json_is_none(sleeps: list[float]) -> None:
    respx.get(f"{BASE}/token_security/1").mock(return_value=httpx.Response(200, text="<html>oops</html>"))
    assert goplus(sleeps).token_security(Chain.ETHEREUM, TOKEN) is None


@respx.mock
def test_access_token_is_sent_and_never_logged(sleeps: list[float], log_stream: io.StringIO) -> None:
    route = respx.get(f"{BASE}/token_security/1").mock(side_effect=httpx.ConnectError("refused"))
    assert goplus(sleeps, {"Authorization": "gp-secret-token"}).token_security(Chain.ETHEREUM, TOKEN) is None
    assert route.calls.last.request.headers["Authorization"] == "gp-secret-token"
    assert "gp-secret-token" not in log_stream.getvalue()

"""GeckoTerminal price adapter over recorded responses (respx; no network)."""

from __future__ import annotations

import httpx
import pytest
import respx

from moneygrow.adapters.geckoterminal import GeckoTerminalPrices
from moneygrow.adapters.http import CircuitBreaker, JsonClient
from moneygrow.chains import Chain
from tests.fixtures.http.recorded import response

BASE = "https://api.geckoterminal.com/api/v2"
WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
TOKEN = "0x5a52E96BAcdaBb82fd05763E25335261B270Efcb"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def prices(sleeps: list[float], clock: FakeClock) -> GeckoTerminalPrices:
    client = JsonClient("geckoterminal", breaker=CircuitBreaker("geckoterminal"), sleep=sleeps.append)
    return GeckoTerminalPrices(client, BASE, cache_ttl_s=60, clock=clock)


@respx.mock
def test_native_usd_is_the_wrapped_native_price(prices: GeckoTerminalPrices) -> None:
    route = respx.get(f"{BASE}/simple/networks/eth/token_price/{WETH}").mock(
        return_value=response("geckoterminal", "token_price_weth")
    )
    assert prices.native_usd(Chain.ETHEREUM) == pytest.approx(3412.0512393853)
    assert route.called


@respx.mock
def test_token_usd_and_network_ids(prices: GeckoTerminalPrices) -> None:
    addr = TOKEN.lower()
    bsc = respx.get(f"{BASE}/simple/networks/bsc/token_price/{addr}").mock(
        return_value=response("geckoterminal", "token_price_token")
    )
    pol = respx.get(f"{BASE}/simple/networks/polygon_pos/token_price/{addr}").mock(
        return_value=response("geckoterminal", "token_price_token")
    )
    assert prices.token_usd(Chain.BSC, TOKEN) == pytest.approx(0.000001234567)
    assert prices.token_usd(Chain.POLYGON, TOKEN) == pytest.approx(0.000001234567)
    assert bsc.called and pol.called


@respx.mock
def test_prices_are_cached_for_the_ttl(prices: GeckoTerminalPrices, clock: FakeClock) -> None:
    route = respx.get(f"{BASE}/simple/networks/eth/token_price/{WETH}").mock(
        return_value=response("geckoterminal", "token_price_weth")
    )
    prices.native_usd(Chain.ETHEREUM)
    prices.native_usd(Chain.ETHEREUM)
    assert route.call_count == 1
    clock.now += 61
    prices.native_usd(Chain.ETHEREUM)
    assert route.call_count == 2


@respx.mock
def test_unknown_token_has_no_price(prices: GeckoTerminalPrices) -> None:
    respx.get(url__startswith=f"{BASE}/simple/networks/eth/token_price/").mock(
        return_value=response("geckoterminal", "token_price_unknown")
    )
    assert prices.token_usd(Chain.ETHEREUM, TOKEN) is None


@respx.mock
def test_429_with_retry_after_then_success(prices: GeckoTerminalPrices, sleeps: list[float]) -> None:
    respx.get(f"{BASE}/simple/networks/eth/token_price/{WETH}").mock(
        side_effect=[
            response("geckoterminal", "rate_limited", status=429, headers={"Retry-After": "2"}),
            response("geckoterminal", "token_price_weth"),
        ]
    )
    assert prices.native_usd(Chain.ETHEREUM) is not None
    assert sleeps == [2.0]


@respx.mock
def test_down_provider_is_none(prices: GeckoTerminalPrices) -> None:
    respx.get(url__startswith=BASE).mock(side_effect=httpx.ConnectTimeout("timed out"))
    assert prices.native_usd(Chain.BSC) is None
    assert prices.token_usd(Chain.BSC, TOKEN) is None


@respx.mock
def test_malformed_json_is_none(prices: GeckoTerminalPrices) -> None:
    respx.get(url__startswith=BASE).mock(return_value=httpx.Response(200, text="not json"))
    assert prices.native_usd(Chain.POLYGON) is None

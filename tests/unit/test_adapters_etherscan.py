"""Etherscan v2 adapter over recorded responses (respx; no network)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import httpx
import pytest
import respx

from moneygrow.adapters.etherscan import EtherscanExplorer
from moneygrow.adapters.http import BreakerState, CircuitBreaker, JsonClient
from moneygrow.chains import Chain
from tests.fixtures.http.recorded import log_stream, response

__all__ = ["log_stream"]

API = "https://api.etherscan.io/v2/api"
KEY = "TESTKEY0123456789ABCDEFGHIJKLMNOP"
TOKEN = "0x5a52E96BAcdaBb82fd05763E25335261B270Efcb"


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def breaker() -> CircuitBreaker:
    return CircuitBreaker("etherscan", failure_threshold=5)


@pytest.fixture
def explorer(breaker: CircuitBreaker, sleeps: list[float]) -> EtherscanExplorer:
    return EtherscanExplorer(
        JsonClient("etherscan", breaker=breaker, sleep=sleeps.append, max_attempts=3), KEY
    )


def action(name: str, **params: str) -> respx.Route:
    return respx.get(API, params={"action": name, **params})


@respx.mock
def test_verified_source_is_parsed(explorer: EtherscanExplorer) -> None:
    route = action("getsourcecode").mock(return_value=response("etherscan", "getsourcecode_verified"))
    src = explorer.source(Chain.ETHEREUM, TOKEN)
    assert src is not None
    assert src.verified
    assert src.contract_name == "MintableToken"
    assert src.compiler == "v0.8.20+commit.a1b79de6"
    assert src.abi is not None
    assert {f.get("name") for f in src.abi} >= {"mint", "owner", "transfer", "Transfer"}
    assert src.source_code and "function mint" in src.source_code
    assert not src.proxy and src.implementation is None
    params = route.calls.last.request.url.params
    assert params["chainid"] == "1" and params["module"] == "contract" and params["address"] == TOKEN
    assert params["apikey"] == KEY


@respx.mock
def test_proxy_source_reports_implementation(explorer: EtherscanExplorer) -> None:
    route = action("getsourcecode").mock(return_value=response("etherscan", "getsourcecode_proxy"))
    src = explorer.source(Chain.BSC, TOKEN)
    assert src is not None and src.verified and src.proxy
    assert src.contract_name == "FiatTokenProxy"
    assert src.implementation == "0x43506849D7C04F9138D1A2050bbF3A0c054402dd"  # checksummed
    assert route.calls.last.request.url.params["chainid"] == "56"


@respx.mock
def test_unverified_source(explorer: EtherscanExplorer) -> None:
    action("getsourcecode").mock(return_value=response("etherscan", "getsourcecode_not_verified"))
    src = explorer.source(Chain.POLYGON, TOKEN)
    assert src is not None
    assert not src.verified
    assert src.abi is None and src.source_code is None and src.contract_name is None


@respx.mock
def test_creation_with_timestamp(explorer: EtherscanExplorer) -> None:
    route = action("getcontractcreation").mock(return_value=response("etherscan", "getcontractcreation"))
    created = explorer.creation(Chain.ETHEREUM, TOKEN)
    assert created is not None
    assert created.creator == "0x00C5E04176d95A286fccE0E68c683Ca0bfec8454"
    assert created.tx_hash.startswith("0xd05d9ef0")
    assert created.block_number == 3978343
    assert created.timestamp == datetime.fromtimestamp(1499162101, UTC)
    assert route.calls.last.request.url.params["contractaddresses"] == TOKEN


@respx.mock
def test_creation_without_timestamp_looks_up_the_block(explorer: EtherscanExplorer) -> None:
    action("getcontractcreation").mock(return_value=response("etherscan", "getcontractcreation_no_timestamp"))
    block = action("getblockreward", blockno="3978343").mock(
        return_value=response("etherscan", "getblockreward")
    )
    created = explorer.creation(Chain.ETHEREUM, TOKEN)
    assert created is not None and created.timestamp == datetime.fromtimestamp(1499162101, UTC)
    assert block.called


@respx.mock
def test_creation_of_an_eoa_is_none(explorer: EtherscanExplorer) -> None:
    action("getcontractcreation").mock(return_value=response("etherscan", "no_data_found"))
    assert explorer.creation(Chain.ETHEREUM, "0x00c5e04176d95a286fcce0e68c683ca0bfec8454") is None


@respx.mock
def test_top_holders_sorted_with_shares(explorer: EtherscanExplorer) -> None:
    holders_route = action("tokenholderlist").mock(return_value=response("etherscan", "tokenholderlist"))
    action("tokensupply").mock(return_value=response("etherscan", "tokensupply"))
    holders = explorer.top_holders(Chain.ETHEREUM, TOKEN, limit=3)
    assert holders is not None
    assert [h.balance for h in holders] == [
        600_000 * 10**18,
        250_000 * 10**18,
        99_000 * 10**18,
    ]
    assert holders[0].address == TOKEN
    assert holders[0].share == pytest.approx(0.6)
    assert holders[2].share == pytest.approx(0.099)
    params = holders_route.calls.last.request.url.params
    assert params["module"] == "token" and params["contractaddress"] == TOKEN and params["page"] == "1"


@respx.mock
def test_top_holders_without_supply_have_no_share(explorer: EtherscanExplorer) -> None:
    action("tokenholderlist").mock(return_value=response("etherscan", "tokenholderlist"))
    action("tokensupply").mock(return_value=httpx.Response(404))
    holders = explorer.top_holders(Chain.ETHEREUM, TOKEN, limit=10)
    assert holders is not None and len(holders) == 5
    assert all(h.share is None for h in holders)


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("notok_invalid_key", "Invalid API Key"),
        ("notok_missing_key", "Missing/Invalid API Key"),
        ("notok_pro_endpoint", "API Pro endpoint"),
        ("notok_chain_not_on_plan", "not supported for this chain"),
        ("invalid_address", "Invalid address format"),
    ],
)
@respx.mock
def test_notok_answers_are_none_with_a_logged_reason(
    explorer: EtherscanExplorer, sleeps: list[float], log_stream: io.StringIO, fixture: str, reason: str
) -> None:
    route = respx.get(API).mock(return_value=response("etherscan", fixture))
    assert explorer.top_holders(Chain.BSC, TOKEN, limit=10) is None
    assert explorer.source(Chain.BSC, TOKEN) is None
    assert explorer.creation(Chain.BSC, TOKEN) is None
    assert route.call_count == 3  # not retried: retrying would not change the answer
    assert sleeps == []
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    assert any(
        reason in str(line.get("reason")) and line.get("action") == "tokenholderlist" for line in lines
    )
    assert KEY not in log_stream.getvalue()


@respx.mock
def test_rate_limit_is_retried_then_succeeds(explorer: EtherscanExplorer, sleeps: list[float]) -> None:
    action("getsourcecode").mock(
        side_effect=[response("etherscan", "rate_limited"), response("etherscan", "getsourcecode_verified")]
    )
    src = explorer.source(Chain.ETHEREUM, TOKEN)
    assert src is not None and src.verified
    assert len(sleeps) == 1


@respx.mock
def test_persistent_rate_limit_is_none_not_an_exception(
    explorer: EtherscanExplorer, sleeps: list[float], log_stream: io.StringIO, breaker: CircuitBreaker
) -> None:
    route = action("getsourcecode").mock(return_value=response("etherscan", "rate_limited"))
    assert explorer.source(Chain.ETHEREUM, TOKEN) is None
    assert route.call_count == 3
    assert "rate limit" in log_stream.getvalue()
    assert breaker.state is BreakerState.CLOSED  # the provider is up, only throttling us


@respx.mock
def test_5xx_then_success(explorer: EtherscanExplorer, sleeps: list[float]) -> None:
    action("getsourcecode").mock(
        side_effect=[
            response("etherscan", "gateway_error", status=502),
            response("etherscan", "getsourcecode_verified"),
        ]
    )
    src = explorer.source(Chain.ETHEREUM, TOKEN)
    assert src is not None and src.verified


@respx.mock
def test_malformed_json_is_none(explorer: EtherscanExplorer) -> None:
    action("getsourcecode").mock(return_value=response("etherscan", "malformed"))
    assert explorer.source(Chain.ETHEREUM, TOKEN) is None


@respx.mock
def test_a_down_explorer_gives_none_then_fails_fast(
    explorer: EtherscanExplorer, breaker: CircuitBreaker, log_stream: io.StringIO
) -> None:
    route = respx.get(API).mock(side_effect=httpx.ConnectError("connection refused"))
    assert explorer.source(Chain.ETHEREUM, TOKEN) is None
    assert explorer.creation(Chain.ETHEREUM, TOKEN) is None  # 5th failure opens the breaker
    assert breaker.state is BreakerState.OPEN
    calls = route.call_count
    assert explorer.top_holders(Chain.ETHEREUM, TOKEN, limit=5) is None
    assert route.call_count == calls  # failed fast, nothing sent
    assert "circuit open" in log_stream.getvalue()
    assert KEY not in log_stream.getvalue()


def test_custom_base_url_is_used(breaker: CircuitBreaker, sleeps: list[float]) -> None:
    explorer = EtherscanExplorer(
        JsonClient("etherscan", breaker=breaker, sleep=sleeps.append), KEY, "http://explorer.local/api"
    )
    with respx.mock:
        route = respx.get("http://explorer.local/api").mock(
            return_value=response("etherscan", "getsourcecode_not_verified")
        )
        assert explorer.source(Chain.ETHEREUM, TOKEN) is not None
        assert route.called

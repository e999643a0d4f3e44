"""providers_from_settings: what is configured is built, nothing else; defaults stay offline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import respx

from moneygrow.adapters import providers_factory
from moneygrow.adapters.etherscan import EtherscanExplorer
from moneygrow.adapters.geckoterminal import GeckoTerminalPrices
from moneygrow.adapters.goplus import GoPlusSecurity
from moneygrow.adapters.http import reset_breakers
from moneygrow.adapters.providers_factory import providers_from_settings
from moneygrow.chains import Chain
from moneygrow.config import Settings
from moneygrow.providers import Providers
from tests.fixtures.http.recorded import response

TOKEN = "0x5a52E96BAcdaBb82fd05763E25335261B270Efcb"


@pytest.fixture(autouse=True)
def _fresh_breakers() -> Iterator[None]:
    reset_breakers()
    yield
    reset_breakers()


def test_defaults_configure_no_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ETHERSCAN_API_KEY", "ETHERSCAN_API_KEY_PARAMETER", "GOPLUS_ENABLED", "PRICES_ENABLED"):
        monkeypatch.delenv(f"MONEYGROW_{name}", raising=False)
    assert providers_from_settings(Settings()) == Providers()


def test_environment_enables_providers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONEYGROW_ETHERSCAN_API_KEY", "env-key")
    monkeypatch.setenv("MONEYGROW_GOPLUS_ENABLED", "true")
    monkeypatch.setenv("MONEYGROW_PRICES_ENABLED", "1")
    providers = providers_from_settings(Settings())
    assert isinstance(providers.explorer, EtherscanExplorer)
    assert isinstance(providers.second_opinion, GoPlusSecurity)
    assert isinstance(providers.prices, GeckoTerminalPrices)


def test_each_provider_is_independent() -> None:
    only_prices = providers_from_settings(Settings(prices_enabled=True))
    assert only_prices.explorer is None and only_prices.second_opinion is None
    assert only_prices.prices is not None
    only_goplus = providers_from_settings(Settings(goplus_enabled=True))
    assert only_goplus.second_opinion is not None and only_goplus.explorer is None


def test_configured_urls_timeouts_and_keys_are_used() -> None:
    settings = Settings(
        etherscan_api_key="K123",
        etherscan_base_url="http://explorer.test/api",
        goplus_enabled=True,
        goplus_access_token="gp-token",
        goplus_base_url="http://goplus.test/api/v1",
        prices_enabled=True,
        geckoterminal_base_url="http://gecko.test/api/v2",
        http_timeout_s=2.0,
        http_max_attempts=1,
    )
    providers = providers_from_settings(settings)
    assert providers.explorer and providers.second_opinion and providers.prices
    with respx.mock(assert_all_called=True) as router:
        ex = router.get("http://explorer.test/api", params={"apikey": "K123", "chainid": "56"}).mock(
            return_value=response("etherscan", "getsourcecode_not_verified")
        )
        gp = router.get("http://goplus.test/api/v1/token_security/56").mock(
            return_value=response("goplus", "token_security_honeypot")
        )
        gt = router.get(url__startswith="http://gecko.test/api/v2/simple/networks/bsc/token_price/").mock(
            return_value=response("geckoterminal", "token_price_token")
        )
        assert providers.explorer.source(Chain.BSC, TOKEN) is not None
        assert providers.second_opinion.token_security(Chain.BSC, TOKEN) is not None
        assert providers.prices.token_usd(Chain.BSC, TOKEN) is not None
    assert gp.calls.last.request.headers["Authorization"] == "gp-token"
    assert gt.calls.last.request.headers["Accept"].startswith("application/json;version=")
    assert ex.calls.last.request.extensions["timeout"]["read"] == 2.0


def test_etherscan_key_from_ssm_parameter(monkeypatch: pytest.MonkeyPatch) -> None:
    from aws_lambda_powertools.utilities import parameters

    asked: list[tuple[str, Any]] = []

    def fake_get_parameter(name: str, decrypt: bool = False, **_: Any) -> str:
        asked.append((name, decrypt))
        return "ssm-key"

    monkeypatch.setattr(parameters, "get_parameter", fake_get_parameter)
    settings = Settings(etherscan_api_key_parameter="/moneygrow/prod/etherscan-api-key")
    assert providers_factory.etherscan_api_key(settings) == "ssm-key"
    assert asked == [("/moneygrow/prod/etherscan-api-key", True)]
    assert isinstance(providers_from_settings(settings).explorer, EtherscanExplorer)


def test_unreadable_ssm_parameter_leaves_the_explorer_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from aws_lambda_powertools.utilities import parameters

    def broken(name: str, **_: Any) -> str:
        raise parameters.exceptions.GetParameterError("AccessDenied")

    monkeypatch.setattr(parameters, "get_parameter", broken)
    providers = providers_from_settings(Settings(etherscan_api_key_parameter="/x"))
    assert providers.explorer is None


def test_default_deps_carry_the_configured_providers(monkeypatch: pytest.MonkeyPatch) -> None:
    from moneygrow.agents import runner

    settings = Settings(goplus_enabled=True)
    monkeypatch.setattr(runner, "get_settings", lambda: settings)
    runner.default_deps.cache_clear()
    try:
        deps = runner.default_deps()
        assert isinstance(deps.providers.second_opinion, GoPlusSecurity)
        assert deps.providers.explorer is None and deps.providers.prices is None
    finally:
        runner.default_deps.cache_clear()

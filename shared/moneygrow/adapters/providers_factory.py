"""Builds the `Providers` bundle the agents get, from settings.

- explorer (Etherscan v2) only when a key is configured, directly or via an SSM parameter;
- second opinion (GoPlus) only when enabled;
- prices (GeckoTerminal) only when enabled.

Defaults configure nothing, so local dev and tests never reach the internet. A provider that cannot be
set up (e.g. the SSM parameter is unreadable) is left out with a logged reason; agents name the gap.
"""

from __future__ import annotations

from moneygrow.adapters.etherscan import EtherscanExplorer
from moneygrow.adapters.geckoterminal import ACCEPT, GeckoTerminalPrices
from moneygrow.adapters.goplus import GoPlusSecurity
from moneygrow.adapters.http import JsonClient, breaker_for
from moneygrow.config import Settings
from moneygrow.observability import logger
from moneygrow.providers import Providers


def _client(settings: Settings, provider: str, headers: dict[str, str] | None = None) -> JsonClient:
    return JsonClient(
        provider,
        timeout_s=settings.http_timeout_s,
        max_attempts=settings.http_max_attempts,
        breaker=breaker_for(provider, settings.breaker_failure_threshold, settings.breaker_reset_s),
        headers=headers,
    )


def etherscan_api_key(settings: Settings) -> str:
    """The key given directly, else read from SSM (cached by Powertools); '' when unavailable."""
    if settings.etherscan_api_key:
        return settings.etherscan_api_key
    name = settings.etherscan_api_key_parameter
    if not name:
        return ""
    try:
        from aws_lambda_powertools.utilities import parameters

        if name.startswith("arn:aws:secretsmanager:"):
            return str(parameters.get_secret(name))
        return str(parameters.get_parameter(name, decrypt=True))
    except Exception as exc:  # a missing key is a gap, not a crash
        logger.warning(
            "etherscan key unavailable, explorer disabled",
            extra={"parameter": name, "reason": type(exc).__name__},
        )
        return ""


def providers_from_settings(settings: Settings) -> Providers:
    key = etherscan_api_key(settings)
    explorer = (
        EtherscanExplorer(_client(settings, "etherscan"), key, settings.etherscan_base_url) if key else None
    )
    second_opinion = None
    if settings.goplus_enabled:
        headers = {"Authorization": settings.goplus_access_token} if settings.goplus_access_token else None
        second_opinion = GoPlusSecurity(_client(settings, "goplus", headers), settings.goplus_base_url)
    prices = None
    if settings.prices_enabled:
        prices = GeckoTerminalPrices(
            _client(settings, "geckoterminal", {"Accept": ACCEPT}), settings.geckoterminal_base_url
        )
    logger.debug(
        "providers configured",
        extra={
            "explorer": explorer is not None,
            "second_opinion": second_opinion is not None,
            "prices": prices is not None,
        },
    )
    return Providers(explorer=explorer, second_opinion=second_opinion, prices=prices)

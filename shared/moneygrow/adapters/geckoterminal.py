"""GeckoTerminal public API as the `PriceSource` port (DEX prices in USD).

GET {base}/simple/networks/{network}/token_price/{addresses} answers
`{"data": {"type": "simple_token_price", "attributes": {"token_prices": {"<lower-case>": "1.23"}}}}`.
The native coin's price is its wrapped token's. Prices are cached briefly (the public API allows
about 30 calls a minute); a missing price or a provider that is down gives `None`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from moneygrow.adapters.http import JsonClient, ProviderError
from moneygrow.chain.networks import network
from moneygrow.chains import Chain
from moneygrow.observability import logger

PROVIDER = "geckoterminal"
DEFAULT_BASE_URL = "https://api.geckoterminal.com/api/v2"
# GeckoTerminal's network ids.
NETWORK_IDS: dict[Chain, str] = {Chain.ETHEREUM: "eth", Chain.BSC: "bsc", Chain.POLYGON: "polygon_pos"}
# Pins the response format (GeckoTerminal's documented versioned Accept header).
ACCEPT = "application/json;version=20230302"


class GeckoTerminalPrices:
    """`moneygrow.providers.PriceSource` over GeckoTerminal's simple token price endpoint."""

    def __init__(
        self,
        client: JsonClient,
        base_url: str = DEFAULT_BASE_URL,
        cache_ttl_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._base_url = base_url.rstrip("/")
        self._ttl = cache_ttl_s
        self._clock = clock
        self._cache: dict[tuple[Chain, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def native_usd(self, chain: Chain) -> float | None:
        return self.token_usd(chain, network(chain).wrapped_native)

    def token_usd(self, chain: Chain, address: str) -> float | None:
        key = (chain, address.lower())
        with self._lock:
            hit = self._cache.get(key)
            if hit and self._clock() - hit[1] < self._ttl:
                return hit[0]
        price = self._fetch(chain, key[1])
        if price is not None:
            with self._lock:
                self._cache[key] = (price, self._clock())
        return price

    def _fetch(self, chain: Chain, address: str) -> float | None:
        url = f"{self._base_url}/simple/networks/{NETWORK_IDS[chain]}/token_price/{address}"
        log = {"provider": PROVIDER, "chain": chain.value}
        try:
            payload = self._client.get_json(url)
        except ProviderError as exc:
            logger.warning("price unavailable", extra={**log, "reason": exc.reason})
            return None
        prices = _token_prices(payload)
        raw = next((v for k, v in prices.items() if str(k).lower() == address), None)
        try:
            price = float(raw) if raw is not None else None
        except (TypeError, ValueError):
            price = None
        if price is None or price < 0:
            logger.info("no price for the token", extra=log)
            return None
        return price


def _token_prices(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        return {}
    data = payload.get("data")
    attributes = data.get("attributes") if isinstance(data, dict) else None
    prices = attributes.get("token_prices") if isinstance(attributes, dict) else None
    return prices if isinstance(prices, dict) else {}

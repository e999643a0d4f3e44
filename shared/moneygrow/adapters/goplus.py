"""GoPlus token_security as the `SecondOpinion` port, normalised to plain Python types.

GoPlus answers `{"code": 1, "message": "OK", "result": {"<lower-case address>": {...}}}` with every
value a string ("0"/"1" flags, decimal taxes and percentages). We turn flags into bool, numbers into
float/int and keep lists (holders, dex, lp_holders) as lists of normalised dicts. A flag GoPlus did
not report stays absent (unknown), it is never read as "safe". An unknown token (empty result), an
error code or a provider that is down gives `None`.

No key is needed for the public tier; an access token (from GoPlus' /api/v1/token) is sent as the
Authorization header when configured.
"""

from __future__ import annotations

from typing import Any

from moneygrow.adapters.http import JsonClient, ProviderError
from moneygrow.chain.networks import network
from moneygrow.chains import Chain
from moneygrow.observability import logger

PROVIDER = "goplus"
DEFAULT_BASE_URL = "https://api.gopluslabs.io/api/v1"

# "0"/"1" flags.
BOOL_FIELDS = frozenset(
    {
        "anti_whale_modifiable",
        "can_take_back_ownership",
        "cannot_buy",
        "cannot_sell_all",
        "external_call",
        "hidden_owner",
        "honeypot_with_same_creator",
        "is_airdrop_scam",
        "is_anti_whale",
        "is_blacklisted",
        "is_honeypot",
        "is_in_dex",
        "is_mintable",
        "is_open_source",
        "is_proxy",
        "is_true_token",
        "is_whitelisted",
        "personal_slippage_modifiable",
        "selfdestruct",
        "slippage_modifiable",
        "trading_cooldown",
        "transfer_pausable",
        "trust_list",
        "is_locked",
        "is_contract",
    }
)
# Decimal strings: taxes are fractions (0.1 = 10%), percents are fractions of supply (0..1).
FLOAT_FIELDS = frozenset(
    {
        "buy_tax",
        "sell_tax",
        "transfer_tax",
        "creator_percent",
        "owner_percent",
        "percent",
        "creator_balance",
        "owner_balance",
        "owner_change_balance",
        "balance",
        "liquidity",
        "total_supply",
        "lp_total_supply",
    }
)
INT_FIELDS = frozenset({"holder_count", "lp_holder_count", "decimals"})


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text in ("1", "true", "True"):
        return True
    if text in ("0", "false", "False"):
        return False
    return None


def _float(value: Any) -> float | None:
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def normalise(raw: dict[str, Any]) -> dict[str, Any]:
    """GoPlus' string-typed record as plain types. Empty strings (not reported) are dropped."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None or value == "":
            continue
        converted: Any
        if isinstance(value, list):
            converted = [normalise(v) if isinstance(v, dict) else v for v in value]
        elif isinstance(value, dict):
            converted = normalise(value)
        elif key in BOOL_FIELDS:
            converted = _bool(value)
        elif key in FLOAT_FIELDS:
            converted = _float(value)
        elif key in INT_FIELDS:
            converted = _int(value)
        else:
            converted = value
        if converted is not None:
            out[key] = converted
    return out


class GoPlusSecurity:
    """`moneygrow.providers.SecondOpinion` over GoPlus token_security."""

    def __init__(self, client: JsonClient, base_url: str = DEFAULT_BASE_URL) -> None:
        self._client = client
        self._base_url = base_url.rstrip("/")

    def token_security(self, chain: Chain, address: str) -> dict[str, Any] | None:
        chain_id = network(chain).chain_id
        url = f"{self._base_url}/token_security/{chain_id}"
        log = {"provider": PROVIDER, "chain": chain.value}
        try:
            payload = self._client.get_json(url, {"contract_addresses": address}, retry_body=_retry_body)
        except ProviderError as exc:
            logger.warning("second opinion unavailable", extra={**log, "reason": exc.reason})
            return None
        if not isinstance(payload, dict):
            logger.warning("second opinion: unexpected answer", extra=log)
            return None
        code = _int(payload.get("code"))
        if code not in (1, 2):  # 2: partial data
            logger.warning(
                "second opinion returned an error",
                extra={**log, "code": payload.get("code"), "reason": str(payload.get("message"))},
            )
            return None
        result = payload.get("result")
        record = None
        if isinstance(result, dict):
            record = result.get(address.lower()) or next(
                (v for k, v in result.items() if str(k).lower() == address.lower()), None
            )
        if not isinstance(record, dict) or not record:
            logger.info("second opinion has no data for the token", extra=log)
            return None
        return normalise(record)


def _retry_body(payload: Any) -> str | None:
    # GoPlus reports its rate limit as code 4029 inside an HTTP 200 answer.
    if isinstance(payload, dict) and _int(payload.get("code")) == 4029:
        return "rate limited (4029)"
    return None

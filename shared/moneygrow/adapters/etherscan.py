"""Etherscan v2 multichain API as the `Explorer` port: source, creation, top holders.

One endpoint serves every chain, selected by `chainid`. Etherscan answers errors with HTTP 200 and
`{"status": "0", "message": "NOTOK", "result": "<reason>"}`; those become `None` with the reason
logged (invalid key, rate limit, an API Pro endpoint on a free key, a chain not on the plan...).
A rate-limit answer is retried with backoff first. Nothing here raises to the agent.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from eth_utils.address import is_hex_address, to_checksum_address

from moneygrow.adapters.http import JsonClient, ProviderError
from moneygrow.chain.networks import network
from moneygrow.chains import Chain
from moneygrow.observability import logger
from moneygrow.providers import ContractCreation, ContractSource, Holder

PROVIDER = "etherscan"
NOT_VERIFIED = "Contract source code not verified"
# How many holders to ask for when ranking the top ones (tokenholderlist is one page, not sorted).
HOLDERS_PAGE = 1000


class EtherscanError(ProviderError):
    """Etherscan said status "0" with a reason (already logged)."""


def _is_rate_limited(text: str) -> bool:
    low = text.lower()
    return "rate limit" in low or "too many" in low


def _reason(payload: Any) -> str | None:
    """The error Etherscan reports inside a 200 answer, or None when it is a success."""
    if not isinstance(payload, dict):
        return "unexpected answer"
    if str(payload.get("status")) == "1":
        return None
    result = payload.get("result")
    message = str(payload.get("message") or "")
    text = result if isinstance(result, str) and result else message
    return text or "unknown error"


def _retry_body(payload: Any) -> str | None:
    reason = _reason(payload)
    return reason if reason and _is_rate_limited(reason) else None


def _as_int(value: Any) -> int | None:
    try:
        return int(str(value), 0) if str(value).startswith("0x") else int(str(value))
    except (TypeError, ValueError):
        return None


def _checksum(address: Any) -> str:
    text = str(address or "")
    return to_checksum_address(text) if is_hex_address(text) else text


class EtherscanExplorer:
    """`moneygrow.providers.Explorer` over the Etherscan v2 API."""

    def __init__(self, client: JsonClient, api_key: str, base_url: str = "") -> None:
        self._client = client
        self._api_key = api_key
        self._base_url = base_url

    # -- the port ----------------------------------------------------------------------------------

    def source(self, chain: Chain, address: str) -> ContractSource | None:
        rows = self._call(chain, "contract", "getsourcecode", address=address)
        if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
            return None
        row: dict[str, Any] = rows[0]
        source_code = str(row.get("SourceCode") or "")
        abi = self._parse_abi(row.get("ABI"))
        verified = bool(source_code) or abi is not None
        implementation = str(row.get("Implementation") or "") or None
        return ContractSource(
            verified=verified,
            contract_name=str(row.get("ContractName") or "") or None,
            compiler=str(row.get("CompilerVersion") or "") or None,
            abi=abi,
            source_code=source_code or None,
            proxy=str(row.get("Proxy") or "0") == "1",
            implementation=_checksum(implementation) if implementation else None,
        )

    def creation(self, chain: Chain, address: str) -> ContractCreation | None:
        rows = self._call(chain, "contract", "getcontractcreation", contractaddresses=address)
        if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
            return None
        row: dict[str, Any] = rows[0]
        creator, tx_hash = row.get("contractCreator"), row.get("txHash")
        if not creator or not tx_hash:
            return None
        block_number = _as_int(row.get("blockNumber"))
        timestamp = self._timestamp(row.get("timestamp"))
        if timestamp is None and block_number is not None:
            timestamp = self._block_time(chain, block_number)
        return ContractCreation(
            creator=_checksum(creator), tx_hash=str(tx_hash), block_number=block_number, timestamp=timestamp
        )

    def top_holders(self, chain: Chain, address: str, limit: int) -> list[Holder] | None:
        rows = self._call(
            chain,
            "token",
            "tokenholderlist",
            contractaddress=address,
            page=1,
            offset=max(limit, HOLDERS_PAGE),
        )
        if not isinstance(rows, list):
            return None
        holders: list[tuple[str, int]] = []
        for row in rows:
            if not isinstance(row, dict):
                continue
            balance = _as_int(row.get("TokenHolderQuantity"))
            holder = row.get("TokenHolderAddress")
            if holder and balance is not None:
                holders.append((_checksum(holder), balance))
        holders.sort(key=lambda h: h[1], reverse=True)
        supply = self._total_supply(chain, address) if holders else None
        return [
            Holder(address=a, balance=b, share=(b / supply) if supply else None) for a, b in holders[:limit]
        ]

    # -- helpers -----------------------------------------------------------------------------------

    def _total_supply(self, chain: Chain, address: str) -> int | None:
        return _as_int(self._call(chain, "stats", "tokensupply", contractaddress=address))

    def _block_time(self, chain: Chain, block_number: int) -> datetime | None:
        result = self._call(chain, "block", "getblockreward", blockno=block_number)
        return self._timestamp(result.get("timeStamp")) if isinstance(result, dict) else None

    @staticmethod
    def _timestamp(value: Any) -> datetime | None:
        seconds = _as_int(value)
        return datetime.fromtimestamp(seconds, UTC) if seconds else None

    @staticmethod
    def _parse_abi(raw: Any) -> list[dict[str, Any]] | None:
        if not isinstance(raw, str) or not raw or raw == NOT_VERIFIED:
            return None
        try:
            abi = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(abi, list):
            return None
        return [item for item in abi if isinstance(item, dict)]

    def _call(self, chain: Chain, module: str, action: str, **params: str | int) -> Any:
        """The `result` of one call, or None (reason logged) on any failure."""
        query: dict[str, str | int] = {
            "chainid": network(chain).chain_id,
            "module": module,
            "action": action,
            **params,
            "apikey": self._api_key,
        }
        try:
            payload = self._client.get_json(
                self._base_url or network(chain).explorer_api, query, retry_body=_retry_body
            )
        except ProviderError as exc:
            logger.warning(
                "explorer call failed",
                extra={"provider": PROVIDER, "chain": chain.value, "action": action, "reason": exc.reason},
            )
            return None
        reason = _reason(payload)
        if reason is None:
            return payload.get("result")
        level = logger.info if _is_benign(reason) else logger.warning
        level(
            "explorer returned no data",
            extra={"provider": PROVIDER, "chain": chain.value, "action": action, "reason": reason},
        )
        return None


def _is_benign(reason: str) -> bool:
    """'No data found' for an EOA or an unknown token is an answer, not a fault."""
    return "no data found" in reason.lower() or "no records found" in reason.lower()

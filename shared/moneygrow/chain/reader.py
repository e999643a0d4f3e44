"""Read-only access to one chain over HTTP JSON-RPC, with failover across the configured URLs.

The agents only need a handful of reads (code, ERC-20 metadata, balances, owner, storage), so the
reader speaks JSON-RPC through web3's HTTPProvider and encodes/decodes calls with eth_abi itself;
reads that fan out (metadata, balances) go in one JSON-RPC batch.

Errors:
- `ChainUnavailable`: no configured endpoint answered (connection refused, timeout, HTTP 5xx).
  Infrastructure: the agents let it propagate so the workflow retries or degrades.
- `RpcError`: a node answered with a JSON-RPC error that is not a contract revert.
- A reverting or empty `eth_call` is *data*, not an error: the methods return None / record it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar

import requests
from eth_abi.abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_utils.address import is_address, to_checksum_address
from web3 import HTTPProvider, Web3
from web3.types import RPCEndpoint

from moneygrow.chain.bytecode import selector
from moneygrow.chains import Chain
from moneygrow.config import Settings
from moneygrow.errors import ServiceUnavailable

T = TypeVar("T")

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
BATCH_SIZE = 100  # calls per JSON-RPC batch (public nodes cap batches at 100-1000)

_TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    requests.RequestException,  # connection refused/reset, timeout, HTTP 4xx/5xx
    OSError,
    json.JSONDecodeError,  # a proxy answering HTML instead of JSON
)


class ChainUnavailable(ServiceUnavailable):
    code = "chain_unavailable"


class RpcError(Exception):
    def __init__(self, method: str, error: Any) -> None:
        super().__init__(f"{method}: {error}")
        self.method = method
        self.error = error


def _normalise(address: str) -> str:
    if not is_address(address):
        raise ValueError(f"not an address: {address!r}")
    return to_checksum_address(address)


_REVERT_WORDS = (
    "revert",
    "evm error",  # anvil: "EVM error InvalidFEOpcode", "EVM error OutOfGas", ...
    "invalid opcode",
    "out of gas",
    "stack underflow",
    "stack overflow",
    "invalid jump",
)


def _is_revert(error: Any) -> bool:
    """Anvil/geth report reverts as code 3 or a message containing "revert"; "invalid opcode" etc.
    on an eth_call also mean the contract, not the node, failed."""
    if not isinstance(error, dict):
        return False
    message = str(error.get("message", "")).lower()
    return error.get("code") == 3 or any(w in message for w in _REVERT_WORDS)


class CallResult:
    """The outcome of one eth_call: `data` (maybe empty) or `reverted` (with the node's `revert_data`
    when it sent any, e.g. an ABI-encoded Error(string))."""

    __slots__ = ("data", "revert_data", "reverted")

    def __init__(self, data: bytes = b"", reverted: bool = False, revert_data: bytes = b"") -> None:
        self.data = data
        self.reverted = reverted
        self.revert_data = revert_data

    @property
    def ok(self) -> bool:
        return not self.reverted and len(self.data) > 0


class OverrideCall(NamedTuple):
    """One eth_call with state (and optionally block) overrides, for ChainReader.call_many_with_overrides."""

    to: str
    data: bytes
    state_override: dict[str, Any]
    block_override: dict[str, Any] | None = None
    block: str = "latest"
    sender: str | None = None
    gas: int | None = None


def _revert_data(error: Any) -> bytes:
    """The revert data a node attaches to an eth_call error ("data": "0x..." or {"data": "0x..."})."""
    data = error.get("data") if isinstance(error, dict) else None
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        try:
            return bytes.fromhex(data[2:])
        except ValueError:
            return b""
    return b""


class ChainReader:
    def __init__(self, urls: Sequence[str], timeout_s: float = 5.0, chain: Chain | None = None) -> None:
        if not urls:
            raise ValueError(f"no RPC URL configured for chain {chain}")
        self.chain = chain
        self.urls = list(urls)
        self.timeout_s = timeout_s
        self._w3 = [
            Web3(HTTPProvider(u, request_kwargs={"timeout": timeout_s}, exception_retry_configuration=None))
            for u in self.urls
        ]
        self._current = 0  # the endpoint that answered last; tried first next time

    @classmethod
    def from_settings(cls, settings: Settings, chain: Chain) -> ChainReader:
        urls = settings.rpc_urls.get(chain)
        if not urls:
            raise ChainUnavailable(f"no RPC URL configured for chain {chain}")
        return cls(urls, settings.rpc_timeout_s, chain)

    @property
    def url(self) -> str:
        return self.urls[self._current]

    # --- transport -----------------------------------------------------------------------------

    def _with_failover(self, op: Callable[[HTTPProvider], T]) -> T:
        failures: list[str] = []
        n = len(self._w3)
        for k in range(n):
            i = (self._current + k) % n
            provider = self._w3[i].provider
            assert isinstance(provider, HTTPProvider)
            try:
                result = op(provider)
            except _TRANSPORT_ERRORS as exc:
                failures.append(f"{self.urls[i]}: {type(exc).__name__}")
                continue
            self._current = i
            return result
        raise ChainUnavailable(f"no RPC endpoint answered for chain {self.chain}", {"attempts": failures})

    def _request(self, method: str, params: list[Any]) -> Any:
        response = self._with_failover(lambda p: p.make_request(RPCEndpoint(method), params))
        if "error" in response:
            raise RpcError(method, response["error"])
        return response.get("result")

    def _batch(self, calls: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        """Send calls as JSON-RPC batches; returns the raw responses in request order. Falls back to
        one request per call when the node refuses batches."""
        out: list[dict[str, Any]] = []
        for start in range(0, len(calls), BATCH_SIZE):
            chunk = [(RPCEndpoint(m), p) for m, p in calls[start : start + BATCH_SIZE]]
            responses = self._with_failover(lambda prov, c=chunk: prov.make_batch_request(c))  # type: ignore[misc]
            if isinstance(responses, list) and len(responses) == len(chunk):
                out.extend(dict(r) for r in responses)
            else:  # batching unsupported (a single error object came back)
                for m, p in chunk:
                    out.append(dict(self._with_failover(lambda prov, m=m, p=p: prov.make_request(m, p))))  # type: ignore[misc]
        return out

    @staticmethod
    def _call_params(to: str, data: bytes, block: str) -> list[Any]:
        return [{"to": to, "data": "0x" + data.hex()}, block]

    @staticmethod
    def _call_result(method: str, response: dict[str, Any]) -> CallResult:
        if "error" in response:
            if _is_revert(response["error"]):
                return CallResult(reverted=True, revert_data=_revert_data(response["error"]))
            raise RpcError(method, response["error"])
        return CallResult(bytes.fromhex(str(response.get("result") or "0x")[2:]))

    @staticmethod
    def _override_params(call: OverrideCall) -> list[Any]:
        tx: dict[str, Any] = {"to": _normalise(call.to), "data": "0x" + call.data.hex()}
        if call.sender is not None:
            tx["from"] = _normalise(call.sender)
        if call.gas is not None:
            tx["gas"] = hex(call.gas)
        params: list[Any] = [tx, call.block, call.state_override]
        if call.block_override:
            params.append(call.block_override)
        return params

    # --- reads ---------------------------------------------------------------------------------

    def block_number(self) -> int:
        return int(self._request("eth_blockNumber", []), 16)

    def chain_id(self) -> int:
        return int(self._request("eth_chainId", []), 16)

    def is_healthy(self) -> bool:
        try:
            self.block_number()
        except (ChainUnavailable, RpcError):
            return False
        return True

    def get_code(self, address: str, block: str = "latest") -> bytes:
        result = self._request("eth_getCode", [_normalise(address), block])
        return bytes.fromhex(str(result or "0x")[2:])

    def get_storage_at(self, address: str, slot: int, block: str = "latest") -> bytes:
        result = self._request("eth_getStorageAt", [_normalise(address), hex(slot), block])
        return bytes.fromhex(str(result or "0x")[2:]).rjust(32, b"\0")

    def call(self, to: str, data: bytes, block: str = "latest") -> CallResult:
        response = self._with_failover(
            lambda p: p.make_request(RPCEndpoint("eth_call"), self._call_params(_normalise(to), data, block))
        )
        return self._call_result("eth_call", dict(response))

    def call_many(self, calls: Sequence[tuple[str, bytes]], block: str = "latest") -> list[CallResult]:
        """Several eth_calls in JSON-RPC batches; results in input order."""
        requests_ = [("eth_call", self._call_params(_normalise(to), data, block)) for to, data in calls]
        return [self._call_result("eth_call", r) for r in self._batch(requests_)]

    def get_block(self, block: str = "latest") -> dict[str, Any]:
        """The block header (eth_getBlockByNumber without transactions); raises RpcError when absent."""
        result = self._request("eth_getBlockByNumber", [block, False])
        if not isinstance(result, dict):
            raise RpcError("eth_getBlockByNumber", f"no block {block}")
        return result

    def call_with_overrides(
        self,
        to: str,
        data: bytes,
        state_override: dict[str, Any],
        block_override: dict[str, Any] | None = None,
        block: str = "latest",
        *,
        sender: str | None = None,
        gas: int | None = None,
    ) -> CallResult:
        """eth_call with a state override (3rd param: {address: {code, balance, nonce, state,
        stateDiff}}) and optionally a block override (4th param: {number, time, ...}, hex values).
        A node without override support answers an RpcError (not a revert)."""
        call = OverrideCall(to, data, state_override, block_override, block, sender, gas)
        response = self._with_failover(
            lambda p: p.make_request(RPCEndpoint("eth_call"), self._override_params(call))
        )
        return self._call_result("eth_call", dict(response))

    def call_many_with_overrides(self, calls: Sequence[OverrideCall]) -> list[CallResult]:
        """Several overridden eth_calls in JSON-RPC batches (one round trip per BATCH_SIZE calls);
        results in input order."""
        requests_ = [("eth_call", self._override_params(c)) for c in calls]
        return [self._call_result("eth_call", r) for r in self._batch(requests_)]

    def erc20_metadata(self, address: str, block: str = "latest") -> dict[str, Any]:
        """{"name", "symbol", "decimals", "total_supply", "failed"}: values are None for functions that
        reverted, returned nothing or returned garbage; their names are listed in "failed"."""
        token = _normalise(address)
        fields = {
            "name": "name()",
            "symbol": "symbol()",
            "decimals": "decimals()",
            "total_supply": "totalSupply()",
        }
        calls = [(token, bytes.fromhex(selector(sig)[2:])) for sig in fields.values()]
        results = self.call_many(calls, block)
        out: dict[str, Any] = {}
        failed: list[str] = []
        for (key, _), res in zip(fields.items(), results, strict=True):
            value = _decode_field(key, res)
            out[key] = value
            if value is None:
                failed.append(key)
        out["failed"] = failed
        return out

    def balances_of(self, token: str, holders: Sequence[str], block: str = "latest") -> dict[str, int]:
        """balanceOf for every holder, batched. Keys are checksummed holder addresses; holders whose
        call reverted or returned garbage are left out (the caller sees which are missing)."""
        tok = _normalise(token)
        addrs = [_normalise(h) for h in holders]
        sel = bytes.fromhex(selector("balanceOf(address)")[2:])
        results = self.call_many([(tok, sel + encode(["address"], [a])) for a in addrs], block)
        out: dict[str, int] = {}
        for addr, res in zip(addrs, results, strict=True):
            if res.ok and len(res.data) >= 32:
                out[addr] = int.from_bytes(res.data[:32], "big")
        return out

    def owner(self, address: str) -> str | None:
        """The address `owner()` (or BEP-20's `getOwner()`) returns; None when neither exists.
        A renounced token answers the zero address."""
        token = _normalise(address)
        for sig in ("owner()", "getOwner()"):
            res = self.call(token, bytes.fromhex(selector(sig)[2:]))
            if res.ok and len(res.data) == 32 and res.data[:12] == b"\0" * 12:
                return to_checksum_address(res.data[12:])
        return None


def _decode_field(key: str, res: CallResult) -> Any:
    if not res.ok:
        return None
    try:
        if key in ("name", "symbol"):
            return _decode_string(res.data)
        (value,) = decode(["uint256"], res.data[:32])
        if key == "decimals" and value > 255:
            return None
        return int(value)
    except (DecodingError, ValueError, UnicodeDecodeError):
        return None


def _decode_string(data: bytes) -> str:
    if len(data) == 32:  # old tokens (MKR, SAI) return bytes32
        return data.rstrip(b"\0").decode("utf-8", errors="replace")
    (value,) = decode(["string"], data)
    return str(value)


def chain_reader_factory(settings: Settings) -> Callable[[Chain], ChainReader]:
    """One reader per chain, built on first use and reused (warm Lambdas keep their HTTP sessions)."""
    readers: dict[Chain, ChainReader] = {}

    def get(chain: Chain) -> ChainReader:
        reader = readers.get(chain)
        if reader is None:
            reader = readers[chain] = ChainReader.from_settings(settings, chain)
        return reader

    return get

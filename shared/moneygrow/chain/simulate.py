"""eth_simulateV1: sequences of calls from any sender over several simulated blocks, in one request.

A call from an address without code stays a call from an EOA (what a wallet's transaction shows the
token), each block can move the clock (number, time) and override state (balances, code, storage),
and `validation: false` means no signatures, nonces or fees. Nothing on chain changes. Used to trade
as real wallets and to probe what privileged functions do.

This module only builds the request and reads the answer; callers send it (usually many in one
JSON-RPC batch). Nodes without the method answer -32601 ("method not found"): `unsupported` tells,
and the caller falls back to state-override eth_call and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

METHOD = "eth_simulateV1"
METHOD_NOT_FOUND = -32601


@dataclass(frozen=True)
class SimCall:
    sender: str
    to: str
    data: bytes = b""
    value: int = 0
    gas: int | None = None  # None: the block's gas limit (what a wallet could send)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"from": self.sender, "to": self.to, "input": "0x" + self.data.hex()}
        if self.value:
            out["value"] = hex(self.value)
        if self.gas is not None:
            out["gas"] = hex(self.gas)
        return out


@dataclass(frozen=True)
class SimBlock:
    calls: tuple[SimCall, ...]
    number: int | None = None  # block override; None: the next block
    time: int | None = None
    state: dict[str, dict[str, Any]] | None = None  # {address: {"balance"|"code"|"stateDiff": ...}}
    gas_limit: int | None = None  # block override; None: the base block's gas limit

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"calls": [c.as_json() for c in self.calls]}
        overrides: dict[str, Any] = {}
        if self.number is not None:
            overrides["number"] = hex(self.number)
        if self.time is not None:
            overrides["time"] = hex(self.time)
        if self.gas_limit is not None:
            overrides["gasLimit"] = hex(self.gas_limit)
        if overrides:
            out["blockOverrides"] = overrides
        if self.state:
            out["stateOverrides"] = self.state
        return out


@dataclass(frozen=True)
class SimResult:
    ok: bool
    data: bytes  # return data, or the revert data when not ok
    gas_used: int
    logs: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def truthy(self) -> bool:
        """An ERC-20 style success: the call succeeded and did not return false (no return value counts
        as true, as USDT-style tokens return nothing)."""
        return self.ok and (len(self.data) < 32 or any(self.data[:32]))

    def word(self, index: int = 0) -> int | None:
        """The index-th 32-byte word of a successful call's return data as an unsigned int."""
        chunk = self.data[32 * index : 32 * (index + 1)]
        return int.from_bytes(chunk, "big") if self.ok and len(chunk) == 32 else None


def params(blocks: list[SimBlock], block: str = "latest", *, trace_transfers: bool = False) -> list[Any]:
    """eth_simulateV1's params for these blocks on top of `block`."""
    payload = {
        "blockStateCalls": [b.as_json() for b in blocks],
        "validation": False,
        "traceTransfers": trace_transfers,
    }
    return [payload, block]


def unsupported(response: dict[str, Any]) -> bool:
    error = response.get("error")
    return isinstance(error, dict) and error.get("code") == METHOD_NOT_FOUND


def results(response: dict[str, Any]) -> list[list[SimResult]] | None:
    """Per block, per call; None when the node answered with an error for the whole request."""
    if "error" in response or not isinstance(response.get("result"), list):
        return None
    out: list[list[SimResult]] = []
    for block in response["result"]:
        calls = []
        for call in block.get("calls") or []:
            status = str(call.get("status") or "0x0")
            err = call.get("error")
            ok = int(status, 16) == 1
            data = _hex_bytes(call.get("returnData"))
            if not ok and not data and isinstance(err, dict):
                data = _hex_bytes(err.get("data"))  # some nodes put the revert data only in the error
            calls.append(
                SimResult(
                    ok=ok,
                    data=data,
                    gas_used=int(str(call.get("gasUsed") or "0x0"), 16),
                    logs=list(call.get("logs") or []),
                    error=str(err.get("message")) if isinstance(err, dict) else None,
                )
            )
        out.append(calls)
    return out


def block_headers(response: dict[str, Any]) -> list[dict[str, int]]:
    """Per simulated block: {"number", "timestamp", "gasLimit", "gasUsed"} (those the node sent)."""
    out: list[dict[str, int]] = []
    for block in response.get("result") or []:
        fields = {}
        for key in ("number", "timestamp", "gasLimit", "gasUsed"):
            value = block.get(key) if isinstance(block, dict) else None
            if isinstance(value, str) and value.startswith("0x"):
                fields[key] = int(value, 16)
        out.append(fields)
    return out


def error_message(response: dict[str, Any]) -> str | None:
    """The error of a whole request ("code: message"), None when it answered."""
    error = response.get("error")
    if error is None:
        return None
    if isinstance(error, dict):
        return f"{error.get('code')}: {error.get('message')}"
    return str(error)


def _hex_bytes(value: Any) -> bytes:
    if isinstance(value, dict):
        value = value.get("data")
    if not isinstance(value, str) or not value.startswith("0x"):
        return b""
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        return b""


def label_address(label: str) -> str:
    """A fixed address derived from a label: nobody holds its key, no chain has code or history there
    (the fresh wallets and helper addresses a simulation uses)."""
    return to_checksum_address(keccak(text=label)[12:])


def storage_key(slot: int) -> str:
    return "0x" + slot.to_bytes(32, "big").hex()


def balance_override(address: str, wei: int) -> dict[str, dict[str, Any]]:
    return {to_checksum_address(address): {"balance": hex(wei)}}

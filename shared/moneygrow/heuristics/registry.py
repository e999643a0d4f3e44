"""The heuristic checks' registry and their shared context.

A check is `def check(ctx: HeuristicContext) -> CheckOutcome`: findings, a data dict merged into the
agent's data, and the gaps it could not fill. Checks are independent: they share facts through the
context, which computes each fact once, on first use.

Round trips. Every read a check needs that does not depend on another read is declared up front
(`register(..., prefetch=...)`), and the context sends all of them - with the token's code, ERC-20
metadata and owner() - in ONE JSON-RPC batch. Reads that depend on an earlier answer (the pair's
reserves once getPair answered, the implementation's code once the proxy slot is read) are batched
per check with `ctx.read`. A typical token costs 4-6 round trips for all static checks.

Gaps come in two kinds: `gaps` (something that should have been checked failed: the agent is
DEGRADED) and `unconfigured` (a provider with no key or switched off: named, but the agent's result
is as good as this deployment can make it, so it stays OK).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from eth_utils.address import is_address, to_checksum_address
from eth_utils.crypto import keccak

from moneygrow.chain import bytecode as bc
from moneygrow.chain.networks import Network
from moneygrow.chain.reader import (
    ZERO_ADDRESS,
    CallResult,
    ChainReader,
    ChainUnavailable,
    RpcError,
)
from moneygrow.models import AnalysisTask, Finding
from moneygrow.providers import ContractCreation, ContractSource, Providers

if TYPE_CHECKING:
    from moneygrow.heuristics.proxy import ProxyInfo

log = logging.getLogger(__name__)
T = TypeVar("T")

DEAD_ADDRESS = "0x000000000000000000000000000000000000dEaD"
# Transfer/OwnershipTransferred logs are read over at most this many recent blocks: public nodes cap
# eth_getLogs ranges, so without an explorer the history (holders, former owners) may be partial.
LOG_BLOCK_RANGE = 50_000
LOG_BLOCK_RANGE_RETRY = 2_000  # one retry with this window when the node refuses the first one
TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
OWNERSHIP_TOPIC = "0x" + keccak(text="OwnershipTransferred(address,address)").hex()
ROLE_GRANTED_TOPIC = "0x" + keccak(text="RoleGranted(bytes32,address,address)").hex()
STORAGE_SCAN_SLOTS = 16  # plain storage slots read in the first batch (owner-like slots, former owners)
BURN_ADDRESSES = frozenset({ZERO_ADDRESS, DEAD_ADDRESS, "0x0000000000000000000000000000000000000001"})


# --- reads ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    """One JSON-RPC read (method + params), to be sent in a batch."""

    method: str
    params: list[Any]


def eth_call(to: str, signature: str, types: tuple[str, ...] = (), args: tuple[Any, ...] = ()) -> Read:
    data = bc.calldata(signature, types, args)
    return Read("eth_call", [{"to": to, "data": "0x" + data.hex()}, "latest"])


def get_code(address: str) -> Read:
    return Read("eth_getCode", [address, "latest"])


def get_storage(address: str, slot: int) -> Read:
    return Read("eth_getStorageAt", [address, hex(slot), "latest"])


def as_call(response: dict[str, Any]) -> CallResult:
    """A raw eth_call response -> CallResult; a revert is data, another node error raises RpcError."""
    return ChainReader._call_result("eth_call", response)


def as_bytes(method: str, response: dict[str, Any]) -> bytes:
    if "error" in response:
        raise RpcError(method, response["error"])
    return bytes.fromhex(str(response.get("result") or "0x")[2:])


def word_address(data: bytes) -> str | None:
    """The address in a 32-byte word (an ABI-encoded address or a storage slot holding only an
    address); None when the word holds something else."""
    if len(data) < 32 or any(data[:12]):
        return None
    return to_checksum_address(data[12:32])


def word_uint(data: bytes, index: int = 0) -> int | None:
    chunk = data[32 * index : 32 * (index + 1)]
    return int.from_bytes(chunk, "big") if len(chunk) == 32 else None


def call_address(res: CallResult) -> str | None:
    return word_address(res.data) if res.ok and len(res.data) == 32 else None


def call_uint(res: CallResult, index: int = 0) -> int | None:
    return word_uint(res.data, index) if res.ok else None


def is_burn(address: str | None) -> bool:
    return address is not None and to_checksum_address(address) in BURN_ADDRESSES


def checksum(address: str) -> str:
    if not is_address(address):
        raise ValueError(f"not an address: {address!r}")
    return to_checksum_address(address)


def topic_address(topic: str) -> str:
    return to_checksum_address("0x" + topic[-40:])


@dataclass
class TokenLogs:
    """The token's Transfer and OwnershipTransferred events over [from_block, to_block]."""

    from_block: int
    to_block: int
    transfers: list[tuple[int, str, str, int]] = field(default_factory=list)  # block, from, to, value
    ownership: list[tuple[int, str, str]] = field(default_factory=list)  # block, previous, new owner
    role_grants: list[tuple[int, str, str]] = field(default_factory=list)  # block, role (hex), account
    error: str | None = None

    @property
    def complete(self) -> bool:
        """True when the window starts at genesis, so the logs hold the token's whole history."""
        return self.error is None and self.from_block == 0

    @property
    def former_owners(self) -> set[str]:
        return {a for _, prev, new in self.ownership for a in (prev, new) if a != ZERO_ADDRESS}

    @property
    def holders(self) -> list[tuple[str, int]]:
        """(address, net amount received) for every address the logs leave holding tokens, largest
        first: balances as far as this window shows them."""
        net: dict[str, int] = defaultdict(int)
        for _, src, dst, value in self.transfers:
            net[src] -= value
            net[dst] += value
        return sorted(((a, v) for a, v in net.items() if v > 0), key=lambda item: -item[1])

    @property
    def first_minted_to(self) -> str | None:
        for _, src, dst, _ in self.transfers:
            if src == ZERO_ADDRESS and dst != ZERO_ADDRESS:
                return dst
        return None


# --- outcome and context ------------------------------------------------------------------------------


@dataclass
class CheckOutcome:
    findings: list[Finding] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    gaps: list[str] = field(default_factory=list)  # checks that failed: the result is DEGRADED
    unconfigured: list[str] = field(default_factory=list)  # providers not configured: named, not degrading


Prefetch = Callable[["HeuristicContext"], dict[str, Read]]
CheckFn = Callable[["HeuristicContext"], CheckOutcome]


@dataclass(frozen=True)
class Check:
    name: str
    run: CheckFn
    prefetch: Prefetch | None = None


CHECKS: dict[str, Check] = {}


def register(name: str, prefetch: Prefetch | None = None) -> Callable[[CheckFn], CheckFn]:
    """Decorator: add a check (and the independent reads it wants in the first batch)."""

    def add(fn: CheckFn) -> CheckFn:
        CHECKS[name] = Check(name, fn, prefetch)
        return fn

    return add


_PINNABLE = frozenset({"eth_call", "eth_getCode", "eth_getStorageAt"})

_ERC20_FIELDS = {
    "name": "name()",
    "symbol": "symbol()",
    "decimals": "decimals()",
    "total_supply": "totalSupply()",
}


class HeuristicContext:
    """Task, chain, providers and the facts several checks share, each computed once."""

    def __init__(
        self, task: AnalysisTask, reader: ChainReader, network: Network, providers: Providers
    ) -> None:
        self.task = task
        self.address = checksum(task.token_address)
        self.reader = reader
        self.network = network
        self.providers = providers
        self._pre: dict[str, dict[str, Any]] = {}
        self._memo: dict[str, Any] = {}

    # --- batching -------------------------------------------------------------------------------

    def read(self, reads: dict[str, Read]) -> dict[str, dict[str, Any]]:
        """Send the reads in one JSON-RPC batch; raw responses by key."""
        if not reads:
            return {}
        keys = list(reads)
        responses = self.reader._batch([(reads[k].method, self._pinned(reads[k])) for k in keys])
        return dict(zip(keys, responses, strict=True))

    def _pinned(self, read: Read) -> list[Any]:
        """After the first batch, "latest" means the block it saw: every later read sees the same
        state even if a block lands in between."""
        number = (self._pre.get("block") or {}).get("result") or {}
        pinned = number.get("number") if isinstance(number, dict) else None
        if pinned and read.method in _PINNABLE and read.params and read.params[-1] == "latest":
            return [*read.params[:-1], pinned]
        return read.params

    def prefetch(self, checks: list[Check]) -> None:
        """The first round trip: the token's code, metadata and owner, and every check's
        independent reads."""
        a = self.address
        reads: dict[str, Read] = {
            "code": get_code(a),
            "block": Read("eth_getBlockByNumber", ["latest", False]),
            "owner": eth_call(a, "owner()"),
            "getOwner": eth_call(a, "getOwner()"),
        }
        reads.update({f"erc20.{k}": eth_call(a, sig) for k, sig in _ERC20_FIELDS.items()})
        for check in checks:
            if check.prefetch is not None:
                reads.update({f"{check.name}.{k}": r for k, r in check.prefetch(self).items()})
        self._pre = self.read(reads)

    def pre(self, key: str) -> dict[str, Any]:
        """A prefetched raw response ("<check>.<key>" for a check's own reads)."""
        return self._pre[key]

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        if key not in self._memo:
            self._memo[key] = compute()
        value: T = self._memo[key]
        return value

    # --- shared facts ---------------------------------------------------------------------------

    @property
    def code(self) -> bytes:
        return self.memo("code", lambda: as_bytes("eth_getCode", self.pre("code")))

    @property
    def block(self) -> dict[str, Any]:
        """The latest block header (number, timestamp, baseFeePerGas, ...), read in the first batch:
        every read of the analysis is pinned to "latest", and the simulation can reuse it."""
        return self.memo("block_header", lambda: dict(self.pre("block").get("result") or {}))

    @property
    def block_number(self) -> int:
        return int(str(self.block.get("number") or "0x0"), 16)

    @property
    def selectors(self) -> set[str]:
        """Selectors of the token's own dispatcher."""
        return self.memo("selectors", lambda: bc.function_selectors(self.code))

    @property
    def opcodes(self) -> set[str]:
        return self.memo("opcodes", lambda: bc.opcode_names(self.code))

    @property
    def proxy(self) -> ProxyInfo | None:
        """The resolved proxy (implementation, admin, ...) when the token delegates its logic."""
        from moneygrow.heuristics.proxy import resolve

        return self.memo("proxy", lambda: resolve(self))

    @property
    def implementation_code(self) -> bytes:
        proxy = self.proxy
        return proxy.implementation_code if proxy is not None else b""

    @property
    def all_selectors(self) -> set[str]:
        """The token's selectors merged with its implementation's when it is a proxy."""
        return self.memo(
            "all_selectors", lambda: self.selectors | bc.function_selectors(self.implementation_code)
        )

    @property
    def all_opcodes(self) -> set[str]:
        return self.memo("all_opcodes", lambda: self.opcodes | bc.opcode_names(self.implementation_code))

    @property
    def meta(self) -> dict[str, Any]:
        """Like ChainReader.erc20_metadata: name, symbol, decimals, total_supply, failed."""
        from moneygrow.chain.reader import _decode_field

        def compute() -> dict[str, Any]:
            out: dict[str, Any] = {}
            failed: list[str] = []
            for key in _ERC20_FIELDS:
                out[key] = _decode_field(key, as_call(self.pre(f"erc20.{key}")))
                if out[key] is None:
                    failed.append(key)
            out["failed"] = failed
            return out

        return self.memo("meta", compute)

    @property
    def owner(self) -> str | None:
        """owner() (or BEP-20 getOwner()); None when the token has neither."""

        def compute() -> str | None:
            for key in ("owner", "getOwner"):
                found = call_address(as_call(self.pre(key)))
                if found is not None:
                    return found
            return None

        return self.memo("owner", compute)

    @property
    def logs(self) -> TokenLogs:
        """Transfer + OwnershipTransferred logs of the last LOG_BLOCK_RANGE blocks (one eth_getLogs)."""

        def fetch(span: int) -> TokenLogs:
            to_block = self.block_number
            out = TokenLogs(max(0, to_block - span), to_block)
            flt = {
                "address": self.address,
                "fromBlock": hex(out.from_block),
                "toBlock": hex(to_block),
                "topics": [[TRANSFER_TOPIC, OWNERSHIP_TOPIC, ROLE_GRANTED_TOPIC]],
            }
            response = self.read({"logs": Read("eth_getLogs", [flt])})["logs"]
            if "error" in response:
                out.error = str(response["error"])[:200]
                return out
            for entry in response.get("result") or []:
                _add_log(out, entry)
            return out

        def compute() -> TokenLogs:
            logs = fetch(LOG_BLOCK_RANGE)
            if logs.error is not None and logs.to_block - logs.from_block > LOG_BLOCK_RANGE_RETRY:
                logs = fetch(LOG_BLOCK_RANGE_RETRY)  # a busy token or a node with a tighter cap
            return logs

        return self.memo("logs", compute)

    @property
    def deployer(self) -> tuple[str | None, str]:
        """(address, how we know): the explorer's creator, else the first owner or first mint
        recipient seen in the logs when they cover the whole history."""

        def compute() -> tuple[str | None, str]:
            creation = self.creation
            if creation is not None and is_address(creation.creator):
                return to_checksum_address(creation.creator), "explorer"
            logs = self.logs
            if logs.complete:
                for _, prev, new in logs.ownership:
                    if prev == ZERO_ADDRESS and new != ZERO_ADDRESS:
                        return new, "first OwnershipTransferred event"
                if logs.first_minted_to is not None:
                    return logs.first_minted_to, "first mint (Transfer from 0x0)"
            return None, "unknown"

        return self.memo("deployer", compute)

    @property
    def source(self) -> ContractSource | None:
        """Verified source/ABI from the explorer (None when not configured or not answering)."""
        explorer = self.providers.explorer
        if explorer is None:
            return None
        return self.memo("source", lambda: _guarded(lambda: explorer.source(self.task.chain, self.address)))

    @property
    def creation(self) -> ContractCreation | None:
        explorer = self.providers.explorer
        if explorer is None:
            return None
        return self.memo(
            "creation", lambda: _guarded(lambda: explorer.creation(self.task.chain, self.address))
        )


def _add_log(out: TokenLogs, entry: dict[str, Any]) -> None:
    topics = entry.get("topics") or []
    block = int(str(entry.get("blockNumber") or "0x0"), 16)
    if len(topics) == 3 and topics[0] == TRANSFER_TOPIC:  # ERC-20 (ERC-721 has 4 topics)
        data = bytes.fromhex(str(entry.get("data") or "0x")[2:])
        value = word_uint(data)
        if value is not None:
            out.transfers.append((block, topic_address(topics[1]), topic_address(topics[2]), value))
    elif len(topics) == 3 and topics[0] == OWNERSHIP_TOPIC:
        out.ownership.append((block, topic_address(topics[1]), topic_address(topics[2])))
    elif len(topics) == 4 and topics[0] == ROLE_GRANTED_TOPIC:
        out.role_grants.append((block, str(topics[1]), topic_address(topics[2])))


def _guarded(fetch: Callable[[], T | None]) -> T | None:
    """A provider call; an adapter bug must not sink the whole analysis (it becomes a gap)."""
    try:
        return fetch()
    except Exception:
        log.warning("provider call failed", exc_info=True)
        return None


def run_checks(ctx: HeuristicContext, checks: list[Check]) -> list[tuple[str, CheckOutcome]]:
    """Run each check; one that breaks becomes a gap, not a failed agent. A chain that does not
    answer at all propagates (the workflow retries or degrades the whole agent)."""
    out: list[tuple[str, CheckOutcome]] = []
    for check in checks:
        try:
            outcome = check.run(ctx)
        except ChainUnavailable:
            raise
        except (RpcError, ValueError, KeyError, ArithmeticError) as exc:
            log.warning("heuristic check %s failed", check.name, exc_info=True)
            outcome = CheckOutcome(gaps=[f"{check.name} check failed: {type(exc).__name__}: {exc}"[:300]])
        out.append((check.name, outcome))
    return out

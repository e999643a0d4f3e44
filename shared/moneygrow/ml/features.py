"""Runtime bytecode -> a fixed, named feature vector (pure functions, no I/O).

Self-contained on purpose: the opcode walk is a few lines, and the ML Lambda should not depend on
the chain package's internals. (moneygrow.chain.bytecode may grow a richer walk; if it does, this
module can delegate to it as long as the feature values stay the same, or the model is retrained.)

The solc version read from the CBOR metadata is returned as *metadata*, not as a feature: the
labelled data's negatives are mostly 2017-2019 tokens and its positives mostly 2020-2023, so a
compiler-version feature would let the model learn "new compiler = scam". For the same reason the
opcodes that exist only because a newer compiler/EVM emits them (SHL/SHR/SAR, PUSH0, CHAINID,
RETURNDATA*, ...) are not features either.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

from eth_hash.auto import keccak

from moneygrow.chain.bytecode import ERC20_REQUIRED

# Opcodes by value (only the ones we count or must recognise).
_OPCODES: dict[str, int] = {
    "EQ": 0x14,
    "GT": 0x11,
    "LT": 0x10,
    "SHA3": 0x20,
    "ADDRESS": 0x30,
    "BALANCE": 0x31,
    "ORIGIN": 0x32,
    "CALLER": 0x33,
    "CALLVALUE": 0x34,
    "GASPRICE": 0x3A,
    "EXTCODESIZE": 0x3B,
    "BLOCKHASH": 0x40,
    "COINBASE": 0x41,
    "TIMESTAMP": 0x42,
    "NUMBER": 0x43,
    "SLOAD": 0x54,
    "SSTORE": 0x55,
    "JUMPI": 0x57,
    "GAS": 0x5A,
    "LOG1": 0xA1,
    "LOG2": 0xA2,
    "LOG3": 0xA3,
    "LOG4": 0xA4,
    "CREATE": 0xF0,
    "CALL": 0xF1,
    "CALLCODE": 0xF2,
    "DELEGATECALL": 0xF4,
    "CREATE2": 0xF5,
    "SELFDESTRUCT": 0xFF,
}
_PUSH1, _PUSH4, _PUSH20, _PUSH32 = 0x60, 0x63, 0x73, 0x7F
_DUP1, _DUP16, _SWAP1, _SWAP16 = 0x80, 0x8F, 0x90, 0x9F

# Opcodes whose rate per kilobyte is a feature (names are stable: they are the model's inputs).
COUNTED_OPCODES: tuple[str, ...] = (
    "CALL",
    "CALLCODE",
    "DELEGATECALL",
    "SELFDESTRUCT",
    "CREATE",
    "CREATE2",
    "SSTORE",
    "SLOAD",
    "CALLER",
    "ORIGIN",
    "TIMESTAMP",
    "NUMBER",
    "BLOCKHASH",
    "COINBASE",
    "GASPRICE",
    "BALANCE",
    "CALLVALUE",
    "EXTCODESIZE",
    "GAS",
    "JUMPI",
    "SHA3",
    "LOG1",
    "LOG2",
    "LOG3",
    "LOG4",
)

# Groups of function signatures a privileged owner can use against holders. A group's feature is 1
# when any of its selectors appears in the dispatcher.
PRIVILEGED_SIGNATURES: dict[str, tuple[str, ...]] = {
    "mint": ("mint(address,uint256)", "mint(uint256)", "mintTo(address,uint256)", "_mint(address,uint256)"),
    "blacklist": (
        "blacklist(address)",
        "addBlackList(address)",
        "addToBlacklist(address)",
        "blacklistAddress(address,bool)",
        "setBlacklist(address,bool)",
        "removeBlackList(address)",
        "destroyBlackFunds(address)",
        "setBots(address[])",
        "blockBots(address[])",
        "delBot(address)",
        "addBot(address)",
    ),
    "pause": ("pause()", "unpause()", "setPaused(bool)"),
    "fee_setter": (
        "setFee(uint256)",
        "setTaxFee(uint256)",
        "setTaxFeePercent(uint256)",
        "setLiquidityFeePercent(uint256)",
        "setFees(uint256,uint256)",
        "updateFees(uint256,uint256,uint256)",
        "setBuyFee(uint256,uint256)",
        "setSellFee(uint256,uint256)",
    ),
    "max_tx_setter": (
        "setMaxTxAmount(uint256)",
        "setMaxTxPercent(uint256)",
        "setMaxWalletSize(uint256)",
        "setMaxWallet(uint256)",
        "removeLimits()",
    ),
    "trading_switch": (
        "openTrading()",
        "enableTrading()",
        "setTradingEnabled(bool)",
        "setCooldownEnabled(bool)",
        "setSwapEnabled(bool)",
        "setSwapAndLiquifyEnabled(bool)",
    ),
    "fee_exclusion": ("excludeFromFee(address)", "includeInFee(address)", "excludeFromReward(address)"),
    "owner_drain": ("manualswap()", "manualsend()", "withdraw()", "withdrawAll()", "rescueETH()"),
    "ownership": ("owner()", "transferOwnership(address)", "renounceOwnership()"),
}
ERC20_SIGNATURES: tuple[str, ...] = tuple(ERC20_REQUIRED.values())


def selector(signature: str) -> int:
    """The 4-byte function selector of a canonical signature, as an int."""
    return int.from_bytes(keccak(signature.encode())[:4], "big")


@cache
def _privileged_selectors() -> dict[str, frozenset[int]]:
    return {group: frozenset(selector(s) for s in sigs) for group, sigs in PRIVILEGED_SIGNATURES.items()}


@cache
def _erc20_selectors() -> frozenset[int]:
    return frozenset(selector(s) for s in ERC20_SIGNATURES)


FEATURE_NAMES: tuple[str, ...] = (
    "code_kb",
    "n_selectors",
    "erc20_selectors",
    "push20_per_kb",
    *(f"{op.lower()}_per_kb" for op in COUNTED_OPCODES),
    *(f"has_{group}" for group in PRIVILEGED_SIGNATURES),
)


@dataclass(frozen=True)
class CodeMetadata:
    """What the compiler appended to the runtime code (never used as a model feature)."""

    solc_version: str | None  # "0.8.19"; None when the metadata has no solc field (solc < 0.5.9)
    hash_kind: str | None  # "ipfs" | "bzzr0" | "bzzr1" | None (no metadata found)
    metadata_length: int  # bytes of CBOR + 2-byte length suffix, 0 when none
    free_memory_pointer: int | None = None  # 0x60 before solc 0.4.22, 0x80 since; None if unknown

    @property
    def compiler_era(self) -> str:
        """'<0.6' or '>=0.6' (the split the data README asks for), 'unknown' when undecidable."""
        if self.solc_version is not None:
            major, minor = (int(p) for p in self.solc_version.split(".")[:2])
            return "<0.6" if (major, minor) < (0, 6) else ">=0.6"
        if self.hash_kind in (None, "bzzr0", "bzzr1"):
            # No metadata (solc < 0.4.7), bzzr0 without a solc field (< 0.5.9), bzzr1 (0.5.12-0.5.17).
            return "<0.6"
        return "unknown"

    @property
    def compiler_epoch(self) -> str:
        """A finer split for code without a solc field: '<0.4.22' (free memory pointer 0x60),
        '0.4.22-0.5.x' (0x80), '>=0.6', or 'unknown'."""
        era = self.compiler_era
        if era != "<0.6":
            return era
        if self.free_memory_pointer == 0x60:
            return "<0.4.22"
        if self.free_memory_pointer == 0x80:
            return "0.4.22-0.5.x"
        return "unknown"


@dataclass(frozen=True)
class Instruction:
    pc: int
    op: int
    arg: bytes


# --- CBOR metadata -----------------------------------------------------------------------------


class _CborError(ValueError):
    pass


def _cbor_head(data: bytes, pos: int) -> tuple[int, int, int]:
    if pos >= len(data):
        raise _CborError("truncated")
    major, info = data[pos] >> 5, data[pos] & 0x1F
    pos += 1
    if info < 24:
        return major, info, pos
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None or pos + size > len(data):
        raise _CborError("unsupported length")
    return major, int.from_bytes(data[pos : pos + size], "big"), pos + size


def _cbor_item(data: bytes, pos: int) -> tuple[Any, int]:
    major, value, pos = _cbor_head(data, pos)
    if major == 0:
        return value, pos
    if major in (2, 3):
        if pos + value > len(data):
            raise _CborError("truncated string")
        raw = data[pos : pos + value]
        return (raw if major == 2 else raw.decode("utf-8", "replace")), pos + value
    if major == 7 and value in (20, 21):
        return value == 21, pos
    raise _CborError(f"unsupported major type {major}")


def _decode_cbor_map(data: bytes) -> dict[str, Any]:
    major, n, pos = _cbor_head(data, 0)
    if major != 5 or n > 8:
        raise _CborError("not a small map")
    out: dict[str, Any] = {}
    for _ in range(n):
        key, pos = _cbor_item(data, pos)
        value, pos = _cbor_item(data, pos)
        if not isinstance(key, str):
            raise _CborError("non-text key")
        out[key] = value
    if pos != len(data):
        raise _CborError("trailing bytes")
    return out


def read_metadata(code: bytes) -> CodeMetadata:
    """Parse the CBOR map solc appends to runtime code (its length is the last two bytes), and
    the free memory pointer solc stores first (PUSH1 fmp PUSH1 0x40 MSTORE)."""
    fmp = code[1] if len(code) >= 5 and code[0] == _PUSH1 and code[2:5] == b"\x60\x40\x52" else None
    if len(code) >= 4:
        length = int.from_bytes(code[-2:], "big")
        if 0 < length <= len(code) - 2:
            try:
                meta = _decode_cbor_map(code[-2 - length : -2])
            except _CborError:
                meta = None
            if meta is not None:
                return _metadata_from_map(meta, length + 2, fmp)
    return CodeMetadata(solc_version=None, hash_kind=None, metadata_length=0, free_memory_pointer=fmp)


def _metadata_from_map(meta: dict[str, Any], metadata_length: int, fmp: int | None) -> CodeMetadata:
    solc = meta.get("solc")
    version: str | None = None
    if isinstance(solc, bytes) and len(solc) == 3:
        version = ".".join(str(b) for b in solc)
    elif isinstance(solc, str):  # pre-release builds store the full version string
        version = solc.split("-")[0].split("+")[0] or None
    kind = next((k for k in ("ipfs", "bzzr1", "bzzr0") if k in meta), None)
    return CodeMetadata(
        solc_version=version, hash_kind=kind, metadata_length=metadata_length, free_memory_pointer=fmp
    )


# --- opcode walk -------------------------------------------------------------------------------


def instructions(code: bytes) -> list[Instruction]:
    """Linear walk: each PUSHn's immediate bytes are skipped, not decoded as opcodes."""
    out: list[Instruction] = []
    pc = 0
    while pc < len(code):
        op = code[pc]
        width = op - _PUSH1 + 1 if _PUSH1 <= op <= _PUSH32 else 0
        out.append(Instruction(pc, op, code[pc + 1 : pc + 1 + width]))
        pc += 1 + width
    return out


def function_selectors(walk: list[Instruction]) -> set[int]:
    """4-byte constants the dispatcher compares calldata against: PUSH4 x followed (possibly
    after DUPs/SWAPs) by EQ, or by GT/LT in solc's binary-search dispatcher."""
    comparisons = {_OPCODES["EQ"], _OPCODES["GT"], _OPCODES["LT"]}
    found: set[int] = set()
    for i, ins in enumerate(walk):
        if ins.op != _PUSH4 or len(ins.arg) != 4:
            continue
        value = int.from_bytes(ins.arg, "big")
        if value in (0, 0xFFFFFFFF):
            continue
        for nxt in walk[i + 1 : i + 4]:
            if nxt.op in comparisons:
                found.add(value)
                break
            if not (_DUP1 <= nxt.op <= _DUP16 or _SWAP1 <= nxt.op <= _SWAP16):
                break
    return found


def strip_metadata(code: bytes) -> bytes:
    meta = read_metadata(code)
    return code[: len(code) - meta.metadata_length] if meta.metadata_length else code


def extract_features(code: bytes) -> dict[str, float]:
    """The full named feature vector (keys == FEATURE_NAMES, in that order)."""
    body = strip_metadata(code)
    walk = instructions(body)
    kb = max(len(body), 1) / 1024.0
    counts = Counter(ins.op for ins in walk)
    selectors = function_selectors(walk)
    push20 = sum(1 for ins in walk if ins.op == _PUSH20 and ins.arg != b"\xff" * 20)

    features: dict[str, float] = {
        "code_kb": len(body) / 1024.0,
        "n_selectors": float(len(selectors)),
        "erc20_selectors": float(len(selectors & _erc20_selectors())),
        "push20_per_kb": push20 / kb,
    }
    for name in COUNTED_OPCODES:
        features[f"{name.lower()}_per_kb"] = counts[_OPCODES[name]] / kb
    for group, group_selectors in _privileged_selectors().items():
        features[f"has_{group}"] = 1.0 if selectors & group_selectors else 0.0
    return features


def matched_privileged_signatures(code: bytes) -> dict[str, list[str]]:
    """For explanations: which known privileged signatures the dispatcher contains, by group."""
    selectors = function_selectors(instructions(strip_metadata(code)))
    out: dict[str, list[str]] = {}
    for group, sigs in PRIVILEGED_SIGNATURES.items():
        hits = [s for s in sigs if selector(s) in selectors]
        if hits:
            out[group] = hits
    return out


def vectorize(features: dict[str, float], names: list[str] | tuple[str, ...]) -> list[float]:
    """Order a feature dict by a model's feature names (KeyError names a missing feature)."""
    return [features[name] for name in names]

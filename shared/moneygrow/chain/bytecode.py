"""Pure EVM bytecode inspection: opcode walk, dispatcher selectors, risky-function table.

No network, no web3 objects: bytes in, facts out. Good enough for a first-pass scan of runtime code
produced by Solidity (and most Vyper); it does not execute anything, so it reports what functions a
contract *exposes*, not who may call them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode
from eth_utils.abi import function_signature_to_4byte_selector

# Opcode byte -> mnemonic (Cancun). PUSH1..PUSH32, DUP1..16, SWAP1..16, LOG0..4 are filled in below.
OPCODES: dict[int, str] = {
    0x00: "STOP", 0x01: "ADD", 0x02: "MUL", 0x03: "SUB", 0x04: "DIV", 0x05: "SDIV", 0x06: "MOD",
    0x07: "SMOD", 0x08: "ADDMOD", 0x09: "MULMOD", 0x0A: "EXP", 0x0B: "SIGNEXTEND",
    0x10: "LT", 0x11: "GT", 0x12: "SLT", 0x13: "SGT", 0x14: "EQ", 0x15: "ISZERO", 0x16: "AND",
    0x17: "OR", 0x18: "XOR", 0x19: "NOT", 0x1A: "BYTE", 0x1B: "SHL", 0x1C: "SHR", 0x1D: "SAR",
    0x20: "KECCAK256",
    0x30: "ADDRESS", 0x31: "BALANCE", 0x32: "ORIGIN", 0x33: "CALLER", 0x34: "CALLVALUE",
    0x35: "CALLDATALOAD", 0x36: "CALLDATASIZE", 0x37: "CALLDATACOPY", 0x38: "CODESIZE",
    0x39: "CODECOPY", 0x3A: "GASPRICE", 0x3B: "EXTCODESIZE", 0x3C: "EXTCODECOPY",
    0x3D: "RETURNDATASIZE", 0x3E: "RETURNDATACOPY", 0x3F: "EXTCODEHASH",
    0x40: "BLOCKHASH", 0x41: "COINBASE", 0x42: "TIMESTAMP", 0x43: "NUMBER", 0x44: "PREVRANDAO",
    0x45: "GASLIMIT", 0x46: "CHAINID", 0x47: "SELFBALANCE", 0x48: "BASEFEE", 0x49: "BLOBHASH",
    0x4A: "BLOBBASEFEE",
    0x50: "POP", 0x51: "MLOAD", 0x52: "MSTORE", 0x53: "MSTORE8", 0x54: "SLOAD", 0x55: "SSTORE",
    0x56: "JUMP", 0x57: "JUMPI", 0x58: "PC", 0x59: "MSIZE", 0x5A: "GAS", 0x5B: "JUMPDEST",
    0x5C: "TLOAD", 0x5D: "TSTORE", 0x5E: "MCOPY", 0x5F: "PUSH0",
    0xF0: "CREATE", 0xF1: "CALL", 0xF2: "CALLCODE", 0xF3: "RETURN", 0xF4: "DELEGATECALL",
    0xF5: "CREATE2", 0xFA: "STATICCALL", 0xFD: "REVERT", 0xFE: "INVALID", 0xFF: "SELFDESTRUCT",
}  # fmt: skip
OPCODES.update({0x60 + i: f"PUSH{i + 1}" for i in range(32)})
OPCODES.update({0x80 + i: f"DUP{i + 1}" for i in range(16)})
OPCODES.update({0x90 + i: f"SWAP{i + 1}" for i in range(16)})
OPCODES.update({0xA0 + i: f"LOG{i}" for i in range(5)})
OPCODE_BY_NAME: dict[str, int] = {name: op for op, name in OPCODES.items()}

# keccak256("eip1967.proxy.implementation") - 1: the storage slot an EIP-1967 proxy keeps its logic in.
EIP1967_IMPLEMENTATION_SLOT = 0x360894A13BA1A3210667C828492DB98DCA3E2076CC3735A920A3CA505D382BBC
# keccak256("eip1967.proxy.admin") - 1 and keccak256("eip1967.proxy.beacon") - 1.
EIP1967_ADMIN_SLOT = 0xB53127684A568B3173AE13B9F8A6016E243E63B6E8EE1178D6A717850B5D6103
EIP1967_BEACON_SLOT = 0xA3F0AD74E5423AEBFD80D3EF4346578335A9A72AEAEE59FF6CB3582B35133D50
# EIP-1822 (UUPS, "proxiable"): keccak256("PROXIABLE").
EIP1822_PROXIABLE_SLOT = 0xC5F16F0FCC639FA48A6947836D9850F504798523BF8C9A3A87D5876CF622BCF7
# OpenZeppelin's pre-EIP-1967 proxies: keccak256("org.zeppelinos.proxy.implementation" / ".admin").
ZOS_IMPLEMENTATION_SLOT = 0x7050C9E0F4CA769C69BD3A8EF740BC37934F8E2C036E5A723FD8EE048ED3F8C3
ZOS_ADMIN_SLOT = 0x10D6A54A4754C8869D6886B5F5D7FBFA5B4522237EA5C60D11BC4E7A1FF9390B


@dataclass(frozen=True)
class Instruction:
    pc: int
    opcode: int
    name: str  # "UNKNOWN_0xNN" for undefined bytes (usually data appended after the code)
    push_data: bytes = b""


def strip_metadata(code: bytes) -> bytes:
    """Drop Solidity's CBOR metadata trailer (its length is in the last two bytes), if present."""
    if len(code) < 4:
        return code
    length = int.from_bytes(code[-2:], "big")
    start = len(code) - 2 - length
    if length > 0 and start >= 0 and code[start] in (0xA1, 0xA2, 0xA3, 0xA4):
        return code[:start]
    return code


def instructions(code: bytes) -> Iterator[Instruction]:
    """Walk the code, skipping PUSH immediates (so data bytes are never mistaken for opcodes)."""
    pc, n = 0, len(code)
    while pc < n:
        op = code[pc]
        name = OPCODES.get(op, f"UNKNOWN_0x{op:02x}")
        if 0x60 <= op <= 0x7F:
            size = op - 0x5F
            yield Instruction(pc, op, name, code[pc + 1 : pc + 1 + size])
            pc += 1 + size
        else:
            yield Instruction(pc, op, name)
            pc += 1


def opcode_names(code: bytes) -> set[str]:
    return {ins.name for ins in instructions(strip_metadata(code))}


def has_opcode(code: bytes, name: str) -> bool:
    """True if the (metadata-stripped) code contains the opcode, e.g. "SELFDESTRUCT", "DELEGATECALL"."""
    name = name.upper()
    if name not in OPCODE_BY_NAME:
        raise ValueError(f"unknown opcode {name!r}")
    return name in opcode_names(code)


_COMPARISONS = {"EQ", "GT", "LT"}


def function_selectors(code: bytes) -> set[str]:
    """Selectors ("0x" + 8 hex) the dispatcher compares calldata against.

    Solidity's dispatcher is `DUP1 PUSH4 <sel> EQ PUSH2 <dest> JUMPI` (with `GT` pivots when it
    binary-searches), so a PUSH4 followed by a comparison - directly or after one DUP - is a selector.
    PUSH4s used otherwise (error selectors, masks) are left out.
    """
    ins = list(instructions(strip_metadata(code)))
    found: set[str] = set()
    for i, cur in enumerate(ins):
        if cur.name != "PUSH4" or len(cur.push_data) != 4 or cur.push_data == b"\xff\xff\xff\xff":
            continue
        nxt = ins[i + 1].name if i + 1 < len(ins) else ""
        after = ins[i + 2].name if i + 2 < len(ins) else ""
        if nxt in _COMPARISONS or (nxt.startswith("DUP") and after in _COMPARISONS):
            found.add("0x" + cur.push_data.hex())
    return found


def selector(signature: str) -> str:
    """ "transfer(address,uint256)" -> "0xa9059cbb" (keccak256 of the canonical signature)."""
    return "0x" + function_signature_to_4byte_selector(signature).hex()


def calldata(signature: str, types: tuple[str, ...] = (), args: tuple[Any, ...] = ()) -> bytes:
    """The ABI-encoded call: selector + arguments."""
    return function_signature_to_4byte_selector(signature) + (
        encode(list(types), list(args)) if types else b""
    )


def references_eip1967_slot(code: bytes) -> bool:
    """True if the code pushes the EIP-1967 implementation slot (an upgradeable proxy)."""
    slot = EIP1967_IMPLEMENTATION_SLOT.to_bytes(32, "big")
    return any(i.name == "PUSH32" and i.push_data == slot for i in instructions(strip_metadata(code)))


# --- what a token may expose that gives someone power over holders ---------------------------------


@dataclass(frozen=True)
class RiskyFunction:
    category: str  # a key of _RISKY_SIGNATURES: "mint", "blacklist", "pause", "fee", "limit", ...
    signature: str

    @property
    def selector(self) -> str:
        return selector(self.signature)


_RISKY_SIGNATURES: dict[str, tuple[str, ...]] = {
    "mint": (
        "mint(address,uint256)",
        "mint(uint256)",
        "mintTo(address,uint256)",
        "_mint(address,uint256)",
        "issue(uint256)",
        "mintFor(address,uint256)",
        "createTokens(uint256)",
        # issuers' own words for minting (stablecoins, wrapped assets)
        "issue(address,uint256)",
        "increaseSupply(uint256)",
        "mintToken(address,uint256)",
        "mintTokens(address,uint256)",
        "configureMinter(address,uint256)",
        "generateTokens(address,uint256)",
        "mintToken(uint256)",
        "mintTokens(uint256)",
        "mint(address,uint256,bool)",
        "mint(address,uint256,uint256)",
        "batchMint(address[],uint256[])",
    ),
    "blacklist": (
        "blacklist(address)",
        "addToBlacklist(address)",
        "addBlackList(address)",
        "setBlacklist(address,bool)",
        "blacklistAddress(address,bool)",
        "setBots(address[])",
        "setBots(address[],bool)",
        "setBot(address,bool)",
        "addBots(address[])",
        "blockBots(address[])",
        "setBlacklisted(address,bool)",
        "setBlackList(address,bool)",
        "freeze(address)",
        "freezeAccount(address,bool)",
        "unBlacklist(address)",
        "removeBlackList(address)",
        "setFrozen(address,bool)",
        # account locks and partial freezes (older issuer tokens)
        "freezeAccount(address)",
        "unfreezeAccount(address)",
        "freeze(address,bool)",
        "unfreeze(address)",
        "freeze(address,uint256)",
        "unfreeze(address,uint256)",
        "lockAddress(address)",
        "unlockAddress(address)",
        "lockAddress(address,bool)",
        "lock(address,uint256)",
        "lock(address,uint256,uint256)",
        "unlock(address,uint256)",
        "lockup(address,uint256)",
        "addLock(address[])",
        "removeLock(address[])",
        "setAntiSnipe(bool)",
        "setAntiBot(bool)",
        "setSniperProtection(bool)",
    ),
    "whitelist": (
        "setWhitelist(address,bool)",
        "setWhitelisted(address,bool)",
        "addToWhitelist(address)",
        "whitelist(address)",
        "setAllowed(address,bool)",
        "setWhitelistEnabled(bool)",
        "setWhiteList(address,bool)",
    ),
    "pause": (
        "pause()",
        "unpause()",
        "setPaused(bool)",
        "setPause(bool)",
        "setTradingPaused(bool)",
        # issuers' older words for the same switch (DSToken's stop/start, transfer locks)
        "stop()",
        "start()",
        "halt()",
        "resume()",
        "lock()",
        "unfreeze()",
        "enableTransfers(bool)",
        "enableTransfers()",
        "disableTransfers(bool)",
        "setLocked(bool)",
        "setTransferable(bool)",
        "setTransfersEnabled()",
    ),
    # Switches that turn trading off again (not just the one-way launch below).
    "trading": (
        "setTradingEnabled(bool)",
        "setTrading(bool)",
        "setTradingOpen(bool)",
        "setTradingStatus(bool)",
        "tradingStatus(bool)",
        "stopTrading()",
        "disableTrading()",
    ),
    # One-way launch switches: only a power before launch; reported in data, not as a finding alone.
    "launch": ("enableTrading()", "openTrading()", "startTrading()", "launch()"),
    "fee": (
        "setFee(uint256)",
        "setFees(uint256,uint256)",
        "setFees(uint256,uint256,uint256)",
        "setTax(uint256)",
        "setTaxes(uint256,uint256)",
        "setSellTax(uint256)",
        "setBuyTax(uint256)",
        "setSellFee(uint256)",
        "setBuyFee(uint256)",
        "setTaxFeePercent(uint256)",
        "setLiquidityFeePercent(uint256)",
        "updateFees(uint256,uint256)",
        "updateSellFees(uint256,uint256,uint256)",
        "updateBuyFees(uint256,uint256,uint256)",
        "setTransferFee(uint256)",
        "excludeFromFee(address)",
        "excludeFromFee(address,bool)",
        "excludeFromFees(address,bool)",
    ),
    "limit": (
        "setMaxTxAmount(uint256)",
        "setMaxTxPercent(uint256)",
        "setMaxTx(uint256)",
        "setMaxTransactionAmount(uint256)",
        "updateMaxTxnAmount(uint256)",
        "setMaxWalletSize(uint256)",
        "setMaxWallet(uint256)",
        "setMaxWalletAmount(uint256)",
        "updateMaxWalletAmount(uint256)",
        "setMaxSellAmount(uint256)",
        "setMaxBuyAmount(uint256)",
        "setLimits(uint256,uint256)",
        "excludeFromLimits(address,bool)",
        "setCooldown(uint256)",
        "setCooldownEnabled(bool)",
        "setTransferDelayEnabled(bool)",
    ),
    # Owner functions that change somebody else's balance directly.
    "balance": (
        "setBalance(address,uint256)",
        "burn(address,uint256)",
        "burnFrom(address,uint256,bool)",
        "adminBurn(address,uint256)",
        "forceTransfer(address,address,uint256)",
        "adminTransfer(address,address,uint256)",
        "clawback(address,uint256)",
        "rebase(uint256)",
        "rebase(uint256,int256)",
        # issuers' seizure of frozen / blacklisted funds (law-enforcement roles)
        "destroyBlackFunds(address)",
        "wipeFrozenAddress(address)",
        "wipeBlacklistedAccount(address)",
        "destroyTokens(address,uint256)",
        "destroy(address,uint256)",
        "burnTokens(address,uint256)",
        "seize(address,uint256)",
    ),
    # Ways to take ownership back after it looks renounced (SafeMoon-style lock/unlock, reclaim).
    "reclaim": (
        "lock(uint256)",
        "unlock()",
        "geUnlockTime()",
        "getUnlockTime()",
        "reclaimOwnership()",
        "recoverOwnership()",
        "restoreOwnership()",
    ),
    "upgrade": ("upgradeTo(address)", "upgradeToAndCall(address,bytes)", "changeAdmin(address)"),
    "ownership": ("transferOwnership(address)", "renounceOwnership()"),
}

RISKY_FUNCTIONS: dict[str, RiskyFunction] = {
    selector(sig): RiskyFunction(category, sig)
    for category, sigs in _RISKY_SIGNATURES.items()
    for sig in sigs
}

ERC20_REQUIRED: dict[str, str] = {
    selector(sig): sig
    for sig in (
        "totalSupply()",
        "balanceOf(address)",
        "transfer(address,uint256)",
        "transferFrom(address,address,uint256)",
        "approve(address,uint256)",
        "allowance(address,address)",
    )
}


def risky_functions(selectors: set[str]) -> dict[str, list[str]]:
    """Category -> signatures of the known risky functions among `selectors`."""
    out: dict[str, list[str]] = {}
    for sel in sorted(selectors):
        fn = RISKY_FUNCTIONS.get(sel)
        if fn is not None:
            out.setdefault(fn.category, []).append(fn.signature)
    return out


def missing_erc20_functions(selectors: set[str]) -> list[str]:
    return sorted(sig for sel, sig in ERC20_REQUIRED.items() if sel not in selectors)


_EIP1167_PREFIX = bytes.fromhex("363d3d373d3d3d363d73")
_EIP1167_SUFFIX = bytes.fromhex("5af43d82803e903d91602b57fd5bf3")


def minimal_proxy_target(code: bytes) -> str | None:
    """The implementation address of an EIP-1167 minimal proxy ("clone"), else None."""
    if len(code) == 45 and code.startswith(_EIP1167_PREFIX) and code.endswith(_EIP1167_SUFFIX):
        return "0x" + code[10:30].hex()
    return None


def slots_compared_with_caller(code: bytes, window: int = 12) -> set[int]:
    """Plain storage slots (PUSH <slot> SLOAD) whose value is compared with CALLER nearby: the slots
    an access check (`require(stored == msg.sender)`) reads. A heuristic over the instruction stream,
    good for Solidity's usual code shapes; it tells an access-control slot from, say, a tax wallet."""
    ins = list(instructions(strip_metadata(code)))
    found: set[int] = set()
    for i, cur in enumerate(ins):
        if cur.name != "SLOAD" or i == 0:
            continue
        prev = ins[i - 1]
        if prev.name == "PUSH0":
            slot = 0
        elif prev.name.startswith("PUSH") and 0 < len(prev.push_data) <= 2:
            slot = int.from_bytes(prev.push_data, "big")
        else:
            continue
        near = {x.name for x in ins[max(0, i - window) : i + window]}
        if "CALLER" in near and "EQ" in near:
            found.add(slot)
    return found


def addresses_compared_with_caller(code: bytes, window: int = 8) -> set[str]:
    """Hard-coded addresses (a PUSH20 constant, or an immutable: a PUSH32 holding a 20-byte value)
    compared with CALLER nearby: an admin written into the code, invisible in storage."""
    ins = list(instructions(strip_metadata(code)))
    found: set[str] = set()
    for i, cur in enumerate(ins):
        if cur.name not in ("PUSH20", "PUSH32"):
            continue
        value = cur.push_data.rjust(32, b"\0")
        if any(value[:12]) or int.from_bytes(value, "big") < 2**128 or value[12:] == b"\xff" * 20:
            continue  # not an address (a mask, a small number, a hash)
        near = {x.name for x in ins[max(0, i - window) : i + window]}
        if "CALLER" in near and "EQ" in near:
            found.add("0x" + value[12:].hex())
    return found

"""The function inventory of unverified bytecode: what each external function reads and writes.

evmole (Rust, ~5-40 ms a contract) recovers from runtime bytecode every dispatcher selector with its
argument types and mutability, and every storage variable (slot, offset, type) with the selectors that
read and write it. From that, without names or an ABI:
- the balance mapping: the mapping(address => uint256) that balanceOf reads (several for reflection
  tokens), the supply: the uint256 slots totalSupply reads;
- the transfer path: every slot transfer/transferFrom read, i.e. what their conditions depend on;
- the writers: every non-standard, state-changing function that writes one of those slots. A writer of
  the balance mapping can mint or take tokens; a writer of a slot the transfer path reads can block,
  cap or tax a holder's sell. Those are the candidates the probe (heuristics.probe) then executes.

A function's name is only a label here (KNOWN_SIGNATURES): it never decides what a function does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import evmole

from moneygrow.chain import bytecode as bc

BALANCE_OF = "0x70a08231"
TOTAL_SUPPLY = "0x18160ddd"
TRANSFER = "0xa9059cbb"
TRANSFER_FROM = "0x23b872dd"
APPROVE = "0x095ea7b3"
ALLOWANCE = "0xdd62ed3e"

# Functions whose writes are the token working as designed for the caller's own tokens: their writes
# to the balance mapping are not powers (what they really do is still checked by the probe when their
# selector is among the conventional ones with another meaning, e.g. a burn(uint256) that mints).
STANDARD_SIGNATURES = (
    "transfer(address,uint256)",
    "transferFrom(address,address,uint256)",
    "approve(address,uint256)",
    "increaseAllowance(address,uint256)",
    "decreaseAllowance(address,uint256)",
    "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)",
    "approveAndCall(address,uint256,bytes)",
    "transferAndCall(address,uint256,bytes)",
    "multicall(bytes[])",
)
STANDARD = frozenset(bc.selector(s) for s in STANDARD_SIGNATURES)
# Conventional functions a caller uses on its own tokens; they are probed, and must not raise a balance.
SELF_SERVICE_SIGNATURES = ("burn(uint256)", "burnFrom(address,uint256)", "deposit()", "withdraw(uint256)")
SELF_SERVICE = frozenset(bc.selector(s) for s in SELF_SERVICE_SIGNATURES)
# Role administration (AccessControl, Ownable): who holds power, not a power over holders.
GOVERNANCE_SIGNATURES = (
    "transferOwnership(address)",
    "renounceOwnership()",
    "acceptOwnership()",
    "changeOwner(address)",
    "grantRole(bytes32,address)",
    "revokeRole(bytes32,address)",
    "renounceRole(bytes32,address)",
)
GOVERNANCE = frozenset(bc.selector(s) for s in GOVERNANCE_SIGNATURES)

# Labels for reports: the risky-function table plus common others.
_EXTRA_SIGNATURES = (
    *STANDARD_SIGNATURES,
    *SELF_SERVICE_SIGNATURES,
    *GOVERNANCE_SIGNATURES,
    "mintToken(address,uint256)",
    "freezeAccount(address,bool)",
    "setPrices(uint256,uint256)",
    "sell(uint256)",
    "buy()",
    "burn(address,uint256)",
    "redeem(uint256)",
    "destroyBlackFunds(address)",
    "addBlackList(address)",
    "removeBlackList(address)",
    "unBlacklist(address)",
    "configureMinter(address,uint256)",
    "rely(address)",
    "deny(address)",
    "setMinter(address)",
    "excludeFromReward(address)",
    "includeInReward(address)",
    "deliver(uint256)",
    "manualSwap()",
    "manualsend()",
    "removeLimits()",
    "airdrop(address[],uint256[])",
)
KNOWN_SIGNATURES: dict[str, str] = {
    **{bc.selector(s): s for s in _EXTRA_SIGNATURES},
    **{sel: fn.signature for sel, fn in bc.RISKY_FUNCTIONS.items()},
}


@dataclass(frozen=True)
class Variable:
    """A storage variable: slot (int), byte offset within it, and evmole's type guess."""

    slot: int
    offset: int
    type: str
    reads: frozenset[str]
    writes: frozenset[str]

    @property
    def key(self) -> str:
        return f"{self.slot:#x}" + (f"+{self.offset}" if self.offset else "")

    @property
    def is_address(self) -> bool:
        return self.type == "address"

    @property
    def is_mapping(self) -> bool:
        return self.type.startswith("mapping")


@dataclass(frozen=True)
class Function:
    selector: str  # "0x" + 8 hex
    arguments: tuple[str, ...]
    mutability: str  # view | pure | nonpayable | payable
    reads: frozenset[str] = frozenset()  # Variable.key values
    writes: frozenset[str] = frozenset()

    @property
    def name(self) -> str | None:
        return KNOWN_SIGNATURES.get(self.selector)

    @property
    def label(self) -> str:
        return self.name or f"{self.selector}({','.join(self.arguments)})"

    @property
    def changes_state(self) -> bool:
        return self.mutability not in ("view", "pure")


@dataclass
class Inventory:
    functions: dict[str, Function]
    variables: list[Variable]
    guard_slots: frozenset[int] = frozenset()  # plain slots compared with CALLER (access checks)
    hardcoded: frozenset[str] = frozenset()  # 20-byte constants compared with CALLER
    error: str | None = None
    _by_key: dict[str, Variable] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_key = {v.key: v for v in self.variables}

    def variable(self, key: str) -> Variable | None:
        return self._by_key.get(key)

    def _read_by(self, selector: str) -> set[str]:
        fn = self.functions.get(selector)
        return set(fn.reads) if fn is not None else set()

    @cached_property
    def balance_keys(self) -> frozenset[str]:
        """The mapping(s) balanceOf reads (the balance mapping; two for reflection tokens)."""
        return frozenset(k for k in self._read_by(BALANCE_OF) if (v := self.variable(k)) and v.is_mapping)

    @cached_property
    def supply_keys(self) -> frozenset[str]:
        return frozenset(
            k for k in self._read_by(TOTAL_SUPPLY) if (v := self.variable(k)) and not v.is_mapping
        )

    @cached_property
    def transfer_path_keys(self) -> frozenset[str]:
        """What transfer/transferFrom read besides balances, allowances and supply: the state their
        conditions and fee arithmetic depend on (lists, switches, caps, fees, the pair...)."""
        allowance = {k for k in self._read_by(ALLOWANCE) if (v := self.variable(k)) and v.is_mapping}
        reads = self._read_by(TRANSFER) | self._read_by(TRANSFER_FROM)
        return frozenset(reads - self.balance_keys - self.supply_keys - allowance)

    @cached_property
    def access_keys(self) -> frozenset[str]:
        """Variables that access checks compare with the caller: address slots among guard_slots."""
        return frozenset(v.key for v in self.variables if v.slot in self.guard_slots and not v.is_mapping)

    def guarded(self, fn: Function) -> bool:
        """Static sign of a privileged function: it reads an access-check variable."""
        return bool(fn.reads & self.access_keys)

    def candidates(self) -> list[Function]:
        """Non-standard state-changing functions that write the balance mapping, the supply or a
        variable the transfer path reads, plus conventional self-service functions (their real
        effect is checked), in selector order."""
        watched = self.balance_keys | self.supply_keys
        # the transfer path by whole slots: a flag packed beside an address is written as the slot
        path_slots = {self._slot(k) for k in self.transfer_path_keys}
        out = []
        for sel in sorted(self.functions):
            fn = self.functions[sel]
            if not fn.changes_state or sel in STANDARD or sel in GOVERNANCE:
                continue
            if sel in SELF_SERVICE or fn.writes & watched or {self._slot(k) for k in fn.writes} & path_slots:
                out.append(fn)
        return out

    def _slot(self, key: str) -> int:
        v = self.variable(key)
        return v.slot if v is not None else int(key.split("+")[0], 16)


def inventory(code: bytes) -> Inventory:
    """The inventory of runtime bytecode; an empty one (with `error`) when evmole cannot read it."""
    if not code:
        return Inventory({}, [], error="no code")
    try:
        info = evmole.contract_info(code, selectors=True, arguments=True, state_mutability=True, storage=True)
    except Exception as exc:  # evmole raises plain exceptions on garbage input
        return Inventory({}, [], error=f"evmole: {type(exc).__name__}: {exc}"[:200])
    variables = [
        Variable(
            slot=int(s.slot, 16),
            offset=int(s.offset),
            type=str(s.type),
            reads=frozenset("0x" + r for r in s.reads),
            writes=frozenset("0x" + w for w in s.writes),
        )
        for s in info.storage or []
    ]
    reads: dict[str, set[str]] = {}
    writes: dict[str, set[str]] = {}
    for v in variables:
        for sel in v.reads:
            reads.setdefault(sel, set()).add(v.key)
        for sel in v.writes:
            writes.setdefault(sel, set()).add(v.key)
    functions = {}
    for f in info.functions or []:
        sel = "0x" + f.selector
        args = tuple(a for a in (f.arguments or "").split(",") if a)
        functions[sel] = Function(
            selector=sel,
            arguments=args,
            mutability=str(f.state_mutability or "nonpayable"),
            reads=frozenset(reads.get(sel, ())),
            writes=frozenset(writes.get(sel, ())),
        )
    return Inventory(
        functions,
        variables,
        guard_slots=frozenset(bc.slots_compared_with_caller(code)),
        hardcoded=frozenset(bc.addresses_compared_with_caller(code)),
    )

"""Heuristic agent: what the token's code lets its owner do, read straight from the chain.

Steps: is there code at all; follow a proxy to its implementation; list the functions the
dispatcher exposes and the dangerous opcodes; check ERC-20 conformance (selectors and live calls);
read owner() to see whether those powers are still held by someone. Each concern becomes a Finding
whose severity depends on whether an owner can still use the power (renounced -> lower).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moneygrow.agents.runner import AgentDeps
from moneygrow.chain import bytecode as bc
from moneygrow.chain.reader import ZERO_ADDRESS, ChainReader
from moneygrow.models import AgentName, AgentResult, AgentStatus, AnalysisTask, Finding, Severity

TINY_CODE_BYTES = 200
OWNER_SHARE_MEDIUM, OWNER_SHARE_HIGH = 0.20, 0.50  # owner's share of supply that is worth a finding

# category -> (finding type, score/severity while an owner holds the power, plain-words reason)
_POWERS: dict[str, tuple[str, int, Severity, str]] = {
    "mint": (
        "owner_can_mint",
        80,
        Severity.HIGH,
        "The contract has a mint function: new tokens can be created at will, diluting every holder.",
    ),
    "blacklist": (
        "owner_can_blacklist",
        80,
        Severity.HIGH,
        "The contract can blacklist addresses, which stops them from transferring or selling their tokens.",
    ),
    "fee": (
        "owner_can_set_fees",
        60,
        Severity.MEDIUM,
        "Transfer or sell taxes can be changed after launch, up to making selling pointless.",
    ),
    "pause": (
        "owner_can_pause_trading",
        55,
        Severity.MEDIUM,
        "Trading can be paused or switched off, freezing everyone's tokens.",
    ),
    "limit": (
        "owner_can_limit_transfers",
        40,
        Severity.MEDIUM,
        "Transaction or wallet limits can be changed, which can block large sells.",
    ),
    "upgrade": (
        "upgradeable",
        75,
        Severity.HIGH,
        "The contract can be upgraded: its rules can be replaced with any other code.",
    ),
}
_RENOUNCED_FACTOR = 0.5  # a power nobody can call any more still deserves a mention (other roles may exist)


@dataclass
class _Facts:
    address: str
    code: bytes
    selectors: set[str] = field(default_factory=set)
    opcodes: set[str] = field(default_factory=set)
    proxy: dict[str, Any] = field(default_factory=dict)
    gaps: list[str] = field(default_factory=list)


def analyse(task: AnalysisTask, deps: AgentDeps) -> AgentResult:
    reader = deps.chain(task.chain)
    code = reader.get_code(task.token_address)
    if not code:
        return _not_a_contract(task, reader)

    facts = _inspect(reader, task.token_address, code)
    meta = reader.erc20_metadata(task.token_address)
    owner = reader.owner(task.token_address)
    owner_live = owner is not None and owner != ZERO_ADDRESS
    risky = bc.risky_functions(facts.selectors)
    missing = bc.missing_erc20_functions(facts.selectors)

    owner_share = (
        _owner_share(reader, task.token_address, owner, meta["total_supply"]) if owner_live else None
    )
    findings = [
        *_erc20_findings(missing, meta),
        *_power_findings(risky, owner, owner_live),
        *_concentration_findings(owner, owner_share),
        *_code_findings(facts),
    ]
    findings.sort(key=lambda f: -f.score)
    data: dict[str, Any] = {
        "address": task.token_address,
        "is_contract": True,
        "name": meta["name"],
        "symbol": meta["symbol"],
        "decimals": meta["decimals"],
        "total_supply": None if meta["total_supply"] is None else str(meta["total_supply"]),
        "metadata_failed": meta["failed"],
        "code_size": len(code),
        "owner": owner,
        "has_owner_function": owner is not None,
        "ownership_renounced": owner == ZERO_ADDRESS,
        "owner_share_of_supply": owner_share,
        "selectors": sorted(facts.selectors),
        "risky_functions": risky,
        "erc20_missing": missing,
        "selfdestruct": "SELFDESTRUCT" in facts.opcodes,
        "delegatecall": "DELEGATECALL" in facts.opcodes,
        "proxy": facts.proxy or None,
    }
    status = AgentStatus.DEGRADED if facts.gaps else AgentStatus.OK
    return AgentResult(
        agent=AgentName.HEURISTIC, status=status, findings=findings, data=data, gaps=facts.gaps
    )


def _not_a_contract(task: AnalysisTask, reader: ChainReader) -> AgentResult:
    finding = Finding(
        type="not_a_contract",
        score=100,
        severity=Severity.CRITICAL,
        reason="There is no contract code at this address: it is a wallet or an empty address, not a token.",
        evidence={"address": task.token_address, "code_size": 0, "chain": task.chain.value},
    )
    return AgentResult(
        agent=AgentName.HEURISTIC,
        status=AgentStatus.OK,
        findings=[finding],
        data={
            "address": task.token_address,
            "is_contract": False,
            "code_size": 0,
            "block_number": reader.block_number(),
        },
    )


def _inspect(reader: ChainReader, address: str, code: bytes) -> _Facts:
    """Selectors and opcodes of the token, merged with its implementation's when it is a proxy."""
    facts = _Facts(address, code, bc.function_selectors(code), bc.opcode_names(code))
    impl = _proxy_implementation(reader, address, code, facts)
    if impl is not None:
        impl_code = reader.get_code(impl)
        if impl_code:
            facts.selectors |= bc.function_selectors(impl_code)
            facts.opcodes |= bc.opcode_names(impl_code)
            facts.proxy["implementation_code_size"] = len(impl_code)
        else:
            facts.gaps.append(f"proxy implementation {impl} has no code")
    return facts


def _proxy_implementation(reader: ChainReader, address: str, code: bytes, facts: _Facts) -> str | None:
    clone_of = bc.minimal_proxy_target(code)
    if clone_of is not None:
        facts.proxy = {"kind": "eip1167", "implementation": clone_of}
        return clone_of
    if bc.references_eip1967_slot(code) or ("DELEGATECALL" in facts.opcodes and len(facts.selectors) < 4):
        slot = reader.get_storage_at(address, bc.EIP1967_IMPLEMENTATION_SLOT)
        if any(slot[:12]) or not any(slot):
            facts.gaps.append("delegating contract whose implementation could not be resolved")
            facts.proxy = {"kind": "unresolved"}
            return None
        impl = "0x" + slot[12:].hex()
        facts.proxy = {"kind": "eip1967", "implementation": impl}
        return impl
    return None


def _erc20_findings(missing: list[str], meta: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    if missing:
        out.append(
            Finding(
                type="not_erc20",
                score=70 if len(missing) >= 3 else 45,
                severity=Severity.HIGH if len(missing) >= 3 else Severity.MEDIUM,
                reason=f"The contract does not expose {len(missing)} of the 6 standard ERC-20 functions, so "
                "wallets and exchanges may not handle it correctly.",
                evidence={"missing": missing},
            )
        )
    failed = [f for f in meta["failed"] if f != "total_supply"]
    if meta["total_supply"] is None:
        out.append(
            Finding(
                type="total_supply_unreadable",
                score=60,
                severity=Severity.HIGH,
                reason="totalSupply() could not be read, so nobody can check how many tokens exist.",
                evidence={"failed": meta["failed"]},
            )
        )
    if failed:
        out.append(
            Finding(
                type="metadata_unreadable",
                score=25,
                severity=Severity.LOW,
                reason=f"The token's {', '.join(failed)} could not be read; real tokens expose them.",
                evidence={"failed": failed},
            )
        )
    return out


def _power_findings(risky: dict[str, list[str]], owner: str | None, owner_live: bool) -> list[Finding]:
    out: list[Finding] = []
    for category, (ftype, score, severity, reason) in _POWERS.items():
        sigs = risky.get(category)
        if not sigs:
            continue
        evidence: dict[str, Any] = {"functions": sigs, "owner": owner}
        if owner is not None and not owner_live:
            score, severity = int(score * _RENOUNCED_FACTOR), Severity.LOW if score < 70 else Severity.MEDIUM
            reason += " Ownership is renounced, so an owner-only version of it can no longer be called."
        elif owner_live:
            reason += f" The owner {owner} still controls the contract."
        out.append(Finding(type=ftype, score=score, severity=severity, reason=reason, evidence=evidence))
    if owner_live and "mint" in risky and ({"blacklist", "fee", "pause"} & risky.keys()):
        out.append(
            Finding(
                type="rug_pull_toolkit",
                score=90,
                severity=Severity.CRITICAL,
                reason="One owner can both print new tokens and stop others from selling (blacklist, tax or "
                "pause): the classic set-up for a rug pull or honeypot.",
                evidence={"owner": owner, "powers": sorted(risky.keys() - {"ownership"})},
            )
        )
    if owner_live and len(risky.keys() - {"ownership"}) == 0:
        out.append(
            Finding(
                type="owner_not_renounced",
                score=15,
                severity=Severity.LOW,
                reason=f"The contract still has an owner ({owner}); no known dangerous function found.",
                evidence={"owner": owner},
            )
        )
    return out


def _owner_share(reader: ChainReader, token: str, owner: str | None, supply: int | None) -> float | None:
    if owner is None or not supply:
        return None
    balance = reader.balances_of(token, [owner]).get(owner)
    return None if balance is None else balance / supply


def _concentration_findings(owner: str | None, share: float | None) -> list[Finding]:
    if share is None or share < OWNER_SHARE_MEDIUM:
        return []
    high = share >= OWNER_SHARE_HIGH
    return [
        Finding(
            type="owner_holds_supply",
            score=75 if high else 45,
            severity=Severity.HIGH if high else Severity.MEDIUM,
            reason=f"The owner's wallet holds {share * 100:.1f}% of the supply and can dump it on buyers.",
            evidence={"owner": owner, "share_of_supply": share},
        )
    ]


def _code_findings(facts: _Facts) -> list[Finding]:
    out: list[Finding] = []
    if "SELFDESTRUCT" in facts.opcodes:
        out.append(
            Finding(
                type="selfdestruct",
                score=70,
                severity=Severity.HIGH,
                reason="The code contains SELFDESTRUCT: the contract (or its logic) can be destroyed.",
                evidence={"opcode": "SELFDESTRUCT"},
            )
        )
    if facts.proxy:
        out.append(
            Finding(
                type="proxy",
                score=65,
                severity=Severity.HIGH,
                reason="The token is a proxy: its logic lives in another contract, which can be swapped.",
                evidence=dict(facts.proxy),
            )
        )
    elif "DELEGATECALL" in facts.opcodes:
        out.append(
            Finding(
                type="delegatecall",
                score=45,
                severity=Severity.MEDIUM,
                reason="The code uses DELEGATECALL: other contracts' code can run on this token's storage.",
                evidence={"opcode": "DELEGATECALL"},
            )
        )
    if len(facts.code) < TINY_CODE_BYTES and not facts.proxy:
        out.append(
            Finding(
                type="tiny_contract",
                score=30,
                severity=Severity.MEDIUM,
                reason=f"The contract is only {len(facts.code)} bytes long, far too small for a real token.",
                evidence={"code_size": len(facts.code)},
            )
        )
    return out

"""Contract facts: is there code, is it an ERC-20, what does the bytecode itself allow."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moneygrow.chain import bytecode as bc
from moneygrow.heuristics.registry import CheckOutcome, HeuristicContext, register
from moneygrow.models import Finding, Severity

TINY_CODE_BYTES = 200
NEW_CONTRACT_DAYS_MEDIUM, NEW_CONTRACT_DAYS_LOW = 2, 14
EXPLORER_NOT_CONFIGURED = "explorer not configured: verified source, creator and contract age not checked"


def not_a_contract(ctx: HeuristicContext) -> Finding:
    return Finding(
        type="not_a_contract",
        score=100,
        severity=Severity.CRITICAL,
        reason="There is no contract code at this address: it is a wallet, an empty address or a "
        "self-destructed contract, not a token.",
        evidence={"address": ctx.address, "code_size": 0, "chain": ctx.task.chain.value},
    )


@register("erc20")
def check_erc20(ctx: HeuristicContext) -> CheckOutcome:
    meta = ctx.meta
    missing = bc.missing_erc20_functions(ctx.all_selectors)
    out: list[Finding] = []
    unanswered = len(meta["failed"]) >= 3 and meta["total_supply"] is None
    if unanswered and len(missing) < 3:
        # The selectors look like an ERC-20 (e.g. a factory embedding its pairs' code) but the
        # contract does not answer the calls: it is not a token.
        out.append(
            Finding(
                type="not_erc20",
                score=70,
                severity=Severity.HIGH,
                reason="The contract does not answer the standard ERC-20 calls (totalSupply, name, symbol, "
                "decimals): it is not a token, or not one that wallets and exchanges can handle.",
                evidence={"failed_calls": meta["failed"], "missing": missing},
            )
        )
    elif missing:
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
    data: dict[str, Any] = {
        "address": ctx.address,
        "is_contract": True,
        "name": meta["name"],
        "symbol": meta["symbol"],
        "decimals": meta["decimals"],
        "total_supply": None if meta["total_supply"] is None else str(meta["total_supply"]),
        "metadata_failed": meta["failed"],
        "erc20_missing": missing,
    }
    return CheckOutcome(findings=out, data=data)


@register("code")
def check_code(ctx: HeuristicContext) -> CheckOutcome:
    opcodes, proxy = ctx.all_opcodes, ctx.proxy
    out: list[Finding] = []
    if "SELFDESTRUCT" in opcodes:
        out.append(
            Finding(
                type="selfdestruct",
                score=70,
                severity=Severity.HIGH,
                reason="The code contains SELFDESTRUCT: the contract (or its logic) can be destroyed.",
                evidence={"opcode": "SELFDESTRUCT"},
            )
        )
    if proxy is None and "DELEGATECALL" in opcodes:
        out.append(
            Finding(
                type="delegatecall",
                score=45,
                severity=Severity.MEDIUM,
                reason="The code uses DELEGATECALL: other contracts' code can run on this token's storage.",
                evidence={"opcode": "DELEGATECALL"},
            )
        )
    if len(ctx.code) < TINY_CODE_BYTES and proxy is None:
        out.append(
            Finding(
                type="tiny_contract",
                score=30,
                severity=Severity.MEDIUM,
                reason=f"The contract is only {len(ctx.code)} bytes long, far too small for a real token.",
                evidence={"code_size": len(ctx.code)},
            )
        )
    data = {
        "code_size": len(ctx.code),
        "selectors": sorted(ctx.all_selectors),
        "selfdestruct": "SELFDESTRUCT" in opcodes,
        "delegatecall": "DELEGATECALL" in opcodes,
    }
    return CheckOutcome(findings=out, data=data)


@register("explorer")
def check_explorer(ctx: HeuristicContext) -> CheckOutcome:
    """Verified source, creator and age: only an explorer knows them (a node has no creation index)."""
    if ctx.providers.explorer is None:
        deployer, how = ctx.deployer
        return CheckOutcome(
            data={"verified_source": None, "creator": deployer, "creator_source": how, "created_at": None},
            unconfigured=[EXPLORER_NOT_CONFIGURED],
        )
    out = CheckOutcome()
    source, creation = ctx.source, ctx.creation
    out.data["verified_source"] = None if source is None else source.verified
    if source is None:
        out.gaps.append("explorer did not answer: verified source not checked")
    else:
        out.data["contract_name"] = source.contract_name
        out.data["compiler"] = source.compiler
        if not source.verified:
            out.findings.append(
                Finding(
                    type="unverified_source",
                    score=40,
                    severity=Severity.MEDIUM,
                    reason="The source code is not verified on the block explorer, so nobody can read what "
                    "the contract really does.",
                    evidence={"explorer": ctx.network.explorer_url},
                )
            )
    if creation is None:
        out.gaps.append("explorer did not answer: contract creator and age not checked")
        out.data.update(creator=None, creator_source="unknown", created_at=None)
        return out
    out.data.update(
        creator=creation.creator,
        creator_source="explorer",
        creation_tx=creation.tx_hash,
        creation_block=creation.block_number,
        created_at=None if creation.timestamp is None else creation.timestamp.isoformat(),
    )
    if creation.timestamp is not None:
        stamp = creation.timestamp if creation.timestamp.tzinfo else creation.timestamp.replace(tzinfo=UTC)
        age_days = (datetime.now(UTC) - stamp).total_seconds() / 86400
        out.data["age_days"] = round(age_days, 2)
        if age_days < NEW_CONTRACT_DAYS_LOW:
            medium = age_days < NEW_CONTRACT_DAYS_MEDIUM
            out.findings.append(
                Finding(
                    type="new_contract",
                    score=35 if medium else 15,
                    severity=Severity.MEDIUM if medium else Severity.LOW,
                    reason=f"The contract was created {age_days:.1f} days ago; most rug pulls happen in a "
                    "token's first days.",
                    evidence={"created_at": stamp.isoformat(), "creator": creation.creator},
                )
            )
    return out

"""Smart-money agent: do the wallets we track as "smart money" hold this token, and how much?

The wallet list is a CSV (settings.smart_money_wallets): `address,label[,chain]`, header optional; a
row without a chain applies to every chain. Balances are read in one JSON-RPC batch at one block, so
the shares add up. Without a list (or with an unreadable one) the agent reports DEGRADED and names
the gap instead of guessing.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from eth_utils.address import is_address, to_checksum_address

from moneygrow.agents.runner import AgentDeps
from moneygrow.chains import Chain
from moneygrow.models import AgentName, AgentResult, AgentStatus, AnalysisTask, Finding, Severity


@dataclass(frozen=True)
class Wallet:
    address: str
    label: str
    chain: str  # "" = any chain


@dataclass(frozen=True)
class WalletList:
    wallets: tuple[Wallet, ...]
    invalid_rows: int

    def for_chain(self, chain: Chain) -> list[Wallet]:
        seen: set[str] = set()
        out: list[Wallet] = []
        for w in self.wallets:
            if w.chain in ("", chain.value) and w.address not in seen:
                seen.add(w.address)
                out.append(w)
        return out


def load_wallets(path: str) -> WalletList:
    """Parse the CSV; cached per (path, mtime) so a warm Lambda reads it once."""
    p = Path(path)
    return _load_wallets(str(p.resolve()), p.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_wallets(path: str, _mtime_ns: int) -> WalletList:
    wallets: list[Wallet] = []
    invalid = 0
    with open(path, newline="") as f:
        for row in csv.reader(f):
            cells = [c.strip() for c in row]
            if not cells or not cells[0] or cells[0].startswith("#") or cells[0].lower() == "address":
                continue
            if not is_address(cells[0]):
                invalid += 1
                continue
            label = cells[1] if len(cells) > 1 else ""
            chain = cells[2].lower() if len(cells) > 2 else ""
            wallets.append(Wallet(to_checksum_address(cells[0]), label, chain))
    return WalletList(tuple(wallets), invalid)


def _degraded(gap: str, data: dict[str, Any] | None = None) -> AgentResult:
    return AgentResult(
        agent=AgentName.SMART_MONEY, status=AgentStatus.DEGRADED, gaps=[gap], data=data or {"signal": None}
    )


def analyse(task: AnalysisTask, deps: AgentDeps) -> AgentResult:
    path = deps.settings.smart_money_wallets
    if not path:
        return _degraded("smart_money_wallets: no wallet list configured (MONEYGROW_SMART_MONEY_WALLETS)")
    if not os.path.isfile(path):
        return _degraded(f"smart_money_wallets: wallet list {path} not found")
    wallet_list = load_wallets(path)
    wallets = wallet_list.for_chain(task.chain)
    if not wallets:
        return _degraded(f"smart_money_wallets: no tracked wallets for chain {task.chain.value}")

    reader = deps.chain(task.chain)
    if not reader.get_code(task.token_address):
        return _degraded("token: no contract code at this address, no balances to read")
    block = reader.block_number()
    at = hex(block)
    meta = reader.erc20_metadata(task.token_address, at)
    balances = reader.balances_of(task.token_address, [w.address for w in wallets], at)
    return _result(task, wallets, wallet_list.invalid_rows, meta, balances, block)


def _result(
    task: AnalysisTask,
    wallets: list[Wallet],
    invalid_rows: int,
    meta: dict[str, Any],
    balances: dict[str, int],
    block: int,
) -> AgentResult:
    gaps: list[str] = []
    unread = [w.address for w in wallets if w.address not in balances]
    if unread:
        gaps.append(f"balances: balanceOf failed for {len(unread)} of {len(wallets)} tracked wallets")
    supply: int | None = meta["total_supply"]
    if not supply:
        gaps.append("total_supply: unreadable, shares of supply not computed")
    decimals = meta["decimals"]

    held_by = {w.address: balances[w.address] for w in wallets if balances.get(w.address, 0) > 0}
    holders: list[dict[str, Any]] = [
        {
            "address": w.address,
            "label": w.label,
            "balance": str(held_by[w.address]),
            "share_of_supply": (held_by[w.address] / supply) if supply else None,
        }
        for w in sorted(wallets, key=lambda w: -held_by.get(w.address, 0))
        if w.address in held_by
    ]
    held = sum(held_by.values())
    share = (held / supply) if supply else None
    findings, signal = _signal(len(wallets), len(balances), holders, held, share)
    data: dict[str, Any] = {
        "block_number": block,
        "tracked_wallets": len(wallets),
        "wallets_read": len(balances),
        "invalid_wallet_rows": invalid_rows,
        "holders": holders,
        "holder_count": len(holders),
        "total_held": str(held),
        "total_supply": None if supply is None else str(supply),
        "decimals": decimals,
        "share_of_supply": share,
        "signal": signal,
        "unread_wallets": unread,
    }
    return AgentResult(
        agent=AgentName.SMART_MONEY,
        status=AgentStatus.DEGRADED if gaps else AgentStatus.OK,
        findings=findings,
        data=data,
        gaps=gaps,
    )


def _signal(
    tracked: int, read: int, holders: list[dict[str, Any]], held: int, share: float | None
) -> tuple[list[Finding], str]:
    if read == 0:
        return [], "unknown"
    if not holders:
        # Absence of a signal is not evidence of risk (moneygrow.verdict): reported, not scored.
        return [], "absent"
    pct = f"{share * 100:.2f}% of the supply" if share is not None else "an unknown share of the supply"
    # The more of the supply informed wallets hold, the lower the risk this signal suggests.
    score = 10 if share is None else max(0, 25 - round(min(share, 0.25) * 100))
    finding = Finding(
        type="smart_money_holds",
        score=score,
        severity=Severity.LOW,
        reason=f"{len(holders)} of {read} tracked smart-money wallets hold this token ({pct}).",
        evidence={
            "holders": [h["label"] or h["address"] for h in holders],
            "total_held": str(held),
            "share_of_supply": share,
        },
    )
    return [finding], "holding"

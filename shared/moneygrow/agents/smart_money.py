"""Smart-money agent: who holds and trades this token, are smart wallets in, are whales leaving, is
the holder base real or the deployer's own wallets?

From the chain (moneygrow.smartmoney.market: the pair's swaps and the token's transfers over the last
7 days, within a read budget) and the wallet registry (labels and scores kept by the registry job):

- smart wallets: traders or holders the registry scores smart (or labels a fund, or the operator's
  list, MONEYGROW_SMART_MONEY_WALLETS, names), with share, entry and profit; `smart_money_score`
  0-100 says how much of that conviction is still in the token. None is neutral: no finding.
- whale flows: what the largest holders (exchanges, bridges, pools and DEX contracts left out)
  bought, sold and moved over 24 h and 7 d, with a series for a chart.
- deployer-linked holders: wallets the deployer funded around the launch that hold or sold the token
  (moneygrow.smartmoney.funding): a finding (`deployer_funded_holders`) with the funding paths.
- entities: labelled exchanges, bridges, MEV bots (also the ones seen sandwiching here), funds.

A token with no trades, or too busy to reconstruct within the budget, gets `insufficient_data`
reasons instead of numbers.
"""

from __future__ import annotations

import csv
import logging
import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from eth_utils.address import is_address, to_checksum_address

from moneygrow.agents.runner import AgentDeps
from moneygrow.chain.networks import NETWORKS
from moneygrow.chain.reader import ZERO_ADDRESS, ChainReader, RpcError
from moneygrow.chains import Chain
from moneygrow.heuristics.registry import BURN_ADDRESSES, Read, as_call, call_uint, checksum, eth_call
from moneygrow.models import AgentName, AgentResult, AgentStatus, AnalysisTask, Finding, Severity
from moneygrow.smartmoney.funding import Link, launch_window, linked_wallets, native_edges, token_edges
from moneygrow.smartmoney.history import Clock, LogBudget, Transfer, sample_blocks
from moneygrow.smartmoney.market import Market, read_market
from moneygrow.smartmoney.trades import Position
from moneygrow.store.wallets import WalletProfile

log = logging.getLogger(__name__)

BUDGET = LogBudget()
HOLDER_CANDIDATES = 40  # addresses (by net tokens received) whose balances are read
MAX_LOOKUPS = 300  # registry lookups per analysis (holders, traders, deployer-linked)
TOP_WHALES = 10
TIME_SAMPLES = 48  # block timestamps read (the rest interpolated)
WHALE_EXIT_SHARE = 0.5  # a whale that sent out half of what it had within 7 d is leaving
# Entities whose balances are not a holder's conviction (customers', users', a protocol's).
NOT_WHALES = frozenset({"cex", "bridge", "dex_or_defi", "mev_bot", "token"})
FUND = "fund_or_market_maker"
DAY = 86_400


# --- the operator's wallet list (optional, kept from the first version) ---------------------------


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
    """Parse the CSV (`address,label[,chain]`); cached per (path, mtime)."""
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


def _listed(deps: AgentDeps, chain: Chain, gaps: list[str]) -> dict[str, str]:
    path = deps.settings.smart_money_wallets
    if not path:
        return {}
    if not os.path.isfile(path):
        gaps.append(f"smart_money_wallets: wallet list {path} not found")
        return {}
    return {w.address: w.label for w in load_wallets(path).for_chain(chain)}


# --- the agent --------------------------------------------------------------------------------------


def analyse(task: AnalysisTask, deps: AgentDeps) -> AgentResult:
    reader = deps.chain(task.chain)
    network = NETWORKS[task.chain]
    market = read_market(reader, network, task.token_address, BUDGET)
    if not market.code:
        return AgentResult(
            agent=AgentName.SMART_MONEY,
            status=AgentStatus.DEGRADED,
            gaps=["token: no contract code at this address, no holders or trades to read"],
            data={"signal": None},
        )
    gaps: list[str] = []
    notes: list[str] = []
    _track(deps, task.chain, market.token)
    history = market.history
    assert history is not None
    window = {
        "from_block": history.from_block,
        "to_block": history.head,
        "complete": history.complete,
        "covers_launch": history.covers_launch,
        "log_calls": history.calls,
        "transfers": len(history.transfers),
        "swaps": len(history.swaps),
    }
    explorer_holders = _explorer_holders(deps, task.chain, market.token, notes)
    if history.truncated is not None or history.error is not None:
        reason = history.truncated or f"eth_getLogs failed: {history.error}"
        gaps.append(f"insufficient data: {reason}")
        if not explorer_holders:
            return _result(
                gaps, [], _base(market, window) | {"insufficient_data": [reason], "smart_money_score": None}
            )
        # The explorer still names the largest holders: who they are (smart, entities) can be told,
        # their trades and flows cannot. The partial logs are dropped rather than half-used.
        history.transfers, history.swaps, history.ownership = [], [], []
        return _analyse(task, deps, reader, market, window, gaps, notes, explorer_holders, partial=reason)
    return _analyse(task, deps, reader, market, window, gaps, notes, explorer_holders)


def _explorer_holders(deps: AgentDeps, chain: Chain, token: str, notes: list[str]) -> list[str]:
    """The explorer's top holders when one is configured (a paid feature on Etherscan: often none)."""
    explorer = deps.providers.explorer
    if explorer is None:
        return []
    try:
        listed = explorer.top_holders(chain, token, HOLDER_CANDIDATES)
    except Exception:
        log.warning("explorer top holders failed", exc_info=True)
        listed = None
    if not listed:
        notes.append("explorer gave no holder list: holders from the Transfer logs only")
        return []
    return [checksum(h.address) for h in listed]


def _track(deps: AgentDeps, chain: Chain, token: str) -> None:
    """Tell the registry job this token is worth scoring (best effort: never fails the analysis)."""
    if deps.wallets is None:
        return
    try:
        deps.wallets.track_token(chain, token, datetime.now(UTC))
    except Exception:
        log.warning("could not mark the token as tracked", exc_info=True)


def _base(market: Market, window: dict[str, Any]) -> dict[str, Any]:
    return {
        "block_number": market.head_number,
        "window": window,
        "pair": market.pair,
        "quote": market.quote,
        "price": market.human_price(market.price),
        "total_supply": None if market.meta.get("total_supply") is None else str(market.meta["total_supply"]),
        "decimals": market.meta.get("decimals"),
        "rpc_round_trips": market.rpc_round_trips,
    }


def _result(gaps: list[str], findings: list[Finding], data: dict[str, Any]) -> AgentResult:
    return AgentResult(
        agent=AgentName.SMART_MONEY,
        status=AgentStatus.DEGRADED if gaps else AgentStatus.OK,
        findings=findings,
        data=data,
        gaps=gaps,
    )


def _analyse(
    task: AnalysisTask,
    deps: AgentDeps,
    reader: ChainReader,
    market: Market,
    window: dict[str, Any],
    gaps: list[str],
    notes: list[str],
    explorer_holders: list[str],
    partial: str | None = None,
) -> AgentResult:
    """`partial`: why the logs could not be used (then the explorer's holders stand alone)."""
    history = market.history
    assert history is not None
    supply: int | None = market.meta.get("total_supply")
    network = NETWORKS[task.chain]
    listed = _listed(deps, task.chain, gaps)
    deployer, deployer_how = _deployer(deps, task, market)
    excluded = set(BURN_ADDRESSES) | {market.token, checksum(network.dex.router)}
    excluded |= {checksum(a) for a in network.lp_lockers.values()}
    if market.pair:
        excluded.add(market.pair)

    # Launch funding: who the deployer paid for, in one batch of full blocks around the launch.
    links: dict[str, Link] = {}
    launch = launch_window(history, market.pair) if deployer else None
    insufficient: list[str] = [partial] if partial else []
    if deployer and launch is not None:
        edges = native_edges(reader, *launch) + token_edges(history, *launch)
        market.rpc_round_trips += 1
        links = linked_wallets(deployer, edges, excluded)
    elif deployer is None:
        insufficient.append("deployer unknown (no explorer, and the logs do not reach the first mint)")
    else:
        insufficient.append("the launch is older than the log window: deployer funding not checked")

    # Candidates: the largest net receivers, every trader, the deployer-linked wallets, the list.
    from_logs = [a for a, _ in history.token_logs().holders]
    ranked = [a for a in dict.fromkeys([*explorer_holders, *from_logs]) if a not in excluded][
        :HOLDER_CANDIDATES
    ]
    wanted = list(
        dict.fromkeys([*ranked, *market.positions, *links, *listed, *([deployer] if deployer else [])])
    )
    wanted = [a for a in wanted if a not in excluded][:MAX_LOOKUPS]
    profiles = _profiles(deps, task.chain, wanted, gaps, notes)
    balances, clock = _balances_and_times(reader, market, wanted)
    if len(balances) < len(wanted):
        gaps.append(f"balances: balanceOf failed for {len(wanted) - len(balances)} of {len(wanted)} wallets")

    if partial is None and (market.pair is None or not market.trades):
        insufficient.append(
            "no DEX trades in the window: no pair against the wrapped native coin or a stablecoin"
            if market.pair is None
            else "no DEX trades in the window: nobody bought or sold, so no entry, profit or flow to report"
        )
    share = _share(supply)
    smart = _smart_wallets(market, profiles, listed, balances, clock, share)
    whales = (
        {"insufficient_data": partial, "top_holders": [], "exiting": []}
        if partial
        else _whale_flows(market, profiles, balances, clock, share, excluded)
    )
    entities = _entities(market, profiles, balances, share)
    linked = _linked(links, market, balances, share)
    score, confidence, basis = _score(
        smart, profiles, history.covers_launch, deps.wallets is not None, market, logs_read=partial is None
    )
    findings = _findings(smart, whales, linked, supply, deployer)
    # No smart wallet is "absent" (neutral, never a finding); no trades and none known: no signal at all.
    signal = "holding" if any(s["holding"] for s in smart) else "exited" if smart else "absent"
    if not smart and not market.trades and not ranked:
        signal = "insufficient_data"
    data = _base(market, window) | {
        "smart_money_score": score,
        "confidence": confidence,
        "basis": basis,
        "signal": signal,
        "smart_wallets": smart,
        "holders": [s for s in smart if s["holding"]],  # the smart wallets still in (compatibility)
        "share_of_supply": sum(s["share_of_supply"] or 0 for s in smart if s["holding"]) if supply else None,
        "whale_flows": whales,
        "deployer": {"address": deployer, "how": deployer_how},
        "deployer_linked": linked,
        "entities": entities,
        "trades": {
            "count": len(market.trades),
            "buyers": sum(1 for p in market.positions.values() if p.buys),
            "sellers": sum(1 for p in market.positions.values() if p.sells),
        },
        "tracked_wallets": len(listed),
        "insufficient_data": insufficient,
        "notes": notes,
    }
    return _result(gaps, findings, data)


def _deployer(deps: AgentDeps, task: AnalysisTask, market: Market) -> tuple[str | None, str]:
    explorer = deps.providers.explorer
    if explorer is not None:
        try:
            creation = explorer.creation(task.chain, market.token)
        except Exception:
            creation = None
        if creation is not None and is_address(creation.creator):
            return to_checksum_address(creation.creator), "explorer"
    history = market.history
    assert history is not None
    if not history.covers_launch:
        return None, "unknown"
    logs = history.token_logs()
    for _, prev, new in logs.ownership:
        if int(prev, 16) == 0 and int(new, 16) != 0:
            return new, "first OwnershipTransferred event"
    first = logs.first_minted_to
    return (first, "first mint (Transfer from 0x0)") if first else (None, "unknown")


def _profiles(
    deps: AgentDeps, chain: Chain, wanted: list[str], gaps: list[str], notes: list[str]
) -> dict[str, WalletProfile]:
    if deps.wallets is None:
        notes.append("wallet registry not configured: no scores or labels, only this token's own trades")
        return {}
    try:
        return deps.wallets.get_wallets(chain, wanted)
    except Exception as exc:  # the registry is context: the on-chain part still stands
        log.warning("wallet registry lookup failed", exc_info=True)
        gaps.append(f"wallet registry unavailable: {type(exc).__name__}")
        return {}


def _balances_and_times(
    reader: ChainReader, market: Market, wallets: list[str]
) -> tuple[dict[str, int], Clock]:
    """One batch: balanceOf for every wallet and the timestamps of a sample of the trade blocks."""
    history = market.history
    assert history is not None
    at = hex(market.head_number)
    reads: dict[str, Read] = {}
    for a in wallets:
        call = eth_call(market.token, "balanceOf(address)", ("address",), (a,))
        reads[f"bal.{a}"] = Read(call.method, [call.params[0], at])
    blocks = [t.block for t in market.trades] + [t.block for t in history.transfers[-200:]]
    for b in sample_blocks(blocks, TIME_SAMPLES):
        reads[f"time.{b}"] = Read("eth_getBlockByNumber", [hex(b), False])
    keys = list(reads)
    responses = reader._batch([(reads[k].method, reads[k].params) for k in keys]) if keys else []
    market.rpc_round_trips += 1 if keys else 0
    balances: dict[str, int] = {}
    known = {market.head_number: market.head_time}
    for key, response in zip(keys, responses, strict=True):
        kind, _, rest = key.partition(".")
        if kind == "bal":
            try:
                value = call_uint(as_call(response))
            except RpcError:
                value = None
            if value is not None:
                balances[rest] = value
        else:
            block = response.get("result") or {}
            if block.get("timestamp"):
                known[int(rest)] = int(str(block["timestamp"]), 16)
    return balances, Clock(known)


def _share(supply: int | None) -> Any:
    def share(amount: int) -> float | None:
        return amount / supply if supply else None

    return share


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def _smart_wallets(
    market: Market,
    profiles: dict[str, WalletProfile],
    listed: dict[str, str],
    balances: dict[str, int],
    clock: Clock,
    share: Any,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for address in dict.fromkeys([*market.positions, *balances]):
        profile = profiles.get(address)
        if profile is not None and (profile.smart and not profile.mev):
            basis = f"registry score {profile.score}: {profile.stats.get('why', '')}".strip()
        elif profile is not None and profile.category == FUND and not profile.mev:
            basis = f"labelled fund or market maker ({profile.label})"
        elif address in listed:
            basis = "on the operator's wallet list"
        else:
            continue
        balance = balances.get(address, 0)
        position = market.positions.get(address)
        if balance <= 0 and position is None:
            continue
        out.append(
            _wallet_view(
                market, address, profile, listed.get(address), balance, position, clock, share, basis
            )
        )
    return sorted(out, key=lambda w: (not w["holding"], -(int(w["balance"]))))


def _wallet_view(
    market: Market,
    address: str,
    profile: WalletProfile | None,
    listed_label: str | None,
    balance: int,
    position: Position | None,
    clock: Clock,
    share: Any,
    basis: str,
) -> dict[str, Any]:
    first = position.first_buy if position else None
    return {
        "address": address,
        "label": (profile.label if profile and profile.label else None) or listed_label or "",
        "score": profile.score if profile else None,
        "basis": basis,
        "holding": balance > 0,
        "balance": str(balance),
        "share_of_supply": share(balance),
        "entry_block": first.block if first else None,
        "entry_time": _iso(clock.at(first.block)) if first else None,
        "entry_price": market.human_price(first.price) if first else None,
        "realised_pnl": market.quote_amount(position.realised_pnl) if position else None,
        "unrealised_pnl": market.quote_amount(position.unrealised_pnl(balance, market.price))
        if position
        else None,
        "pnl_unit": market.quote,
    }


def _whale_flows(
    market: Market,
    profiles: dict[str, WalletProfile],
    balances: dict[str, int],
    clock: Clock,
    share: Any,
    excluded: set[str],
) -> dict[str, Any]:
    """What the largest holders did over 24 h and 7 d: net tokens moved (transfers in minus out,
    mints left out) and net DEX trading (bought minus sold), plus a series of their DEX trades.
    "Largest" counts what a wallet held 7 days ago too, so a whale that just left is still seen."""
    history = market.history
    assert history is not None
    unit = 10 ** int(market.meta.get("decimals") or 0)
    entity = {a for a, p in profiles.items() if p.category in NOT_WHALES or p.mev}
    entity |= {a for a, p in market.positions.items() if p.sandwiches}
    now = market.head_time
    flows = _flows(market, clock)
    peak = _peak_balances(history.transfers, balances)
    exits = _exits(market, clock, {a for a, p in profiles.items() if p.category == "cex"})

    def size(address: str) -> int:  # the most it held in the window, so a whale that just left counts
        return max(balances.get(address, 0), peak.get(address, 0))

    ranked = sorted(
        (a for a in balances if a not in excluded and a not in entity and size(a) > 0), key=lambda a: -size(a)
    )[:TOP_WHALES]
    whales = set(ranked)
    series = {"24h": _buckets(now, DAY, 24), "7d": _buckets(now, 7 * DAY, 28)}
    for trade in market.trades:
        if trade.wallet in whales:
            for rows in series.values():
                _add_to_bucket(rows, clock.at(trade.block), trade.side, trade.token_amount / unit)
    exiting = [a for a in ranked if exits[a] and exits[a] >= WHALE_EXIT_SHARE * size(a)]

    def total(key: str) -> int:
        return sum(flows[a][key] for a in ranked)

    return {
        "top_holders": [
            {
                "address": a,
                "balance": str(balances.get(a, 0)),
                "share_of_supply": share(balances.get(a, 0)),
                "net_24h": str(flows[a]["24h"]),
                "net_7d": str(flows[a]["7d"]),
                "dex_net_24h": str(flows[a]["dex_24h"]),
                "dex_net_7d": str(flows[a]["dex_7d"]),
                "peak_balance": str(size(a)),
                "exited_7d": str(exits[a]),
                "exiting": a in exiting,
            }
            for a in ranked
        ],
        "net_24h": str(total("24h")),
        "net_7d": str(total("7d")),
        "dex_net_24h": str(total("dex_24h")),
        "dex_net_7d": str(total("dex_7d")),
        "net_7d_share_of_supply": share(total("7d")),
        "exiting": exiting,
        "series": series,
        "series_unit": "whole tokens the top holders bought and sold on the DEX, per bucket",
    }


def _flows(market: Market, clock: Clock) -> dict[str, dict[str, int]]:
    """Per wallet: net tokens moved (mints left out) and net DEX trading, over 24 h and 7 d."""
    history = market.history
    assert history is not None
    now = market.head_time
    flows: dict[str, dict[str, int]] = defaultdict(lambda: {"24h": 0, "7d": 0, "dex_24h": 0, "dex_7d": 0})
    for t in history.transfers:
        age = now - clock.at(t.block)
        if age > 7 * DAY or t.src == ZERO_ADDRESS:
            continue
        for wallet, delta in ((t.dst, t.value), (t.src, -t.value)):
            flows[wallet]["7d"] += delta
            flows[wallet]["24h"] += delta if age <= DAY else 0
    for trade in market.trades:
        age = now - clock.at(trade.block)
        signed = trade.token_amount if trade.side == "buy" else -trade.token_amount
        flows[trade.wallet]["dex_7d"] += signed if age <= 7 * DAY else 0
        flows[trade.wallet]["dex_24h"] += signed if age <= DAY else 0
    return flows


def _exits(market: Market, clock: Clock, cex: set[str]) -> dict[str, int]:
    """Per wallet: tokens sold on the DEX or deposited at an exchange in the last 7 days."""
    history = market.history
    assert history is not None
    now = market.head_time
    exits: dict[str, int] = defaultdict(int)
    for trade in market.trades:
        if trade.side == "sell" and now - clock.at(trade.block) <= 7 * DAY:
            exits[trade.wallet] += trade.token_amount
    for t in history.transfers:
        if t.dst in cex and now - clock.at(t.block) <= 7 * DAY:
            exits[t.src] += t.value
    return exits


def _peak_balances(transfers: list[Transfer], balances: dict[str, int]) -> dict[str, int]:
    """The largest balance each wallet of `balances` had in the window, replaying its transfers
    backwards from today's balance."""
    moves: dict[str, list[int]] = defaultdict(list)
    for t in transfers:
        if t.src in balances:
            moves[t.src].append(-t.value)
        if t.dst in balances:
            moves[t.dst].append(t.value)
    out: dict[str, int] = {}
    for wallet, deltas in moves.items():
        level = balances[wallet] - sum(deltas)  # the balance before the window
        best = level
        for d in deltas:
            level += d
            best = max(best, level)
        out[wallet] = best
    return out


def _buckets(now: int, span: int, count: int) -> list[dict[str, Any]]:
    step = span // count
    start = now - span
    return [
        {"start": _iso(start + i * step), "t": start + i * step, "bought": 0.0, "sold": 0.0, "net": 0.0}
        for i in range(count)
    ]


def _add_to_bucket(rows: list[dict[str, Any]], ts: int, side: str, amount: float) -> None:
    step = rows[1]["t"] - rows[0]["t"] if len(rows) > 1 else 1
    i = (ts - rows[0]["t"]) // step
    if 0 <= i < len(rows):
        row = rows[int(i)]
        row["bought" if side == "buy" else "sold"] += amount
        row["net"] += amount if side == "buy" else -amount


def _entities(
    market: Market, profiles: dict[str, WalletProfile], balances: dict[str, int], share: Any
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for address in dict.fromkeys([*profiles, *market.positions]):
        p = profiles.get(address)
        pos = market.positions.get(address)
        seen_mev = pos is not None and pos.sandwiches > 0
        category = "mev_bot" if seen_mev or (p is not None and p.mev) else (p.category if p else "")
        if not category or category == "other":
            continue
        balance = balances.get(address, 0)
        out.append(
            {
                "address": address,
                "label": p.label if p else "",
                "category": category,
                "basis": f"sandwiched {pos.sandwiches} trades here" if seen_mev and pos else "registry label",
                "balance": str(balance),
                "share_of_supply": share(balance),
            }
        )
    return out


def _linked(
    links: dict[str, Link], market: Market, balances: dict[str, int], share: Any
) -> list[dict[str, Any]]:
    """Deployer-linked wallets that hold the token or sold it."""
    out: list[dict[str, Any]] = []
    history = market.history
    assert history is not None
    sent_out: dict[str, int] = defaultdict(int)
    for t in history.transfers:
        sent_out[t.src] += t.value
    for wallet, link in links.items():
        balance = balances.get(wallet, 0)
        pos = market.positions.get(wallet)
        sold = pos.sold if pos else 0
        if balance <= 0 and sold <= 0:
            continue
        out.append(
            {
                "address": wallet,
                "via": link.via,
                "funding_path": [
                    {"from": e.src, "to": e.dst, "via": e.via, "block": e.block, "amount": str(e.amount)}
                    for e in link.path
                ],
                "balance": str(balance),
                "share_of_supply": share(balance),
                "sold": str(sold),
                "sold_share_of_supply": share(sold),
                "bought_on_dex": str(pos.bought) if pos else "0",
            }
        )
    return sorted(out, key=lambda x: -int(x["balance"]))


def _score(
    smart: list[dict[str, Any]],
    profiles: dict[str, WalletProfile],
    covers_launch: bool,
    has_registry: bool,
    market: Market,
    logs_read: bool = True,
) -> tuple[int | None, float, str]:
    """smart_money_score = 100 * (1 - 0.5 ** weight): weight is the sum, over the smart wallets still
    holding, of their registry score / 100 (1 for a labelled fund or a listed wallet), so one strong
    wallet is ~40, three are ~80. Confidence: logs read 0.4, + registry 0.3, + the window reaches the
    launch 0.3."""
    weight = sum((w["score"] or 100) / 100 for w in smart if w["holding"])
    confidence = round(
        (0.4 if logs_read else 0.0) + (0.3 if has_registry else 0.0) + (0.3 if covers_launch else 0.0), 2
    )
    if not market.trades and not smart:
        return None, confidence, "no DEX trades and no known wallet holding: insufficient data"
    score = round(100 * (1 - 0.5**weight))
    scored = sum(1 for p in profiles.values() if p.score is not None)
    holding = sum(1 for w in smart if w["holding"])
    basis = (
        f"{holding} smart wallets hold, {len(smart) - holding} exited; {scored} of the token's wallets "
        "have a registry score"
    )
    return score, confidence, basis


def _findings(
    smart: list[dict[str, Any]],
    whales: dict[str, Any],
    linked: list[dict[str, Any]],
    supply: int | None,
    deployer: str | None,
) -> list[Finding]:
    out: list[Finding] = []
    holding = [w for w in smart if w["holding"]]
    if holding:
        held = sum(w["share_of_supply"] or 0 for w in holding)
        pct = f"{held * 100:.2f}% of the supply" if supply else "an unknown share of the supply"
        out.append(
            Finding(
                type="smart_money_holds",
                score=0,
                severity=Severity.LOW,
                reason=f"{len(holding)} smart wallets hold this token ({pct}).",
                evidence={"holders": [w["label"] or w["address"] for w in holding], "share_of_supply": held},
            )
        )
    if whales["exiting"]:
        out.append(
            Finding(
                type="whales_exiting",
                score=0,
                severity=Severity.LOW,
                reason=f"{len(whales['exiting'])} of the largest holders sold or deposited at an exchange "
                "at least half of their tokens in the last 7 days.",
                evidence={"wallets": whales["exiting"], "net_7d": whales["net_7d"]},
            )
        )
    out += _sybil_finding(linked, deployer)
    return out


def _sybil_finding(linked: list[dict[str, Any]], deployer: str | None) -> list[Finding]:
    """deployer_funded_holders: HIGH when wallets the deployer paid gas for hold or sold >= 20 % of
    the supply or there are >= 5 of them, MEDIUM from 2 wallets or 2 %, LOW for one; wallets that
    only received tokens from the deployer (a visible allocation) are LOW."""
    if not linked:
        return []
    gas = [w for w in linked if w["via"] == "native"]
    considered = gas or linked
    share = sum((w["share_of_supply"] or 0) + (w["sold_share_of_supply"] or 0) for w in considered)
    if gas and (share >= 0.20 or len(gas) >= 5):
        score, severity = 60, Severity.HIGH
    elif gas and (share >= 0.02 or len(gas) >= 2):
        score, severity = 40, Severity.MEDIUM
    else:
        score, severity = 15, Severity.LOW
    what = (
        f"{len(gas)} wallets funded with gas money by the deployer"
        if gas
        else f"{len(linked)} wallets that received tokens from the deployer around the launch"
    )
    return [
        Finding(
            type="deployer_funded_holders",
            score=score,
            severity=severity,
            reason=f"{what} hold or sold {share * 100:.1f}% of the supply: the holder base is partly "
            "the deployer's own.",
            evidence={
                "deployer": deployer,
                "wallets": [w["address"] for w in considered],
                "funding_paths": {w["address"]: w["funding_path"] for w in considered[:10]},
                "share_of_supply": share,
            },
        )
    ]

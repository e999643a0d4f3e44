"""Who holds power over the token, and what that power does when used: the probe run on the chain.

Two round trips: (1) the storage of the access-check variables, the code of every candidate actor
(a contract - multisig, timelock - governs differently from a key), the pair's and top holders'
balances; (2) the baseline and every probe as eth_simulateV1 requests in one JSON-RPC batch. A node
without eth_simulateV1 gets the storage analysis alone, and the result says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_utils.address import to_checksum_address

from moneygrow.chain import simulate as sim
from moneygrow.chain.inventory import SELF_SERVICE, Function, Inventory, inventory
from moneygrow.chain.reader import ZERO_ADDRESS
from moneygrow.heuristics import probe as pr
from moneygrow.heuristics.registry import (
    STORAGE_SCAN_SLOTS,
    HeuristicContext,
    Read,
    as_bytes,
    as_call,
    call_address,
    eth_call,
    get_code,
    get_storage,
    is_burn,
    word_address,
    word_uint,
)

MAX_HOLDERS = 3  # real holders watched besides the pair and the two probe wallets


@dataclass
class PowerScan:
    """The probe's outcome for the owner check."""

    inventory: Inventory
    actors: list[pr.Actor] = field(default_factory=list)
    contract_actors: set[str] = field(default_factory=set)  # actors with code (multisig, timelock...)
    report: pr.ProbeReport = field(default_factory=pr.ProbeReport)
    executed: bool = False  # the probes ran (eth_simulateV1 answered)
    static: list[pr.Power] = field(default_factory=list)  # storage evidence, not confirmed by a probe
    external_calls: list[dict[str, Any]] = field(default_factory=list)  # made by a plain transfer
    notes: list[str] = field(default_factory=list)  # what this node cannot do: named, not degrading

    @property
    def sells_tested(self) -> bool:
        """The baseline could sell (a pool, and no trap already closed): levers over sells were
        really put to the test."""
        return any(ok for label, (ok, _) in self.report.baseline_sells.items() if label.endswith(".sell"))

    def data(self) -> dict[str, Any]:
        return {
            "method": self.report.method if self.executed else "storage analysis only",
            "functions": len(self.inventory.functions),
            "candidates": [fn.label for fn in self.inventory.candidates()],
            "balance_slots": sorted(self.inventory.balance_keys),
            "supply_slots": sorted(self.inventory.supply_keys),
            "transfer_path_slots": sorted(self.inventory.transfer_path_keys),
            "actors": [
                {"address": a.address, "role": a.role, "contract": a.address in self.contract_actors}
                for a in self.actors
            ],
            "transfer_external_calls": self.external_calls,
            "probes": self.report.probes,
            "probes_reverted": self.report.reverted,
            "baseline": self.report.baseline,
            "observed": [
                {"kind": p.kind, "executed": p.executed, "conventional": p.conventional, **p.evidence}
                for p in [*self.report.powers, *self.static]
            ],
        }


def token_inventory(ctx: HeuristicContext) -> Inventory:
    """The inventory of the code that runs: the implementation's for a proxy."""
    code = ctx.implementation_code or ctx.code
    return ctx.memo("inventory", lambda: inventory(code))


def scan(ctx: HeuristicContext, pair: str | None, getters: list[tuple[str, str]]) -> PowerScan:
    inv = token_inventory(ctx)
    out = PowerScan(inv)
    if inv.error is not None:
        out.report.gaps.append(f"owner powers: the bytecode could not be analysed ({inv.error})")
        return out
    candidates = _candidate_actors(ctx, inv, getters)
    holders = _holders(ctx, pair, {a.address for a in candidates})
    answers = ctx.read(_first_reads(ctx, inv, candidates, holders, pair))
    actors = [a for a in _with_slot_actors(ctx, inv, answers, candidates) if _usable(ctx, a.address, pair)]
    out.actors = actors[: pr.MAX_ACTORS]
    out.contract_actors = {
        a.address
        for a in out.actors
        if as_bytes("eth_getCode", answers.get(f"code.{a.address}", {"result": "0x"}))
    }
    script = _script(ctx, pair, holders, answers, [a.address for a in candidates[:1]])
    traced = isinstance((answers.get("trace") or {}).get("result"), dict)
    out.external_calls = (
        _external_calls(ctx, answers.get("trace"), pair, _proxy_parts(ctx))
        if traced
        else _accessed_contracts(ctx, answers.get("access"), pair, _proxy_parts(ctx))
    )
    _run(ctx, inv, out, script)
    return out


def _trace_read(ctx: HeuristicContext, sender: str) -> Read:
    """A plain transfer traced with the call tracer: which other contracts decide it."""
    call = {"from": sender, "to": ctx.address, "data": "0x" + pr.transfer_call(pr.RECIPIENT, 1).hex()}
    return Read("debug_traceCall", [call, "latest", {"tracer": "callTracer"}])


def _infra(ctx: HeuristicContext, pair: str | None) -> set[str]:
    net = ctx.network
    return {a.lower() for a in (ctx.address, net.dex.router, net.dex.factory, net.wrapped_native, pair or "")}


def _proxy_parts(ctx: HeuristicContext) -> set[str]:
    """A proxy's own moving parts (implementation, beacon): touched by every call, not a gate."""
    proxy = ctx.proxy
    return {a.lower() for a in (proxy.implementation, proxy.beacon) if a} if proxy is not None else set()


def _accessed_contracts(
    ctx: HeuristicContext, raw: dict[str, Any] | None, pair: str | None, proxy_parts: set[str]
) -> list[dict[str, Any]]:
    """Without a tracer: the contracts (not the DEX, not a proxy's implementation, not precompiles)
    whose code or storage the transfer touched, from its access list; whether a value came back is
    unknown."""
    if raw is None or not isinstance(raw.get("result"), dict):
        return []
    skip = _infra(ctx, pair) | {pr.RECIPIENT.lower()} | proxy_parts
    found = []
    for entry in raw["result"].get("accessList") or []:
        address = str(entry.get("address") or "").lower()
        if address in skip or int(address or "0x0", 16) < 0x400:
            continue
        found.append(
            {
                "contract": to_checksum_address(address),
                "type": "access list",
                "storage_read": len(entry.get("storageKeys") or []),
                "returns_value": False,
            }
        )
    return found[:5]


def _external_calls(
    ctx: HeuristicContext, raw: dict[str, Any] | None, pair: str | None, proxy_parts: set[str]
) -> list[dict[str, Any]]:
    """Calls a wallet transfer makes to contracts other than the token and the DEX (the trap can live
    off-contract: a 'gate' whose answer the balance arithmetic uses). Empty when the node cannot
    trace (debug_traceCall is rarely public): that is named in the data, not a failure."""
    if raw is None or not isinstance(raw.get("result"), dict):
        return []
    infra = _infra(ctx, pair) | proxy_parts
    found: list[dict[str, Any]] = []
    stack = list(raw["result"].get("calls") or [])
    while stack:
        call = stack.pop(0)
        stack.extend(call.get("calls") or [])
        to = str(call.get("to") or "").lower()
        if not to or to in infra or call.get("type") == "DELEGATECALL":
            continue
        output = str(call.get("output") or "0x")
        found.append(
            {
                "contract": to_checksum_address(to),
                "type": call.get("type"),
                "selector": str(call.get("input") or "0x")[:10],
                "returns_value": len(output) == 66,
                "output": output[:66],
            }
        )
    return found[:5]


# --- actors ------------------------------------------------------------------------------------------


def _candidate_actors(
    ctx: HeuristicContext, inv: Inventory, getters: list[tuple[str, str]]
) -> list[pr.Actor]:
    found: list[pr.Actor] = []
    owner = ctx.owner
    if owner is not None:
        found.append(pr.Actor(owner, "owner()"))
    for name, address in getters:
        found.append(pr.Actor(address, name))
    for address in sorted(inv.hardcoded):
        found.append(pr.Actor(to_checksum_address(address), "hard-coded address compared with the caller"))
    deployer, how = ctx.deployer
    if deployer is not None:
        found.append(pr.Actor(deployer, f"deployer ({how})"))
    for address in sorted(ctx.logs.former_owners):
        found.append(pr.Actor(address, "former owner (OwnershipTransferred)"))
    for _, role, address in ctx.logs.role_grants:
        found.append(pr.Actor(address, f"role holder (RoleGranted {role[:10]}...)"))
    return found


def _access_reads(ctx: HeuristicContext, inv: Inventory) -> dict[str, Read]:
    return {
        f"access.{v.key}": get_storage(ctx.address, v.slot)
        for v in inv.variables
        if v.key in inv.access_keys and v.slot >= STORAGE_SCAN_SLOTS
    }


def _slot_word(ctx: HeuristicContext, answers: dict[str, dict[str, Any]], slot: int, key: str) -> bytes:
    raw = ctx.pre(f"owner.slot.{slot}") if slot < STORAGE_SCAN_SLOTS else answers.get(f"access.{key}", {})
    try:
        return as_bytes("eth_getStorageAt", raw).rjust(32, b"\0")
    except Exception:
        return b"\0" * 32


def _with_slot_actors(
    ctx: HeuristicContext, inv: Inventory, answers: dict[str, dict[str, Any]], found: list[pr.Actor]
) -> list[pr.Actor]:
    """Actors from the variables the access checks compare with the caller (owner-like slots,
    a marketing wallet, a hidden admin), placed right after owner()."""
    from_slots: list[pr.Actor] = []
    for v in inv.variables:
        if v.key not in inv.access_keys or not v.is_address:
            continue
        word = _slot_word(ctx, answers, v.slot, v.key)
        end = 32 - v.offset
        address = word_address(b"\0" * 12 + word[end - 20 : end]) if end >= 20 else None
        if address is not None and int(address, 16) != 0:
            from_slots.append(pr.Actor(address, f"storage slot {v.key} (compared with the caller)"))
    ordered = [*found[:1], *from_slots, *found[1:]]
    seen: set[str] = set()
    out = []
    for actor in ordered:
        if actor.address not in seen:
            seen.add(actor.address)
            out.append(actor)
    return out


def _usable(ctx: HeuristicContext, address: str, pair: str | None) -> bool:
    net = ctx.network
    others = {ctx.address, pair, to_checksum_address(net.dex.router), to_checksum_address(net.wrapped_native)}
    return not is_burn(address) and address not in others


# --- holders and the script --------------------------------------------------------------------------


def _holders(ctx: HeuristicContext, pair: str | None, actors: set[str]) -> list[str]:
    """Largest holders by the Transfer logs (net received), without the pair, burn addresses,
    the token and the candidate actors."""
    skip = {ctx.address, pair, *actors}
    return [a for a, _ in ctx.logs.holders if a not in skip and not is_burn(a)][:MAX_HOLDERS]


def _first_reads(
    ctx: HeuristicContext, inv: Inventory, actors: list[pr.Actor], holders: list[str], pair: str | None
) -> dict[str, Read]:
    reads = _access_reads(ctx, inv)
    for actor in actors:
        reads[f"code.{actor.address}"] = get_code(actor.address)
    for who in [*([pair] if pair else []), *holders, *(a.address for a in actors[:1])]:
        reads[f"balance.{who}"] = eth_call(ctx.address, "balanceOf(address)", ("address",), (who,))
    sender = holders[0] if holders else pair
    if sender is not None:
        reads["trace"] = _trace_read(ctx, sender)
        # every node has eth_createAccessList: which contracts the same transfer touches
        reads["access"] = Read("eth_createAccessList", reads["trace"].params[:2])
    return reads


def _balance(answers: dict[str, dict[str, Any]], who: str) -> int:
    raw = answers.get(f"balance.{who}")
    if raw is None:
        return 0
    res = as_call(raw)
    return (word_uint(res.data) or 0) if res.ok else 0


def _script(
    ctx: HeuristicContext,
    pair: str | None,
    holders: list[str],
    answers: dict[str, dict[str, Any]],
    owner: list[str],
) -> pr.Script:
    holding = [
        w for w in dict.fromkeys([pair, *holders, *owner]) if w is not None and _balance(answers, w) > 0
    ]
    funders = tuple(holding[: pr.MAX_FUNDERS])
    amount = min((_balance(answers, w) // pr.FUND_DIVISOR for w in funders), default=0)
    watched = [pr.VICTIM, pr.BYSTANDER, *([pair] if pair else []), ctx.address, *holders]
    watched += [pr.DEAD, ZERO_ADDRESS]
    header = ctx.block
    supply = ctx.meta.get("total_supply")
    return pr.Script(
        token=ctx.address,
        block_number=ctx.block_number,
        timestamp=int(str(header.get("timestamp") or "0x0"), 16),
        funders=funders,
        amount=amount,
        pair=pair,
        watched=list(dict.fromkeys(watched)),
        big=max(pr.BIG, supply if isinstance(supply, int) else 0),
    )


# --- running -----------------------------------------------------------------------------------------


def _run(ctx: HeuristicContext, inv: Inventory, out: PowerScan, script: pr.Script) -> None:
    report = out.report
    owner = ctx.owner
    hidden = [a for a in out.actors if owner is None or is_burn(owner) or a.address != owner]
    probes, skipped = pr.plan(inv, out.actors, script, hidden)
    report.gaps += [f"owner powers: {s}" for s in skipped]
    if not probes:
        return  # nothing to execute: no simulation round trip
    reads = {"baseline": Read(sim.METHOD, pr.request(script, None))}
    reads.update({f"probe.{i}": Read(sim.METHOD, pr.request(script, p)) for i, p in enumerate(probes)})
    # a takeover changes state itself: probes after one are compared with the takeover alone
    takeover_bases = {(p.actor, p.prelude): p for p in probes if p.prelude}
    for n, p in enumerate(takeover_bases.values()):
        reads[f"base.{n}"] = Read(sim.METHOD, pr.request(script, p, baseline=True))
    answers = ctx.read(reads)
    if sim.unsupported(answers["baseline"]):
        out.notes.append(
            "owner powers: the node lacks eth_simulateV1, so no function was executed; powers come "
            "from the storage analysis and known function names only"
        )
        out.static = static_powers(inv, out.actors)
        return
    baseline = pr.parse(script, None, answers["baseline"])
    if baseline is None:
        report.gaps.append(f"owner powers: the baseline simulation failed: {str(answers['baseline'])[:200]}")
        out.static = static_powers(inv, out.actors)
        return
    out.executed = True
    report.baseline_sells = dict(baseline.sells)
    report.baseline = {k: {"ok": ok, "lost": lost} for k, (ok, lost) in baseline.sells.items()}
    report.probes = len(probes)
    bases = {
        key: pr.parse(script, p, answers[f"base.{n}"], baseline=True)
        for n, (key, p) in enumerate(takeover_bases.items())
    }
    confirmed: set[str] = set()
    for i, probe in enumerate(probes):
        run = pr.parse(script, probe, answers[f"probe.{i}"])
        base = bases.get((probe.actor, probe.prelude)) if probe.prelude else baseline
        if run is None or not run.ok or base is None or not base.ok:
            report.reverted += 1
            continue
        for power in pr.powers_from(probe, pr.effect(script, probe, run, base), script):
            if not any(p.kind == power.kind and p.fn.selector == power.fn.selector for p in report.powers):
                report.powers.append(power)
                confirmed.add(probe.fn.selector)
    if probes and report.reverted == len(probes):
        out.notes.append(
            f"owner powers: all {len(probes)} probe calls reverted (as {len(out.actors)} accounts): the "
            "power may sit with an account not found, or be capped or time-locked; storage evidence is used"
        )
    report.powers = _one_lever_per_function(report.powers)
    out.static = [p for p in static_powers(inv, out.actors) if p.fn.selector not in confirmed]


_LEVER_ORDER = ("blacklist", "fee", "limit", "pause")  # the most specific reading of one function


def _one_lever_per_function(powers: list[pr.Power]) -> list[pr.Power]:
    """A function that taxes with one argument and reverts with another is one fee lever, not a fee
    and a limit: keep the most specific limiting-sell kind per function (mint and leak stay)."""
    best: dict[str, str] = {}
    for p in powers:
        if p.kind in _LEVER_ORDER:
            current = best.get(p.fn.selector)
            if current is None or _LEVER_ORDER.index(p.kind) < _LEVER_ORDER.index(current):
                best[p.fn.selector] = p.kind
    return [p for p in powers if p.kind not in _LEVER_ORDER or best[p.fn.selector] == p.kind]


def static_powers(inv: Inventory, actors: list[pr.Actor]) -> list[pr.Power]:
    """Storage evidence alone: a guarded, non-standard function that writes the balance mapping
    (storage cannot tell a raise from a cut: one that also writes the supply or takes only amounts
    is read as a mint, one that takes addresses as a leak) or state the transfer path reads (a
    limiting-sell lever)."""
    actor = actors[0] if actors else pr.Actor(ZERO_ADDRESS, "unknown")
    out: list[pr.Power] = []
    for fn in inv.candidates():
        if not inv.guarded(fn) or fn.selector in SELF_SERVICE:
            continue
        kind = _static_kind(inv, fn)
        if kind is None:
            continue
        if kind not in ("mint", "leak"):
            kind = pr.lever_by_name(fn) or kind  # a conventional name labels which lever it is
        evidence = {
            "function": fn.label,
            "selector": fn.selector,
            "actor": actor.address,
            "actor_role": actor.role,
            "writes": sorted(fn.writes),
            "evidence": "storage analysis: the function is access-checked and writes "
            + ("the balance mapping" if kind in ("mint", "leak") else "state the transfer path reads"),
        }
        out.append(pr.Power(kind, fn, actor, (), False, evidence))
    return out


def _static_kind(inv: Inventory, fn: Function) -> str | None:
    if fn.writes & inv.balance_keys:
        if fn.writes & inv.supply_keys or all(a.startswith("uint") for a in fn.arguments):
            return "mint"
        return "leak"
    written = [inv.variable(k) for k in fn.writes & inv.transfer_path_keys]
    types = {v.type for v in written if v is not None}
    if any(t.startswith("mapping(address") and t.endswith("bool)") for t in types):
        return "blacklist"
    if "bool" in types:
        return "pause"
    if any(t.startswith("uint") for t in types):
        return "limit"
    return None


def admin_getters(ctx: HeuristicContext, keys: list[str], prefix: str) -> list[tuple[str, str]]:
    """(getter, address) for the prefetched admin getters that name someone."""
    out = []
    for key in keys:
        who = call_address(as_call(ctx.pre(f"{prefix}{key}")))
        if who is not None and not is_burn(who) and who != ctx.address:
            out.append((key, who))
    return out

"""Owner powers: what the code lets a privileged account do to holders, and whether anyone still can.

Powers come from the dispatcher's selectors (the token's and, for a proxy, its implementation's)
matched against bytecode.RISKY_FUNCTIONS and, when the explorer has verified source, from the ABI
(exact signatures, then function names). Whether they can still be used:
- owner() / getOwner() returns a live address -> the powers are live;
- it returns 0x0 / 0x...dEaD -> renounced, severities go down... unless the ownership is hidden or
  reclaimable: a lock()/unlock() or reclaim function, an admin-like getter (admin(), operator(),
  pendingOwner(), the AccessControl admin ...) that still names someone, or a storage slot that still
  holds a former owner (the SafeMoon-style `_previousOwner`). Then the renounce is fake: hidden_owner.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from moneygrow.chain import bytecode as bc
from moneygrow.chain.reader import ChainUnavailable
from moneygrow.heuristics import powers as pw
from moneygrow.heuristics.probe import Power
from moneygrow.heuristics.registry import (
    STORAGE_SCAN_SLOTS,
    CheckOutcome,
    HeuristicContext,
    Read,
    as_bytes,
    eth_call,
    get_storage,
    is_burn,
    register,
    word_address,
)
from moneygrow.models import Finding, Severity

log = logging.getLogger(__name__)

# finding type -> (risky-function categories, score/severity while an owner holds the power, reason)
POWERS: dict[str, tuple[tuple[str, ...], int, Severity, str]] = {
    "owner_can_mint": (
        ("mint",),
        80,
        Severity.HIGH,
        "The contract has a mint function: new tokens can be created at will, diluting every holder.",
    ),
    "owner_can_blacklist": (
        ("blacklist", "whitelist"),
        80,
        Severity.HIGH,
        "The contract can blacklist addresses or keep an allow-list of who may trade, which stops "
        "holders from transferring or selling their tokens.",
    ),
    "owner_can_change_balances": (
        ("balance",),
        80,
        Severity.HIGH,
        "The contract has functions that change or burn other holders' balances directly.",
    ),
    "owner_can_set_fees": (
        ("fee",),
        60,
        Severity.MEDIUM,
        "Transfer or sell taxes (or who pays them) can be changed after launch, up to making selling "
        "pointless.",
    ),
    "owner_can_pause_trading": (
        ("pause",),
        55,
        Severity.MEDIUM,
        "Transfers can be paused, freezing everyone's tokens.",
    ),
    "trading_toggle": (
        ("trading",),
        55,
        Severity.MEDIUM,
        "Trading can be switched off again after launch, which blocks selling for everyone not exempted.",
    ),
    "owner_can_limit_transfers": (
        ("limit",),
        40,
        Severity.MEDIUM,
        "Transaction or wallet limits (or cooldowns) can be changed, which can block large sells or all of "
        "them when set to zero.",
    ),
    "upgradeable": (
        ("upgrade",),
        75,
        Severity.HIGH,
        "The contract can be upgraded: its rules can be replaced with any other code.",
    ),
}
RENOUNCED_FACTOR = 0.5  # a power nobody can call any more still deserves a mention (other roles may exist)
DANGEROUS = frozenset(c for cats, *_ in POWERS.values() for c in cats) - {"upgrade"}
TOOLKIT_STOPPERS = frozenset({"blacklist", "fee", "pause", "trading", "whitelist", "balance"})

# Getters that name a privileged account other than owner(); probed in the first batch.
ADMIN_GETTERS = (
    "admin()",
    "getAdmin()",
    "operator()",
    "controller()",
    "manager()",
    "governance()",
    "authority()",
    "previousOwner()",
    "pendingOwner()",
)

# Function-name patterns for verified ABIs (state-changing functions only), most specific first.
_ABI_NAME_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("reclaim", re.compile(r"^(un)?lock$|unlock|reclaim|recoverowner|restoreowner", re.I)),
    ("upgrade", re.compile(r"^upgrade", re.I)),
    ("mint", re.compile(r"^_?mint|^issue$", re.I)),
    ("blacklist", re.compile(r"black|bots?$|setbot|antisnipe|antibot|sniper|freeze|blocklist", re.I)),
    ("whitelist", re.compile(r"white|allowlist|setallowed", re.I)),
    ("balance", re.compile(r"setbalance|rebase|clawback|forcetransfer|admintransfer|adminburn", re.I)),
    ("pause", re.compile(r"pause", re.I)),
    ("trading", re.compile(r"settrading|tradingstatus|stoptrading|disabletrading", re.I)),
    ("launch", re.compile(r"enabletrading|opentrading|starttrading|^launch$", re.I)),
    ("fee", re.compile(r"fee|tax", re.I)),
    ("limit", re.compile(r"max(tx|wallet|transaction|sell|buy)|limit|cooldown|transferdelay", re.I)),
)


def _prefetch(ctx: HeuristicContext) -> dict[str, Read]:
    reads = {f"getter.{sig}": eth_call(ctx.address, sig) for sig in ADMIN_GETTERS}
    reads["getter.getRoleMember(DEFAULT_ADMIN_ROLE,0)"] = eth_call(
        ctx.address, "getRoleMember(bytes32,uint256)", ("bytes32", "uint256"), (b"\0" * 32, 0)
    )
    reads.update({f"slot.{i}": get_storage(ctx.address, i) for i in range(STORAGE_SCAN_SLOTS)})
    return reads


@register("owner", prefetch=_prefetch)
def check(ctx: HeuristicContext) -> CheckOutcome:
    owner = ctx.owner
    renounced = owner is not None and is_burn(owner)
    owner_live = owner is not None and not renounced
    risky, abi_used = _powers(ctx)
    proxy = ctx.proxy
    if proxy is not None and proxy.upgradeable:
        risky.pop("upgrade", None)  # the proxy check reports who can upgrade
    scan = _scan(ctx)
    hidden = _hidden_owner_signals(ctx, owner, risky, scan) if not owner_live else []
    findings = power_findings(risky, owner, owner_live or bool(hidden), hidden, scan)
    findings += _hidden_owner_findings(owner, owner_live, risky, hidden)
    findings += _external_gate(scan)
    known = well_known(ctx)
    if known is not None:
        findings = _as_issuer_powers(findings, known)
    data: dict[str, Any] = {
        "owner": owner,
        "has_owner_function": owner is not None,
        "ownership_renounced": renounced,
        "hidden_owner": hidden or None,
        "owner_powers_live": owner_live
        or bool(hidden)
        or bool(scan.report.powers)
        or (owner is None and bool(DANGEROUS & risky.keys())),
        "risky_functions": risky,
        "abi_checked": abi_used,
        "well_known": known,
        "powers": scan.data(),
    }
    return CheckOutcome(findings=findings, data=data, gaps=scan.report.gaps, unconfigured=scan.notes)


def _external_gate(scan: pw.PowerScan) -> list[Finding]:
    """A wallet transfer that asks another contract (not the DEX) and gets a number back: the rules,
    or the amount credited, are decided off-contract by code whose owner can change its answer."""
    if not scan.external_calls:
        return []
    valued = [c for c in scan.external_calls if c["returns_value"]]
    score, severity = (60, Severity.HIGH) if valued else (35, Severity.MEDIUM)
    first = (valued or scan.external_calls)[0]
    return [
        Finding(
            type="transfer_depends_on_external_contract",
            score=score,
            severity=severity,
            reason=f"A plain wallet transfer calls another contract ({first['contract']}"
            + (f", function {first['selector']})" if "selector" in first else ")")
            + (" and gets a number back that the transfer can use" if valued else "")
            + ": whoever controls that contract can change who may sell, or how much arrives, without "
            "touching this token's code.",
            evidence={"calls": scan.external_calls},
        )
    ]


def _scan(ctx: HeuristicContext) -> pw.PowerScan:
    """The probe; a bug in it on some odd bytecode must not sink the other owner findings."""
    try:
        return pw.scan(ctx, _main_pair(ctx), _getters(ctx))
    except ChainUnavailable:
        raise
    except Exception as exc:
        log.warning("owner-power probe failed", exc_info=True)
        scan = pw.PowerScan(pw.token_inventory(ctx))
        scan.report.gaps.append(f"owner powers: the probe failed: {type(exc).__name__}: {exc}"[:300])
        return scan


def _main_pair(ctx: HeuristicContext) -> str | None:
    """The pair against the wrapped native coin (else any quote), from the liquidity check's first
    reads; None when that check is not registered (unit tests of single checks) or there is none."""
    from moneygrow.heuristics.liquidity import pair_addresses

    try:
        pairs = pair_addresses(ctx)
    except KeyError:
        return None
    return pairs.get(ctx.network.native_symbol) or next(iter(pairs.values()), None)


def _getters(ctx: HeuristicContext) -> list[tuple[str, str]]:
    return pw.admin_getters(ctx, [*ADMIN_GETTERS, "getRoleMember(DEFAULT_ADMIN_ROLE,0)"], "owner.getter.")


def well_known(ctx: HeuristicContext) -> str | None:
    """The network's own wrapped coin or a listed stablecoin (networks.py): centrally issued tokens
    whose issuer holds mint/blacklist/pause by design."""
    net, address = ctx.network, ctx.address.lower()
    if net.wrapped_native.lower() == address:
        return f"wrapped {net.native_symbol}"
    for symbol, stable in net.stablecoins.items():
        if stable.lower() == address:
            return f"{symbol} (stablecoin)"
    return None


def _as_issuer_powers(findings: list[Finding], known: str) -> list[Finding]:
    """Keep the powers in view but at most MEDIUM, and no rug-pull verdict, for a well-known token."""
    out: list[Finding] = []
    for f in findings:
        if f.type == "rug_pull_toolkit":
            continue
        if f.severity in (Severity.CRITICAL, Severity.HIGH):
            f = f.model_copy(
                update={
                    "severity": Severity.MEDIUM,
                    "score": min(f.score, 45),
                    "reason": f.reason + f" This is {known}, a centrally issued token: its issuer holds this "
                    "power by design (a trust, not a scam, risk).",
                }
            )
        out.append(f)
    return out


def _powers(ctx: HeuristicContext) -> tuple[dict[str, list[str]], bool]:
    risky = bc.risky_functions(ctx.all_selectors)
    abis = []
    source = ctx.source
    if source is not None and source.abi:
        abis.append(source.abi)
        if source.proxy and source.implementation and ctx.providers.explorer is not None:
            impl = ctx.memo("impl_source", lambda: _impl_source(ctx, str(source.implementation)))
            if impl is not None and impl.abi:
                abis.append(impl.abi)
    for abi in abis:
        for category, sigs in abi_powers(abi).items():
            merged = risky.setdefault(category, [])
            merged.extend(s for s in sigs if s not in merged)
    return risky, bool(abis)


def _impl_source(ctx: HeuristicContext, implementation: str) -> Any:
    explorer = ctx.providers.explorer
    assert explorer is not None
    try:
        return explorer.source(ctx.task.chain, implementation)
    except Exception:
        return None


def abi_powers(abi: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Category -> signatures of the state-changing functions in a verified ABI that grant a power."""
    out: dict[str, list[str]] = {}
    for entry in abi:
        if entry.get("type") != "function" or entry.get("stateMutability") in ("view", "pure"):
            continue
        if entry.get("constant") is True:  # pre-0.5 ABIs
            continue
        name = str(entry.get("name", ""))
        sig = f"{name}({','.join(_abi_type(i) for i in entry.get('inputs', []))})"
        known = bc.RISKY_FUNCTIONS.get(bc.selector(sig))
        category = known.category if known is not None else _category_by_name(name, sig)
        if category is not None and category != "ownership":
            out.setdefault(category, []).append(sig)
    return out


def _abi_type(param: dict[str, Any]) -> str:
    kind = str(param.get("type", ""))
    if kind.startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in param.get("components", []))
        return f"({inner}){kind[5:]}"
    return kind


def _category_by_name(name: str, sig: str) -> str | None:
    lowered = name.lower()
    if lowered in ("transfer", "transferfrom", "approve", "burn", "burnfrom") and sig not in (
        "burn(address,uint256)",
    ):
        return None
    if "ownership" in lowered:
        return None
    for category, pattern in _ABI_NAME_PATTERNS:
        if pattern.search(name):
            return category
    return None


def _hidden_owner_signals(
    ctx: HeuristicContext, owner: str | None, risky: dict[str, list[str]], scan: pw.PowerScan | None = None
) -> list[str]:
    """Why the owner's powers may still be live although owner() says nobody (or has no owner()).
    Strong signals (a reclaim function, an admin getter naming someone, a power another account was
    seen using) come first; a storage slot that access checks compare with msg.sender and that still
    holds an address is weaker evidence."""
    signals: list[str] = []
    if risky.get("reclaim"):
        signals.append(f"ownership can be taken back: {', '.join(risky['reclaim'])}")
    signals += [f"{key} still returns {who}" for key, who in _getters(ctx)]
    for power in scan.report.powers if scan is not None else []:
        signal = f"{power.actor.role} {power.actor.address} can still call {power.fn.label} ({power.kind})"
        if signal not in signals:
            signals.append(signal)
    if owner is None and not (DANGEROUS & risky.keys()) and not signals:
        return []  # nothing to own: a token without owner() and without powers
    guarded = bc.slots_compared_with_caller(ctx.code) | bc.slots_compared_with_caller(ctx.implementation_code)
    former: set[str] | None = None
    for i in sorted(guarded):
        if i >= STORAGE_SCAN_SLOTS:
            continue
        value = word_address(as_bytes("eth_getStorageAt", ctx.pre(f"owner.slot.{i}")).rjust(32, b"\0"))
        if value is None or is_burn(value) or value == ctx.address:
            continue
        if former is None:
            former = _former_owners(ctx)
        who = f"the former owner {value}" if value in former else value
        signals.append(f"storage slot {i}, which access checks compare with the caller, still holds {who}")
    return signals


def _strong(signals: list[str]) -> bool:
    return any(not s.startswith("storage slot") for s in signals)


def _former_owners(ctx: HeuristicContext) -> set[str]:
    logs = ctx.logs
    former = set(logs.former_owners)
    deployer, _ = ctx.deployer
    if deployer is not None:
        former.add(deployer)
    return {a for a in former if not is_burn(a)}


# kind of power seen by the probe -> finding type
KIND_FINDING = {
    "mint": "owner_can_mint",
    "leak": "owner_can_change_balances",
    "blacklist": "owner_can_blacklist",
    "pause": "owner_can_pause_trading",
    "fee": "owner_can_set_fees",
    "limit": "owner_can_limit_transfers",
}
TOOLKIT_LEVERS = frozenset({"leak", "fee"})
TAKING = (
    "owner_can_mint",
    "owner_can_change_balances",
)  # findings about taking value, not blocking  # levers that take value from holders whatever their name


def _finding_type(power: Power) -> str:
    known = bc.RISKY_FUNCTIONS.get(power.fn.selector)
    if power.kind == "pause" and known is not None and known.category == "trading":
        return "trading_toggle"
    return KIND_FINDING[power.kind]


def _observed(power: Power) -> str:
    ev = power.evidence
    parts = []
    if "total_supply" in ev:
        parts.append(f"the supply rose from {ev['total_supply']['before']} to {ev['total_supply']['after']}")
    for who, (before, after) in ev.get("raised", {}).items():
        parts.append(f"{who} went from {before} to {after}")
    for who, (before, after) in ev.get("lowered", {}).items():
        parts.append(f"{who} fell from {before} to {after}")
    for what, how in ev.get("afterwards", {}).items():
        parts.append(f"afterwards the {what.replace('.', ' ')} {how}")
    return "; ".join(parts)


def _separated(executed: dict[str, list[Power]]) -> bool:
    """Role separation: two kinds of power held by disjoint sets of accounts (a minter who cannot
    blacklist, a blacklister who cannot mint) - how issuers limit what one key can do."""
    holders = [{p.actor.address for p in ps} for ps in executed.values()]
    return any(a.isdisjoint(b) for i, a in enumerate(holders) for b in holders[i + 1 :])


def _executed_finding(ftype: str, powers: list[Power], contracts: set[str], separated: bool) -> Finding:
    """Severity from consequence and governance: a disguised path held by one key is CRITICAL; the same
    effect behind a conventional name is an issuer power (HIGH), and lower again when the holder is a
    contract (a multisig or timelock). Role separation keeps a disguised path at HIGH."""
    best = min(powers, key=lambda p: (p.conventional, p.actor.address in contracts))
    governed = best.actor.address in contracts
    if not best.conventional:
        # CRITICAL is for taking or locking holders' tokens; a hidden mint dilutes them (HIGH) unless
        # the same key can also take or lock (rug_pull_toolkit).
        if governed or separated:
            score, severity = 70, Severity.HIGH
        elif best.kind == "mint":
            score, severity = 80, Severity.HIGH
        else:
            score, severity = (95 if best.kind == "leak" else 90), Severity.CRITICAL
        how = "through a non-standard function (its selector is not a conventional one for this)"
    else:
        score, severity = (45, Severity.MEDIUM) if governed else (75, Severity.HIGH)
        how = "through a conventionally exposed function"
    holder = "a contract (multisig or timelock)" if governed else "an ordinary account"
    reason = (
        f"{POWERS[ftype][3]} Observed: {best.fn.label} called by {best.actor.role} {best.actor.address} "
        f"with ({', '.join(str(a) for a in best.evidence['arguments'])}): {_observed(best)}. "
        f"The power is used {how}, held by {holder}."
    )
    evidence = {
        "observed": [p.evidence for p in powers],
        "executed": True,
        "functions": sorted({p.fn.label for p in powers}),
        "holder": best.actor.address,
        "holder_is_contract": governed,
    }
    return Finding(type=ftype, score=score, severity=severity, reason=reason, evidence=evidence)


def _static_finding(ftype: str, powers: list[Power], live: bool, probed: bool) -> Finding:
    """Storage evidence alone counts for less than an executed effect, and for less again when the
    probe ran and calling the function changed nothing (capped, time-locked, or a holder we missed)."""
    takes = ftype in TAKING
    if not live:
        score, severity = (40, Severity.MEDIUM) if takes else (25, Severity.LOW)
    elif probed:
        score, severity = (45, Severity.MEDIUM) if takes else (25, Severity.LOW)
    else:
        score, severity = (65, Severity.HIGH) if takes else (45, Severity.MEDIUM)
    reason = (
        f"{POWERS[ftype][3]} Storage evidence, not executed: "
        + "; ".join(
            f"{p.fn.label} is access-checked and {p.evidence['evidence'].split(' and ')[-1]}" for p in powers
        )
        + (". Calling it as every account that may hold power had no effect now." if probed else ".")
    )
    return Finding(
        type=ftype,
        score=score,
        severity=severity,
        reason=reason,
        evidence={"observed": [p.evidence for p in powers], "executed": False},
    )


def power_findings(
    risky: dict[str, list[str]],
    owner: str | None,
    powers_live: bool,
    hidden: list[str] | None = None,
    scan: pw.PowerScan | None = None,
) -> list[Finding]:
    """One finding per kind of power: from what a probe saw the function do (strongest), else from
    storage evidence, else from a known function name."""
    out: list[Finding] = []
    executed: dict[str, list[Power]] = {}
    static: dict[str, list[Power]] = {}
    for power in scan.report.powers if scan is not None else []:
        executed.setdefault(_finding_type(power), []).append(power)
    for power in scan.static if scan is not None else []:
        static.setdefault(_finding_type(power), []).append(power)
    # A fake renounce is undone in two steps (reclaim, then use the power), which one probe call cannot
    # show: with such a signal the storage and name evidence keeps its full weight.
    probed = scan is not None and scan.executed and not (hidden and _strong(hidden))
    contracts = scan.contract_actors if scan is not None else set()
    # A lever over sells can only be seen working when a sell worked without it (a pool, no trap yet).
    levers_tested = probed and scan is not None and scan.sells_tested
    for ftype in POWERS:
        tested = probed if ftype in TAKING else levers_tested
        if ftype in executed:
            out.append(_executed_finding(ftype, executed[ftype], contracts, _separated(executed)))
        elif ftype in static and (ftype in TAKING or not tested):
            # A lever the probe pulled without effect stays in the data, not in the findings.
            out.append(_static_finding(ftype, static[ftype], powers_live, tested))
        else:
            named = _named_finding(ftype, risky, owner, powers_live, hidden, tested)
            if named is not None:
                out.append(named)
    toolkit = _toolkit(executed, contracts)
    if toolkit is not None:
        out.append(toolkit)
    if (
        powers_live
        and not hidden
        and not executed
        and not (risky.keys() & (DANGEROUS | {"upgrade", "reclaim"}))
    ):
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


def _named_finding(
    ftype: str,
    risky: dict[str, list[str]],
    owner: str | None,
    powers_live: bool,
    hidden: list[str] | None,
    probed: bool,
) -> Finding | None:
    categories, score, severity, reason = POWERS[ftype]
    sigs = [s for c in categories for s in risky.get(c, [])]
    if not sigs:
        return None
    evidence: dict[str, Any] = {"functions": sigs, "owner": owner, "executed": False}
    renounced = owner is not None and is_burn(owner) and not hidden
    if renounced:
        score, severity = int(score * RENOUNCED_FACTOR), Severity.LOW if score < 70 else Severity.MEDIUM
        reason += " Ownership is renounced, so an owner-only version of it can no longer be called."
    elif probed and ftype != "upgradeable":
        # The function is there by name, but calling it as every account that may hold power changed
        # nothing now: capped, time-locked, or the power sits with an account we did not find.
        score, severity = (40, Severity.MEDIUM) if powers_live else (20, Severity.LOW)
        reason += (
            " (By its name: calling it as every account that may hold power had no effect now; it may be "
            "capped, time-locked or held by another account.)"
        )
    elif hidden and owner is not None:
        reason += " Ownership looks renounced but can be taken back, so treat this power as live."
    elif hidden:
        reason += f" There is no owner() but an admin remains: {'; '.join(hidden)}."
    elif powers_live:
        reason += f" The owner {owner} still controls the contract."
    return Finding(type=ftype, score=score, severity=severity, reason=reason, evidence=evidence)


def _toolkit(executed: dict[str, list[Power]], contracts: set[str]) -> Finding | None:
    """One key that was seen minting AND taking, blocking or taxing holders' sells, where the lever
    is disguised or takes value whatever it is called (a leak, an uncapped fee): the rug-pull set-up.
    Conventional issuer powers (a stablecoin's mint + blacklist) are reported, not called a toolkit."""
    keyed = [p for ps in executed.values() for p in ps if p.actor.address not in contracts]
    for key in dict.fromkeys(p.actor.address for p in keyed):
        mints = [p for p in keyed if p.kind == "mint" and p.actor.address == key]
        levers = [p for p in keyed if p.kind != "mint" and p.actor.address == key]
        disguised = any(not p.conventional for p in mints + levers)
        if mints and levers and (disguised or any(p.kind in TOOLKIT_LEVERS for p in levers)):
            return _toolkit_finding(mints, levers)
    return None


def _toolkit_finding(mints: list[Power], levers: list[Power]) -> Finding:
    return Finding(
        type="rug_pull_toolkit",
        score=95,
        severity=Severity.CRITICAL,
        reason="One key was seen both printing new tokens and taking, blocking or taxing holders' tokens "
        f"({', '.join(sorted({p.fn.label + ': ' + p.kind for p in mints + levers}))}): the set-up of a "
        "rug pull.",
        evidence={
            "holders": sorted({p.actor.address for p in mints + levers}),
            "powers": sorted({p.kind for p in levers} | {"mint"}),
        },
    )


def _hidden_owner_findings(
    owner: str | None, owner_live: bool, risky: dict[str, list[str]], hidden: list[str]
) -> list[Finding]:
    if owner_live and risky.get("reclaim"):
        return [
            Finding(
                type="hidden_owner",
                score=45,
                severity=Severity.MEDIUM,
                reason="The owner can fake a renounce: ownership can be 'locked' (owner() shows nobody) and "
                "taken back later.",
                evidence={"owner": owner, "functions": risky["reclaim"]},
            )
        ]
    if not hidden:
        return []
    if owner is None and not risky.get("reclaim"):
        # No owner() at all: an admin role (AccessControl, operator...) is how such tokens are run,
        # not a disguise. Its powers are reported as live by power_findings.
        return []
    powers = sorted(DANGEROUS & risky.keys())
    looks = "renounced" if owner is not None else "ownerless (no owner() function)"
    if powers and _strong(hidden):
        return [
            Finding(
                type="hidden_owner",
                score=90,
                severity=Severity.CRITICAL,
                reason=f"The token looks {looks}, but someone can still control it ({'; '.join(hidden)}), "
                f"and the code keeps owner powers ({', '.join(powers)}): the renounce is a trap.",
                evidence={"owner": owner, "signals": hidden, "powers": powers},
            )
        ]
    return [
        Finding(
            type="hidden_owner",
            score=60,
            severity=Severity.HIGH,
            reason=f"The token looks {looks}, but someone can still control it: {'; '.join(hidden)}.",
            evidence={"owner": owner, "signals": hidden},
        )
    ]

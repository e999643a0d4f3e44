"""Owner powers by execution: call each candidate function as each privileged actor and watch.

The inventory (chain.inventory) names the candidates: non-standard functions that write the balance
mapping, the supply, or state the transfer path reads. Each is called, in eth_simulateV1 (nothing on
chain changes), as every account that may hold power (owner(), addresses in slots the access checks
compare with the caller, hard-coded admins, admin getters, role grantees, the deployer), with
arguments synthesised from its types (the victim wallet, zero / small / huge amounts, true / false).
One request per (function, actor, arguments), all in one JSON-RPC batch, each on the same script:

  block 1  two fresh wallets (victim, bystander) receive tokens from the pair (a buy, as the token
           sees it) or from the largest holder; balances and supply are read;
  block 2  the probe call; balances and supply are read again;
  block 3  (two minutes later) victim and bystander each send a little to a fresh wallet and to the
           pair (a sell, as the token sees it); what arrived is read.

A baseline request runs the same script without the probe. Then what the call did is plain:
- mint: the supply rose, or balances rose by more than any fell (nobody paid for it);
- leak: a holder other than the caller (victim, bystander, pair, real holders) lost tokens;
- limiting sell: a transfer or sell that worked in the baseline reverts, or loses >= 5 pp more.
Only effects count; a name is used only to say whether the power is conventionally exposed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_abi.abi import encode
from eth_abi.exceptions import EncodingError

from moneygrow.chain import bytecode as bc
from moneygrow.chain import simulate as sim
from moneygrow.chain.inventory import GOVERNANCE, SELF_SERVICE, STANDARD, TRANSFER_FROM, Function, Inventory
from moneygrow.chain.reader import ZERO_ADDRESS

MAX_PROBES = 96  # simulate requests per token (one batch); beyond that the rest is named as a gap
MAX_ACTORS = 4
TAX_JUMP = 0.05  # a transfer that loses 5 pp more than in the baseline has been taxed by the probe
FUND_DIVISOR = 500  # the wallets receive 0.2 % of the (poorest) funder's balance
MAX_FUNDERS = 2
SELL_DELAY_S = 120  # block 3 comes this long after block 2 (past usual cooldowns, same for baseline)
BLOCK_S = 12
BIG = 10**24


def _label(text: str) -> str:
    return sim.label_address(f"moneygrow.probe.{text}")


VICTIM = _label("victim")
BYSTANDER = _label("bystander")
RECIPIENT = _label("recipient")
STRANGER = _label("stranger")
DEAD = "0x000000000000000000000000000000000000dEaD"

TOTAL_SUPPLY = bc.calldata("totalSupply()")

# Conventional names per kind of power: the same effect behind another name is "disguised".
CONVENTIONAL = {
    "mint": ("mint",),
    "leak": ("balance",),
    "blacklist": ("blacklist", "whitelist"),
    "pause": ("pause", "trading"),
    "fee": ("fee",),
    "limit": ("limit",),
}


@dataclass(frozen=True)
class Actor:
    address: str
    role: str  # how we know it may hold power: "owner()", "slot 0x5 (compared with the caller)", ...


@dataclass(frozen=True)
class Probe:
    fn: Function
    actor: Actor
    variant: str
    args: tuple[Any, ...]
    calldata: bytes
    # calls the actor makes first, in the same block: taking power back (unlock()) before using it
    prelude: tuple[Function, ...] = ()


@dataclass
class Script:
    """What every request of one token shares: who funds the wallets, who is watched."""

    token: str
    block_number: int
    timestamp: int
    funders: tuple[str, ...]  # who sends the wallets their tokens (the pair: a buy; a holder: a gift)
    amount: int  # from each funder to each wallet
    pair: str | None
    watched: list[str]  # addresses whose balances are read before and after
    big: int = BIG  # the "huge amount": at least the total supply, so a raise is never a cut

    @property
    def send(self) -> int:
        return max(self.amount // 10, 1)


@dataclass
class Effect:
    """What one probe call did, against the baseline."""

    ok: bool
    supply: tuple[int, int] | None = None
    raised: dict[str, tuple[int, int]] = field(default_factory=dict)  # address -> (before, after)
    lowered: dict[str, tuple[int, int]] = field(default_factory=dict)
    blocked: dict[str, str] = field(default_factory=dict)  # "victim.sell" -> "reverts" / "taxed 99.0 %"
    paid: int = 0  # what the caller (or the token contract) gave up
    error: str | None = None


@dataclass
class Power:
    kind: str  # mint | leak | blacklist | pause | fee | limit
    fn: Function
    actor: Actor
    args: tuple[Any, ...]
    executed: bool
    evidence: dict[str, Any]

    @property
    def conventional(self) -> bool:
        known = bc.RISKY_FUNCTIONS.get(self.fn.selector)
        return known is not None and known.category in CONVENTIONAL.get(self.kind, ())


@dataclass
class ProbeReport:
    powers: list[Power] = field(default_factory=list)
    probes: int = 0
    reverted: int = 0
    baseline: dict[str, Any] = field(default_factory=dict)
    baseline_sells: dict[str, tuple[bool, float | None]] = field(default_factory=dict)
    gaps: list[str] = field(default_factory=list)
    method: str = sim.METHOD


# --- arguments -------------------------------------------------------------------------------------

_VARIANTS = ("big", "zero", "percent", "bps")


def _value(kind: str, variant: str, script: Script) -> Any:
    if kind.endswith("[]"):
        inner = kind[:-2]
        if inner == "address" and script.pair is not None:
            return [VICTIM, script.pair] if variant == "big" else [VICTIM]
        return [_value(inner, variant, script)]
    if kind == "address":
        return VICTIM
    if kind == "bool":
        return variant != "zero"
    if kind.startswith(("uint", "int")):
        bits = int(kind.lstrip("uint") or 256)
        limit = 2 ** (bits - (1 if kind.startswith("int") else 0)) - 1
        wanted = {"big": script.big, "zero": 0, "percent": 99, "bps": 10_000}[variant]
        return min(wanted, limit)
    if kind.startswith("bytes") and kind != "bytes":
        return b"\0" * int(kind[5:])
    if kind == "bytes":
        return b""
    if kind == "string":
        return ""
    raise ValueError(kind)


def arguments(fn: Function, script: Script) -> list[tuple[str, tuple[Any, ...], bytes]]:
    """(variant, args, calldata) for the function, one per distinct calldata; [] when a type cannot
    be synthesised (tuples, nested arrays)."""
    out: list[tuple[str, tuple[Any, ...], bytes]] = []
    seen: set[bytes] = set()
    selector = bytes.fromhex(fn.selector[2:])
    for variant in _VARIANTS:
        try:
            args = tuple(_value(kind, variant, script) for kind in fn.arguments)
            data = selector + (encode(list(fn.arguments), list(args)) if args else b"")
        except (ValueError, TypeError, OverflowError, EncodingError):
            return []
        if data not in seen:
            seen.add(data)
            out.append((variant, args, data))
    return out


def _moving(fn: Function, actor: Actor, script: Script) -> list[tuple[str, tuple[Any, ...], bytes]]:
    """For a function taking two or more addresses and an amount: from the victim to the actor (then
    the bystander), a small amount the victim holds - how an owner-forced transfer shows itself;
    with one address everywhere, such a call would move tokens from the victim to the victim."""
    kinds = fn.arguments
    if sum(k == "address" for k in kinds) < 2 or not any(k.startswith("uint") for k in kinds):
        return []
    targets = iter([VICTIM, actor.address, BYSTANDER, RECIPIENT])
    try:
        args = tuple(
            next(targets, VICTIM)
            if k == "address"
            else min(script.send, _value(k, "big", script))  # within the type (uint8...)
            if k.startswith("uint")
            else _value(k, "big", script)
            for k in kinds
        )
        data = bytes.fromhex(fn.selector[2:]) + encode(list(kinds), list(args))
    except (ValueError, TypeError, OverflowError, EncodingError):
        return []
    return [("victim to actor", args, data)]


# --- the script ------------------------------------------------------------------------------------


def _balance_of(who: str) -> bytes:
    return bc.calldata("balanceOf(address)", ("address",), (who,))


def transfer_call(to: str, amount: int) -> bytes:
    return bc.calldata("transfer(address,uint256)", ("address", "uint256"), (to, amount))


def _reads(script: Script, watched: list[str]) -> list[sim.SimCall]:
    calls = [sim.SimCall(STRANGER, script.token, _balance_of(w)) for w in watched]
    return [*calls, sim.SimCall(STRANGER, script.token, TOTAL_SUPPLY)]


def _sells(script: Script) -> list[sim.SimCall]:
    """Victim and bystander each: a wallet transfer and a sell (a transfer to the pair), each
    between reads of what the receiver holds."""
    out: list[sim.SimCall] = []
    t = script.token
    for wallet in (VICTIM, BYSTANDER):
        for dest in (RECIPIENT, script.pair):
            if dest is None:
                continue
            read = sim.SimCall(STRANGER, t, _balance_of(dest))
            out += [read, sim.SimCall(wallet, t, transfer_call(dest, script.send)), read]
    return out


def _sell_labels(script: Script) -> list[str]:
    return [
        f"{w}.{d}"
        for w in ("victim", "bystander")
        for d, dest in (("transfer", RECIPIENT), ("sell", script.pair))
        if dest is not None
    ]


def watched_for(script: Script, actor: Actor | None) -> list[str]:
    extra = [actor.address] if actor is not None and actor.address not in script.watched else []
    return [*script.watched, *extra]


def _setup_calls(script: Script, probe: Probe | None) -> list[sim.SimCall]:
    """Block 1 before its reads: fund the wallets, then the probe's takeover calls (so what they
    change is part of 'before', never credited to the probed function)."""
    # Two sources when there are: if the token refuses one (trading not open, the pair blocked), the
    # wallets still hold tokens from the other, so levers over their sells can be seen.
    fund = [
        sim.SimCall(funder, script.token, transfer_call(w, script.amount))
        for funder in (script.funders if script.amount > 0 else ())
        for w in (VICTIM, BYSTANDER)
    ]
    if probe is not None:
        fund += [sim.SimCall(probe.actor.address, script.token, _no_args(f)) for f in probe.prelude]
    return fund


def request(script: Script, probe: Probe | None, *, baseline: bool = False) -> list[Any]:
    """eth_simulateV1 params for the script with this probe (None: the baseline; baseline=True: the
    probe's takeover calls without the probe itself, its own baseline)."""
    watched = watched_for(script, probe.actor if probe else None)
    fund = _setup_calls(script, probe)
    middle = []
    if probe is not None and not baseline:
        middle.append(sim.SimCall(probe.actor.address, script.token, probe.calldata))
    n, t = script.block_number, script.timestamp
    blocks = [
        sim.SimBlock(tuple(fund + _reads(script, watched)), number=n + 1, time=t + BLOCK_S),
        sim.SimBlock(tuple(middle + _reads(script, watched)), number=n + 2, time=t + 2 * BLOCK_S),
        sim.SimBlock(tuple(_sells(script)), number=n + 3, time=t + 2 * BLOCK_S + SELL_DELAY_S),
    ]
    return sim.params(blocks, hex(script.block_number))


# --- reading the answers ---------------------------------------------------------------------------


@dataclass
class Run:
    ok: bool  # the probe call itself succeeded (True for the baseline)
    before: dict[str, int]
    after: dict[str, int]
    supply: tuple[int, int] | None
    sells: dict[str, tuple[bool, float | None]]  # label -> (ok, fraction lost)
    error: str | None = None


def parse(
    script: Script, probe: Probe | None, response: dict[str, Any], *, baseline: bool = False
) -> Run | None:
    blocks = sim.results(response)
    if blocks is None or len(blocks) != 3:
        return None
    watched = watched_for(script, probe.actor if probe else None)
    setup = len(_setup_calls(script, probe))
    first = blocks[0][setup:]
    second = blocks[1]
    call_ok, error = True, None
    if setup and probe is not None and probe.prelude and not all(r.ok for r in blocks[0][:setup]):
        call_ok, error = False, "the takeover call reverted"
    if probe is not None and not baseline:
        call_ok, error = call_ok and second[0].ok, error or second[0].error
        second = second[1:]
    before = {w: r.word() or 0 for w, r in zip(watched, first, strict=False)}
    after = {w: r.word() or 0 for w, r in zip(watched, second, strict=False)}
    supply_a, supply_b = first[len(watched)].word(), second[len(watched)].word()
    supply = (supply_a, supply_b) if supply_a is not None and supply_b is not None else None
    sells: dict[str, tuple[bool, float | None]] = {}
    third = blocks[2]
    for i, label in enumerate(_sell_labels(script)):
        pre, sent, post = third[3 * i : 3 * i + 3]
        ok = sent.ok and (sent.data[-1:] != b"\0" if sent.data else True)
        got = (post.word() or 0) - (pre.word() or 0) if ok else 0
        lost = None if not ok else max(0.0, 1 - got / script.send)
        sells[label] = (ok, lost)
    return Run(call_ok, before, after, supply, sells, error)


def effect(script: Script, probe: Probe, run: Run, baseline: Run) -> Effect:
    out = Effect(ok=run.ok, error=run.error)
    if not run.ok:
        return out
    if run.supply is not None and run.supply[1] > run.supply[0]:
        out.supply = run.supply
    for who, before in run.before.items():
        after = run.after.get(who, before)
        if after > before:
            out.raised[who] = (before, after)
        elif after < before and who in (probe.actor.address, script.token):
            out.paid += before - after  # the caller's own tokens, or the contract's: not a holder's
        elif after < before:
            out.lowered[who] = (before, after)
    _compare_sells(out, run, baseline)
    return out


def _compare_sells(out: Effect, run: Run, baseline: Run) -> None:
    emptied = {_WALLET_LABELS.get(w) for w in out.lowered}
    for label, (ok, lost) in run.sells.items():
        base_ok, base_lost = baseline.sells.get(label, (False, None))
        if not base_ok or label.split(".")[0] in emptied:
            # nothing to compare with (that transfer failed without the probe too), or the wallet's
            # tokens were taken: its failing sell is the leak's consequence, not another power
            continue
        if not ok:
            out.blocked[label] = "reverts"
        elif lost is not None and base_lost is not None and lost - base_lost >= TAX_JUMP:
            out.blocked[label] = f"loses {lost * 100:.1f} % (baseline {base_lost * 100:.1f} %)"


_WALLET_LABELS = {VICTIM: "victim", BYSTANDER: "bystander"}


def classify(probe: Probe, eff: Effect) -> list[str]:
    """The kinds of power one effect shows (mint, leak, blacklist, pause, fee, limit)."""
    kinds: list[str] = []
    gained = sum(a - b for b, a in eff.raised.values())
    lost = sum(b - a for b, a in eff.lowered.values()) + eff.paid
    if eff.supply is not None or gained > lost:
        kinds.append("mint")
    if eff.lowered:
        # a conventional account lock (freeze(address,uint256)) takes tokens out of balanceOf too:
        # the name says they are locked, not taken; any other lowering is a leak
        kinds.append("blacklist" if _known_category(probe) in ("blacklist", "whitelist") else "leak")
    if eff.blocked:
        kinds.append(_limit_kind(probe, eff))
    return kinds


# Conventional categories of limiting-sell levers: when the effect is confirmed, the name says which.
_LEVER_CATEGORY = {"blacklist": "blacklist", "whitelist": "blacklist", "fee": "fee", "limit": "limit"}
_LEVER_CATEGORY |= {"pause": "pause", "trading": "pause"}


def _known_category(probe: Probe) -> str | None:
    known = bc.RISKY_FUNCTIONS.get(probe.fn.selector)
    return known.category if known is not None else None


def lever_by_name(fn: Function) -> str | None:
    """The limiting-sell kind a conventional name gives (blacklist, fee, limit, pause), else None."""
    known = bc.RISKY_FUNCTIONS.get(fn.selector)
    return _LEVER_CATEGORY.get(known.category) if known is not None else None


def _limit_kind(probe: Probe, eff: Effect) -> str:
    named = lever_by_name(probe.fn)
    if named is not None:
        return named
    targeted = VICTIM in _flat(probe.args)
    victim_only = all(label.startswith("victim") for label in eff.blocked)
    taxed = all(v != "reverts" for v in eff.blocked.values())
    if targeted and victim_only:
        return "blacklist"
    if taxed:
        return "fee"
    if any(k.startswith(("uint", "int")) for k in probe.fn.arguments):
        return "limit"
    return "pause"


def _flat(args: tuple[Any, ...]) -> list[Any]:
    out: list[Any] = []
    for a in args:
        out.extend(_flat(tuple(a)) if isinstance(a, list) else [a])
    return out


# --- planning ----------------------------------------------------------------------------------------


def _no_args(fn: Function) -> bytes:
    return bytes.fromhex(fn.selector[2:])


def takeovers(inv: Inventory) -> list[Function]:
    """Argument-less functions that write an access-check variable (other than the standard
    ownership ones): how a faked renounce is undone (SafeMoon's unlock(), a 'reclaim')."""
    return [
        fn
        for sel, fn in sorted(inv.functions.items())
        if fn.changes_state
        and not fn.arguments
        and sel not in GOVERNANCE
        and sel not in STANDARD
        and fn.writes & inv.access_keys
    ][:2]


def plan(
    inv: Inventory, actors: list[Actor], script: Script, hidden: list[Actor] | None = None
) -> tuple[list[Probe], list[str]]:
    """Every (candidate, actor, arguments) to run, most telling first, at most MAX_PROBES; for the
    `hidden` actors (who may hold power although owner() says otherwise) also each candidate after
    a takeover call."""
    probes: list[Probe] = []
    skipped: list[str] = []
    balance, supply = inv.balance_keys, inv.supply_keys

    def rank(fn: Function) -> int:
        if fn.writes & balance:
            return 0
        if fn.writes & supply:
            return 1
        return 3 if fn.selector in SELF_SERVICE else 2

    for fn in sorted(inv.candidates(), key=rank):
        variants = arguments(fn, script)
        if not variants:
            skipped.append(f"{fn.label}: argument types not synthesised")
            continue
        for actor in actors[:MAX_ACTORS]:
            for variant, args, data in [*variants, *_moving(fn, actor, script)]:
                probes.append(Probe(fn, actor, variant, args, data))
                for takeover in takeovers(inv) if hidden and actor in hidden else []:
                    probes.append(Probe(fn, actor, variant, args, data, (takeover,)))
    spends = [_spend_without_allowance(inv, actor, script) for actor in actors[:MAX_ACTORS]]
    probes += [p for p in spends if p is not None]
    if len(probes) > MAX_PROBES:
        skipped.append(f"{len(probes) - MAX_PROBES} probes over the limit of {MAX_PROBES} not run")
        probes = probes[:MAX_PROBES]
    return probes, skipped


def _spend_without_allowance(inv: Inventory, actor: Actor, script: Script) -> Probe | None:
    """The standard transferFrom, as the actor, from the victim who approved nobody: a backdoor in
    a conventional selector (an owner who may move anyone's tokens) shows as a leak."""
    fn = inv.functions.get(TRANSFER_FROM)
    if fn is None:
        return None
    args = (VICTIM, actor.address, script.send)
    data = bytes.fromhex(TRANSFER_FROM[2:]) + encode(["address", "address", "uint256"], list(args))
    return Probe(fn, actor, "no allowance", args, data)


def powers_from(probe: Probe, eff: Effect, script: Script) -> list[Power]:
    out = []
    for kind in classify(probe, eff):
        evidence: dict[str, Any] = {
            "function": probe.fn.label,
            "selector": probe.fn.selector,
            "actor": probe.actor.address,
            "actor_role": probe.actor.role,
            "arguments": [_show(a) for a in probe.args],
        }
        if probe.prelude:
            evidence["after_calling"] = [f.label for f in probe.prelude]
        if eff.supply is not None:
            evidence["total_supply"] = {"before": str(eff.supply[0]), "after": str(eff.supply[1])}
        if eff.raised:
            evidence["raised"] = {_who(a, script): [str(b), str(c)] for a, (b, c) in eff.raised.items()}
        if eff.lowered:
            evidence["lowered"] = {_who(a, script): [str(b), str(c)] for a, (b, c) in eff.lowered.items()}
        if eff.blocked:
            evidence["afterwards"] = dict(eff.blocked)
        out.append(Power(kind, probe.fn, probe.actor, probe.args, True, evidence))
    return out


def _show(value: Any) -> Any:
    if isinstance(value, list):
        return [_show(v) for v in value]
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _who(address: str, script: Script) -> str:
    names = {
        VICTIM: "victim wallet",
        BYSTANDER: "bystander wallet",
        script.pair: "pair",
        script.token: "token",
    }
    names.update({DEAD: "0x...dEaD", ZERO_ADDRESS: "0x0"})
    name = names.get(address)
    return f"{name} {address}" if name else address

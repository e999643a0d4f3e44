"""Liquidity on the chain's main DEX (Uniswap-V2 style): is there a pool, how deep, can it be pulled?

First batch: factory.getPair(token, X) for X = the wrapped native coin and each stablecoin, plus the
native/stablecoin pools that price the native coin. Second batch: token0/getReserves/totalSupply of
every pair found and the LP balances of the burn addresses, the known lockers (networks.lp_lockers),
the owner and the deployer. USD values come from the price provider when configured, otherwise from
the DEX's own native/stablecoin pools (and stablecoin pairs are in USD already).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moneygrow.chain.reader import ZERO_ADDRESS
from moneygrow.heuristics.registry import (
    DEAD_ADDRESS,
    CheckOutcome,
    HeuristicContext,
    Read,
    as_bytes,
    as_call,
    call_address,
    call_uint,
    eth_call,
    get_code,
    is_burn,
    register,
)
from moneygrow.models import Finding, Severity

LOW_LIQUIDITY_USD_HIGH, LOW_LIQUIDITY_USD_MEDIUM = 1_000.0, 10_000.0
LP_SAFE_SHARE = 0.90  # burnt + locked share of LP below which the liquidity can be pulled
LP_HOLDER_MOST = 0.50
DUST_NATIVE = 1e-6
PRICES_NOT_CONFIGURED = "price source not configured: USD values from the DEX's own stablecoin pools"


@dataclass
class Pool:
    quote_symbol: str
    quote: str
    pair: str
    quote_decimals: int
    token_reserve: int = 0
    quote_reserve: int = 0
    lp_supply: int = 0
    lp_balances: dict[str, int] = field(default_factory=dict)  # label -> LP balance
    liquidity_native: float | None = None
    liquidity_usd: float | None = None

    def lp_share(self, *labels: str) -> float:
        if not self.lp_supply:
            return 0.0
        return sum(self.lp_balances.get(label, 0) for label in labels) / self.lp_supply

    def as_dict(self, locker_labels: list[str]) -> dict[str, Any]:
        return {
            "pair": self.pair,
            "quote": self.quote_symbol,
            "quote_address": self.quote,
            "token_reserve": str(self.token_reserve),
            "quote_reserve": str(self.quote_reserve),
            "liquidity_native": self.liquidity_native,
            "liquidity_usd": self.liquidity_usd,
            "lp_total_supply": str(self.lp_supply),
            "lp_burnt_share": self.lp_share("burn_zero", "burn_dead"),
            "lp_locked_share": self.lp_share(*locker_labels),
            "lp_owner_share": self.lp_share("owner"),
            "lp_deployer_share": self.lp_share("deployer"),
        }


def _quotes(ctx: HeuristicContext) -> dict[str, str]:
    net = ctx.network
    quotes = {net.native_symbol: net.wrapped_native, **net.stablecoins}
    return {sym: addr for sym, addr in quotes.items() if addr.lower() != ctx.address.lower()}


def _prefetch(ctx: HeuristicContext) -> dict[str, Read]:
    net = ctx.network
    factory = net.dex.factory
    reads: dict[str, Read] = {"factory_code": get_code(factory)}
    for sym, addr in _quotes(ctx).items():
        reads[f"pair.{sym}"] = eth_call(
            factory, "getPair(address,address)", ("address", "address"), (ctx.address, addr)
        )
    for sym, addr in net.stablecoins.items():
        reads[f"usdpool.{sym}"] = eth_call(
            factory, "getPair(address,address)", ("address", "address"), (net.wrapped_native, addr)
        )
        reads[f"dec.{sym}"] = eth_call(addr, "decimals()")
    return reads


def pair_addresses(ctx: HeuristicContext) -> dict[str, str]:
    """Quote symbol -> the token's pair address on the main DEX (from the first batch; no round trip)."""
    out: dict[str, str] = {}
    for sym in _quotes(ctx):
        pair = call_address(as_call(ctx.pre(f"liquidity.pair.{sym}")))
        if pair is not None and pair != ZERO_ADDRESS:
            out[sym] = pair
    return out


@register("liquidity", prefetch=_prefetch)
def check(ctx: HeuristicContext) -> CheckOutcome:
    net = ctx.network
    dex = {"dex": net.dex.name, "factory": net.dex.factory}
    if not as_bytes("eth_getCode", ctx.pre("liquidity.factory_code")):
        finding = _no_liquidity(
            ctx, 50, Severity.MEDIUM, f"{net.dex.name} is not deployed on this chain, so no pool was found."
        )
        return CheckOutcome(findings=[finding], data={"liquidity": {**dex, "factory_deployed": False}})
    pairs = pair_addresses(ctx)
    if not pairs:
        finding = _no_liquidity(
            ctx,
            50,
            Severity.MEDIUM,
            f"The token has no pool on {net.dex.name} against {', '.join(_quotes(ctx))}: it cannot be "
            "bought or sold there at a fair price.",
        )
        return CheckOutcome(findings=[finding], data={"liquidity": {**dex, "pairs": []}})

    out = CheckOutcome()
    pools = _read_pools(ctx, pairs)
    native_usd = _native_usd(ctx, out)
    for pool in pools:
        _value(ctx, pool, native_usd)
    lockers = [f"locker.{name}" for name in net.lp_lockers]
    main = max(pools, key=lambda p: (p.liquidity_usd or -1.0, p.liquidity_native or -1.0, p.quote_reserve))
    usd_values = [p.liquidity_usd for p in pools if p.liquidity_usd is not None]
    total_usd = sum(usd_values) if usd_values else None
    out.data["liquidity"] = {
        **dex,
        "pairs": [p.as_dict(lockers) for p in pools],
        "main_pair": main.pair,
        "native_usd": native_usd,
        "liquidity_usd": total_usd,
        "liquidity_native": main.liquidity_native,
    }
    out.findings += _depth_findings(ctx, pools, main, total_usd)
    out.findings += _lp_findings(ctx, main, lockers)
    return out


def _no_liquidity(ctx: HeuristicContext, score: int, severity: Severity, reason: str) -> Finding:
    return Finding(
        type="no_liquidity",
        score=score,
        severity=severity,
        reason=reason + " Other DEXes were not checked.",
        evidence={"dex": ctx.network.dex.name, "factory": ctx.network.dex.factory},
    )


def _holders_of_lp(ctx: HeuristicContext) -> dict[str, str]:
    holders = {"burn_zero": ZERO_ADDRESS, "burn_dead": DEAD_ADDRESS}
    holders.update({f"locker.{name}": addr for name, addr in ctx.network.lp_lockers.items()})
    owner = ctx.owner
    if owner is not None and not is_burn(owner):
        holders["owner"] = owner
    deployer, _ = ctx.deployer
    if deployer is not None:
        holders["deployer"] = deployer
    holders["token_contract"] = ctx.address
    return holders


def _read_pools(ctx: HeuristicContext, pairs: dict[str, str]) -> list[Pool]:
    holders = _holders_of_lp(ctx)
    reads: dict[str, Read] = {}
    for sym, pair in pairs.items():
        reads[f"{sym}.token0"] = eth_call(pair, "token0()")
        reads[f"{sym}.reserves"] = eth_call(pair, "getReserves()")
        reads[f"{sym}.supply"] = eth_call(pair, "totalSupply()")
        for label, who in holders.items():
            reads[f"{sym}.lp.{label}"] = eth_call(pair, "balanceOf(address)", ("address",), (who,))
    for sym in ctx.network.stablecoins:  # the native coin's USD price, from the DEX itself
        usd_pool = call_address(as_call(ctx.pre(f"liquidity.usdpool.{sym}")))
        if usd_pool is not None and usd_pool != ZERO_ADDRESS:
            reads[f"usd.{sym}.token0"] = eth_call(usd_pool, "token0()")
            reads[f"usd.{sym}.reserves"] = eth_call(usd_pool, "getReserves()")
    got = ctx.read(reads)
    ctx.memo("liquidity.usd_pools", lambda: {k: v for k, v in got.items() if k.startswith("usd.")})
    quotes = _quotes(ctx)
    pools: list[Pool] = []
    for sym, pair in pairs.items():
        pool = Pool(sym, quotes[sym], pair, _quote_decimals(ctx, sym))
        token0 = call_address(as_call(got[f"{sym}.token0"]))
        res = as_call(got[f"{sym}.reserves"])
        r0, r1 = call_uint(res, 0) or 0, call_uint(res, 1) or 0
        token_is_0 = token0 is not None and token0.lower() == ctx.address.lower()
        pool.token_reserve, pool.quote_reserve = (r0, r1) if token_is_0 else (r1, r0)
        pool.lp_supply = call_uint(as_call(got[f"{sym}.supply"])) or 0
        for label in holders:
            pool.lp_balances[label] = call_uint(as_call(got[f"{sym}.lp.{label}"])) or 0
        pools.append(pool)
    return pools


def _quote_decimals(ctx: HeuristicContext, sym: str) -> int:
    if sym not in ctx.network.stablecoins:
        return 18  # wrapped native coins all have 18 decimals
    return call_uint(as_call(ctx.pre(f"liquidity.dec.{sym}"))) or 18


def _native_usd(ctx: HeuristicContext, out: CheckOutcome) -> float | None:
    prices = ctx.providers.prices
    if prices is not None:
        try:
            price = prices.native_usd(ctx.task.chain)
        except Exception:
            price = None
        if price is not None:
            return price
        out.gaps.append("price source did not answer: USD values from the DEX's own stablecoin pools")
    else:
        out.unconfigured.append(PRICES_NOT_CONFIGURED)
    got: dict[str, dict[str, Any]] = ctx.memo("liquidity.usd_pools", dict)
    best: tuple[float, float] | None = None  # (native depth, price)
    wrapped = ctx.network.wrapped_native.lower()
    for sym in ctx.network.stablecoins:
        if f"usd.{sym}.reserves" not in got:
            continue
        token0 = call_address(as_call(got[f"usd.{sym}.token0"]))
        res = as_call(got[f"usd.{sym}.reserves"])
        r0, r1 = call_uint(res, 0) or 0, call_uint(res, 1) or 0
        native_r, stable_r = (r0, r1) if token0 is not None and token0.lower() == wrapped else (r1, r0)
        if native_r == 0 or stable_r == 0:
            continue
        native = native_r / 1e18
        price = (stable_r / 10 ** _quote_decimals(ctx, sym)) / native
        if best is None or native > best[0]:
            best = (native, price)
    if best is None:
        out.unconfigured.append("no native/stablecoin pool on the DEX: liquidity in USD unknown")
        return None
    return best[1]


def _value(ctx: HeuristicContext, pool: Pool, native_usd: float | None) -> None:
    """Pool depth counted as twice its quote side (both sides are worth the same at the pool price)."""
    quote = pool.quote_reserve / 10**pool.quote_decimals
    if pool.quote_symbol in ctx.network.stablecoins:
        pool.liquidity_usd = 2 * quote
        pool.liquidity_native = None if not native_usd else 2 * quote / native_usd
    else:
        pool.liquidity_native = 2 * quote
        pool.liquidity_usd = None if native_usd is None else 2 * quote * native_usd


def _depth_findings(
    ctx: HeuristicContext, pools: list[Pool], main: Pool, total_usd: float | None
) -> list[Finding]:
    evidence = {"main_pair": main.pair, "quote": main.quote_symbol, "liquidity_usd": total_usd}
    empty = all(p.quote_reserve == 0 or (p.liquidity_native or 1.0) < DUST_NATIVE for p in pools)
    if empty:
        return [
            Finding(
                type="no_liquidity",
                score=70,
                severity=Severity.HIGH,
                reason=f"The token's pool on {ctx.network.dex.name} is empty: liquidity was never added "
                "or has been removed, so it cannot be sold.",
                evidence=evidence,
            )
        ]
    if total_usd is None or total_usd >= LOW_LIQUIDITY_USD_MEDIUM:
        return []
    high = total_usd < LOW_LIQUIDITY_USD_HIGH
    return [
        Finding(
            type="low_liquidity",
            score=55 if high else 35,
            severity=Severity.HIGH if high else Severity.MEDIUM,
            reason=f"Only about ${total_usd:,.0f} of liquidity: small trades move the price a lot and exits "
            "are costly.",
            evidence=evidence,
        )
    ]


def _lp_findings(ctx: HeuristicContext, main: Pool, lockers: list[str]) -> list[Finding]:
    if main.quote_reserve == 0 or not main.lp_supply:
        return []
    burnt, locked = main.lp_share("burn_zero", "burn_dead"), main.lp_share(*lockers)
    if burnt + locked >= LP_SAFE_SHARE:
        return []
    owner_share, deployer_share = main.lp_share("owner"), main.lp_share("deployer")
    insider = max(owner_share, deployer_share)
    evidence = {
        "pair": main.pair,
        "lp_burnt_share": round(burnt, 4),
        "lp_locked_share": round(locked, 4),
        "lp_owner_share": round(owner_share, 4),
        "lp_deployer_share": round(deployer_share, 4),
    }
    free = 1 - burnt - locked
    if insider >= LP_HOLDER_MOST:
        who = "owner" if owner_share >= deployer_share else "deployer"
        return [
            Finding(
                type="lp_not_locked",
                score=75,
                severity=Severity.HIGH,
                reason=f"{free * 100:.0f}% of the pool's LP tokens are neither burnt nor locked, and the "
                f"{who} holds {insider * 100:.0f}% of them: the liquidity can be pulled at any moment "
                "(a rug pull).",
                evidence=evidence,
            )
        ]
    return [
        Finding(
            type="lp_not_locked",
            score=45,
            severity=Severity.MEDIUM,
            reason=f"{free * 100:.0f}% of the pool's LP tokens are neither burnt nor in a known locker, "
            "so that part of the liquidity can be withdrawn.",
            evidence=evidence,
        )
    ]

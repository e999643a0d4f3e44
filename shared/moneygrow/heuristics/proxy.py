"""Proxies: does the token run someone else's code, and who can swap it?

The standard slots (EIP-1967 implementation/admin/beacon, EIP-1822 PROXIABLE, OpenZeppelin's older
zeppelinos slots) are read with eth_getStorageAt in the first batch. A beacon proxy asks the beacon
for its implementation. The implementation's code is fetched so the other checks (owner powers,
opcodes, ERC-20 conformance) see the logic the token really runs.

Who can upgrade: the EIP-1967 admin when set (an EOA, or a ProxyAdmin-style contract whose owner()
is asked), the beacon's owner for beacon proxies, otherwise (UUPS) the token's own owner().
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moneygrow.chain import bytecode as bc
from moneygrow.heuristics.registry import (
    CheckOutcome,
    HeuristicContext,
    Read,
    as_bytes,
    as_call,
    call_address,
    eth_call,
    get_code,
    get_storage,
    is_burn,
    register,
    word_address,
)
from moneygrow.models import Finding, Severity

_SLOTS = {
    "eip1967_implementation": bc.EIP1967_IMPLEMENTATION_SLOT,
    "eip1967_admin": bc.EIP1967_ADMIN_SLOT,
    "eip1967_beacon": bc.EIP1967_BEACON_SLOT,
    "eip1822_proxiable": bc.EIP1822_PROXIABLE_SLOT,
    "zos_implementation": bc.ZOS_IMPLEMENTATION_SLOT,
    "zos_admin": bc.ZOS_ADMIN_SLOT,
}
_IMPLEMENTATION_SLOTS = ("eip1967_implementation", "eip1822_proxiable", "zos_implementation")


@dataclass
class ProxyInfo:
    kind: str  # "eip1167" (clone), "eip1967", "eip1822", "zos", "beacon", "unresolved"
    implementation: str | None = None
    implementation_code: bytes = b""
    admin: str | None = None  # the EIP-1967 admin slot / zos admin
    beacon: str | None = None
    controller: str | None = None  # who can upgrade: an EOA, a ProxyAdmin's owner, the token owner...
    controller_via: str = ""  # how the controller was found
    controller_is_contract: bool | None = None
    gaps: list[str] = field(default_factory=list)

    @property
    def upgradeable(self) -> bool:
        return self.kind not in ("eip1167",)

    @property
    def renounced(self) -> bool:
        return self.controller_via != "" and is_burn(self.controller)

    def evidence(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        for key in ("implementation", "admin", "beacon", "controller"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.controller_via:
            out["controller_via"] = self.controller_via
            out["controller_is_contract"] = self.controller_is_contract
        if self.implementation_code:
            out["implementation_code_size"] = len(self.implementation_code)
        return out


def _prefetch(ctx: HeuristicContext) -> dict[str, Read]:
    return {name: get_storage(ctx.address, slot) for name, slot in _SLOTS.items()}


def _slot_address(ctx: HeuristicContext, name: str) -> str | None:
    found = word_address(as_bytes("eth_getStorageAt", ctx.pre(f"proxy.{name}")).rjust(32, b"\0"))
    return None if found is None or int(found, 16) == 0 else found


def resolve(ctx: HeuristicContext) -> ProxyInfo | None:
    """The proxy facts, or None for a contract that runs its own code. Costs one extra round trip
    for an ordinary proxy (implementation code + admin facts), two for a beacon or a ProxyAdmin."""
    clone_of = bc.minimal_proxy_target(ctx.code)
    if clone_of is not None:
        info = ProxyInfo("eip1167", clone_of)
        info.implementation_code = _code(ctx, clone_of, info)
        return info
    slots = {name: _slot_address(ctx, name) for name in _SLOTS}
    impl_slot = next((n for n in _IMPLEMENTATION_SLOTS if slots[n] is not None), None)
    if impl_slot is not None:
        info = ProxyInfo(impl_slot.split("_")[0], slots[impl_slot])
        info.admin = slots["eip1967_admin"] or slots["zos_admin"]
    elif slots["eip1967_beacon"] is not None:
        info = ProxyInfo("beacon", beacon=slots["eip1967_beacon"])
        _resolve_beacon(ctx, info)
    elif "DELEGATECALL" in ctx.opcodes and (bc.references_eip1967_slot(ctx.code) or len(ctx.selectors) < 4):
        return ProxyInfo(
            "unresolved", gaps=["delegating contract whose implementation could not be resolved"]
        )
    else:
        return None
    if info.implementation is not None:
        _implementation_and_controller(ctx, info)
    return info


def _code(ctx: HeuristicContext, address: str, info: ProxyInfo) -> bytes:
    code = as_bytes("eth_getCode", ctx.read({"code": get_code(address)})["code"])
    if not code:
        info.gaps.append(f"proxy implementation {address} has no code")
    return code


def _resolve_beacon(ctx: HeuristicContext, info: ProxyInfo) -> None:
    assert info.beacon is not None
    got = ctx.read(
        {"impl": eth_call(info.beacon, "implementation()"), "owner": eth_call(info.beacon, "owner()")}
    )
    info.implementation = call_address(as_call(got["impl"]))
    if info.implementation is None:
        info.gaps.append(f"beacon {info.beacon} did not return an implementation")
    info.controller = call_address(as_call(got["owner"]))
    info.controller_via = "beacon owner()" if info.controller is not None else ""


def _implementation_and_controller(ctx: HeuristicContext, info: ProxyInfo) -> None:
    """One batch: the implementation's code and what we need to know about the upgrade controller."""
    assert info.implementation is not None
    reads: dict[str, Read] = {"impl_code": get_code(info.implementation)}
    if info.controller is None and info.admin is not None:
        info.controller, info.controller_via = info.admin, "EIP-1967 admin slot"
        reads["admin_owner"] = eth_call(info.admin, "owner()")
    elif info.controller is None and ctx.owner is not None:
        info.controller, info.controller_via = ctx.owner, "owner() (UUPS: the logic authorises upgrades)"
    if info.controller is not None and not is_burn(info.controller):
        reads["controller_code"] = get_code(info.controller)
    got = ctx.read(reads)
    info.implementation_code = as_bytes("eth_getCode", got["impl_code"])
    if not info.implementation_code:
        info.gaps.append(f"proxy implementation {info.implementation} has no code")
    if "controller_code" in got:
        info.controller_is_contract = bool(as_bytes("eth_getCode", got["controller_code"]))
    admin_owner = call_address(as_call(got["admin_owner"])) if "admin_owner" in got else None
    if info.controller_is_contract and admin_owner is not None:
        # a ProxyAdmin: whoever owns it upgrades the token
        info.controller, info.controller_via = admin_owner, "owner() of the ProxyAdmin in the admin slot"
        info.controller_is_contract = None
        if not is_burn(admin_owner):
            code = ctx.read({"c": get_code(admin_owner)})["c"]
            info.controller_is_contract = bool(as_bytes("eth_getCode", code))


@register("proxy", prefetch=_prefetch)
def check(ctx: HeuristicContext) -> CheckOutcome:
    proxy = ctx.proxy
    if proxy is None:
        return CheckOutcome(data={"proxy": None})
    evidence = proxy.evidence()
    findings: list[Finding] = []
    if proxy.kind == "eip1167":
        findings.append(
            Finding(
                type="proxy",
                score=20,
                severity=Severity.LOW,
                reason=f"The token is a minimal-proxy clone of {proxy.implementation}: its logic lives in "
                "that contract (analysed here too) and cannot be swapped.",
                evidence=evidence,
            )
        )
    elif proxy.kind == "unresolved":
        findings.append(
            Finding(
                type="proxy",
                score=65,
                severity=Severity.HIGH,
                reason="The token delegates its logic to another contract that could not be identified, so "
                "its real rules are unknown and can likely be swapped.",
                evidence=evidence,
            )
        )
    else:
        findings.append(_upgradeable(proxy, evidence))
    return CheckOutcome(findings=findings, data={"proxy": evidence}, gaps=list(proxy.gaps))


def _upgradeable(proxy: ProxyInfo, evidence: dict[str, Any]) -> Finding:
    base = (
        f"The token is an upgradeable proxy ({proxy.kind}): its rules live in {proxy.implementation} and "
        "can be replaced with any other code."
    )
    if proxy.renounced:
        score, severity = 25, Severity.LOW
        reason = base + " The upgrade right has been given up (the controller is the zero/dead address)."
    elif proxy.controller is None:
        score, severity = 65, Severity.HIGH
        reason = base + " Who may upgrade it could not be determined."
    elif proxy.controller_is_contract:
        score, severity = 50, Severity.MEDIUM
        reason = (
            base + f" Upgrades are controlled by the contract {proxy.controller} (possibly a multisig or "
            "timelock: check it)."
        )
    else:
        score, severity = 75, Severity.HIGH
        reason = base + f" A single wallet, {proxy.controller}, can upgrade it at any moment."
    return Finding(type="upgradeable_proxy", score=score, severity=severity, reason=reason, evidence=evidence)

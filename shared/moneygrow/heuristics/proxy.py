"""Proxies: does the token run someone else's code, and who can swap it?"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moneygrow.chain import bytecode as bc
from moneygrow.heuristics.registry import (
    CheckOutcome,
    HeuristicContext,
    Read,
    as_bytes,
    get_code,
    get_storage,
    register,
    word_address,
)
from moneygrow.models import Finding, Severity


@dataclass
class ProxyInfo:
    kind: str  # "eip1167", "eip1967", "unresolved"
    implementation: str | None = None
    implementation_code: bytes = b""
    gaps: list[str] = field(default_factory=list)

    def evidence(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.implementation is not None:
            out["implementation"] = self.implementation
        if self.implementation_code:
            out["implementation_code_size"] = len(self.implementation_code)
        return out


def _prefetch(ctx: HeuristicContext) -> dict[str, Read]:
    return {"impl": get_storage(ctx.address, bc.EIP1967_IMPLEMENTATION_SLOT)}


def resolve(ctx: HeuristicContext) -> ProxyInfo | None:
    code = ctx.code
    clone_of = bc.minimal_proxy_target(code)
    if clone_of is not None:
        info = ProxyInfo("eip1167", clone_of)
    elif bc.references_eip1967_slot(code) or ("DELEGATECALL" in ctx.opcodes and len(ctx.selectors) < 4):
        impl = word_address(as_bytes("eth_getStorageAt", ctx.pre("proxy.impl")).rjust(32, b"\0"))
        if impl is None or int(impl, 16) == 0:
            return ProxyInfo(
                "unresolved", gaps=["delegating contract whose implementation could not be resolved"]
            )
        info = ProxyInfo("eip1967", impl)
    else:
        return None
    assert info.implementation is not None
    impl_code = as_bytes("eth_getCode", ctx.read({"code": get_code(info.implementation)})["code"])
    if impl_code:
        info.implementation_code = impl_code
    else:
        info.gaps.append(f"proxy implementation {info.implementation} has no code")
    return info


@register("proxy", prefetch=_prefetch)
def check(ctx: HeuristicContext) -> CheckOutcome:
    proxy = ctx.proxy
    if proxy is None:
        return CheckOutcome(data={"proxy": None})
    finding = Finding(
        type="proxy",
        score=65,
        severity=Severity.HIGH,
        reason="The token is a proxy: its logic lives in another contract, which can be swapped.",
        evidence=proxy.evidence(),
    )
    return CheckOutcome(findings=[finding], data={"proxy": proxy.evidence()}, gaps=list(proxy.gaps))

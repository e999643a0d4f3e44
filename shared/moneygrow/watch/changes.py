"""What changed between two verdicts of a watched token, and the one alert that says so.

A result is reduced to a snapshot (level, score, findings by type, taxes, liquidity, owner) that is
kept on the watched token; the next rescan's snapshot is compared with it. Only changes a holder
acts on are alerts: the level, a new HIGH/CRITICAL finding, a tax moving by TAX_STEP or more, the
liquidity removed or no longer locked, the owner changed. Everything else (a score drifting within a
level, a LOW finding) is kept silently.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from moneygrow.models import RiskLevel, Severity

TAX_STEP = 0.05  # a buy/sell/transfer tax moving by 5 points or more is an alert
LIQUIDITY_DROP = 0.5  # the pool lost half its quote-side value or more: "liquidity removed"
LOCKED_SHARE = 0.9  # burnt + locked LP share under which liquidity counts as unlocked (as the check)
LEVEL_RANK = {
    None: 0,
    RiskLevel.UNKNOWN: 0,
    RiskLevel.LOW: 1,
    RiskLevel.MEDIUM: 2,
    RiskLevel.HIGH: 3,
    RiskLevel.CRITICAL: 4,
}
_SERIOUS = (Severity.CRITICAL.value, Severity.HIGH.value)


class Change(BaseModel):
    kind: str  # level | new_finding | tax | liquidity_removed | liquidity_unlocked | ownership | not_a_token
    field: str | None = None  # the finding type, the tax side
    old: Any = None
    new: Any = None
    severity: str | None = None
    summary: str


def snapshot(result: dict[str, Any]) -> dict[str, Any]:
    """The part of an AnalysisResult (as stored) that alerts compare."""
    sim = result.get("trade_simulation") or {}
    liq = result.get("liquidity") or {}
    token = result.get("token") or {}
    findings: dict[str, str] = {}
    for f in result.get("heuristic_risks") or []:
        prev = findings.get(f["type"])
        if prev is None or list(Severity).index(Severity(f["severity"])) < list(Severity).index(
            Severity(prev)
        ):
            findings[f["type"]] = f["severity"]
    return {
        "kind": result.get("kind", "TOKEN"),
        "level": result.get("risk_level"),
        "score": result.get("risk_score"),
        "findings": findings,
        "taxes": {side: sim.get(f"{side}_tax") for side in ("buy", "sell", "transfer")},
        "liquidity_native": liq.get("liquidity_native"),
        "lp_safe_share": liq.get("lp_safe_share"),
        "owner": token.get("owner"),
        "symbol": token.get("symbol"),
    }


def _rank(level: str | None) -> int:
    return LEVEL_RANK[RiskLevel(level)] if level else 0


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[Change]:
    """The changes worth an alert from `old` to `new` (none for the first check: nothing to compare)."""
    if old is None:
        return []
    return [*_verdict(old, new), *_taxes(old, new), *_liquidity(old, new), *_owner(old, new)]


def _verdict(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    out: list[Change] = []
    if old.get("kind") == "TOKEN" and new.get("kind") == "NOT_A_TOKEN":  # e.g. self-destructed
        summary = "the address no longer holds a working token contract"
        return [
            Change(kind="not_a_token", old="TOKEN", new="NOT_A_TOKEN", severity="CRITICAL", summary=summary)
        ]
    if old.get("level") != new.get("level"):
        summary = f"risk level {old.get('level')} -> {new.get('level')}"
        out.append(Change(kind="level", old=old.get("level"), new=new.get("level"), summary=summary))
    before = old.get("findings") or {}
    for kind, severity in (new.get("findings") or {}).items():
        if severity in _SERIOUS and before.get(kind) not in _SERIOUS:
            out.append(
                Change(
                    kind="new_finding",
                    field=kind,
                    old=before.get(kind),
                    new=severity,
                    severity=severity,
                    summary=f"new {severity} finding: {kind}",
                )
            )
    return out


def _taxes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    out: list[Change] = []
    for side, was in (old.get("taxes") or {}).items():
        now = (new.get("taxes") or {}).get(side)
        if isinstance(was, int | float) and isinstance(now, int | float) and abs(now - was) >= TAX_STEP:
            summary = f"{side} tax {_pct(was)} -> {_pct(now)}"
            out.append(Change(kind="tax", field=side, old=was, new=now, summary=summary))
    return out


def _liquidity(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    out: list[Change] = []
    was_liq, now_liq = old.get("liquidity_native"), new.get("liquidity_native")
    # None is "not measured" (a check that failed), unless the check said there is no pool at all
    gone = now_liq is None and "no_liquidity" in (new.get("findings") or {})
    dropped = False
    if isinstance(now_liq, int | float) and isinstance(was_liq, int | float):
        dropped = now_liq <= was_liq * (1 - LIQUIDITY_DROP)
    if isinstance(was_liq, int | float) and was_liq > 0 and (dropped or gone):
        summary = f"liquidity {was_liq:.4g} -> {now_liq or 0:.4g} (native coin)"
        out.append(Change(kind="liquidity_removed", old=was_liq, new=now_liq, summary=summary))
    was_safe, now_safe = old.get("lp_safe_share"), new.get("lp_safe_share")
    if (
        isinstance(was_safe, int | float)
        and isinstance(now_safe, int | float)
        and was_safe >= LOCKED_SHARE > now_safe
    ):
        summary = f"locked or burnt liquidity {_pct(was_safe)} -> {_pct(now_safe)}"
        out.append(Change(kind="liquidity_unlocked", old=was_safe, new=now_safe, summary=summary))
    return out


def _owner(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    was, now = old.get("owner"), new.get("owner")
    if not (was and now) or was.lower() == now.lower():  # None: the owner check did not say
        return []
    return [Change(kind="ownership", old=was, new=now, summary=f"owner {was} -> {now}")]


class Alert(BaseModel):
    """One alert per changed token; SNS fans it out to every matching subscription."""

    alert_id: str  # the rescan's task id: a redelivered alert has the same id (receivers dedupe)
    chain: str
    token_address: str
    symbol: str | None = None
    checked_at: str
    previous: dict[str, Any]  # risk_level, risk_score, task_id
    current: dict[str, Any]
    changes: list[Change]
    result_url: str

    def body(self) -> dict[str, Any]:
        return {"type": "token.risk_changed", **self.model_dump(mode="json")}

    def attributes(self) -> dict[str, Any]:
        """The SNS message attributes subscriptions filter on (moneygrow.watch.filters)."""
        ranks = [_rank(self.previous.get("risk_level")), _rank(self.current.get("risk_level"))]
        scores = [
            s for s in (self.previous.get("risk_score"), self.current.get("risk_score")) if isinstance(s, int)
        ]
        return {
            "token": f"{self.chain}:{self.token_address.lower()}",
            "level_rank": max(ranks),
            "risk_score": max(scores, default=0),
            "changes": sorted({c.kind for c in self.changes}),
        }

    def subject(self) -> str:
        name = self.symbol or self.token_address[:10]
        text = f"MoneyGrow: {name} on {self.chain}: {self.changes[0].summary}"
        return "".join(ch for ch in text if 32 <= ord(ch) < 127)[:99]

    def text(self) -> str:
        lines = [
            f"{self.symbol or 'Token'} {self.token_address} on {self.chain} changed:",
            *(f"- {c.summary}" for c in self.changes),
            f"Risk: {self.previous.get('risk_level')} ({self.previous.get('risk_score')}) -> "
            f"{self.current.get('risk_level')} ({self.current.get('risk_score')})",
            f"Details: {self.result_url}",
        ]
        return "\n".join(lines)

    def sms(self) -> str:
        name = self.symbol or self.token_address[:10]
        return f"MoneyGrow: {name} {self.changes[0].summary}. {self.result_url}"[:300]

    def sns_message(self) -> str:
        """SNS MessageStructure=json: the JSON body by default (webhooks via the relay), text otherwise."""
        return json.dumps({"default": json.dumps(self.body()), "email": self.text(), "sms": self.sms()})

"""The ML agent: P(scam) for a token from its runtime bytecode, by the trained bundle in the store.

Never invents a number: with no model, no code, or a model whose inputs we cannot build, the result
is DEGRADED with the reason in `gaps` and no prediction.

confidence = how well the model separated scams from legitimate tokens on held-out code of the same
compiler era: 2 * ROC AUC - 1 (0 = no better than a coin, 1 = perfect), 0 when the held-out set had
no such code. Not max(p, 1 - p): a decisive-looking probability from a model that has never seen code
like this is not confidence (zoo tokens are solc 0.8, the training data mostly solc < 0.6).
"""

from __future__ import annotations

from typing import Any

from moneygrow.agents.runner import AgentDeps
from moneygrow.chain.bytecode import (
    EIP1967_IMPLEMENTATION_SLOT,
    minimal_proxy_target,
    references_eip1967_slot,
)
from moneygrow.ml.features import extract_features, matched_privileged_signatures, read_metadata
from moneygrow.ml.training import MODEL_NAME, THRESHOLD
from moneygrow.models import AgentName, AgentResult, AgentStatus, AnalysisTask, Finding, Severity

HIGH_AT = 0.8
MEDIUM_AT = 0.5
TOP_FEATURES = 8

CAVEATS = [
    "trained on Ethereum token bytecode with hand-confirmed rug-pull labels; mostly solc <0.6 code",
    "bytecode only: says nothing about liquidity, holders or the deployer's behaviour",
]


def _degraded(gap: str, data: dict[str, Any] | None = None) -> AgentResult:
    return AgentResult(agent=AgentName.ML, status=AgentStatus.DEGRADED, gaps=[gap], data=data or {})


def _finding(p: float, version: str, code: bytes) -> Finding | None:
    if p >= HIGH_AT:
        severity = Severity.HIGH
    elif p >= MEDIUM_AT:
        severity = Severity.MEDIUM
    else:
        return None
    return Finding(
        type="ml_scam_probability",
        score=round(p * 100),
        reason=f"the bytecode model puts the probability of a scam token at {p:.0%}",
        severity=severity,
        evidence={"model_version": version, "privileged_functions": matched_privileged_signatures(code)},
    )


def _implementation(reader: Any, address: str, code: bytes) -> str | None:
    """The logic contract behind an EIP-1167 clone or an EIP-1967 proxy (the code worth scoring)."""
    target = minimal_proxy_target(code)
    if target is None and references_eip1967_slot(code):
        raw: bytes = reader.get_storage_at(address, EIP1967_IMPLEMENTATION_SLOT)
        target = "0x" + raw[-20:].hex() if any(raw) else None
    return target


def analyse(task: AnalysisTask, deps: AgentDeps) -> AgentResult:
    reader = deps.chain(task.chain)
    code: bytes = reader.get_code(task.token_address)
    if not code:
        return _degraded("no contract code at the token address")
    implementation = _implementation(reader, task.token_address, code)
    if implementation is not None:
        code = reader.get_code(implementation)
        if not code:
            return _degraded(f"proxy implementation {implementation} has no code")

    meta = read_metadata(code)
    compiler = {"solc_version": meta.solc_version, "era": meta.compiler_era, "epoch": meta.compiler_epoch}

    bundle = deps.models.load(MODEL_NAME)
    if bundle is None:
        return _degraded("no trained model in the model store", {"compiler": compiler})

    features = extract_features(code)
    names: list[str] = list(bundle["feature_names"])
    missing = [n for n in names if n not in features]
    if missing:
        return _degraded(
            f"model {bundle['version']} expects features this code version does not build: {missing}",
            {"compiler": compiler},
        )

    row = [[features[n] for n in names]]
    p = float(bundle["model"].predict_proba(row)[0][1])
    p = min(max(p, 0.0), 1.0)
    threshold = float(bundle.get("threshold", THRESHOLD))
    top = [n for n in bundle.get("top_features", []) if n in features][:TOP_FEATURES]
    finding = _finding(p, bundle["version"], code)
    confidence, basis = _confidence(bundle.get("metrics", {}), meta.compiler_era)
    return AgentResult(
        agent=AgentName.ML,
        status=AgentStatus.OK,
        findings=[finding] if finding else [],
        data={
            "scam_probability": p,
            "prediction": "scam" if p >= threshold else "legit",
            "confidence": confidence,
            "confidence_definition": "2 * held-out ROC AUC - 1 on code of the same compiler era",
            "confidence_basis": basis,
            "threshold": threshold,
            "model_version": bundle["version"],
            "features": {n: features[n] for n in top},
            "compiler": compiler,
            "implementation": implementation,
            "holdout_roc_auc": bundle.get("metrics", {}).get("roc_auc"),
            "caveats": CAVEATS,
        },
    )


def _confidence(metrics: dict[str, Any], era: str) -> tuple[float, str]:
    """The model's held-out separation on this compiler era (2 * AUC - 1), and how we know."""
    held = (metrics.get("by_compiler_era") or {}).get(era) or {}
    auc = held.get("roc_auc")
    if not isinstance(auc, (int, float)):
        return (
            0.0,
            f"no held-out tokens of compiler era {era} with both labels: its accuracy here is unknown",
        )
    return round(max(0.0, 2.0 * float(auc) - 1.0), 3), (
        f"held-out ROC AUC {auc:.3f} on {held.get('n', '?')} tokens of compiler era {era}"
    )

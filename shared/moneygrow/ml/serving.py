"""Scoring with a stored bundle: the one path the ML agent and `python -m ml.score` share.

A score is either a probability with its basis (which model, on what evidence, how good that model
was on held-out data of this kind) and the features that moved this prediction most, or
`NoBasis`: the reason no model applies (too little pool history, code from a compiler era or of a
shape the training data does not have). Never a number without a basis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.isotonic import IsotonicRegression
from threadpoolctl import ThreadpoolController

from moneygrow.ml import liquidity
from moneygrow.ml.artifact import ModelRefused, check_schema

TOP_FEATURES = 5


@dataclass(frozen=True)
class Scored:
    kind: str  # "liquidity" | "bytecode"
    probability: float
    prediction: str  # "scam" | "legit" at the model's held-out threshold
    threshold: float
    basis: str  # in words: which model, on what, how good it was on held-out data
    confidence: float  # 2 * held-out ROC-AUC - 1 on data of this kind
    model_version: str
    top_features: list[dict[str, Any]] = field(default_factory=list)  # name, value, contribution


@dataclass(frozen=True)
class NoBasis:
    kind: str
    reason: str


Score = Scored | NoBasis


_THREADPOOLS: ThreadpoolController | None = None


def _predict(model: Any, rows: NDArray[Any]) -> NDArray[Any]:
    # One OpenMP thread: a few rows are faster without the pool's start-up (and far faster on a busy
    # machine); Lambda has ~1 vCPU anyway. The controller is built once: threadpool_limits() alone
    # inspects the loaded libraries each time (~8 ms).
    global _THREADPOOLS
    if _THREADPOOLS is None:
        _THREADPOOLS = ThreadpoolController()
    with _THREADPOOLS.limit(limits=1):
        calibrated = getattr(model, "calibrated_classifiers_", None) or []
        if len(calibrated) == 1 and isinstance(calibrated[0].calibrators[0], IsotonicRegression):
            # What predict_proba computes for one booster + isotonic calibrator, without its
            # per-call checks (~1 ms): the raw score through the calibrator's step function.
            iso = calibrated[0].calibrators[0]
            raw = calibrated[0].estimator.decision_function(rows)
            lean: NDArray[Any] = np.interp(raw, iso.X_thresholds_, iso.y_thresholds_)
            return lean
        proba: NDArray[Any] = model.predict_proba(rows)[:, 1]
    return proba


def _with_contributions(
    bundle: dict[str, Any], row: list[float], reference: list[float]
) -> tuple[float, list[dict[str, Any]]]:
    """P(scam) for `row` and, in the same predict call, each feature's contribution: how much the
    probability falls (or rises) when that feature alone is set to its training median."""
    names: list[str] = bundle["feature_names"]
    x = np.array(row, dtype=float)
    rows = np.repeat(x[None, :], len(names) + 1, axis=0)
    for i in range(len(names)):
        rows[i + 1, i] = reference[i]
    proba = _predict(bundle["model"], rows)
    p = float(min(max(proba[0], 0.0), 1.0))
    deltas = np.round(p - proba[1:], 4)
    order = np.argsort(-np.abs(deltas))[:TOP_FEATURES]
    top = [
        {"name": names[i], "value": float(x[i]), "contribution": float(deltas[i])}
        for i in order
        if deltas[i] != 0
    ]
    return p, top


def _confidence(auc: Any) -> float:
    return round(max(0.0, 2.0 * float(auc) - 1.0), 3) if isinstance(auc, (int, float)) else 0.0


def score_liquidity(bundle: dict[str, Any], features: dict[str, float], history_s: int) -> Score:
    """Score one pool's features (liquidity.FEATURE_NAMES) over `history_s` seconds of history."""
    check_schema("liquidity", liquidity.FEATURE_NAMES, bundle)
    min_history = int(bundle.get("min_history_s", 0))
    days = history_s / 86400
    if history_s < min_history:
        return NoBasis(
            "liquidity",
            f"insufficient history: the pool is {history_s / 3600:.1f} h old; the liquidity model needs "
            f"{min_history / 3600:.0f} h (its healthy training pools were all measured that late, so a "
            "younger pool would be compared with rug pulls only)",
        )
    missing = [n for n in bundle["feature_names"] if n not in features or not np.isfinite(features[n])]
    if missing:
        return NoBasis("liquidity", f"features missing: {', '.join(missing)}")
    row = [features[n] for n in bundle["feature_names"]]
    p, top = _with_contributions(bundle, row, bundle["reference"]["median"])
    metrics = bundle.get("metrics", {})
    auc, recall = float(metrics.get("roc_auc") or 0), float(metrics.get("recall_at_fpr_5pct") or 0)
    threshold = float(bundle["threshold"])
    return Scored(
        kind="liquidity",
        probability=p,
        prediction="scam" if p >= threshold else "legit",
        threshold=threshold,
        basis=(
            f"liquidity model on {days:.1f} days of pool history (held-out ROC-AUC {auc:.3f}, recall "
            f"{recall:.2f} at 5 % false positives, on 2020-2021 Uniswap-V2 pools)"
        ),
        confidence=_confidence(metrics.get("roc_auc")),
        model_version=str(bundle["version"]),
        top_features=top,
    )


def score_bytecode(bundle: dict[str, Any], code: bytes) -> Score:
    """Score runtime bytecode, or say why the bytecode model has no basis for it."""
    from moneygrow.ml.features import FEATURE_NAMES, extract_features, read_metadata

    check_schema("bytecode", FEATURE_NAMES, bundle)
    dom = bundle.get("domain")
    if not dom:
        raise ModelRefused(
            f"model bytecode {bundle.get('version')}: no record of its training data's domain: retrain"
        )
    era = read_metadata(code).compiler_era
    counts = (dom.get("eras") or {}).get(era, {})
    need = int(dom.get("min_rows_per_class", 1))
    n0, n1 = int(counts.get("0", 0)), int(counts.get("1", 0))
    if min(n0, n1) < need:
        have = ", ".join(
            f"{e}: {c['1']} scams / {c['0']} legit" for e, c in sorted((dom.get("eras") or {}).items())
        )
        return NoBasis(
            "bytecode",
            f"no basis: code of compiler era {era} has {n1} scam and {n0} legit training tokens "
            f"(at least {need} of each needed; the labelled code is {have})",
        )
    features = extract_features(code)
    row = np.array([features[n] for n in bundle["feature_names"]], dtype=float)
    z = (row - np.array(dom["mean"])) / np.array(dom["scale"])
    nearest = float(np.sqrt(((np.asarray(dom["train_z"], dtype=float) - z) ** 2).sum(axis=1)).min())
    if nearest > float(dom["distance_threshold"]):
        return NoBasis(
            "bytecode",
            f"no basis: the code is farther from every training token ({nearest:.1f}) than 99 % of the "
            f"training tokens are from their nearest neighbour ({dom['distance_threshold']:.1f})",
        )
    p, top = _with_contributions(bundle, row.tolist(), dom["mean"])
    held = ((bundle.get("metrics") or {}).get("by_compiler_era") or {}).get(era) or {}
    auc = held.get("roc_auc")
    threshold = float(bundle.get("threshold", 0.5))
    auc_text = f"{auc:.3f}" if isinstance(auc, (int, float)) else "unknown"
    return Scored(
        kind="bytecode",
        probability=p,
        prediction="scam" if p >= threshold else "legit",
        threshold=threshold,
        basis=(
            f"bytecode model on code of compiler era {era} ({n1} scam / {n0} legit training tokens of "
            f"that era; held-out ROC-AUC {auc_text} on {held.get('n', 0)} of them)"
        ),
        confidence=_confidence(auc),
        model_version=str(bundle["version"]),
        top_features=top,
    )


def probabilities(bundle: dict[str, Any], rows: NDArray[Any]) -> NDArray[Any]:
    """P(scam) for many complete feature rows (columns: the bundle's feature_names), one call."""
    return np.clip(_predict(bundle["model"], rows), 0.0, 1.0)

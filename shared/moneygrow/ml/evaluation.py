"""Held-out metrics shared by the models' training and the report (ml/report.py).

Every figure is computed on rows the model did not see, split by group (a token creator, a
duplicate bytecode), so near-copies never sit on both sides of a split.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score, roc_curve
from sklearn.model_selection import StratifiedGroupKFold

FPR_POINTS = (0.01, 0.05)


def both_classes(y: NDArray[Any]) -> bool:
    return len(set(np.asarray(y).tolist())) == 2


def recall_at_fpr(y: NDArray[Any], p: NDArray[Any], fpr_max: float) -> tuple[float, float]:
    """(recall, threshold) at the loosest threshold whose false-positive rate is <= fpr_max."""
    fpr, tpr, thr = roc_curve(y, p)
    ok = np.flatnonzero(fpr <= fpr_max)
    i = ok[np.argmax(tpr[ok])]
    return float(tpr[i]), float(min(thr[i], 1.0))


def reliability(y: NDArray[Any], p: NDArray[Any], bins: int = 10) -> list[dict[str, float]]:
    """Mean predicted vs observed rate per probability bin (the reliability diagram's points)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    out = []
    for b in range(bins):
        sel = idx == b
        if sel.any():
            out.append(
                {"p_mean": float(p[sel].mean()), "observed": float(y[sel].mean()), "n": int(sel.sum())}
            )
    return out


def metrics(y: NDArray[Any], p: NDArray[Any], prior: float | None = None) -> dict[str, Any]:
    """ROC-AUC, PR-AUC, recall at 1 % and 5 % FPR, Brier (and the base-rate Brier to beat)."""
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    out: dict[str, Any] = {"n": len(y), "positives": int(y.sum())}
    if len(y) == 0:
        return out
    base = float(y.mean()) if prior is None else prior
    out["brier_base_rate"] = float(brier_score_loss(y, np.full(len(y), base)))
    # a score outside [0, 1] ranks but is no probability: no Brier score for it
    out["brier"] = float(brier_score_loss(y, p)) if p.min() >= 0 and p.max() <= 1 else None
    if not both_classes(y):
        out["roc_auc"] = None
        out["note"] = "one class only: no ROC-AUC or recall at FPR"
        return out
    out["roc_auc"] = float(roc_auc_score(y, p))
    out["pr_auc"] = float(average_precision_score(y, p))
    for fpr in FPR_POINTS:
        recall, threshold = recall_at_fpr(y, p, fpr)
        out[f"recall_at_fpr_{round(fpr * 100)}pct"] = recall
        out[f"threshold_at_fpr_{round(fpr * 100)}pct"] = threshold
    return out


def grouped_folds(
    y: NDArray[Any], groups: Sequence[str], folds: int = 5, seed: int = 0
) -> list[tuple[NDArray[Any], NDArray[Any]]]:
    """Stratified folds that keep each group on one side."""
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y, np.asarray(groups)))

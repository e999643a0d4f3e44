"""Training and honest evaluation of the bytecode scam classifier (used by ml/train.py and tests).

Evaluation reports, on a stratified held-out split: ROC-AUC, PR-AUC, Brier score and accuracy at
0.5, overall and within compiler eras (the data README's confounder), plus the AUC of the compiler
epoch *alone* as a baseline: if the model is not clearly above it, it has learnt the era, not scams.
The deployed model is then refitted on all rows; the metrics in the bundle are the held-out ones.
"""

from __future__ import annotations

import csv
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.inspection import permutation_importance
from sklearn.metrics import accuracy_score, average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from moneygrow.ml.features import FEATURE_NAMES, extract_features, read_metadata

MODEL_NAME = "scam_bytecode"
THRESHOLD = 0.5


class ModelBundle(TypedDict):
    model: Any  # fitted estimator with predict_proba; column 1 = P(scam)
    feature_names: list[str]
    version: str
    metrics: dict[str, Any]
    trained_at: str
    threshold: float
    top_features: list[str]  # by permutation importance on the held-out split


@dataclass(frozen=True)
class TrainingRow:
    code: bytes
    label: int  # 1 scam, 0 legit
    address: str = ""
    source: str = ""


# --- data --------------------------------------------------------------------------------------


def _read_hex(path: Path) -> bytes:
    return bytes.fromhex(path.read_text().strip().removeprefix("0x"))


def load_token_bytecode(data_dir: str | Path, *, hard_cases: bool = False) -> list[TrainingRow]:
    """Rows of <data_dir>/token_bytecode/labels.csv with label 0/1 and no cross-source conflict.

    hard_cases=True returns the label -1 rows instead (flagged by a tool, rejected by hand).
    """
    base = Path(data_dir) / "token_bytecode"
    rows: list[TrainingRow] = []
    with (base / "labels.csv").open(newline="") as fh:
        for rec in csv.DictReader(fh):
            if rec["conflict_across_sources"].strip().lower() == "true":
                continue
            label = int(rec["label"])
            if (label == -1) != hard_cases:
                continue
            code = _read_hex(base / rec["hex_file"])
            if code:
                rows.append(TrainingRow(code, max(label, 0), rec["address"], rec["label_source"]))
    return rows


def feature_matrix(codes: Sequence[bytes], names: Sequence[str] = FEATURE_NAMES) -> np.ndarray:
    feats = [extract_features(c) for c in codes]
    return np.array([[f[n] for n in names] for f in feats], dtype=float)


# --- model -------------------------------------------------------------------------------------


def make_model(n_minority: int, seed: int = 0) -> ClassifierMixin:
    """Gradient boosting (small, regularised: ~500 rows) with sigmoid calibration by internal CV."""
    base = GradientBoostingClassifier(
        n_estimators=150, max_depth=3, learning_rate=0.05, subsample=0.8, random_state=seed
    )
    cv = max(2, min(5, n_minority))
    model: ClassifierMixin = CalibratedClassifierCV(base, method="sigmoid", cv=cv)
    return model


def _safe(fn: Any, y: np.ndarray, p: np.ndarray) -> float | None:
    return float(fn(y, p)) if len(set(y.tolist())) == 2 else None


def classification_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    return {
        "n": len(y),
        "positives": int(y.sum()),
        "roc_auc": _safe(roc_auc_score, y, p),
        "pr_auc": _safe(average_precision_score, y, p),
        "brier": float(brier_score_loss(y, p, pos_label=1)) if len(y) else None,
        "accuracy_at_0_5": float(accuracy_score(y, p >= THRESHOLD)) if len(y) else None,
    }


def _group_metrics(y: np.ndarray, p: np.ndarray, groups: np.ndarray) -> dict[str, Any]:
    return {str(g): classification_metrics(y[groups == g], p[groups == g]) for g in sorted(set(groups))}


def _epoch_rank(epoch: str) -> float:
    return {"<0.4.22": 0.0, "0.4.22-0.5.x": 1.0, ">=0.6": 2.0}.get(epoch, 1.0)


def evaluate_split(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    meta_test: dict[str, np.ndarray],
    seed: int = 0,
) -> tuple[ClassifierMixin, dict[str, Any]]:
    model = make_model(int(min(y_train.sum(), len(y_train) - y_train.sum())), seed)
    model.fit(x_train, y_train)
    p = model.predict_proba(x_test)[:, 1]
    metrics = classification_metrics(y_test, p)
    metrics["by_compiler_era"] = _group_metrics(y_test, p, meta_test["era"])
    metrics["by_compiler_epoch"] = _group_metrics(y_test, p, meta_test["epoch"])
    epoch_score = np.array([_epoch_rank(e) for e in meta_test["epoch"]])
    metrics["baseline_epoch_only_roc_auc"] = _safe(roc_auc_score, y_test, epoch_score)
    metrics["baseline_prevalence_brier"] = float(
        brier_score_loss(y_test, np.full(len(y_test), y_train.mean()))
    )
    return model, metrics


def _meta(codes: Sequence[bytes]) -> dict[str, np.ndarray]:
    metas = [read_metadata(c) for c in codes]
    return {
        "era": np.array([m.compiler_era for m in metas]),
        "epoch": np.array([m.compiler_epoch for m in metas]),
    }


def _version(trained_at: datetime, n_rows: int) -> str:
    fingerprint = hashlib.sha256(",".join(FEATURE_NAMES).encode()).hexdigest()[:8]
    return f"{trained_at:%Y%m%dT%H%M%SZ}-f{fingerprint}-n{n_rows}"


def train_bundle(rows: Sequence[TrainingRow], *, seed: int = 0, test_size: float = 0.25) -> ModelBundle:
    """Split, fit, evaluate on the held-out part, then refit on all rows for deployment."""
    if len({r.label for r in rows}) != 2:
        raise ValueError("training needs both classes")
    started = time.perf_counter()
    codes = [r.code for r in rows]
    x = feature_matrix(codes)
    y = np.array([r.label for r in rows], dtype=int)
    meta = _meta(codes)
    idx_train, idx_test = train_test_split(
        np.arange(len(rows)), test_size=test_size, stratify=y, random_state=seed
    )
    model, metrics = evaluate_split(
        x[idx_train], y[idx_train], x[idx_test], y[idx_test], {k: v[idx_test] for k, v in meta.items()}, seed
    )
    importance = permutation_importance(
        model, x[idx_test], y[idx_test], scoring="roc_auc", n_repeats=5, random_state=seed
    )
    order = np.argsort(-importance.importances_mean)
    top = [FEATURE_NAMES[i] for i in order[:8] if importance.importances_mean[i] > 0]

    final = make_model(int(min(y.sum(), len(y) - y.sum())), seed)
    final.fit(x, y)
    metrics["n_train"] = len(idx_train)
    metrics["n_test"] = len(idx_test)
    metrics["training_seconds"] = round(time.perf_counter() - started, 2)
    trained_at = datetime.now(UTC)
    return {
        "model": final,
        "feature_names": list(FEATURE_NAMES),
        "version": _version(trained_at, len(rows)),
        "metrics": metrics,
        "trained_at": trained_at.isoformat(),
        "threshold": THRESHOLD,
        "top_features": top,
    }


def cross_validate(rows: Sequence[TrainingRow], *, folds: int = 5, seed: int = 0) -> dict[str, Any]:
    """Stratified k-fold ROC-AUC / PR-AUC / Brier (mean and std): how stable the held-out figure is."""
    codes = [r.code for r in rows]
    x = feature_matrix(codes)
    y = np.array([r.label for r in rows], dtype=int)
    meta = _meta(codes)
    per_fold: dict[str, list[float]] = {"roc_auc": [], "pr_auc": [], "brier": []}
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
        _, m = evaluate_split(
            x[train_idx], y[train_idx], x[test_idx], y[test_idx], {k: v[test_idx] for k, v in meta.items()}
        )
        for key in per_fold:
            per_fold[key].append(float(m[key]))
    return {k: {"mean": float(np.mean(v)), "std": float(np.std(v))} for k, v in per_fold.items()}


def score_rows(bundle: ModelBundle, rows: Sequence[TrainingRow]) -> np.ndarray:
    x = feature_matrix([r.code for r in rows], bundle["feature_names"])
    proba: np.ndarray = bundle["model"].predict_proba(x)[:, 1]
    return proba

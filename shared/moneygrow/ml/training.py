"""Training and honest evaluation of the bytecode scam classifier (used by ml/train.py and tests).

Evaluation reports, on a held-out split grouped by code (identical runtime code once the compiler's
metadata is stripped stays on one side): ROC-AUC, PR-AUC, Brier score and accuracy at 0.5, overall
and within compiler eras (the data README's confounder), plus the AUC of the compiler epoch *alone*
as a baseline: if the model is not clearly above it, it has learnt the era, not scams. The deployed
model is then refitted on all rows (one booster, one sigmoid calibrator: not an ensemble); the
metrics in the bundle are the held-out ones.

The bundle also records where the model has data (`domain`): the training rows per compiler era
and class, and the standardised training features with the 99th percentile of their
nearest-neighbour distances. moneygrow.ml.serving answers "no basis" for code of an era without
both classes in training (all labelled code is solc < 0.6) or farther from every training token
than that.
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
from numpy.typing import NDArray
from sklearn.base import ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.inspection import permutation_importance
from sklearn.metrics import accuracy_score, average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold

from moneygrow.ml.evaluation import both_classes
from moneygrow.ml.evaluation import metrics as held_out_metrics
from moneygrow.ml.features import FEATURE_NAMES, extract_features, read_metadata, strip_metadata

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
    kind: str  # "bytecode"
    domain: dict[str, Any]  # where the model has data (see `domain`)
    data: dict[str, Any]


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


def feature_matrix(codes: Sequence[bytes], names: Sequence[str] = FEATURE_NAMES) -> NDArray[Any]:
    feats = [extract_features(c) for c in codes]
    return np.array([[f[n] for n in names] for f in feats], dtype=float)


# --- model -------------------------------------------------------------------------------------


def make_model(n_minority: int, seed: int = 0) -> ClassifierMixin:
    """Gradient boosting (small, regularised: ~500 rows) with one sigmoid calibrator fitted on
    internal cross-validated predictions (ensemble=False: one booster is served, not k)."""
    base = GradientBoostingClassifier(
        n_estimators=150, max_depth=3, learning_rate=0.05, subsample=0.8, random_state=seed
    )
    cv = max(2, min(5, n_minority))
    model: ClassifierMixin = CalibratedClassifierCV(base, method="sigmoid", cv=cv, ensemble=False)
    return model


def rows_sha256(rows: Sequence[TrainingRow]) -> str:
    """A fingerprint of the training data: every (address, label, code), in address order."""
    digest = hashlib.sha256()
    for r in sorted(rows, key=lambda r: (r.address, r.code)):
        digest.update(f"{r.address}:{r.label}:".encode() + hashlib.sha256(r.code).digest())
    return digest.hexdigest()


def code_groups(codes: Sequence[bytes]) -> list[str]:
    """Duplicate code (the compiler's metadata stripped) shares a group: never on both sides."""
    return [hashlib.sha256(strip_metadata(c)).hexdigest() for c in codes]


OOD_QUANTILE = 0.99
MIN_ROWS_PER_CLASS = 20  # an era needs this many scams and as many legit tokens to have a basis


def domain(x: NDArray[Any], y: NDArray[Any], eras: NDArray[Any]) -> dict[str, Any]:
    """Where the model has data: rows per compiler era and class; the standardised training matrix
    and the OOD_QUANTILE of its leave-one-out nearest-neighbour distances."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = ((x - mean) / scale).astype(np.float32)
    d = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(d, np.inf)
    per_era: dict[str, dict[str, int]] = {}
    for era, label in zip(eras.tolist(), y.tolist(), strict=True):
        per_era.setdefault(str(era), {"0": 0, "1": 0})[str(label)] += 1
    return {
        "eras": per_era,
        "min_rows_per_class": MIN_ROWS_PER_CLASS,
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "train_z": z,
        "distance_threshold": float(np.quantile(d.min(axis=1), OOD_QUANTILE)),
    }


def _safe(fn: Any, y: NDArray[Any], p: NDArray[Any]) -> float | None:
    return float(fn(y, p)) if len(set(y.tolist())) == 2 else None


def classification_metrics(y: NDArray[Any], p: NDArray[Any]) -> dict[str, Any]:
    return {
        "n": len(y),
        "positives": int(y.sum()),
        "roc_auc": _safe(roc_auc_score, y, p),
        "pr_auc": _safe(average_precision_score, y, p),
        "brier": float(brier_score_loss(y, p, pos_label=1)) if len(y) else None,
        "accuracy_at_0_5": float(accuracy_score(y, p >= THRESHOLD)) if len(y) else None,
    }


def _group_metrics(y: NDArray[Any], p: NDArray[Any], groups: NDArray[Any]) -> dict[str, Any]:
    return {str(g): classification_metrics(y[groups == g], p[groups == g]) for g in sorted(set(groups))}


def _epoch_rank(epoch: str) -> float:
    return {"<0.4.22": 0.0, "0.4.22-0.5.x": 1.0, ">=0.6": 2.0}.get(epoch, 1.0)


def evaluate_split(
    x_train: NDArray[Any],
    y_train: NDArray[Any],
    x_test: NDArray[Any],
    y_test: NDArray[Any],
    meta_test: dict[str, NDArray[Any]],
    seed: int = 0,
) -> tuple[ClassifierMixin, dict[str, Any]]:
    model = make_model(int(min(y_train.sum(), len(y_train) - y_train.sum())), seed)
    model.fit(x_train, y_train)
    p = model.predict_proba(x_test)[:, 1]
    metrics = classification_metrics(y_test, p)
    if both_classes(y_test):
        metrics.update({k: v for k, v in held_out_metrics(y_test, p).items() if k.startswith("recall_at")})
    metrics["by_compiler_era"] = _group_metrics(y_test, p, meta_test["era"])
    metrics["by_compiler_epoch"] = _group_metrics(y_test, p, meta_test["epoch"])
    epoch_score = np.array([_epoch_rank(e) for e in meta_test["epoch"]])
    metrics["baseline_epoch_only_roc_auc"] = _safe(roc_auc_score, y_test, epoch_score)
    metrics["baseline_prevalence_brier"] = float(
        brier_score_loss(y_test, np.full(len(y_test), y_train.mean()))
    )
    return model, metrics


def _meta(codes: Sequence[bytes]) -> dict[str, NDArray[Any]]:
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
    folds = max(2, round(1 / test_size))
    idx_train, idx_test = next(
        StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(x, y, code_groups(codes))
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
        "kind": "bytecode",
        "model": final,
        "domain": domain(x, y, meta["era"]),
        "data": {"rows": len(rows), "positives": int(y.sum()), "rows_sha256": rows_sha256(rows)},
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
    splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(x, y, code_groups(codes)):
        _, m = evaluate_split(
            x[train_idx], y[train_idx], x[test_idx], y[test_idx], {k: v[test_idx] for k, v in meta.items()}
        )
        for key in per_fold:
            per_fold[key].append(float(m[key]))
    return {k: {"mean": float(np.mean(v)), "std": float(np.std(v))} for k, v in per_fold.items()}


def score_rows(bundle: ModelBundle, rows: Sequence[TrainingRow]) -> NDArray[Any]:
    x = feature_matrix([r.code for r in rows], bundle["feature_names"])
    proba: NDArray[Any] = bundle["model"].predict_proba(x)[:, 1]
    return proba

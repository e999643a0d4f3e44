"""Training and honest evaluation of the liquidity-behaviour model (ml/train.py --model liquidity).

Data: MONEYGROW_DATA_DIR/rugpull_liquidity_features (features.csv: one row per Uniswap-V2 WETH
pair, label TRUE = rug pull; pair_to_token.csv: the token's creator). Splits are grouped by token
creator (pairs without a known creator are their own group), so a serial rugger's pools never sit
on both sides. The held-out fold gives the metrics, with and without the window-dependent features
and against a logistic-regression baseline; the deployed model is then one gradient-boosting
model fitted on all rows with one isotonic calibrator fitted on grouped out-of-fold predictions
(CalibratedClassifierCV(ensemble=False): not an ensemble).
"""

from __future__ import annotations

import csv
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from moneygrow.ml.evaluation import grouped_folds, metrics
from moneygrow.ml.liquidity import DATASET_FEATURES, FEATURE_NAMES, STATE_FEATURES, WINDOW_FEATURES

MODEL_NAME = "scam_liquidity"
KIND = "liquidity"
TARGET_FPR = 0.05  # the decision threshold: the loosest with <= 5 % false positives out of fold
# The source measured negatives one day after their pool's creation (its FixTimestamp step): a pool
# younger than that is compared with rug pulls caught early and with no healthy pool of its age.
MIN_HISTORY_S = 24 * 3600
DATA_FILES = ("rugpull_liquidity_features/features.csv", "rugpull_liquidity_features/pair_to_token.csv")


@dataclass(frozen=True)
class LiquidityData:
    x: NDArray[Any]  # columns: DATASET_FEATURES
    y: NDArray[Any]
    ids: list[str]
    groups: list[str]
    created: list[str]  # pair creation date (YYYY-MM-DD) or ""
    hashes: dict[str, str]

    def columns(self, names: Sequence[str]) -> NDArray[Any]:
        return self.x[:, [DATASET_FEATURES.index(n) for n in names]]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_liquidity(data_dir: str | Path) -> LiquidityData:
    base = Path(data_dir)
    with (base / DATA_FILES[1]).open(newline="") as fh:
        tokens = {r["pair_address"].lower(): r for r in csv.DictReader(fh)}
    xs: list[list[float]] = []
    ys: list[int] = []
    ids: list[str] = []
    groups: list[str] = []
    created: list[str] = []
    with (base / DATA_FILES[0]).open(newline="") as fh:
        for rec in csv.DictReader(fh):
            pair = rec["id"].lower()
            xs.append([float(rec[n]) for n in DATASET_FEATURES])
            ys.append(1 if rec["Label"].strip().upper() == "TRUE" else 0)
            ids.append(pair)
            info = tokens.get(pair, {})
            groups.append((info.get("token_creator") or "").lower() or pair)
            created.append(info.get("pair_created_ts") or "")
    return LiquidityData(
        np.array(xs, dtype=float),
        np.array(ys, dtype=int),
        ids,
        groups,
        created,
        {name: file_sha256(base / name) for name in DATA_FILES},
    )


def make_booster(seed: int = 0) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.05, max_leaf_nodes=31, l2_regularization=1.0, random_state=seed
    )


def make_baseline() -> Pipeline:
    """Logistic regression on log1p of the (clipped non-negative) features."""
    return Pipeline(
        [
            ("log", FunctionTransformer(lambda v: np.log1p(np.clip(v, 0, None)))),
            ("scale", StandardScaler()),
            ("lr", LogisticRegression(max_iter=2000)),
        ]
    )


def make_model(y: NDArray[Any], groups: Sequence[str], seed: int = 0) -> CalibratedClassifierCV:
    folds = grouped_folds(y, groups, folds=3, seed=seed)
    return CalibratedClassifierCV(make_booster(seed), method="isotonic", cv=folds, ensemble=False)


FEATURE_SETS: dict[str, tuple[str, ...]] = {
    "served": FEATURE_NAMES,
    "without_window": tuple(n for n in FEATURE_NAMES if n not in WINDOW_FEATURES),
    "state_only": tuple(n for n in FEATURE_NAMES if n in STATE_FEATURES),
    "all_18": DATASET_FEATURES,
}


def holdout_predictions(data: LiquidityData, seed: int = 0) -> dict[str, Any]:
    """One grouped held-out fold (20 %): test indices and every compared model's probabilities."""
    train, test = grouped_folds(data.y, data.groups, folds=5, seed=seed)[0]
    ytr = data.y[train]
    gtr = [data.groups[i] for i in train]
    preds: dict[str, NDArray[Any]] = {}
    for label, names in FEATURE_SETS.items():
        x = data.columns(names)
        # Only the served set is calibrated (its Brier is reported); for the comparisons, which
        # rank-based figures (ROC-AUC, recall at an FPR) decide, a plain booster is the same ranking.
        model = make_model(ytr, gtr, seed) if label == "served" else make_booster(seed)
        preds[f"gbm_{label}"] = model.fit(x[train], ytr).predict_proba(x[test])[:, 1]
        if label in ("served", "without_window"):
            preds[f"logreg_{label}"] = make_baseline().fit(x[train], ytr).predict_proba(x[test])[:, 1]
    return {"train": train, "test": test, "pred": preds}


def evaluate(data: LiquidityData, seed: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    held = holdout_predictions(data, seed)
    y = data.y[held["test"]]
    prior = float(data.y[held["train"]].mean())
    out: dict[str, Any] = {name: metrics(y, p, prior) for name, p in held["pred"].items()}
    years = np.array([data.created[i][:4] or "unknown" for i in held["test"]])
    out["served_by_creation_year"] = {
        str(yr): metrics(y[years == yr], held["pred"]["gbm_served"][years == yr], prior)
        for yr in sorted(set(years.tolist()))
    }
    return out, held


def train_bundle(data: LiquidityData, *, seed: int = 0) -> dict[str, Any]:
    """Evaluate on the grouped held-out fold, then fit the served model on all rows."""
    started = time.perf_counter()
    # One OpenMP thread: on a shared 2-core machine the booster's threads thrash (10 s per fit
    # instead of 1.4 s), and the result is the same.
    with threadpool_limits(1):
        evaluation, held = evaluate(data, seed)
        x = data.columns(FEATURE_NAMES)
        model = make_model(data.y, data.groups, seed).fit(x, data.y)
    served = evaluation["gbm_served"]
    trained_at = datetime.now(UTC)
    fingerprint = hashlib.sha256(",".join(FEATURE_NAMES).encode()).hexdigest()[:8]
    return {
        "kind": KIND,
        "model": model,
        "feature_names": list(FEATURE_NAMES),
        "version": f"{trained_at:%Y%m%dT%H%M%SZ}-liq-f{fingerprint}-n{len(data.y)}",
        "trained_at": trained_at.isoformat(),
        # the decision threshold measured on held-out pools: <= 5 % of healthy pools flagged
        "threshold": served["threshold_at_fpr_5pct"],
        "metrics": {
            **served,
            "comparisons": {k: v for k, v in evaluation.items() if k != "gbm_served"},
            "n_train": len(held["train"]),
            "n_test": len(held["test"]),
            "training_seconds": round(time.perf_counter() - started, 2),
            "split": "StratifiedGroupKFold(5) by token creator, first fold held out",
        },
        "reference": {  # feature medians: what a feature is replaced by to measure its contribution
            "median": [float(v) for v in np.median(x, axis=0)],
        },
        "min_history_s": MIN_HISTORY_S,
        "data": {"hashes": data.hashes, "rows": len(data.y), "positives": int(data.y.sum())},
    }

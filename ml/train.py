"""Train the scam models and save them (with their manifests) to a model store.

    uv run python ml/train.py --data-dir ../shared/data --out ./.local/models                # both
    uv run python ml/train.py --data-dir ../shared/data --out s3://moneygrow-models-dev --model liquidity

liquidity: <data-dir>/rugpull_liquidity_features -> models/scam_liquidity.joblib; held-out metrics
on a split grouped by token creator, with and without the window-dependent features.
bytecode: <data-dir>/token_bytecode (labels 0/1, without cross-source conflicts) ->
models/scam_bytecode.joblib; held-out and 5-fold metrics grouped by duplicate code, by compiler era.
Each artifact is written with models/<name>.manifest.json (sha256, library versions, feature
schema, data hashes, metrics), which the serving side verifies before unpickling.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "shared"))

from moneygrow.ml import liquidity_model
from moneygrow.ml.model_store import LocalDirModelStore, ModelStore, store_for_location
from moneygrow.ml.training import (
    MODEL_NAME,
    ModelBundle,
    TrainingRow,
    cross_validate,
    load_token_bytecode,
    score_rows,
    train_bundle,
)

__all__ = ["ModelBundle", "TrainingRow", "main", "train_bundle"]


def _summary(metrics: dict[str, Any]) -> dict[str, Any]:
    keys = ("n", "positives", "roc_auc", "pr_auc", "recall_at_fpr_1pct", "recall_at_fpr_5pct", "brier")
    return {k: metrics[k] for k in keys if k in metrics}


def train_liquidity(data_dir: str, seed: int) -> dict[str, Any]:
    data = liquidity_model.load_liquidity(data_dir)
    print(f"liquidity rows: {len(data.y)} ({int(data.y.sum())} rug pulls)")
    bundle = liquidity_model.train_bundle(data, seed=seed)
    m = bundle["metrics"]
    print("held-out (grouped by creator), served model:", json.dumps(_summary(m)))
    for name, cm in m["comparisons"].items():
        if "roc_auc" in cm:
            print(f"  {name}: {json.dumps(_summary(cm))}")
    print(f"  threshold (<= 5 % FPR held out): {bundle['threshold']:.3f}")
    return bundle


def train_bytecode(data_dir: str, seed: int, cv: bool) -> ModelBundle:
    rows = load_token_bytecode(data_dir)
    print(f"bytecode rows: {len(rows)} ({sum(r.label for r in rows)} scam)")
    bundle = train_bundle(rows, seed=seed)
    print("held-out metrics (grouped by code):")
    print(json.dumps(bundle["metrics"], indent=2))
    print("training eras (rows per class):", bundle["domain"]["eras"])
    print("top features (permutation importance, held-out):", bundle["top_features"])
    if cv:
        print("5-fold CV (grouped by code):", json.dumps(cross_validate(rows, seed=seed), indent=2))
    hard = load_token_bytecode(data_dir, hard_cases=True)
    if hard:
        p = score_rows(bundle, hard)
        print(
            f"hard cases (label -1, tool-flagged but rejected by hand): n={len(hard)}, "
            f"mean p={p.mean():.3f}, flagged at 0.5: {(p >= 0.5).mean():.0%}"
        )
    return bundle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", required=True, help="directory holding the labelled data sets")
    parser.add_argument("--out", required=True, help="a directory, file://dir or s3://bucket")
    parser.add_argument("--model", choices=("all", "liquidity", "bytecode"), default="all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-cv", action="store_true", help="skip the bytecode 5-fold cross-validation")
    args = parser.parse_args(argv)

    store: ModelStore = (
        store_for_location(args.out)
        if args.out.startswith(("s3://", "file://"))
        else LocalDirModelStore(args.out)
    )
    if args.model in ("all", "liquidity"):
        bundle = train_liquidity(args.data_dir, args.seed)
        store.save(liquidity_model.MODEL_NAME, bundle)
        print(f"saved {liquidity_model.MODEL_NAME} version {bundle['version']} to {args.out}")
    if args.model in ("all", "bytecode"):
        bc = train_bytecode(args.data_dir, args.seed, not args.no_cv)
        store.save(MODEL_NAME, bc)
        print(f"saved {MODEL_NAME} version {bc['version']} to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

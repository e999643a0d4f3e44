"""Train the bytecode scam classifier and save the bundle.

    uv run python ml/train.py --data-dir ../shared/data --out ./.local/models
    uv run python ml/train.py --data-dir ../shared/data --out s3://moneygrow-models-dev

Reads <data-dir>/token_bytecode (labels 0/1, without cross-source conflicts), prints held-out and
5-fold metrics (overall and by compiler era) and writes models/scam_bytecode.joblib to --out.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "shared"))

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", required=True, help="directory holding token_bytecode/")
    parser.add_argument("--out", required=True, help="a directory, file://dir or s3://bucket")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-cv", action="store_true", help="skip the 5-fold cross-validation")
    args = parser.parse_args(argv)

    rows = load_token_bytecode(args.data_dir)
    print(f"rows: {len(rows)} ({sum(r.label for r in rows)} scam)")
    bundle = train_bundle(rows, seed=args.seed)
    print("held-out metrics:")
    print(json.dumps(bundle["metrics"], indent=2))
    print("top features (permutation importance, held-out):", bundle["top_features"])
    if not args.no_cv:
        print("5-fold CV:", json.dumps(cross_validate(rows, seed=args.seed), indent=2))
    hard = load_token_bytecode(args.data_dir, hard_cases=True)
    if hard:
        p = score_rows(bundle, hard)
        print(
            f"hard cases (label -1, tool-flagged but rejected by hand): n={len(hard)}, "
            f"mean p={p.mean():.3f}, flagged at 0.5: {(p >= 0.5).mean():.0%}"
        )
    store: ModelStore = (
        store_for_location(args.out)
        if args.out.startswith(("s3://", "file://"))
        else LocalDirModelStore(args.out)
    )
    store.save(MODEL_NAME, bundle)
    print(f"saved {MODEL_NAME} version {bundle['version']} to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Batch scoring with the served models, for people with their own data.

    uv run python -m ml.score --model liquidity --input pairs.csv --output scores.csv
    uv run python -m ml.score --model bytecode --input hex_dir/ --output scores.csv

liquidity: a CSV with an `id` column and the data set's feature columns (rugpull_liquidity_features:
mint_count_per_week, ..., token_creator_holding_ratio; extra columns such as Label or
number_of_token_creation_of_creator are ignored). A row with a missing or non-numeric feature gets
no probability and `prediction` = "missing: <the features>" - never a guessed value. The CSV rows
carry no pool age, so the served model's minimum-history rule is not applied here.
bytecode: a directory of `<address>.hex` files (runtime code); code outside the model's training
data gets `prediction` = "no basis: <why>".

Output: id,probability,prediction. The models are the artifacts the ML Lambda serves, from
--models (s3://bucket or a directory; default: MONEYGROW_MODEL_BUCKET when set, else ./.local/models,
where `make dev` caches what it publishes and `ml/train.py --out ./.local/models` writes), checked
against their manifests before they are unpickled.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "shared"))

import numpy as np

from moneygrow.config import get_settings
from moneygrow.ml import liquidity_model, training
from moneygrow.ml.artifact import ModelRefused, check_schema
from moneygrow.ml.liquidity import FEATURE_NAMES
from moneygrow.ml.model_store import ModelStore, store_for_location
from moneygrow.ml.serving import NoBasis, probabilities, score_bytecode

Row = tuple[str, float | None, str]
LOCAL_MODELS = Path(__file__).resolve().parent.parent / ".local" / "models"


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text not in (None, "") else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def score_liquidity_csv(bundle: dict[str, Any], path: Path) -> list[Row]:
    check_schema(liquidity_model.MODEL_NAME, FEATURE_NAMES, bundle)
    names: list[str] = bundle["feature_names"]
    threshold = float(bundle["threshold"])
    ids: list[str] = []
    matrix: list[list[float]] = []
    out: dict[int, Row] = {}
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or "id" not in reader.fieldnames:
            raise SystemExit(f"{path}: needs an `id` column and the feature columns {', '.join(names)}")
        for i, rec in enumerate(reader):
            ids.append(rec["id"])
            values = [_number(rec.get(n)) for n in names]
            missing = [n for n, v in zip(names, values, strict=True) if v is None]
            if missing:
                out[i] = (rec["id"], None, "missing: " + " ".join(missing))
            else:
                matrix.append([float(v) for v in values if v is not None])
    complete = [i for i in range(len(ids)) if i not in out]
    if complete:
        p = probabilities(bundle, np.array(matrix, dtype=float))
        for i, prob in zip(complete, p.tolist(), strict=True):
            out[i] = (ids[i], prob, "scam" if prob >= threshold else "legit")
    return [out[i] for i in range(len(ids))]


def score_bytecode_dir(bundle: dict[str, Any], directory: Path) -> list[Row]:
    rows: list[Row] = []
    for path in sorted(directory.glob("*.hex")):
        try:
            code = bytes.fromhex(path.read_text().strip().removeprefix("0x"))
        except ValueError:
            rows.append((path.stem, None, "missing: the file is not hex"))
            continue
        if not code:
            rows.append((path.stem, None, "missing: no code"))
            continue
        score = score_bytecode(bundle, code)
        if isinstance(score, NoBasis):
            rows.append((path.stem, None, score.reason))
        else:
            rows.append((path.stem, score.probability, score.prediction))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ml.score", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", choices=("liquidity", "bytecode"), required=True)
    parser.add_argument(
        "--input", required=True, type=Path, help="a CSV (liquidity) or a directory (bytecode)"
    )
    parser.add_argument("--output", required=True, type=Path)
    parser.add_argument("--models", help="model store: s3://bucket, a directory or file://dir")
    args = parser.parse_args(argv)

    location = args.models or (
        get_settings().model_bucket if os.environ.get("MONEYGROW_MODEL_BUCKET") else str(LOCAL_MODELS)
    )
    store: ModelStore = store_for_location(location)
    name = liquidity_model.MODEL_NAME if args.model == "liquidity" else training.MODEL_NAME
    try:
        bundle = store.load(name)
    except ModelRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    if bundle is None:
        print(f"no model {name} in {location} (train it: ml/train.py --model {args.model})", file=sys.stderr)
        return 2
    try:
        rows = (
            score_liquidity_csv(bundle, args.input)
            if args.model == "liquidity"
            else score_bytecode_dir(bundle, args.input)
        )
    except ModelRefused as exc:  # a schema this code does not build, a bundle without its domain
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    with args.output.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "probability", "prediction"])
        for rid, prob, prediction in rows:
            writer.writerow([rid, "" if prob is None else f"{prob:.6f}", prediction])
    scored = sum(1 for _, p, _ in rows if p is not None)
    print(f"{name} {bundle['version']}: {scored} of {len(rows)} scored -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

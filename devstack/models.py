"""The dev stack's ML models: trained once from the labelled data directory into a local cache
(.local/models), in a child process that runs while the chain and moto start, then uploaded with
their manifests to the model bucket.

A cached model is used while its manifest checks out without unpickling it (the artifact's sha256,
the library versions it was trained with, a "kind": bundles cached by older training code have
none); otherwise it is retrained. The upload copies the two files as they are, so a warm start
does not even import scikit-learn.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterator
from multiprocessing.process import BaseProcess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# MONEYGROW_MODEL_CACHE: keep the cache outside the checkout (CI: fresh clones train once, not per run).
MODEL_CACHE = Path(os.environ.get("MONEYGROW_MODEL_CACHE") or ROOT / ".local" / "models")
MODELS = ("scam_liquidity", "scam_bytecode")  # moneygrow.ml.liquidity_model / training MODEL_NAME


def data_dir() -> Path | None:
    """MONEYGROW_DATA_DIR, else ../shared/data beside the checkout, when it holds the labelled data."""
    configured = os.environ.get("MONEYGROW_DATA_DIR") or str(ROOT.parent / "shared" / "data")
    path = Path(configured)
    return path if (path / "token_bytecode" / "labels.csv").exists() else None


def _files(name: str, cache: Path) -> tuple[Path, Path]:
    return cache / "models" / f"{name}.joblib", cache / "models" / f"{name}.manifest.json"


def cached_version(name: str, cache: Path | None = None) -> str | None:
    """The cached model's version when its manifest checks out (no unpickling), else None."""
    from moneygrow.ml.artifact import ModelRefused, parse_manifest, verify_bytes

    artifact, manifest_file = _files(name, cache or MODEL_CACHE)
    if not artifact.is_file() or not manifest_file.is_file():
        return None
    try:
        manifest = parse_manifest(name, manifest_file.read_bytes())
        verify_bytes(name, manifest, artifact.read_bytes())
    except ModelRefused:
        return None
    return str(manifest["version"]) if manifest.get("kind") and manifest.get("version") else None


def refresh_cache(data: str, cache: str) -> None:
    """Train from `data` the models the cache directory lacks (the child process's work)."""
    from moneygrow.ml import liquidity_model, training
    from moneygrow.ml.model_store import LocalDirModelStore

    trainers = {
        liquidity_model.MODEL_NAME: lambda d: liquidity_model.train_bundle(liquidity_model.load_liquidity(d)),
        training.MODEL_NAME: lambda d: training.train_bundle(training.load_token_bytecode(d)),
    }
    assert set(trainers) == set(MODELS), trainers.keys()  # nosec B101: a renamed model must be renamed here
    for name in MODELS:
        if cached_version(name, Path(cache)) is None:
            print(f"training {name} from {data} (once; cached in {cache}) ...", flush=True)
            LocalDirModelStore(cache).save(name, trainers[name](Path(data)))


@contextlib.contextmanager
def training_in_background() -> Iterator[BaseProcess | None]:
    """Train the models the cache lacks in a child process, while the chain and moto start (None
    when the cache is complete or there is no data to train on); stopped if the stack exits first."""
    data = data_dir()
    if data is None or all(cached_version(name) for name in MODELS):
        yield None
        return
    proc = multiprocessing.get_context("spawn").Process(
        target=refresh_cache, args=(str(data), str(MODEL_CACHE)), daemon=True
    )
    proc.start()
    try:
        yield proc
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join()


def publish(bucket: str, training: BaseProcess | None) -> str:
    """Wait for the training (if any), then upload every cached model (artifact first, then its
    manifest, as moneygrow.ml.model_store writes them) to the bucket."""
    import boto3

    if training is not None:
        training.join()
    s3 = boto3.client("s3")
    published, missing = [], []
    for name in MODELS:
        version = cached_version(name)
        if version is None:
            missing.append(name)
            continue
        for path in _files(name, MODEL_CACHE):
            s3.put_object(Bucket=bucket, Key=f"models/{path.name}", Body=path.read_bytes())
        published.append(f"{name} {version}")
    note = f"models {', '.join(published)} published to s3://{bucket}" if published else "no model published"
    if missing:
        why = "training failed (above)" if data_dir() else "no labelled data directory (MONEYGROW_DATA_DIR)"
        note += f"; {', '.join(missing)} missing: {why}, the ML agent will report DEGRADED"
    return note

"""Model stores: S3 round-trip under moto, the local directory store, the per-process cache."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import joblib
import pytest
from moto import mock_aws

from moneygrow.config import Settings
from moneygrow.ml.artifact import ModelRefused, check_schema, library_versions
from moneygrow.ml.model_store import (
    CachingModelStore,
    LocalDirModelStore,
    S3ModelStore,
    model_store_from_settings,
)

BUCKET = "moneygrow-models-test"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(var, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def test_s3_round_trip(s3: Any) -> None:
    store = S3ModelStore(BUCKET, lambda: s3)
    assert store.load("scam_bytecode") is None
    bundle = {"model": {"weights": [1.0, 2.0]}, "feature_names": ["a", "b"], "version": "v1"}
    store.save("scam_bytecode", bundle)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == ["models/scam_bytecode.joblib", "models/scam_bytecode.manifest.json"]
    assert store.load("scam_bytecode") == bundle


def test_s3_default_client_is_created_lazily(s3: Any) -> None:
    store = S3ModelStore(BUCKET)
    assert store._client is None
    store.save("m", {"x": 1})
    assert S3ModelStore(BUCKET).load("m") == {"x": 1}


def test_s3_other_errors_propagate(s3: Any) -> None:
    with pytest.raises(Exception, match="NoSuchBucket"):
        S3ModelStore("no-such-bucket", lambda: s3).load("m")


def test_local_dir_round_trip(tmp_path: Path) -> None:
    store = LocalDirModelStore(tmp_path)
    assert store.load("m") is None
    store.save("m", {"version": "v2"})
    assert (tmp_path / "models" / "m.joblib").is_file()
    assert store.load("m") == {"version": "v2"}


@pytest.mark.parametrize("name", ["", "../x", "a/b", ".hidden"])
def test_invalid_names_are_rejected(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        LocalDirModelStore(tmp_path).load(name)


class CountingStore:
    def __init__(self) -> None:
        self.loads = 0
        self.data: dict[str, Any] = {}

    def load(self, name: str) -> Any | None:
        self.loads += 1
        return self.data.get(name)

    def save(self, name: str, obj: Any) -> None:
        self.data[name] = obj


def test_cache_keeps_hits_but_not_misses() -> None:
    inner = CountingStore()
    cached = CachingModelStore(inner)
    assert cached.load("m") is None
    assert cached.load("m") is None
    assert inner.loads == 2  # a model uploaded later is still picked up
    inner.save("m", {"v": 1})
    assert cached.load("m") == {"v": 1}
    assert cached.load("m") == {"v": 1}
    assert inner.loads == 3


def test_store_from_settings_is_cached_per_process(s3: Any) -> None:
    settings = Settings(model_bucket=BUCKET)
    store = model_store_from_settings(settings)
    assert store is model_store_from_settings(Settings(model_bucket=BUCKET))
    assert isinstance(store, CachingModelStore)
    assert isinstance(store.inner, S3ModelStore) and store.inner.bucket == BUCKET


def test_store_from_settings_accepts_a_local_path(tmp_path: Path) -> None:
    store = model_store_from_settings(Settings(model_bucket=f"file://{tmp_path}"))
    store.save("m", {"v": 3})
    assert LocalDirModelStore(tmp_path).load("m") == {"v": 3}


# --- the manifest: checked before anything is unpickled ---------------------------------------------


def test_manifest_records_hash_versions_and_schema(tmp_path: Path) -> None:
    store = LocalDirModelStore(tmp_path)
    store.save("m", {"feature_names": ["a", "b"], "version": "v1", "metrics": {"roc_auc": 0.9}})
    manifest = store.load_manifest("m")
    assert manifest is not None
    raw = (tmp_path / "models" / "m.joblib").read_bytes()
    assert manifest["sha256"] == hashlib.sha256(raw).hexdigest()
    assert manifest["libraries"] == library_versions()
    assert set(manifest["libraries"]) == {"scikit-learn", "numpy", "scipy", "joblib"}
    assert manifest["feature_names"] == ["a", "b"] and manifest["metrics"] == {"roc_auc": 0.9}


class Bomb:
    """Unpickling this would run code: the tampered artifact must be refused before that."""

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (_explode, ("unpickled a tampered artifact",))


def _explode(message: str) -> None:
    raise AssertionError(message)


def test_tampered_artifact_is_refused_before_unpickling(tmp_path: Path) -> None:
    store = LocalDirModelStore(tmp_path)
    store.save("m", {"feature_names": ["a"], "version": "v1"})
    buf = io.BytesIO()
    joblib.dump(Bomb(), buf)
    (tmp_path / "models" / "m.joblib").write_bytes(buf.getvalue())
    with pytest.raises(ModelRefused, match="sha256"):
        store.load("m")


def test_artifact_without_manifest_is_refused(tmp_path: Path) -> None:
    store = LocalDirModelStore(tmp_path)
    store.save("m", {"v": 1})
    (tmp_path / "models" / "m.manifest.json").unlink()
    with pytest.raises(ModelRefused, match="no manifest"):
        store.load("m")


def test_other_library_versions_are_refused_with_the_versions_named(tmp_path: Path) -> None:
    store = LocalDirModelStore(tmp_path)
    store.save("m", {"v": 1})
    path = tmp_path / "models" / "m.manifest.json"
    manifest = json.loads(path.read_text())
    manifest["libraries"]["scikit-learn"] = "1.9.1"
    path.write_text(json.dumps(manifest))
    with pytest.raises(ModelRefused, match=r"scikit-learn trained 1\.9\.1 / running"):
        store.load("m")


def test_schema_mismatch_is_refused_with_a_clear_error() -> None:
    bundle = {"feature_names": ["a", "b"], "version": "v1"}
    check_schema("m", ["a", "b"], bundle)
    with pytest.raises(ModelRefused, match=r"feature schema mismatch.*missing \['c'\]"):
        check_schema("m", ["a", "b", "c"], bundle)


def test_refusals_are_not_cached(tmp_path: Path) -> None:
    inner = LocalDirModelStore(tmp_path)
    inner.save("m", {"v": 1})
    (tmp_path / "models" / "m.joblib").write_bytes(b"not the artifact")
    cached = CachingModelStore(inner)
    with pytest.raises(ModelRefused):
        cached.load("m")
    inner.save("m", {"v": 2})  # a good model uploaded afterwards is picked up
    assert cached.load("m") == {"v": 2}

"""Model stores: S3 round-trip under moto, the local directory store, the per-process cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from moneygrow.config import Settings
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
    assert keys == ["models/scam_bytecode.joblib"]
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

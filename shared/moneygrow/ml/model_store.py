"""Where trained model bundles live: S3 in the cloud, a directory locally and in tests.

A bundle is a dict (see moneygrow.ml.training.ModelBundle): {"model", "feature_names", "version",
"metrics", "trained_at", ...} serialised with joblib, stored as models/<name>.joblib with
models/<name>.manifest.json beside it (moneygrow.ml.artifact). joblib files are pickles: `load`
checks the manifest (sha256, library versions) *before* unpickling and raises ModelRefused when it
does not hold; the model bucket is also private to the stack.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import joblib

from moneygrow.ml.artifact import ModelRefused, build_manifest, parse_manifest, verify_bundle, verify_bytes

if TYPE_CHECKING:
    from moneygrow.config import Settings


class ModelStore(Protocol):
    def load(self, name: str) -> Any | None:
        """The stored object, or None when there is no model of that name; ModelRefused when the
        stored one fails its manifest."""
        ...

    def save(self, name: str, obj: Any) -> None: ...


def _key(name: str) -> str:
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"invalid model name: {name!r}")
    return f"models/{name}.joblib"


def _manifest_key(name: str) -> str:
    return _key(name).removesuffix(".joblib") + ".manifest.json"


def _dumps(obj: Any) -> bytes:
    buf = io.BytesIO()
    joblib.dump(obj, buf, compress=3)
    return buf.getvalue()


class _BlobStore:
    """load/save in terms of two blobs; subclasses implement _get (None when absent) and _put."""

    def _get(self, key: str) -> bytes | None:
        raise NotImplementedError

    def _put(self, key: str, raw: bytes) -> None:
        raise NotImplementedError

    def load(self, name: str) -> Any | None:
        raw = self._get(_key(name))
        if raw is None:
            return None
        manifest_raw = self._get(_manifest_key(name))
        if manifest_raw is None:
            raise ModelRefused(f"model {name}: no manifest beside the artifact: not loaded")
        manifest = parse_manifest(name, manifest_raw)
        verify_bytes(name, manifest, raw)
        obj = joblib.load(io.BytesIO(raw))  # a pickle: only after the sha256 and versions checked out
        verify_bundle(name, manifest, obj)
        return obj

    def load_manifest(self, name: str) -> dict[str, Any] | None:
        raw = self._get(_manifest_key(name))
        return None if raw is None else parse_manifest(name, raw)

    def save(self, name: str, obj: Any) -> None:
        raw = _dumps(obj)
        manifest = build_manifest(name, raw, obj)
        # The artifact first: a reader that sees the new manifest with the old artifact refuses it
        # (sha256), never loads a mismatched pair.
        self._put(_key(name), raw)
        self._put(_manifest_key(name), json.dumps(manifest, indent=2, sort_keys=True).encode())


class LocalDirModelStore(_BlobStore):
    """<path>/models/<name>.joblib + .manifest.json (same layout as the bucket)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _get(self, key: str) -> bytes | None:
        file = self.path / key
        return file.read_bytes() if file.is_file() else None

    def _put(self, key: str, raw: bytes) -> None:
        file = self.path / key
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_name(file.name + ".tmp")
        tmp.write_bytes(raw)
        tmp.replace(file)


def _default_s3_client_factory(region: str | None = None) -> Callable[[], Any]:
    def factory() -> Any:
        import boto3  # lazily: only this adapter needs it

        return boto3.client("s3", region_name=region)

    return factory


class S3ModelStore(_BlobStore):
    """s3://<bucket>/models/<name>.joblib (+ .manifest.json). The client is created on first use."""

    def __init__(self, bucket: str, client_factory: Callable[[], Any] | None = None) -> None:
        self.bucket = bucket
        self._client_factory = client_factory or _default_s3_client_factory()
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def _get(self, key: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except Exception as exc:  # botocore's ClientError, without importing botocore here
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        body: bytes = response["Body"].read()
        return body

    def _put(self, key: str, raw: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=raw)


class CachingModelStore:
    """Keeps loaded models in memory for the life of the process (warm Lambdas reuse them).

    Misses are not cached, so a model uploaded after a cold start is picked up on the next call.
    """

    def __init__(self, inner: ModelStore) -> None:
        self.inner = inner
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()

    def load(self, name: str) -> Any | None:
        with self._lock:
            if name in self._cache:
                return self._cache[name]
        obj = self.inner.load(name)
        if obj is not None:
            with self._lock:
                self._cache[name] = obj
        return obj

    def save(self, name: str, obj: Any) -> None:
        self.inner.save(name, obj)
        with self._lock:
            self._cache[name] = obj

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


def store_for_location(location: str, region: str | None = None) -> ModelStore:
    """'s3://bucket' or a bare bucket name -> S3; 'file://path', '/path' or './path' -> a directory."""
    if location.startswith("file://"):
        return LocalDirModelStore(location.removeprefix("file://"))
    if location.startswith(("/", "./", "../")):
        return LocalDirModelStore(location)
    bucket = location.removeprefix("s3://").rstrip("/")
    return S3ModelStore(bucket, _default_s3_client_factory(region))


_STORES: dict[tuple[str, str], CachingModelStore] = {}
_STORES_LOCK = threading.Lock()


def model_store_from_settings(settings: Settings) -> ModelStore:
    """The process-wide (cached) store for settings.model_bucket.

    model_bucket is normally a bucket name; a local path or file:// URL selects a directory store
    (local development without S3).
    """
    key = (settings.model_bucket, settings.aws_region)
    with _STORES_LOCK:
        store = _STORES.get(key)
        if store is None:
            store = CachingModelStore(store_for_location(settings.model_bucket, settings.aws_region))
            _STORES[key] = store
        return store


def forget_stores() -> None:
    """Drop the process-wide stores (and their S3 clients, which keep the endpoint they were made
    with): for tests that reconfigure the process, as a cold start would."""
    with _STORES_LOCK:
        _STORES.clear()

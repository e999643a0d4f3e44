"""A model artifact's manifest, checked before the artifact is unpickled.

A joblib file is a pickle: loading one runs code. So the store keeps, next to `<name>.joblib`, a
`<name>.manifest.json` holding the artifact's sha256, the library versions it was written with, its
feature schema, the hashes of the data it was trained on and its held-out metrics. `verify_bytes`
refuses the artifact (ModelRefused, with the reason) unless the bytes hash to the manifest's sha256
and the running scikit-learn / numpy / scipy / joblib are the versions it was trained with (a model
unpickled under other versions can predict differently without failing). After unpickling,
`verify_bundle` checks that the bundle's feature names are the manifest's schema.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

MANIFEST_FORMAT = 1
# The libraries whose versions must match between training and serving.
PINNED_LIBRARIES: tuple[str, ...] = ("scikit-learn", "numpy", "scipy", "joblib")


class ModelRefused(Exception):
    """A stored model that must not be used (tampered, other library versions, other schema)."""


def library_versions() -> dict[str, str]:
    out: dict[str, str] = {}
    for name in PINNED_LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def build_manifest(name: str, raw: bytes, bundle: Any) -> dict[str, Any]:
    """The manifest of `raw` (the serialised bundle). Bundles are dicts; the optional keys
    (feature_names, version, metrics, data) are copied when present."""
    info = bundle if isinstance(bundle, dict) else {}
    return {
        "format": MANIFEST_FORMAT,
        "name": name,
        "sha256": sha256(raw),
        "size": len(raw),
        "libraries": library_versions(),
        "feature_names": list(info.get("feature_names") or []),
        "version": info.get("version"),
        "kind": info.get("kind"),
        "data": info.get("data") or {},
        "metrics": _jsonable(info.get("metrics") or {}),
        "written_at": datetime.now(UTC).isoformat(),
    }


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def parse_manifest(name: str, raw: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(raw)
    except ValueError as exc:
        raise ModelRefused(f"model {name}: the manifest is not JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ModelRefused(f"model {name}: unknown manifest format")
    return manifest


def verify_bytes(name: str, manifest: dict[str, Any], raw: bytes) -> None:
    """Before unpickling: the artifact is the one the manifest describes, for these libraries."""
    digest = sha256(raw)
    if digest != manifest.get("sha256"):
        raise ModelRefused(
            f"model {name}: artifact sha256 {digest[:12]}... is not the manifest's "
            f"{str(manifest.get('sha256'))[:12]}... (tampered or half-written): not loaded"
        )
    trained = manifest.get("libraries") or {}
    running = library_versions()
    diff = {k: (trained.get(k), v) for k, v in running.items() if trained.get(k) != v}
    if diff:
        detail = ", ".join(f"{k} trained {a} / running {b}" for k, (a, b) in sorted(diff.items()))
        raise ModelRefused(f"model {name}: library versions differ ({detail}); retrain or redeploy")


def verify_bundle(name: str, manifest: dict[str, Any], bundle: Any) -> None:
    """After unpickling: the bundle's feature schema is the manifest's."""
    names = list(bundle.get("feature_names") or []) if isinstance(bundle, dict) else []
    if names != list(manifest.get("feature_names") or []):
        raise ModelRefused(f"model {name}: the artifact's feature names are not the manifest's schema")


def check_schema(name: str, expected: list[str] | tuple[str, ...], bundle: dict[str, Any]) -> None:
    """The feature names this code builds, in this order, must be the model's."""
    got = list(bundle.get("feature_names") or [])
    if got != list(expected):
        missing = [n for n in expected if n not in got]
        extra = [n for n in got if n not in expected]
        raise ModelRefused(
            f"model {name} {bundle.get('version')}: feature schema mismatch (the code builds "
            f"{len(expected)} features, the model wants {len(got)}; missing {missing[:5]}, "
            f"unknown {extra[:5]}): retrain with this code"
        )

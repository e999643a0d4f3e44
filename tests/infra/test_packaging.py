"""Lambda packaging without Docker (scripts/build_layer.py) and how the CDK app uses what it built.

Offline: the dependency split comes from uv.lock, the staging from a fake build/ml. When the real
packages have been built on this machine (build/packaging.json), their sizes are checked against
Lambda's limits too.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def build_layer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_layer", ROOT / "scripts" / "build_layer.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_layer"] = module
    spec.loader.exec_module(module)
    return module


def test_dependency_split(build_layer: ModuleType) -> None:
    groups = build_layer.dependency_groups()
    # The ML agent's extras: scikit-learn and what only it needs.
    assert {"scikit-learn", "numpy", "scipy", "threadpoolctl"} <= groups.ml
    # Every function: the API, the agents' common code, model loading (joblib) and the chain clients.
    for name in (
        "fastapi",
        "mangum",
        "pydantic",
        "pynamodb",
        "web3",
        "httpx",
        "pyjwt",
        "argon2-cffi",
        "joblib",
        "swagger-ui-bundle",  # /docs without a CDN
    ):
        assert name in groups.core, name
    assert "aws-lambda-powertools" in groups.core
    # Provided by the Lambda python3.11 runtime.
    assert {"boto3", "botocore", "s3transfer", "jmespath"} <= groups.dropped
    assert not groups.dropped & groups.core
    assert not groups.ml & groups.core


def test_wheels_are_for_amazon_linux_2(build_layer: ModuleType) -> None:
    args = build_layer._platform_args()
    platforms = {args[i + 1] for i, a in enumerate(args) if a == "--platform"}
    assert "manylinux_2_26_x86_64" in platforms  # glibc of Lambda's python3.11 runtime (AL2)
    assert "manylinux2014_x86_64" in platforms
    assert not {p for p in platforms if p.startswith("manylinux_2_27") or p.startswith("manylinux_2_28")}


def test_slim_drops_tests_and_sources_but_keeps_what_runtime_imports(
    build_layer: ModuleType, tmp_path: Path
) -> None:
    (tmp_path / "pkg" / "tests").mkdir(parents=True)
    (tmp_path / "pkg" / "tests" / "test_x.py").write_text("")
    (tmp_path / "pkg" / "__pycache__").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "mod.pyx").write_text("")
    (tmp_path / "numpy" / "_core" / "tests").mkdir(parents=True)
    (tmp_path / "numpy" / "_core" / "tests" / "_natype.py").write_text("")
    (tmp_path / "bin").mkdir()
    build_layer.slim(tmp_path)
    assert (tmp_path / "pkg" / "mod.py").exists()
    assert not (tmp_path / "pkg" / "tests").exists()
    assert not (tmp_path / "pkg" / "__pycache__").exists()
    assert not (tmp_path / "pkg" / "mod.pyx").exists()
    assert not (tmp_path / "bin").exists()
    assert (tmp_path / "numpy" / "_core" / "tests" / "_natype.py").exists()


def test_ml_function_bundles_the_ml_packages_when_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infra.constructs import lambdas

    fake = tmp_path / "ml"
    (fake / "sklearn").mkdir(parents=True)
    (fake / "sklearn" / "__init__.py").write_text("__version__ = 'fake'\n")
    monkeypatch.setattr(lambdas, "ML_PACKAGES_DIR", fake)
    monkeypatch.setattr(lambdas, "STAGED_FUNCTIONS_DIR", tmp_path / "functions")
    spec = lambdas.FunctionSpec(construct_id="MlAgentFunction", source="functions/agents/ml", bundle_ml=True)
    lambdas.function_code(spec)
    (staged,) = (tmp_path / "functions").glob("MlAgentFunction-*")
    assert (staged / "handler.py").read_text() == (ROOT / "functions/agents/ml/handler.py").read_text()
    assert (staged / "sklearn" / "__init__.py").exists()
    # Without build/ml (a fresh clone) the function is its source directory, as before.
    monkeypatch.setattr(lambdas, "ML_PACKAGES_DIR", tmp_path / "absent")
    plain = lambdas.function_code(spec)
    assert plain is not None


def _manifest() -> dict[str, Any]:
    path = ROOT / "build" / "packaging.json"
    if not path.exists():
        pytest.skip("the packages are not built here (uv run python scripts/build_layer.py)")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def test_built_packages_fit_lambda_limits() -> None:
    manifest = _manifest()
    sizes = manifest["sizes"]
    limit = sizes["limit_unzipped"]
    assert limit == 262_144_000
    for source, total in sizes["function_total_unzipped"].items():
        assert total < limit, source
    assert manifest["platform"] == "manylinux_2_26_x86_64"
    assert "boto3" not in manifest["core"] and "botocore" not in manifest["core"]
    assert "scikit-learn" in manifest["ml"] and "scikit-learn" not in manifest["core"]


# --- one set of ML library versions for training and the ML Lambda ---------------------------------


def _locked_versions() -> dict[str, str]:
    import tomllib

    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {p["name"]: p["version"] for p in lock["package"] if "version" in p}


def test_the_ml_lambda_is_built_with_the_locked_ml_versions(build_layer: ModuleType) -> None:
    groups = build_layer.dependency_groups()
    locked = {"scikit-learn": "scikit-learn==1.7.2", "numpy": "numpy==2.2.6", "scipy": "scipy==1.16.3"}
    reqs = build_layer.ml_requirements(groups, locked)
    assert reqs == ["numpy==2.2.6", "scikit-learn==1.7.2", "scipy==1.16.3"]  # exact pins, no "<="


def test_training_runs_the_locked_versions_that_have_lambda_wheels() -> None:
    """The venv that trains is the lock; the lock's ML versions are ones with manylinux_2_17 wheels
    for python3.11 (checked when pinning: numpy 2.3+, scipy 1.17+, scikit-learn 1.8+ need glibc 2.27+,
    newer than Lambda's Amazon Linux 2)."""
    from moneygrow.ml.artifact import PINNED_LIBRARIES, library_versions

    locked = _locked_versions()
    running = library_versions()
    assert {name: locked[name] for name in PINNED_LIBRARIES} == running
    assert (locked["numpy"], locked["scipy"], locked["scikit-learn"]) == ("2.2.6", "1.16.3", "1.7.2")


def test_built_ml_package_has_the_training_versions() -> None:
    manifest = _manifest()
    locked = _locked_versions()
    for name in ("numpy", "scipy", "scikit-learn", "joblib"):
        built = manifest["ml"].get(name) or manifest["core"].get(name)
        assert built == locked[name], (name, built, locked[name])
    assert not manifest.get("ml_deviations_from_lock")


def _third_party_imports(*folders: str) -> set[str]:
    """Top-level modules the shipped code imports (anywhere, lazily too), other than the stdlib and
    its own packages."""
    import ast

    own = {"moneygrow", "moneygrow_api", "handler"}
    found: set[str] = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                found |= {n.split(".")[0] for n in names}
    return found - own - set(sys.stdlib_module_names)


def test_everything_the_functions_import_is_packaged(build_layer: ModuleType) -> None:
    """A module imported by shared/ or functions/ but only installed through a dev dependency works in
    the tests and fails at import in Lambda (cryptography was one: the SNS signature check)."""
    from importlib.metadata import packages_distributions

    groups = build_layer.dependency_groups()
    shipped = groups.core | groups.ml | groups.dropped
    distributions = packages_distributions()
    missing = {
        module: distributions.get(module)
        for module in _third_party_imports("shared/moneygrow", "functions")
        if not {build_layer._normalize(d) for d in distributions.get(module, [])} & shipped
    }
    assert not missing, missing

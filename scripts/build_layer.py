"""Build the Lambda packages from uv.lock, without Docker: manylinux wheels for Lambda's python3.11.

    uv run python scripts/build_layer.py            # build/layer (core layer) + build/ml (ML extras)
    uv run python scripts/build_layer.py --check    # only report sizes of what is built

What it builds (the CDK app picks both up at synth time when they exist, see infra/constructs/lambdas.py):

* build/layer/python/ — the layer every function gets: shared/moneygrow plus every locked runtime
  dependency (powertools, fastapi, mangum, pydantic, pynamodb, web3, httpx, PyJWT, argon2, joblib, ...)
  except what only scikit-learn needs, and except boto3/botocore/s3transfer/jmespath, which the
  Lambda runtime already provides.
* build/ml/ — numpy, scipy, scikit-learn and what only they need: bundled into the ML agent's own
  code asset (not a second layer), so only that function carries them.

Platform: Lambda's python3.11 runtime runs on Amazon Linux 2 (glibc 2.26, x86_64), so only wheels
tagged manylinux_2_26 or older are accepted. Versions are exactly the locked ones (`uv export
--frozen`), the ML group included: numpy >= 2.3, scipy >= 1.17 and scikit-learn >= 1.8 ship
manylinux_2_27+ wheels only, so pyproject.toml pins numpy 2.2.6, scipy 1.16.3 and scikit-learn
1.7.2 for training too (a model is refused when served under other versions than it was trained
with; tests/infra/test_packaging.py checks the lock and the build agree).

Slimming: tests/, __pycache__, C/Cython sources and headers, type stubs and console scripts are
dropped and shared objects are stripped (`strip --strip-unneeded`). The script fails when a
function's unzipped code plus layer exceed Lambda's 250 MB limit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
LAYER_DIR = BUILD / "layer"  # Lambda layer layout: python/<packages>
ML_DIR = BUILD / "ml"  # function-asset layout: <packages> at the top level
MANIFEST = BUILD / "packaging.json"

PYTHON_VERSION = "3.11"
GLIBC_MINOR = 26  # Amazon Linux 2, the OS of Lambda's python3.11 runtime
ARCH = "x86_64"
LAMBDA_UNZIPPED_LIMIT = 262_144_000  # 250 MB: function code + all its layers, unzipped

PROJECT = "moneygrow"
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath"})
# numpy and scipy are direct dependencies too (pinned for training), but only the ML agent needs them.
ML_ROOTS = frozenset({"scikit-learn", "numpy", "scipy"})
# What functions/agents/ml and the rest of the functions add on top of the layer (their own code).
FUNCTION_SOURCES = ("functions/api", "functions/agents/ml", "functions/aggregate")

DROP_DIRS = frozenset({"tests", "test", "__pycache__", "testing_data"})
# Test directories that runtime code imports (numpy.testing -> numpy._core.tests._natype).
KEEP_DIRS = frozenset({"numpy/_core/tests"})
DROP_SUFFIXES = (".pyc", ".pyo", ".pyx", ".pxd", ".pxi", ".c", ".cpp", ".h", ".hpp", ".pyi")


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# --- what to install ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Groups:
    core: frozenset[str]
    ml: frozenset[str]
    dropped: frozenset[str]


def dependency_groups(lock_path: Path = ROOT / "uv.lock") -> Groups:
    """Split the project's runtime closure (from uv.lock) into the core layer and the ML extras."""
    lock = tomllib.loads(lock_path.read_text())
    graph: dict[str, set[str]] = {}
    for package in lock["package"]:
        deps = {_normalize(d["name"]) for d in package.get("dependencies", [])}
        for extra_deps in package.get("optional-dependencies", {}).values():
            deps |= {_normalize(d["name"]) for d in extra_deps}
        graph[_normalize(package["name"])] = deps
    roots = graph[PROJECT]

    def closure(start: Iterable[str], stop: frozenset[str] = frozenset()) -> set[str]:
        """Everything `start` needs, not descending into (nor including) `stop`."""
        seen: set[str] = set()
        todo = [n for n in start if n not in stop]
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(d for d in graph.get(name, ()) if d not in stop)
        return seen

    non_ml = roots - ML_ROOTS
    # The runtime's boto3/botocore bring their own dependencies (python-dateutil, urllib3, ...);
    # whatever else needs one of those keeps it in the layer.
    core = closure(non_ml, stop=RUNTIME_PROVIDED)
    ml = closure(ML_ROOTS) - closure(non_ml)
    dropped = closure(non_ml) - core
    return Groups(core=frozenset(core), ml=frozenset(ml), dropped=frozenset(dropped))


def locked_requirements() -> dict[str, str]:
    """normalized name -> requirement line (`name==version ; marker`) from `uv export --frozen`."""
    export = ["uv", "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "--no-header"]
    out = subprocess.run(  # noqa: S603
        export,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    lines: dict[str, str] = {}
    for line in out.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name = re.split(r"[=<>!~ ;\[]", line, maxsplit=1)[0]
        lines[_normalize(name)] = line
    return lines


def ml_requirements(groups: Groups, locked: dict[str, str]) -> list[str]:
    """The ML group's requirement lines: the locked versions exactly (the ones training uses)."""
    return [locked[n] for n in sorted(groups.ml) if n in locked]


def _platform_args() -> list[str]:
    args: list[str] = []
    for minor in range(GLIBC_MINOR, 4, -1):
        args += ["--platform", f"manylinux_2_{minor}_{ARCH}"]
    for legacy in ("manylinux2014", "manylinux2010", "manylinux1"):
        args += ["--platform", f"{legacy}_{ARCH}"]
    return args


def pip_install(requirements: list[str], target: Path, *, no_deps: bool = True) -> None:
    """pip (not uv: uv cannot target manylinux_2_26) into `target`, wheels for Lambda only."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(requirements) + "\n")
        req_file = f.name
    pip = [sys.executable, "-m", "pip"]
    if subprocess.run([*pip, "--version"], capture_output=True, check=False).returncode != 0:  # noqa: S603
        pip = ["uv", "tool", "run", "--from", "pip", "pip"]  # the project venv has no pip
    cmd = [
        *pip,
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--only-binary=:all:",
        *_platform_args(),
        "--implementation",
        "cp",
        "--python-version",
        PYTHON_VERSION,
        "--target",
        str(target),
        "-r",
        req_file,
    ]
    if no_deps:
        cmd.append("--no-deps")
    try:
        subprocess.run(cmd, cwd=ROOT, check=True, env={**os.environ, "PIP_ROOT_USER_ACTION": "ignore"})  # noqa: S603
    finally:
        os.unlink(req_file)


def installed_versions(target: Path) -> dict[str, str]:
    versions = {}
    for dist_info in target.glob("*.dist-info"):
        name, _, version = dist_info.name.removesuffix(".dist-info").rpartition("-")
        versions[_normalize(name)] = version
    return versions


# --- slimming ------------------------------------------------------------------------------------------


def slim(target: Path) -> None:
    for path in sorted(target.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        relative = path.relative_to(target).as_posix()
        if path.is_dir() and path.name in DROP_DIRS and relative not in KEEP_DIRS:
            shutil.rmtree(path, ignore_errors=True)
        elif path.is_file() and path.name.endswith(DROP_SUFFIXES):
            path.unlink()
    shutil.rmtree(target / "bin", ignore_errors=True)
    strip = shutil.which("strip")
    if strip:
        # Not the vendored libraries in <dist>.libs/: auditwheel patched those with patchelf, and
        # strip breaks their ELF layout ("ELF load command address/offset not page-aligned").
        objects = [
            str(p)
            for p in target.rglob("*.so*")
            if p.is_file() and not any(part.endswith(".libs") for part in p.relative_to(target).parts)
        ]
        for i in range(0, len(objects), 200):
            batch = objects[i : i + 200]
            subprocess.run([strip, "--strip-unneeded", *batch], check=False, capture_output=True)  # noqa: S603


def copy_package(target: Path) -> None:
    dest = target / PROJECT
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(ROOT / "shared" / PROJECT, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


# --- sizes -----------------------------------------------------------------------------------------------


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def zipped_size(path: Path) -> int:
    """What the asset zip CDK uploads would weigh (deflate, as CDK zips)."""
    with tempfile.TemporaryFile() as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for p in sorted(path.rglob("*")):
                if p.is_file():
                    zf.write(p, p.relative_to(path))
        return tmp.tell()


def mb(n: int) -> str:
    return f"{n / 1_048_576:.1f} MiB"


def report(*, zipped: bool = True) -> dict[str, object]:
    layer = tree_size(LAYER_DIR)
    ml = tree_size(ML_DIR)
    functions = {src: tree_size(ROOT / src) for src in FUNCTION_SOURCES}
    per_function = {
        src: layer + size + (ml if src == "functions/agents/ml" else 0) for src, size in functions.items()
    }
    sizes: dict[str, object] = {
        "layer_unzipped": layer,
        "ml_unzipped": ml,
        "function_total_unzipped": per_function,
        "limit_unzipped": LAMBDA_UNZIPPED_LIMIT,
    }
    print(f"layer  build/layer: {mb(layer)} unzipped", end="")
    if zipped and layer:
        sizes["layer_zipped"] = zipped_size(LAYER_DIR)
        print(f", {mb(int(str(sizes['layer_zipped'])))} zipped", end="")
    print()
    if ml:
        print(f"ml     build/ml:    {mb(ml)} unzipped", end="")
        if zipped:
            sizes["ml_zipped"] = zipped_size(ML_DIR)
            print(f", {mb(int(str(sizes['ml_zipped'])))} zipped", end="")
        print(" (ML agent's code asset only)")
    for src, total in per_function.items():
        print(f"  {src:<24} code + layer = {mb(total)} of {mb(LAMBDA_UNZIPPED_LIMIT)}")
    return sizes


def lock_digest() -> str:
    return hashlib.sha256((ROOT / "uv.lock").read_bytes()).hexdigest()


# --- main -------------------------------------------------------------------------------------------------


def build(*, with_ml: bool = True) -> dict[str, object]:
    started = time.perf_counter()
    groups = dependency_groups()
    locked = locked_requirements()
    core_reqs = [locked[n] for n in sorted(groups.core) if n in locked]
    ml_reqs = ml_requirements(groups, locked)

    shutil.rmtree(LAYER_DIR, ignore_errors=True)
    python_dir = LAYER_DIR / "python"
    print(f"core: {len(core_reqs)} locked packages -> build/layer/python")
    pip_install(core_reqs, python_dir)
    slim(python_dir)
    copy_package(python_dir)

    deviations: dict[str, dict[str, str]] = {}
    shutil.rmtree(ML_DIR, ignore_errors=True)
    if with_ml and ml_reqs:
        print(f"ml: {len(ml_reqs)} locked packages -> build/ml")
        pip_install(ml_reqs, ML_DIR)
        slim(ML_DIR)
        got = installed_versions(ML_DIR)
        for name in sorted(groups.ml):
            want = locked.get(name, "").split(";")[0].partition("==")[2].strip()
            if name in got and want and got[name] != want:
                deviations[name] = {"locked": want, "packaged": got[name]}
                print(f"  ! {name}: locked {want}, packaged {got[name]} (no manylinux_2_{GLIBC_MINOR} wheel)")

    sizes = report()
    manifest = {
        "python": PYTHON_VERSION,
        "platform": f"manylinux_2_{GLIBC_MINOR}_{ARCH}",
        "uv_lock_sha256": lock_digest(),
        "core": installed_versions(python_dir),
        "ml": installed_versions(ML_DIR),
        "ml_deviations_from_lock": deviations,
        "dropped_runtime_provided": sorted(groups.dropped),
        "sizes": sizes,
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    MANIFEST.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    print(f"wrote {MANIFEST.relative_to(ROOT)} in {manifest['build_seconds']} s")
    return manifest


def over_limit(sizes: dict[str, object]) -> list[str]:
    totals = sizes["function_total_unzipped"]
    assert isinstance(totals, dict)
    return [src for src, total in totals.items() if total > LAMBDA_UNZIPPED_LIMIT]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="report the sizes of what is built only")
    parser.add_argument("--no-ml", action="store_true", help="skip numpy/scipy/scikit-learn (build/ml)")
    args = parser.parse_args(argv)
    sizes = report() if args.check else dict(build(with_ml=not args.no_ml)["sizes"])  # type: ignore[call-overload]
    too_big = over_limit(sizes)
    if too_big:
        print(f"over Lambda's 250 MB unzipped limit: {too_big}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The web app (frontend/): its API types are generated from the API's current OpenAPI document (no
drift), its Vitest suite (components and the API client) passes, and the production build loads under
the bundle budget without an inline script. Needs `make install` (npm ci and the build of frontend/)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from scripts.openapi import render

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
REGENERATE = (
    "regenerate with `make api-types` and commit frontend/openapi.json and frontend/src/api/schema.d.ts"
)


def _npm(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    npm = shutil.which("npm")
    if npm is None or not (FRONTEND / "node_modules" / ".bin").is_dir():
        pytest.fail("the web app's npm packages are missing: run `make install`")
    # Plain text: CI=true makes the tools colour their output, and escape codes split "Tests 36 passed".
    env = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"}
    done = subprocess.run(
        [npm, *args], cwd=FRONTEND, capture_output=True, text=True, timeout=timeout, check=False, env=env
    )
    strip = re.compile(r"\x1b\[[0-9;]*m")
    return subprocess.CompletedProcess(
        done.args, done.returncode, strip.sub("", done.stdout), strip.sub("", done.stderr)
    )


def test_openapi_document_is_the_apis() -> None:
    committed = (FRONTEND / "openapi.json").read_text()
    assert committed == render(), f"frontend/openapi.json differs from the API's document: {REGENERATE}"


def test_typescript_types_are_generated_from_it(tmp_path: Path) -> None:
    out = tmp_path / "schema.d.ts"
    run = _npm("exec", "--", "openapi-typescript", "openapi.json", "-o", str(out), timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    committed = (FRONTEND / "src" / "api" / "schema.d.ts").read_text()
    assert committed == out.read_text(), (
        f"src/api/schema.d.ts is not what openapi.json generates: {REGENERATE}"
    )


def test_vitest_suite_passes() -> None:
    run = _npm("test", "--", "--reporter=dot")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    passed = re.search(r"Tests\s+(\d+) passed", run.stdout)
    assert passed and int(passed.group(1)) >= 20, run.stdout[-2000:]


def test_initial_bundle_is_small_and_has_no_inline_script() -> None:
    index = FRONTEND / "dist" / "index.html"
    if not index.is_file():
        pytest.fail("frontend/dist is missing: run `make install` (it builds the web app)")
    html = index.read_text()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all("src=" in s for s in scripts), "index.html must not carry an inline script (CSP)"
    assert not re.search(r"https?://", html.replace("http://www.w3.org", "")), "no CDN asset in index.html"
    run = subprocess.run(
        ["node", "scripts/bundle-size.mjs", "--json"],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert report["initial_gzip_kb"] < 250
    assert any("charts" in lazy["file"] for lazy in report["lazy"]), (
        "Recharts stays out of the initial bundle"
    )

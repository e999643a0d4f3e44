"""End to end in a real browser: the dev stack started as the README says (`python -m devstack`, which
`make dev` runs, serving frontend/dist beside the API), driven by frontend/e2e/journey.mjs in Debian's
headless Chromium (playwright-core with that executable; no browser is downloaded): sign up → create
an API key → analyze a zoo token → the findings the backend produced → watch it → history → revoke the
key → the watchlist → a webhook alert destination (its signed confirmation received, then confirmed).

The journey fails on any console error, page error or Content-Security-Policy violation (the dev
stack sends the policy CloudFront sends), and saves a screenshot of each screen in build/web-screenshots/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from devstack.process import DevStack

pytestmark = [pytest.mark.e2e, pytest.mark.chain]

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
SCREENSHOTS = ROOT / "build" / "web-screenshots"
ZOO_TOKEN = "HighSellTax"  # a sell tax the simulation measures, owner powers, an unlocked pool
SCREENS = (
    "01-sign-in",
    "02-sign-up",
    "03-api-key-created",
    "04-analyze-invalid-address",
    "05-progress",
    "06-result",
    "07-result-phone",
    "08-history",
    "09-key-revoked",
    "10-watchlist",
    "11-alerts",
    "12-watchlist-phone",
)


def _chromium() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest) -> DevStack:
    if _chromium() is None:
        pytest.skip("no chromium on this machine (`apt-get install chromium`; .ci/run installs it)")
    if not (FRONTEND / "dist" / "index.html").is_file() or not (FRONTEND / "node_modules").is_dir():
        pytest.fail("the web app is not built: run `make install`")
    running: DevStack = request.getfixturevalue("running_dev_stack")  # shared (tests/e2e/conftest.py)
    return running


def test_trader_journey_in_headless_chromium(stack: DevStack) -> None:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    env = {
        **os.environ,
        "WEB_URL": stack.web,
        "TOKEN_ADDRESS": stack.chain["zoo"][ZOO_TOKEN],
        "SCREENSHOTS": str(SCREENSHOTS),
        "CHROMIUM": str(_chromium()),
    }
    run = subprocess.run(
        ["node", "e2e/journey.mjs"],
        cwd=FRONTEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, (
        f"{run.stdout[-4000:]}\n{run.stderr[-4000:]}\n--- devstack ---\n{stack.log_tail()}"
    )
    report = json.loads((SCREENSHOTS / "report.json").read_text())
    assert report["ok"] is True
    assert report["risk_level"] in ("HIGH", "CRITICAL") and report["findings"] >= 1
    assert [Path(p).stem for p in report["screenshots"]] == list(SCREENS)
    for path in report["screenshots"]:
        assert Path(path).stat().st_size > 5_000, path

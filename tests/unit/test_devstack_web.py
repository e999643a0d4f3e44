"""`make dev`'s static server for the web app (devstack/web.py): the SPA fallback, /config.json naming
the API, the CloudFront security headers with the API allowed in connect-src, and no way out of dist."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from devstack.web import web_app
from infra.csp import content_security_policy

API = "http://127.0.0.1:8123"


def _client(tmp_path: Path) -> TestClient:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text('<!doctype html><script type="module" src="/assets/app.js"></script>')
    (dist / "assets" / "app.js").write_text("console.log('app')")
    (dist / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("outside dist")
    return TestClient(web_app(dist, API))


def test_routes_fall_back_to_the_app_and_files_are_served(tmp_path: Path) -> None:
    client = _client(tmp_path)
    for path in ("/", "/sign-in", "/analyses/0123456789abcdef0123456789abcdef"):
        page = client.get(path)
        assert page.status_code == 200 and page.text.startswith("<!doctype html>")
    assert client.get("/assets/app.js").text == "console.log('app')"
    assert client.get("/favicon.svg").text == "<svg/>"
    assert client.get("/assets/missing.js").status_code == 404
    assert "outside dist" not in client.get("/../secret.txt").text
    assert "outside dist" not in client.get("/%2e%2e/secret.txt").text


def test_config_names_the_api_and_headers_match_cloudfront(tmp_path: Path) -> None:
    client = _client(tmp_path)
    config = client.get("/config.json")
    assert config.json() == {"apiUrl": API}
    assert config.headers["cache-control"] == "no-store"
    page = client.get("/history")
    assert page.headers["content-security-policy"] == content_security_policy(f"'self' {API}")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"

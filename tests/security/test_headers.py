"""Response headers: HSTS, nosniff, frame denial, CSP, no-store, no server banner; strict CORS."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

EXPECTED = {
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def _secure(r: Any) -> None:
    for name, value in EXPECTED.items():
        assert r.headers.get(name) == value, (name, r.headers)
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert "server" not in r.headers and "x-powered-by" not in r.headers


def test_security_headers_on_success_errors_and_guard_rejections(client: TestClient) -> None:
    _secure(client.get("/health"))
    _secure(client.get("/no/such/route"))
    _secure(client.get("/users/me"))  # 401
    _secure(client.post("/analyze", content=b"a=b", headers={"content-type": "text/plain"}))  # 415 (guard)
    _secure(client.post("/analyze", content=b"x" * 20_000, headers={"content-type": "application/json"}))
    assert client.get("/health").headers["content-security-policy"].startswith("default-src 'none'")
    docs = client.get("/docs")
    _secure(docs)
    assert "default-src" not in docs.headers["content-security-policy"]  # Swagger UI loads its assets


def test_no_cors_unless_configured(client: TestClient) -> None:
    r = client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_allows_configured_origins_only(make_stack: Any) -> None:
    stack = make_stack(cors_origins="https://app.moneygrow.example, https://admin.moneygrow.example")
    with stack.client() as client:
        ok = client.get("/health", headers={"Origin": "https://app.moneygrow.example"})
        assert ok.headers["access-control-allow-origin"] == "https://app.moneygrow.example"
        assert "x-ratelimit-remaining" in ok.headers.get("access-control-expose-headers", "").lower()
        assert "access-control-allow-credentials" not in ok.headers
        evil = client.get("/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in evil.headers
        pre = client.options(
            "/analyze",
            headers={
                "Origin": "https://app.moneygrow.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == "https://app.moneygrow.example"
        bad = client.options(
            "/analyze", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        )
        assert bad.status_code == 400 and "access-control-allow-origin" not in bad.headers
        _secure(bad)

"""Behind API Gateway (REST) + Mangum, the per-IP limits key on requestContext.identity.sourceIp;
a client-supplied X-Forwarded-For cannot buy a fresh budget."""

from __future__ import annotations

import json
from typing import Any

from mangum import Mangum


def _event(ip: str, forwarded_for: str) -> dict[str, Any]:
    body = json.dumps({"email": "someone@example.com", "password": "wrong guess 123"})
    return {
        "resource": "/{proxy+}",
        "path": "/auth/token",
        "httpMethod": "POST",
        "headers": {"content-type": "application/json", "x-forwarded-for": forwarded_for},
        "multiValueHeaders": {
            "content-type": ["application/json"],
            "x-forwarded-for": [forwarded_for],
        },
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": "auth/token"},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": "POST",
            "path": "/prod/auth/token",
            "stage": "prod",
            "identity": {"sourceIp": ip},
        },
        "body": body,
        "isBase64Encoded": False,
    }


def test_ip_limit_uses_the_gateway_source_ip(make_stack: Any) -> None:
    stack = make_stack(rate_limit_auth_ip_per_min=2, rate_limit_auth_account_per_15min=100)
    handler = Mangum(stack.app, lifespan="off")
    codes = [handler(_event("198.51.100.7", f"10.0.0.{i}"), None)["statusCode"] for i in range(3)]
    assert codes == [401, 401, 429]  # a new X-Forwarded-For each time did not help
    assert handler(_event("198.51.100.8", "10.0.0.1"), None)["statusCode"] == 401  # another source IP
    response = handler(_event("198.51.100.7", "10.0.0.9"), None)
    assert response["statusCode"] == 429
    headers = {k.lower(): v for k, v in response["headers"].items()}
    assert int(headers["retry-after"]) >= 1 and headers["x-ratelimit-remaining"] == "0"
    assert headers["strict-transport-security"].startswith("max-age=")
    assert json.loads(response["body"])["error"]["code"] == "rate_limited"

"""Request hygiene before routing: body size limit and JSON-only bodies (pure ASGI, no buffering);
security headers on every response, and the caller's rate-limit state as X-RateLimit-* headers."""

from __future__ import annotations

import json
import uuid
from contextvars import ContextVar

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BODY_METHODS = {"POST", "PUT", "PATCH"}
# The correlation id of the request being served: in every error body and the X-Request-Id header,
# so a user can quote it and we can find the log lines (the cause never goes into the body).
request_id: ContextVar[str] = ContextVar("request_id", default="")


def _new_request_id(scope: Scope) -> str:
    """API Gateway's own request id behind Mangum (what its access log shows), else a fresh one.
    Never the caller's header: ids in our logs are ours."""
    context = (scope.get("aws.event") or {}).get("requestContext") or {}
    given = str(context.get("requestId") or "")
    return given[:64] if given.replace("-", "").isalnum() else uuid.uuid4().hex


async def _send_error(send: Send, status: int, code: str, message: str) -> None:
    error = {"code": code, "message": message, "details": {}, "request_id": request_id.get()}
    body = json.dumps({"error": error}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class _TooLarge(HTTPException):
    """Raised while the route reads the body; FastAPI re-raises HTTPExceptions from body parsing."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body exceeds {limit} bytes")


class RequestGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode(errors="replace") for k, v in scope["headers"]}
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body_bytes:
            await _send_error(
                send, 413, "payload_too_large", f"request body exceeds {self.max_body_bytes} bytes"
            )
            return
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        # SNS posts its JSON deliveries as text/plain (the webhook relay parses them itself)
        sns = ctype == "text/plain" and str(scope.get("path", "")).startswith("/hooks/sns/")
        if (length not in ("", "0")) and ctype != "application/json" and not sns:
            await _send_error(send, 415, "unsupported_media_type", "request bodies must be application/json")
            return
        await self._call_counting(scope, receive, send)

    async def _call_counting(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Enforce the limit on the bytes actually received (chunked bodies have no length)."""
        seen = 0

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body_bytes:
                raise _TooLarge(self.max_body_bytes)
            return message

        await self.app(scope, counted_receive, send)


_SECURITY_HEADERS = [
    (b"strict-transport-security", b"max-age=63072000; includeSubDomains"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]
# JSON responses render nothing; the docs page (Swagger UI, served by the app) gets frame denial only.
_CSP_API = b"default-src 'none'; frame-ancestors 'none'"
_CSP_DOCS = b"frame-ancestors 'none'"
_DOCS_PATHS = ("/docs", "/redoc")
_DROPPED = {b"server", b"x-powered-by"}


class SecurityHeaders:
    """Adds HSTS, nosniff, frame denial, CSP, no-store; removes server banners; exposes the rate limit.

    The rate-limit decision is left in the request state (scope["state"]["ratelimit"]) by the
    dependencies in moneygrow_api.deps. (uvicorn adds its own `server` header after the app: run it
    with server_header=False; API Gateway + Lambda add none.)
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = str(scope.get("path", "")).startswith(_DOCS_PATHS)
        rid = _new_request_id(scope)
        request_id.set(rid)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _DROPPED]
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in _SECURITY_HEADERS if k not in present]
                headers.append((b"content-security-policy", _CSP_DOCS if docs else _CSP_API))
                if b"x-request-id" not in present:
                    headers.append((b"x-request-id", rid.encode()))
                decision = scope.get("state", {}).get("ratelimit")
                if decision is not None:
                    headers += [
                        (k.lower().encode(), v.encode())
                        for k, v in decision.headers().items()
                        if k.lower().encode() not in present
                    ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

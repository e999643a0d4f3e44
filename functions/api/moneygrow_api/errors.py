"""Every error leaves the API as {"error": {"code", "message", "details"}} with a 4xx/5xx status."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from moneygrow.errors import AppError
from moneygrow.observability import logger
from moneygrow.store.base import InvalidCursor
from moneygrow_api.middleware import request_id

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    error = {"code": code, "message": message, "details": details if details is not None else {}}
    rid = request_id.get()
    body = {"error": {**error, "request_id": rid}}
    # Here too, not only in SecurityHeaders: a 500 leaves through Starlette's outermost middleware.
    return JSONResponse(body, status_code=status, headers={**(headers or {}), "x-request-id": rid})


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Echo where and what, never the (possibly huge or secret) input value itself.
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ][:20]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        # RateLimited carries Retry-After and X-RateLimit-* headers
        return error_response(exc.status, exc.code, exc.message, exc.details, getattr(exc, "headers", None))

    @app.exception_handler(InvalidCursor)
    async def _cursor(_: Request, exc: InvalidCursor) -> JSONResponse:
        return error_response(400, "invalid_cursor", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        if any(d["type"] == "json_invalid" for d in details):
            return error_response(400, "invalid_json", "the request body is not valid JSON", details)
        return error_response(422, "validation_error", "the request is not valid", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", extra={"request_id": request_id.get()})
        return error_response(
            500, "internal_error", "an unexpected error occurred: quote the request_id when reporting it"
        )

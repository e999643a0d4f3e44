"""The routes: parse, call one service function, shape the response."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse

from moneygrow.auth.tokens import TokenPair
from moneygrow.chains import Chain
from moneygrow.models import RiskLevel
from moneygrow.ratelimit import LoginThrottle
from moneygrow.services import accounts, analyses, watchlist
from moneygrow_api.deps import Analyzer, Deps, Reader, Session, account_limit, auth_ip_limit, client_ip
from moneygrow_api.errors import error_response
from moneygrow_api.schemas import (
    AnalysisResponse,
    AnalysisSummary,
    AnalyzeRequest,
    AnalyzeResponse,
    ApiKeyRequest,
    ApiKeyResponse,
    ErrorResponse,
    Links,
    NewApiKeyResponse,
    PageResponse,
    RefreshRequest,
    RegisterRequest,
    RegisterResponse,
    TokenRequest,
    TokenResponse,
    UserResponse,
)


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Declared error responses (all share ErrorResponse), so the OpenAPI document is exact."""
    return {code: {"model": ErrorResponse, **_EXTRA.get(code, {})} for code in codes}


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "integer"}}


_EXTRA: dict[int, dict[str, Any]] = {
    429: {
        "description": "Rate limited",
        "headers": {
            "Retry-After": _header("Seconds until the window resets"),
            "X-RateLimit-Limit": _header("Requests allowed in the window"),
            "X-RateLimit-Remaining": _header("Requests left in the window"),
            "X-RateLimit-Reset": _header("When the window resets (epoch seconds)"),
        },
    }
}


_BODY = (400, 413, 415, 422, 429)  # bad JSON, too large, not JSON, invalid fields, rate limited
_AUTHED = (401, 403, 429)
Limit = Annotated[int, Query(ge=1, le=100, description="Page size")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page")]
TaskId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The task id returned by POST /analyze")]
KeyId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]
AuthIpLimited = Depends(auth_ip_limit)

router = APIRouter()


@router.get("/health", tags=["health"])
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready", tags=["health"], responses=_errors(503))
def ready(deps: Deps) -> Any:
    checks: dict[str, str] = {}
    for name, probe in deps.readiness.items():
        try:
            probe()
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"down: {type(exc).__name__}"
    if all(v == "ok" for v in checks.values()):
        return {"status": "ready", "checks": checks}
    return error_response(503, "not_ready", "a dependency is down", checks)


@router.post(
    "/auth/register",
    tags=["auth"],
    status_code=status.HTTP_202_ACCEPTED,
    responses=_errors(*_BODY),
    dependencies=[AuthIpLimited],
)
def register(body: RegisterRequest, request: Request, deps: Deps) -> RegisterResponse:
    """Always 202 with the same body: whether the email already had an account is not revealed."""
    account_limit(request, deps, body.email)
    accounts.register(deps.store, body.email, body.password, ip=client_ip(request))
    return RegisterResponse()


def _tokens(pair: TokenPair, device_token: str | None = None) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        token_type=pair.token_type,
        expires_in=pair.expires_in,
        device_token=device_token,
    )


@router.post("/auth/token", tags=["auth"], responses=_errors(401, *_BODY), dependencies=[AuthIpLimited])
def token(body: TokenRequest, request: Request, deps: Deps) -> TokenResponse:
    done = accounts.login(
        deps.store,
        deps.issuer,
        body.email,
        body.password,
        ip=client_ip(request),
        throttle=LoginThrottle(deps.rate),
        device_token=body.device_token,
    )
    return _tokens(done.tokens, done.device_token)


@router.post("/auth/refresh", tags=["auth"], responses=_errors(401, *_BODY), dependencies=[AuthIpLimited])
def refresh(body: RefreshRequest, request: Request, deps: Deps) -> TokenResponse:
    """Rotates: the refresh token is spent. Reusing a spent one revokes the whole login (family)."""
    return _tokens(accounts.refresh(deps.store, deps.issuer, body.refresh_token, ip=client_ip(request)))


@router.post(
    "/auth/logout",
    tags=["auth"],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_errors(401, *_BODY),
    dependencies=[AuthIpLimited],
)
def logout(body: RefreshRequest, request: Request, deps: Deps) -> Response:
    """Revokes the refresh token's family (this login); access tokens lapse within their TTL."""
    accounts.logout(deps.store, deps.issuer, body.refresh_token, ip=client_ip(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/users/me", tags=["users"], responses=_errors(*_AUTHED))
def me(principal: Reader) -> UserResponse:
    return UserResponse.of(principal.user)


@router.post(
    "/users/api-keys",
    tags=["users"],
    status_code=status.HTTP_201_CREATED,
    responses=_errors(*_AUTHED, 409, 503, *_BODY),
)
def create_key(principal: Session, deps: Deps, body: ApiKeyRequest | None = None) -> NewApiKeyResponse:
    """Needs a Bearer session. The key is shown once; it is also registered in the tier's usage plan."""
    req = body or ApiKeyRequest()
    key, plaintext = accounts.create_api_key(
        deps.store, deps.gateway, principal.user, req.name, list(req.scopes), req.expires_in_days
    )
    return NewApiKeyResponse(**ApiKeyResponse.of(key).model_dump(), api_key=plaintext)


@router.get("/users/api-keys", tags=["users"], responses=_errors(400, 422, *_AUTHED))
def list_keys(
    principal: Reader, deps: Deps, limit: Limit = 20, cursor: Cursor = None
) -> PageResponse[ApiKeyResponse]:
    page = accounts.list_api_keys(deps.store, principal.user.user_id, limit, cursor)
    return PageResponse(items=[ApiKeyResponse.of(k) for k in page.items], next_cursor=page.cursor)


@router.delete(
    "/users/api-keys/{key_id}",
    tags=["users"],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_errors(*_AUTHED, 404, 422, 503),
)
def revoke_key(key_id: KeyId, principal: Session, deps: Deps) -> Response:
    """Needs a Bearer session. Removes the key from API Gateway and from the app."""
    accounts.revoke_api_key(deps.store, deps.gateway, principal.user.user_id, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/analyze",
    tags=["analysis"],
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AnalyzeResponse,  # documents the body the JSONResponse below carries
    responses=_errors(*_AUTHED, 503, *_BODY),
)
def analyze(body: AnalyzeRequest, principal: Analyzer, deps: Deps) -> JSONResponse:
    analysis, created = analyses.submit_analysis(
        deps.store, deps.workflow, principal.user.user_id, body.token_address, body.chain, deps.has_code
    )
    out = AnalyzeResponse(
        task_id=analysis.task_id,
        status=analysis.status,
        deduplicated=not created,
        links=Links(self=f"/analysis/{analysis.task_id}"),
    )
    return JSONResponse(
        out.model_dump(mode="json"),
        status_code=status.HTTP_202_ACCEPTED,
        headers={"Location": out.links.self},
    )


@router.get("/analysis/history", tags=["analysis"], responses=_errors(400, 422, *_AUTHED))
def history(
    principal: Reader,
    deps: Deps,
    limit: Limit = 20,
    cursor: Cursor = None,
    chain: Annotated[Chain | None, Query(description="Only analyses of tokens on this chain")] = None,
    level: Annotated[
        RiskLevel | None,
        Query(
            description="Only completed analyses with this verdict level. A filtered page may hold fewer "
            "than `limit` items and still have a next_cursor: keep paging until next_cursor is null"
        ),
    ] = None,
) -> PageResponse[AnalysisSummary]:
    page = analyses.list_history(deps.store, principal.user.user_id, limit, cursor, chain=chain, level=level)
    return PageResponse(items=[AnalysisSummary.of(a) for a in page.items], next_cursor=page.cursor)


@router.get("/analysis/{task_id}", tags=["analysis"], responses=_errors(404, 422, *_AUTHED))
def get_analysis(task_id: TaskId, principal: Reader, deps: Deps) -> AnalysisResponse:
    user_id = principal.user.user_id
    found = analyses.get_analysis(
        deps.store,
        deps.workflow,
        user_id,
        task_id,
        shared=partial(watchlist.may_read, deps.watch_store, user_id),
    )
    return AnalysisResponse.full(found)

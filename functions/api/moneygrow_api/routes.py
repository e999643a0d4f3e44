"""The routes: parse, call one service function, shape the response."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.responses import JSONResponse

from moneygrow.services import accounts, analyses
from moneygrow_api.deps import CurrentUser, Deps
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
    TokenRequest,
    TokenResponse,
    UserResponse,
)

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 404, 409, 413, 415, 422, 429)
}
Limit = Annotated[int, Query(ge=1, le=100, description="Page size")]
Cursor = Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page")]
TaskId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The task id returned by POST /analyze")]
KeyId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]

router = APIRouter(responses=_ERRORS)


@router.get("/health", tags=["health"])
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready", tags=["health"], responses={503: {"model": ErrorResponse}})
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


@router.post("/auth/register", tags=["auth"], status_code=status.HTTP_201_CREATED)
def register(body: RegisterRequest, deps: Deps) -> UserResponse:
    return UserResponse.of(accounts.register(deps.store, body.email, body.password))


@router.post("/auth/token", tags=["auth"])
def token(body: TokenRequest, deps: Deps) -> TokenResponse:
    pair = accounts.login(deps.store, deps.issuer, body.email, body.password)
    return TokenResponse(**pair.__dict__)


@router.post("/auth/refresh", tags=["auth"])
def refresh(body: RefreshRequest, deps: Deps) -> TokenResponse:
    pair = accounts.refresh(deps.store, deps.issuer, body.refresh_token)
    return TokenResponse(**pair.__dict__)


@router.get("/users/me", tags=["users"])
def me(user: CurrentUser) -> UserResponse:
    return UserResponse.of(user)


@router.post("/users/api-keys", tags=["users"], status_code=status.HTTP_201_CREATED)
def create_key(user: CurrentUser, deps: Deps, body: ApiKeyRequest | None = None) -> NewApiKeyResponse:
    key, plaintext = accounts.create_api_key(deps.store, user.user_id, (body or ApiKeyRequest()).name)
    return NewApiKeyResponse(**ApiKeyResponse.of(key).model_dump(), api_key=plaintext)


@router.get("/users/api-keys", tags=["users"])
def list_keys(
    user: CurrentUser, deps: Deps, limit: Limit = 20, cursor: Cursor = None
) -> PageResponse[ApiKeyResponse]:
    page = accounts.list_api_keys(deps.store, user.user_id, limit, cursor)
    return PageResponse(items=[ApiKeyResponse.of(k) for k in page.items], next_cursor=page.cursor)


@router.delete("/users/api-keys/{key_id}", tags=["users"], status_code=status.HTTP_204_NO_CONTENT)
def revoke_key(key_id: KeyId, user: CurrentUser, deps: Deps) -> Response:
    accounts.revoke_api_key(deps.store, user.user_id, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/analyze", tags=["analysis"], status_code=status.HTTP_202_ACCEPTED)
def analyze(body: AnalyzeRequest, user: CurrentUser, deps: Deps) -> JSONResponse:
    analysis, created = analyses.submit_analysis(
        deps.store, deps.workflow, user.user_id, body.token_address, body.chain
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


@router.get("/analysis/history", tags=["analysis"])
def history(
    user: CurrentUser, deps: Deps, limit: Limit = 20, cursor: Cursor = None
) -> PageResponse[AnalysisSummary]:
    page = analyses.list_history(deps.store, user.user_id, limit, cursor)
    return PageResponse(items=[AnalysisSummary.of(a) for a in page.items], next_cursor=page.cursor)


@router.get("/analysis/{task_id}", tags=["analysis"])
def get_analysis(task_id: TaskId, user: CurrentUser, deps: Deps) -> AnalysisResponse:
    return AnalysisResponse.full(analyses.get_analysis(deps.store, deps.workflow, user.user_id, task_id))

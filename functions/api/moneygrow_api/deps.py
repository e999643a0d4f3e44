"""What the routes depend on, gathered once per process (cold start) and swappable in tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from moneygrow.auth.tokens import TokenIssuer
from moneygrow.config import Settings
from moneygrow.errors import Unauthorized
from moneygrow.services import accounts
from moneygrow.store.base import Store
from moneygrow.store.records import User
from moneygrow.workflow import Workflow


@dataclass
class ApiDeps:
    settings: Settings
    store: Store
    workflow: Workflow
    issuer: TokenIssuer
    # name -> probe that raises when the dependency is down (DynamoDB, chain RPC, ...)
    readiness: dict[str, Callable[[], None]] = field(default_factory=dict)


def get_deps(request: Request) -> ApiDeps:
    deps: ApiDeps = request.app.state.deps
    return deps


Deps = Annotated[ApiDeps, Depends(get_deps)]

_bearer = HTTPBearer(auto_error=False, description="Access token from POST /auth/token")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key from POST /users/api-keys")


def current_user(
    deps: Deps,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    api_key: Annotated[str | None, Security(_api_key)],
) -> User:
    if api_key:
        return accounts.user_from_api_key(deps.store, api_key)
    if bearer:
        return accounts.user_from_access_token(deps.store, deps.issuer, bearer.credentials)
    raise Unauthorized("authentication required: a Bearer access token or an X-API-Key header")


CurrentUser = Annotated[User, Depends(current_user)]

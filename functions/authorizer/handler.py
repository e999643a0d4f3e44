"""Lambda adapter of API Gateway's TOKEN authorizer: who may pass, metered by which usage-plan key."""

from functools import lru_cache
from typing import Any

from moneygrow.auth.tokens import TokenIssuer
from moneygrow.config import get_settings
from moneygrow.observability import logger
from moneygrow.secrets import jwt_secret
from moneygrow.services.edge import authorizer_response
from moneygrow.store.factory import default_store


@lru_cache(maxsize=1)
def _issuer() -> TokenIssuer:
    settings = get_settings()
    return TokenIssuer(jwt_secret(settings), settings.access_token_ttl_s, settings.refresh_token_ttl_s)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return authorizer_response(event, _issuer(), default_store(), get_settings().stage)

"""Lambda adapters for the workflow's last steps: aggregate the agents, or mark the analysis failed."""

from functools import lru_cache
from typing import Any

from moneygrow.aggregate import aggregate, fail
from moneygrow.config import get_settings
from moneygrow.observability import logger
from moneygrow.store.base import Store
from moneygrow.store.factory import store_from_settings


@lru_cache(maxsize=1)
def _store() -> Store:
    return store_from_settings(get_settings())


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return aggregate(event, _store())


@logger.inject_lambda_context
def fail_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return fail(event, _store())

"""Lambda adapter for the rescan schedule (EventBridge schedule -> this function)."""

from typing import Any

from moneygrow.observability import logger
from moneygrow.watch.scheduler import handle


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, context)

"""Lambda adapter for the wallet registry job (EventBridge schedule -> this function)."""

from typing import Any

from moneygrow.observability import logger
from moneygrow.smartmoney.job import handle


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event)

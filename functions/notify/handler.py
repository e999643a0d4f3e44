"""Lambda adapter for the workflow's Notify step (rescans only): compare, then alert on a change."""

from typing import Any

from moneygrow.observability import logger, metrics
from moneygrow.watch.notify import handle


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event)

"""Lambda adapters for the workflow's last steps: aggregate the agents, or mark the analysis failed."""

from typing import Any

from moneygrow.aggregate import aggregate, fail
from moneygrow.observability import logger, metrics
from moneygrow.store.factory import default_store


@logger.inject_lambda_context
@metrics.log_metrics  # flushes the verdict counts (EMF) at the end of the invocation
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return aggregate(event, default_store())


@logger.inject_lambda_context
def fail_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return fail(event, default_store())

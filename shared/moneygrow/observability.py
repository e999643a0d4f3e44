"""Powertools logger, tracer and metrics, set up once for every function.

Service name, log level and metrics namespace come from the standard Powertools environment
variables (POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_NAMESPACE) set by CDK.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer

os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "moneygrow")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "MoneyGrow")
# X-Ray is not there locally; the tracer becomes a no-op unless a Lambda runtime enables it.
os.environ.setdefault(
    "POWERTOOLS_TRACE_DISABLED", "true" if "AWS_LAMBDA_FUNCTION_NAME" not in os.environ else "false"
)

logger = Logger()
tracer = Tracer()
metrics = Metrics()

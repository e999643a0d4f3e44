"""Lambda adapter for the API: API Gateway (REST) events → FastAPI via Mangum."""

from mangum import Mangum

from moneygrow.observability import logger
from moneygrow_api import create_app

app = create_app()  # at cold start: settings, secret and clients are read once
handler = logger.inject_lambda_context(Mangum(app, lifespan="off"))

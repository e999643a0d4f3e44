"""The FastAPI application factory."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from moneygrow.auth.tokens import TokenIssuer
from moneygrow.chains import Chain
from moneygrow.config import Settings, get_settings
from moneygrow_api.deps import ApiDeps
from moneygrow_api.errors import install_error_handlers
from moneygrow_api.middleware import RequestGuard, SecurityHeaders
from moneygrow_api.routes import router
from moneygrow_api.watch_routes import router as watch_router

SUBMIT_CODE_TIMEOUT_S = 1.5


def deps_from_settings(settings: Settings) -> ApiDeps:
    """Wire the real adapters (DynamoDB, Step Functions, chain RPC) from configuration."""
    from moneygrow.adapters.apigateway import key_gateway_from_settings
    from moneygrow.adapters.stepfunctions import StepFunctionsWorkflow
    from moneygrow.chain.reader import ChainReader, chain_reader_factory
    from moneygrow.secrets import jwt_secret
    from moneygrow.services.analyses import CodeCheck
    from moneygrow.store.factory import store_from_settings

    store = store_from_settings(settings)
    workflow = StepFunctionsWorkflow(settings.state_machine_arn, express=settings.workflow_express)
    readers = chain_reader_factory(settings)

    def chain_probe() -> None:
        for chain in settings.rpc_urls:
            if not readers(chain).is_healthy():
                raise ConnectionError(f"{chain} RPC is not answering")

    quick: dict[Chain, ChainReader] = {}  # short timeout: the check sits on the submit path

    def get_code(chain: Chain, address: str) -> bytes:
        if chain not in quick:
            quick[chain] = ChainReader(settings.rpc_urls[chain], timeout_s=SUBMIT_CODE_TIMEOUT_S, chain=chain)
        return quick[chain].get_code(address)

    return ApiDeps(
        **_alert_deps(settings),
        settings=settings,
        store=store,
        workflow=workflow,
        issuer=TokenIssuer(jwt_secret(settings), settings.access_token_ttl_s, settings.refresh_token_ttl_s),
        readiness={"dynamodb": store.ping, "workflow": workflow.ping, "chain": chain_probe},
        gateway=key_gateway_from_settings(settings),
        has_code=CodeCheck(get_code) if settings.check_code_at_submit else None,
    )


def _alert_deps(settings: Settings) -> dict[str, Any]:
    """The watchlist's store, the alerts topic and the webhook relay's SNS signature check."""
    from functools import partial

    from moneygrow.adapters.sns import SnsAlertChannels
    from moneygrow.alerts.sns_messages import CertCache, fetch_cert_https, verify_sns_message
    from moneygrow.store.factory import watch_store_from_settings

    local = settings.local_sns_url or None
    certs = CertCache(partial(fetch_cert_https, base_url=local))
    return {
        "watch_store": watch_store_from_settings(settings),
        "alerts": SnsAlertChannels(settings.alerts_topic_arn, dead_letter_arn=settings.alert_delivery_dlq_arn)
        if settings.alerts_topic_arn
        else None,
        "verify_sns": partial(
            verify_sns_message, fetch_cert=certs, topic_arn=settings.alerts_topic_arn, moto_compat=bool(local)
        ),
    }


def create_app(deps: ApiDeps | None = None) -> FastAPI:
    settings = deps.settings if deps else get_settings()
    app = FastAPI(
        title="MoneyGrow API",
        version="0.1.0",
        description="Is this token a scam? Submit a token contract and get an explained risk verdict.",
        docs_url=None,  # served below from the package's own copy of Swagger UI, not a CDN
        redoc_url=None,
    )
    _serve_docs(app)
    app.state.deps = deps or deps_from_settings(settings)
    # Added inner to outer: RequestGuard runs after CORS, SecurityHeaders wraps every response.
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_body_bytes)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:  # configured origins only; no wildcard, no credentials (auth is by header, not cookie)
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_credentials=False,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key"],
            expose_headers=[
                "Location",
                "Retry-After",
                "X-RateLimit-Limit",
                "X-RateLimit-Remaining",
                "X-RateLimit-Reset",
            ],
            max_age=600,
        )
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(watch_router)
    return app


def _serve_docs(app: FastAPI) -> None:
    """/docs: Swagger UI from the swagger-ui-bundle package (works offline and in the Lambda).
    Relative URLs, so the page also works under API Gateway's /<stage> prefix."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/docs/assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="openapi.json",
            title=f"{app.title} - docs",
            swagger_js_url="docs/assets/swagger-ui-bundle.js",
            swagger_css_url="docs/assets/swagger-ui.css",
            swagger_favicon_url="docs/assets/favicon-32x32.png",
        )

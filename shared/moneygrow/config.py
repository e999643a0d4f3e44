"""Configuration read once from the environment into typed settings."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from moneygrow.chains import Chain


class Settings(BaseSettings):
    """Everything a function needs to know about its surroundings.

    In the cloud the values come from the Lambda environment set by CDK; locally from the dev stack.
    """

    model_config = SettingsConfigDict(env_prefix="MONEYGROW_", extra="ignore")

    stage: str = "local"
    aws_region: str = Field(default="us-east-1", validation_alias="AWS_DEFAULT_REGION")
    table_name: str = "moneygrow-local"
    model_bucket: str = "moneygrow-models-local"
    state_machine_arn: str = ""
    # An Express state machine has no DescribeExecution: the analysis record is the only status.
    workflow_express: bool = False
    # JSON object chain name -> list of RPC URLs (first healthy wins). Local default: anvil for all.
    rpc_urls: dict[Chain, list[str]] = Field(
        default_factory=lambda: {c: ["http://127.0.0.1:8545"] for c in Chain}
    )
    rpc_timeout_s: float = 5.0
    # POST /analyze reads the address's code (one eth_getCode) and refuses a wallet with a 422.
    check_code_at_submit: bool = True
    # The JWT signing secret: given directly (local dev) or by the name of an SSM SecureString.
    jwt_secret: str = ""
    jwt_secret_parameter: str = ""
    access_token_ttl_s: int = 15 * 60
    refresh_token_ttl_s: int = 7 * 24 * 3600
    max_body_bytes: int = 16 * 1024
    data_dir: str = ""  # labelled data (../shared/data); optional
    smart_money_wallets: str = ""  # path to a CSV of known wallets; optional
    # External data providers (moneygrow.adapters). All off by default: local dev and tests stay offline.
    # Etherscan v2: the key directly (local) or the name of an SSM SecureString (cloud); no key, no explorer.
    etherscan_api_key: str = ""
    etherscan_api_key_parameter: str = ""
    etherscan_base_url: str = ""  # empty: the chain's explorer_api (moneygrow.chain.networks)
    goplus_enabled: bool = False
    goplus_access_token: str = ""  # optional; the public tier needs none
    goplus_base_url: str = "https://api.gopluslabs.io/api/v1"
    prices_enabled: bool = False
    geckoterminal_base_url: str = "https://api.geckoterminal.com/api/v2"
    http_timeout_s: float = 5.0
    http_max_attempts: int = 3
    breaker_failure_threshold: int = 5
    breaker_reset_s: float = 30.0
    # Security and abuse resistance (moneygrow.ratelimit, moneygrow.adapters.apigateway, the API's headers).
    # JSON {"free": "<usage plan id>", "pro": "<id>"}: API keys are registered in their tier's usage plan.
    # Empty (local dev): no API Gateway, the registration is skipped.
    usage_plan_ids: str = ""
    # Comma-separated browser origins allowed by CORS; empty: no cross-origin access at all.
    cors_origins: str = ""
    rate_limit_enabled: bool = True
    # Requests per minute per caller (JWT user or API key) by tier; unknown tiers get the free limit.
    rate_limit_free_per_min: int = 1200
    rate_limit_pro_per_min: int = 6000
    # Brute force: login/register/refresh per client IP per minute, login/register per account per 15 min.
    rate_limit_auth_ip_per_min: int = 30
    rate_limit_auth_account_per_15min: int = 10
    # Failed logins per 15 min (successful ones never count; see moneygrow.ratelimit.LoginThrottle):
    # per account from one IP, per account from browsers it has never logged in from, per device.
    rate_limit_login_failures_account_ip: int = 5
    rate_limit_login_failures_account: int = 20
    rate_limit_login_failures_device: int = 10
    # Watchlists and alerts (moneygrow.watch). The topic alerts are published to; empty: no alerts.
    alerts_topic_arn: str = ""
    alert_delivery_dlq_arn: str = ""  # each subscription's redrive policy (SNS's failed deliveries)
    app_url: str = "http://127.0.0.1:8080"  # the web app: alerts link to {app_url}/analyses/<task id>
    public_api_url: str = ""  # the API as the internet reaches it (SNS, links); empty: from the request
    # Webhooks on private or loopback addresses (and plain http): only the local stack's receivers.
    allow_private_webhooks: bool = False
    # The local stack's SNS (moto): SNS signing certificates are fetched from it, and moto's way of
    # signing (without the Subject) is accepted. Never set in AWS.
    local_sns_url: str = ""
    rescan_every_s: int = 6 * 3600  # a watched token is rescanned this often
    rescan_max_in_flight: int = 4  # rescans running at once (the RPC provider's load)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

"""The records the store keeps (plain pydantic models, independent of the storage technology)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from moneygrow.chains import Chain
from moneygrow.models import AgentStatus, AnalysisStatus, RiskLevel


class User(BaseModel):
    user_id: str
    email: str
    password_hash: str
    created_at: datetime
    tier: str = "free"  # the usage tier: rate limits in the app and the API Gateway usage plan of its keys


class ApiKey(BaseModel):
    key_id: str
    user_id: str
    name: str
    prefix: str  # shown to the user so they can recognise the key; the secret is never stored
    key_hash: str
    created_at: datetime
    last_used_at: datetime | None = None
    scopes: list[str] = Field(default_factory=lambda: ["read", "analyze"])
    expires_at: datetime | None = None  # None: does not expire
    tier: str = "free"
    gateway_key_id: str | None = None  # the API Gateway key registered in the tier's usage plan


class RefreshFamily(BaseModel):
    """One login's chain of refresh tokens. Only the newest token (current_jti) may be used; using
    an older one means it was stolen or replayed, and the whole family is revoked."""

    family_id: str
    user_id: str
    current_jti: str
    created_at: datetime
    expires_at: datetime
    revoked: bool = False
    # The token current_jti replaced, and when current_jti was issued: a concurrent refresh with
    # the previous token within the grace period gets the current one instead of a revocation.
    previous_jti: str = ""
    current_issued_at: int = 0


def risk_level_of(result: dict[str, Any] | None) -> str | None:
    """A result's verdict level; None while it runs, when it failed, or for an address that is not a token."""
    level = (result or {}).get("risk_level")
    return level if isinstance(level, str) else None


class AgentProgress(BaseModel):
    """How one agent ended, as the agent itself recorded it while the workflow runs (the analysis's
    `progress`). The aggregate's `agents` list stays the source of truth once the workflow ends: an
    agent that crashed or timed out records nothing here."""

    status: AgentStatus
    duration_ms: int
    finished_at: datetime


class Analysis(BaseModel):
    task_id: str
    user_id: str
    token_address: str
    chain: Chain
    status: AnalysisStatus
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    agents: list[dict[str, Any]] = Field(default_factory=list)
    progress: dict[str, AgentProgress] = Field(default_factory=dict)  # agent name -> how it ended

    @property
    def risk_level(self) -> str | None:
        return risk_level_of(self.result)

    def matches(self, chain: Chain | None = None, level: RiskLevel | None = None) -> bool:
        """The history filters: on this chain, with this risk level (None: any)."""
        return (chain is None or self.chain == chain) and (level is None or self.risk_level == level.value)

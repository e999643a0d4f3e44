"""Request and response bodies of the public API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from moneygrow.chains import Chain
from moneygrow.models import AgentName, AgentStatus, AnalysisResult, AnalysisStatus
from moneygrow.services.analyses import agent_progress
from moneygrow.store.records import Analysis, ApiKey, User

T = TypeVar("T")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterRequest(Strict):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    password: str = Field(
        min_length=1,
        max_length=128,
        description="At least 10 characters, 5 different ones, not a common password, not the email",
    )


class RegisterResponse(BaseModel):
    """The same answer whether or not the email already had an account (no user enumeration)."""

    status: Literal["accepted"] = "accepted"
    message: str = "if this email can be registered, the account is ready: log in with POST /auth/token"


class TokenRequest(Strict):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=128)
    device_token: str | None = Field(
        default=None,
        max_length=4096,
        description="The device_token an earlier login from this browser returned: its failed "
        "attempts are then counted apart from strangers', so they cannot lock you out",
    )


class RefreshRequest(Strict):
    refresh_token: str = Field(min_length=1, max_length=4096)


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    device_token: str | None = Field(
        default=None, description="Login only: keep it and send it with later logins from this browser"
    )


class UserResponse(BaseModel):
    user_id: str
    email: str
    created_at: datetime
    tier: str

    @classmethod
    def of(cls, user: User) -> UserResponse:
        return cls(user_id=user.user_id, email=user.email, created_at=user.created_at, tier=user.tier)


Scope = Literal["read", "analyze"]


class ApiKeyRequest(Strict):
    name: str = Field(default="default", min_length=1, max_length=64, pattern=r"^[\w .:-]+$")
    scopes: list[Scope] = Field(
        default_factory=lambda: ["read", "analyze"],
        min_length=1,
        max_length=2,
        description="read: GET routes; analyze: POST /analyze",
    )
    expires_in_days: int | None = Field(default=None, ge=1, le=365, description="None: never expires")


class ApiKeyResponse(BaseModel):
    key_id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    scopes: list[str]
    expires_at: datetime | None
    tier: str

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyResponse:
        return cls(
            key_id=key.key_id,
            name=key.name,
            prefix=key.prefix,
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            scopes=key.scopes,
            expires_at=key.expires_at,
            tier=key.tier,
        )


class NewApiKeyResponse(ApiKeyResponse):
    api_key: str = Field(description="The key itself. Shown only once: store it now.")


class AnalyzeRequest(Strict):
    token_address: str = Field(
        pattern=r"^0x[0-9a-fA-F]{40}$", examples=["0x5FbDB2315678afecb367f032d93F642f64180aa3"]
    )
    chain: Chain = Chain.ETHEREUM


class Links(BaseModel):
    self: str


class AnalysisSummary(BaseModel):
    task_id: str
    status: AnalysisStatus
    token_address: str
    chain: Chain
    created_at: datetime
    completed_at: datetime | None
    risk_score: int | None
    risk_level: str | None
    links: Links

    @classmethod
    def of(cls, a: Analysis) -> AnalysisSummary:
        result = a.result or {}
        return cls(
            task_id=a.task_id,
            status=a.status,
            token_address=a.token_address,
            chain=a.chain,
            created_at=a.created_at,
            completed_at=a.completed_at,
            risk_score=result.get("risk_score"),
            risk_level=result.get("risk_level"),
            links=Links(self=f"/analysis/{a.task_id}"),
        )


class AnalyzeResponse(BaseModel):
    task_id: str
    status: AnalysisStatus
    deduplicated: bool = Field(description="True when an analysis of this token was already running")
    links: Links


RESULT_EXAMPLE: dict[str, Any] = {
    "kind": "TOKEN",
    "risk_score": 74,
    "risk_level": "HIGH",
    "contract_risk": {
        "score": 74,
        "level": "HIGH",
        "top_reasons": [
            "HIGH: The contract has a mint function: new tokens can be created at will, diluting every "
            "holder. Observed: mint(address,uint256) called by owner() 0xf39F...2266 with (0x6675...C2F8, "
            "1000000000000000000000000): the supply rose from 1000000 to 1000001000000."
        ],
    },
    "market_risk": {
        "score": 20,
        "level": "LOW",
        "top_reasons": ["LOW: The deployer's wallet holds 20.0% ..."],
    },
    "confidence": 0.75,
    "degraded": True,
    "level_is_lower_bound": True,
    "missing_checks": [
        {
            "check": "trade simulation",
            "why": "trade simulation: no Uniswap V2 pair with liquidity against the wrapped native coin",
            "would_tell": "whether a buyer can sell again, and the buy, sell and transfer taxes",
        }
    ],
    "heuristic_risks": [
        {"type": "owner_can_mint", "score": 75, "severity": "HIGH", "reason": "...", "evidence": {}}
    ],
    "ml_prediction": {
        "scam_probability": 0.31,
        "prediction": "legit",
        "confidence": 0.0,
        "model_version": "...",
    },
    "smart_money_analysis": {"status": "OK", "signal": "absent"},
    "recommendations": ["High risk: only buy if you understand and accept the owner's powers listed.", "..."],
    "agent_statuses": {"heuristic": "OK", "ml": "OK", "smart_money": "OK"},
    "timings_ms": {"heuristic": 40, "ml": 25, "smart_money": 30, "total": 180},
    "token": {"address": "0x...", "chain": "ethereum", "symbol": "MOON"},
}


class AgentSummary(BaseModel):
    """How one agent ended (stored with the analysis when the workflow finishes)."""

    agent: str
    status: AgentStatus | None = None
    duration_ms: int | None = None
    gaps: list[str] = Field(default_factory=list)
    error: str | None = None


class AgentProgress(BaseModel):
    """One agent's state (moneygrow.services.analyses.agent_progress): `done` as soon as the agent
    itself recorded how it ended while the workflow runs, or from the final `agents` once it ended;
    `pending` while it runs; `not_reported` when the analysis ended without word from it."""

    agent: AgentName
    state: Literal["pending", "done", "not_reported"]
    status: AgentStatus | None = Field(None, description="How it ended (OK, DEGRADED, FAILED) when done")
    duration_ms: int | None = None
    finished_at: datetime | None = Field(
        None, description="When the agent recorded it (null: from the final list)"
    )


class AnalysisResponse(AnalysisSummary):
    updated_at: datetime
    result: AnalysisResult | None = Field(
        description="The verdict (moneygrow.models.AnalysisResult; policy in moneygrow.verdict): kind "
        "TOKEN or NOT_A_TOKEN (then risk_score and risk_level are null), the overall score and level, "
        "contract_risk and market_risk sub-scores {score, level, top_reasons}, confidence (share of the "
        "analysis that ran), degraded, level_is_lower_bound and missing_checks {check, why, would_tell}, "
        "the findings, the ML prediction, the smart-money view and recommendations.",
        examples=[RESULT_EXAMPLE],
    )
    error: dict[str, Any] | None
    agents: list[AgentSummary]
    progress: list[AgentProgress] = Field(
        description="Each agent (heuristic, ml, smart_money, in that order), live while PENDING/RUNNING"
    )

    @classmethod
    def full(cls, a: Analysis) -> AnalysisResponse:
        return cls(
            **AnalysisSummary.of(a).model_dump(),
            updated_at=a.updated_at,
            result=AnalysisResult.model_validate(a.result) if a.result is not None else None,
            error=a.error,
            agents=[AgentSummary.model_validate(agent) for agent in a.agents],
            progress=[AgentProgress.model_validate(s, from_attributes=True) for s in agent_progress(a)],
        )


class PageResponse(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any
    request_id: str = Field(description="Correlation id of the request (also the X-Request-Id header)")


class ErrorResponse(BaseModel):
    error: ErrorBody

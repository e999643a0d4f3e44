"""Domain models shared by the API, the agents and the aggregator (one name per concept)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from moneygrow.chains import Chain


def utcnow() -> datetime:
    return datetime.now(UTC)


class Severity(StrEnum):
    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"


class AnalysisStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class AgentName(StrEnum):
    HEURISTIC = "heuristic"
    ML = "ml"
    SMART_MONEY = "smart_money"


class AgentStatus(StrEnum):
    OK = "OK"  # the agent ran fully
    DEGRADED = "DEGRADED"  # it ran but some inputs were missing (named in `gaps`)
    FAILED = "FAILED"  # it did not produce a result (the workflow caught an error)


class RiskLevel(StrEnum):
    UNKNOWN = "UNKNOWN"  # the heuristic agent could not run: no verdict rather than a false "safe"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class Finding(BaseModel):
    """One reason behind a risk score."""

    type: str
    score: int = Field(ge=0, le=100)
    reason: str
    severity: Severity
    evidence: dict[str, Any] = Field(default_factory=dict)


class AnalysisTask(BaseModel):
    """The state machine's input, and what every agent receives."""

    model_config = ConfigDict(extra="ignore")

    task_id: str
    user_id: str
    token_address: str
    chain: Chain


class AgentResult(BaseModel):
    """What one agent returns to the workflow (JSON-serialisable)."""

    agent: AgentName
    status: AgentStatus
    duration_ms: int = 0
    findings: list[Finding] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)
    gaps: list[str] = Field(default_factory=list)
    error: str | None = None


class MlPrediction(BaseModel):
    scam_probability: float = Field(ge=0.0, le=1.0)
    prediction: str  # "scam" | "legit"
    confidence: float = Field(ge=0.0, le=1.0)
    model_version: str
    model_kind: str | None = None  # "liquidity" | "bytecode": the model that scored
    basis: str | None = None  # in words: which model, on what evidence, how good it was held out
    top_features: list[dict[str, Any]] = Field(default_factory=list)  # name, value, contribution


class SubScoreView(BaseModel):
    """One side of the verdict (contract or market risk): its score, level and top reasons."""

    score: int = Field(ge=0, le=100)
    level: RiskLevel
    top_reasons: list[str]


class MissingCheck(BaseModel):
    """A check the verdict depends on that did not run: unknown, never counted as risk."""

    check: str
    why: str
    would_tell: str


class TradeSimulationView(BaseModel):
    """What the trade simulation saw now (a fresh wallet buys, transfers, sells): None where it could
    not tell. Taxes are fractions (0.25 = 25 %)."""

    can_buy: bool | None = None
    can_sell: bool | None = None
    can_transfer: bool | None = None
    buy_tax: float | None = None
    sell_tax: float | None = None
    transfer_tax: float | None = None
    dex: str | None = None
    method: str | None = None


class LiquidityView(BaseModel):
    """The token's main DEX pool, as the liquidity check read it (what rescans compare)."""

    main_pair: str | None = None
    liquidity_usd: float | None = None
    liquidity_native: float | None = None  # the pool's value in the chain's native coin
    lp_safe_share: float | None = None  # LP tokens burnt or in a known locker: cannot be pulled


class AnalysisResult(BaseModel):
    """The aggregated verdict stored with the analysis and returned by GET /analysis/{task_id}.
    The policy behind it is moneygrow.verdict."""

    kind: str = "TOKEN"  # "TOKEN" | "NOT_A_TOKEN" (then no score and no level)
    risk_score: int | None = Field(default=None, ge=0, le=100)
    risk_level: RiskLevel | None = None
    contract_risk: SubScoreView | None = None
    market_risk: SubScoreView | None = None
    confidence: float = Field(ge=0.0, le=1.0)
    degraded: bool
    level_is_lower_bound: bool = False  # checks were missing: the real level may be higher
    missing_checks: list[MissingCheck] = Field(default_factory=list)
    heuristic_risks: list[Finding]
    trade_simulation: TradeSimulationView | None = None  # None: the simulation did not run
    liquidity: LiquidityView | None = None  # None: no pool found, or the check did not run
    ml_prediction: MlPrediction | None
    smart_money_analysis: dict[str, Any]
    recommendations: list[str]
    agent_statuses: dict[str, AgentStatus]
    timings_ms: dict[str, int]
    token: dict[str, Any] = Field(default_factory=dict)

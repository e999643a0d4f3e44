"""Ports to external data providers (block explorer, a second-opinion scanner, prices).

Agents depend on these Protocols only. Adapters (moneygrow.adapters.*) implement them over HTTP
with timeouts, retries and a circuit breaker. A provider that is not configured (no API key) or is
down is `None` or returns `None`: the agent then reports the gap by name, never crashes and never
claims "safe" for what it could not check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

from moneygrow.chains import Chain


class ContractSource(BaseModel):
    verified: bool
    contract_name: str | None = None
    compiler: str | None = None
    abi: list[dict[str, Any]] | None = None
    source_code: str | None = None
    proxy: bool = False
    implementation: str | None = None


class ContractCreation(BaseModel):
    creator: str
    tx_hash: str
    block_number: int | None = None
    timestamp: datetime | None = None


class Holder(BaseModel):
    address: str
    balance: int
    share: float | None = None  # of total supply, 0..1


class Explorer(Protocol):
    def source(self, chain: Chain, address: str) -> ContractSource | None: ...
    def creation(self, chain: Chain, address: str) -> ContractCreation | None: ...
    def top_holders(self, chain: Chain, address: str, limit: int) -> list[Holder] | None: ...


class SecondOpinion(Protocol):
    """A public scanner's view (e.g. GoPlus token_security), raw but normalised to plain types."""

    def token_security(self, chain: Chain, address: str) -> dict[str, Any] | None: ...


class PriceSource(Protocol):
    def native_usd(self, chain: Chain) -> float | None: ...
    def token_usd(self, chain: Chain, address: str) -> float | None: ...


@dataclass(frozen=True)
class Providers:
    explorer: Explorer | None = None
    second_opinion: SecondOpinion | None = None
    prices: PriceSource | None = None

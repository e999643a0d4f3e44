"""The wallet registry: labelled and scored wallets, their per-token records, the tracked tokens.

The smart-money agent reads profiles (one batch per analysis) and marks the token it analysed as
tracked; the registry job (moneygrow.smartmoney.job) rescores the wallets that trade tracked tokens;
the seed command writes the explorer labels. Labels and scores are separate attributes of one
profile, so seeding and scoring never overwrite each other, and every write is a full replacement of
what it owns: running the job or the seed twice leaves the same registry.

Implementations: MemoryWalletRegistry here (tests, benchmarks); DynamoWalletRegistry in
store/wallets_dynamo.py (the application table, PynamoDB).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from eth_utils.address import to_checksum_address
from pydantic import BaseModel, Field

from moneygrow.chains import Chain


class WalletProfile(BaseModel):
    chain: Chain
    address: str  # checksummed
    label: str = ""  # the explorer's name tag
    category: str = ""  # cex, bridge, fund_or_market_maker, dex_or_defi, mev_bot, malicious, other
    score: int | None = None  # 0-100, from the registry job (moneygrow.smartmoney.scoring)
    smart: bool = False
    mev: bool = False
    stats: dict[str, Any] = Field(default_factory=dict)
    scored_at: datetime | None = None


class TrackedToken(BaseModel):
    chain: Chain
    token: str
    added_at: datetime
    scanned_at: datetime | None = None
    scanned_block: int | None = None


class WalletRegistry(Protocol):
    def get_wallets(self, chain: Chain, addresses: Sequence[str]) -> dict[str, WalletProfile]: ...
    def put_labels(
        self, chain: Chain, labels: Sequence[tuple[str, str, str]]
    ) -> int: ...  # (address, label, category)
    def put_records(self, chain: Chain, token: str, records: dict[str, dict[str, Any]]) -> None: ...
    def records_of(self, chain: Chain, wallet: str) -> list[dict[str, Any]]: ...
    def put_score(self, chain: Chain, wallet: str, score: dict[str, Any], when: datetime) -> None: ...
    def track_token(self, chain: Chain, token: str, when: datetime) -> None: ...
    def tracked_tokens(self) -> list[TrackedToken]: ...
    def mark_scanned(self, chain: Chain, token: str, block: int, when: datetime) -> None: ...


def norm(address: str) -> str:
    return to_checksum_address(address)


class MemoryWalletRegistry:
    """In-process registry with DynamoWalletRegistry's semantics."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.profiles: dict[tuple[Chain, str], WalletProfile] = {}
        self.records: dict[tuple[Chain, str], dict[str, dict[str, Any]]] = {}
        self.tracked: dict[tuple[Chain, str], TrackedToken] = {}

    def get_wallets(self, chain: Chain, addresses: Sequence[str]) -> dict[str, WalletProfile]:
        found = (self.profiles.get((chain, norm(a))) for a in addresses)
        return {p.address: p.model_copy() for p in found if p is not None}

    def _profile(self, chain: Chain, address: str) -> WalletProfile:
        key = (chain, norm(address))
        return self.profiles.setdefault(key, WalletProfile(chain=chain, address=key[1]))

    def put_labels(self, chain: Chain, labels: Sequence[tuple[str, str, str]]) -> int:
        with self._lock:
            for address, label, category in labels:
                p = self._profile(chain, address)
                p.label, p.category = label, category
        return len(labels)

    def put_records(self, chain: Chain, token: str, records: dict[str, dict[str, Any]]) -> None:
        with self._lock:
            for wallet, record in records.items():
                self.records.setdefault((chain, norm(wallet)), {})[norm(token)] = dict(record)

    def records_of(self, chain: Chain, wallet: str) -> list[dict[str, Any]]:
        return [dict(r) for _, r in sorted(self.records.get((chain, norm(wallet)), {}).items())]

    def put_score(self, chain: Chain, wallet: str, score: dict[str, Any], when: datetime) -> None:
        with self._lock:
            p = self._profile(chain, wallet)
            p.score, p.smart, p.mev = int(score["score"]), bool(score["smart"]), bool(score["mev"])
            p.stats, p.scored_at = dict(score), when

    def track_token(self, chain: Chain, token: str, when: datetime) -> None:
        with self._lock:
            self.tracked.setdefault(
                (chain, norm(token)), TrackedToken(chain=chain, token=norm(token), added_at=when)
            )

    def tracked_tokens(self) -> list[TrackedToken]:
        return [
            t.model_copy() for _, t in sorted(self.tracked.items(), key=lambda kv: (kv[0][0].value, kv[0][1]))
        ]

    def mark_scanned(self, chain: Chain, token: str, block: int, when: datetime) -> None:
        with self._lock:
            t = self.tracked.get((chain, norm(token)))
            if t is not None:
                t.scanned_block, t.scanned_at = block, when

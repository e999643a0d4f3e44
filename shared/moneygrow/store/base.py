"""The storage interface the domain logic uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from moneygrow.chains import Chain
from moneygrow.models import RiskLevel
from moneygrow.store.records import AgentProgress, Analysis, ApiKey, RefreshFamily, User

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursor: str | None  # opaque; pass back to get the next page, None when there is none


class EmailTaken(Exception):
    """A user with this email exists already."""


class ActiveTaskExists(Exception):
    """An analysis of this token is already running for this user."""

    def __init__(self, task_id: str) -> None:
        super().__init__(task_id)
        self.task_id = task_id


class InvalidCursor(Exception):
    """A pagination cursor that this store did not issue."""


class Store(Protocol):
    # users
    def create_user(self, user: User) -> None: ...  # raises EmailTaken
    def get_user(self, user_id: str) -> User | None: ...
    def get_user_by_email(self, email: str) -> User | None: ...
    def set_user_tier(self, user_id: str, tier: str) -> None: ...

    # API keys
    def put_api_key(self, key: ApiKey) -> None: ...
    def get_api_key_by_hash(self, key_hash: str) -> ApiKey | None: ...
    def list_api_keys(self, user_id: str, limit: int, cursor: str | None) -> Page[ApiKey]: ...
    def delete_api_key(self, user_id: str, key_id: str) -> bool: ...
    def touch_api_key(self, user_id: str, key_id: str, when: datetime) -> None: ...
    def get_api_key(self, user_id: str, key_id: str) -> ApiKey | None: ...

    # refresh-token families (rotation and reuse detection)
    def put_refresh_family(self, family: RefreshFamily) -> None: ...
    def get_refresh_family(self, family_id: str) -> RefreshFamily | None: ...
    def rotate_refresh_family(
        self, family_id: str, expected_jti: str, new_jti: str, expires_at: datetime, issued_at: int
    ) -> bool: ...  # atomically: only when current_jti == expected_jti and not revoked; the
    # expected jti becomes previous_jti and issued_at the current_issued_at
    def revoke_refresh_family(self, family_id: str) -> None: ...

    # rate limiting
    def incr_counter(self, key: str, expires_at: int) -> int: ...  # atomic +1, returns the new count;
    def read_counter(self, key: str) -> int: ...  # the count without counting (0 when absent/expired)

    # the counter disappears after expires_at (epoch seconds)

    # analyses
    def create_analysis(self, analysis: Analysis, lock_ttl_s: int) -> None: ...
    # atomically: the record and the (user, chain, token) lock that makes it the only running
    # analysis of that token for `lock_ttl_s`; raises ActiveTaskExists (nothing written) when held
    def release_active_task(self, user_id: str, chain: Chain, token_address: str, task_id: str) -> None: ...
    def put_analysis(self, analysis: Analysis) -> None: ...
    def get_analysis(self, task_id: str) -> Analysis | None: ...
    def update_analysis(self, task_id: str, **changes: Any) -> Analysis: ...
    def record_agent_progress(self, task_id: str, agent: str, progress: AgentProgress) -> bool: ...
    # progress[agent] = progress on an existing analysis, nothing else (not even updated_at: the
    # agents may write only that); False when there is no such analysis
    # newest first; with chain/level only the matching ones (Analysis.matches). A filtered page may
    # hold fewer than `limit` items while `cursor` is set (DynamoStore bounds the items it reads per
    # call); no item is skipped or repeated, and None means there is no more.
    def list_analyses(
        self,
        user_id: str,
        limit: int,
        cursor: str | None,
        *,
        chain: Chain | None = None,
        level: RiskLevel | None = None,
    ) -> Page[Analysis]: ...

    def ping(self) -> None: ...  # raises when the store is unreachable

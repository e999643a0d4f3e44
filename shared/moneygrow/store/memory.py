"""An in-memory Store with the same semantics as DynamoStore (fast unit tests, benchmarks).

The contract tests in tests/unit/test_store_contract.py run against both implementations.
"""

from __future__ import annotations

import base64
import hmac
import threading
import time
from datetime import datetime
from typing import Any

from moneygrow.chains import Chain
from moneygrow.models import RiskLevel
from moneygrow.store.base import ActiveTaskExists, EmailTaken, InvalidCursor, Page
from moneygrow.store.records import AgentProgress, Analysis, ApiKey, RefreshFamily, User


def page_of(items: list[Any], sort_keys: list[str], limit: int, cursor: str | None, owner: str) -> Page[Any]:
    """Cursor = base64(owner|last sort key), checked against the caller like DynamoStore does."""
    start = 0
    if cursor:
        try:
            owner_in, last = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        except ValueError as exc:
            raise InvalidCursor("cursor is not valid") from exc
        if owner_in != owner:
            raise InvalidCursor("cursor does not belong to this listing")
        start = next((i + 1 for i, k in enumerate(sort_keys) if k == last), len(sort_keys))
    chunk = items[start : start + limit]
    more = start + limit < len(items)
    next_cursor = (
        base64.urlsafe_b64encode(f"{owner}|{sort_keys[start + limit - 1]}".encode()).decode()
        if more
        else None
    )
    return Page(chunk, next_cursor)


class MemoryStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.users: dict[str, User] = {}
        self.emails: dict[str, str] = {}
        self.keys: dict[tuple[str, str], ApiKey] = {}
        self.active: dict[tuple[str, str, str], tuple[str, float]] = {}
        self.analyses: dict[str, Analysis] = {}
        self.families: dict[str, RefreshFamily] = {}
        self.counters: dict[str, tuple[int, int]] = {}  # key -> (count, expires_at)

    def create_user(self, user: User) -> None:
        with self._lock:
            if user.email in self.emails:
                raise EmailTaken(user.email)
            self.emails[user.email] = user.user_id
            self.users[user.user_id] = user.model_copy()

    def get_user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def set_user_tier(self, user_id: str, tier: str) -> None:
        with self._lock:
            self.users[user_id] = self.users[user_id].model_copy(update={"tier": tier})

    def get_user_by_email(self, email: str) -> User | None:
        uid = self.emails.get(email)
        return self.users.get(uid) if uid else None

    def put_api_key(self, key: ApiKey) -> None:
        self.keys[(key.user_id, key.key_id)] = key.model_copy()

    def get_api_key_by_hash(self, key_hash: str) -> ApiKey | None:
        return next((k for k in self.keys.values() if k.key_hash == key_hash), None)

    def list_api_keys(self, user_id: str, limit: int, cursor: str | None) -> Page[ApiKey]:
        keys = sorted((k for (uid, _), k in self.keys.items() if uid == user_id), key=lambda k: k.key_id)
        return page_of(keys, [k.key_id for k in keys], limit, cursor, user_id)

    def delete_api_key(self, user_id: str, key_id: str) -> bool:
        return self.keys.pop((user_id, key_id), None) is not None

    def touch_api_key(self, user_id: str, key_id: str, when: datetime) -> None:
        key = self.keys.get((user_id, key_id))
        if key:
            key.last_used_at = when

    def get_api_key(self, user_id: str, key_id: str) -> ApiKey | None:
        key = self.keys.get((user_id, key_id))
        return key.model_copy() if key else None

    def put_refresh_family(self, family: RefreshFamily) -> None:
        self.families[family.family_id] = family.model_copy()

    def get_refresh_family(self, family_id: str) -> RefreshFamily | None:
        family = self.families.get(family_id)
        return family.model_copy() if family else None

    def rotate_refresh_family(
        self, family_id: str, expected_jti: str, new_jti: str, expires_at: datetime, issued_at: int
    ) -> bool:
        with self._lock:
            family = self.families.get(family_id)
            if (
                family is None
                or family.revoked
                or not hmac.compare_digest(family.current_jti.encode(), expected_jti.encode())
            ):
                return False
            self.families[family_id] = family.model_copy(
                update={
                    "current_jti": new_jti,
                    "expires_at": expires_at,
                    "previous_jti": expected_jti,
                    "current_issued_at": issued_at,
                }
            )
            return True

    def revoke_refresh_family(self, family_id: str) -> None:
        with self._lock:
            family = self.families.get(family_id)
            if family:
                self.families[family_id] = family.model_copy(update={"revoked": True})

    def read_counter(self, key: str) -> int:
        with self._lock:
            count, expires_at = self.counters.get(key, (0, 0))
            return count if expires_at > time.time() else 0

    def incr_counter(self, key: str, expires_at: int) -> int:
        with self._lock:
            count = self.counters.get(key, (0, 0))[0] + 1
            self.counters[key] = (count, expires_at)
            if len(self.counters) > 100_000:  # keep a long-running dev server bounded (like the TTL)
                now = time.time()
                self.counters = {k: v for k, v in self.counters.items() if v[1] > now}
            return count

    def create_analysis(self, analysis: Analysis, lock_ttl_s: int) -> None:
        slot = (analysis.user_id, analysis.chain.value, analysis.token_address.lower())
        with self._lock:
            held = self.active.get(slot)
            if held and held[1] > time.time():
                raise ActiveTaskExists(held[0])
            self.active[slot] = (analysis.task_id, time.time() + lock_ttl_s)
            self.analyses[analysis.task_id] = analysis.model_copy(deep=True)

    def release_active_task(self, user_id: str, chain: Chain, token_address: str, task_id: str) -> None:
        slot = (user_id, chain.value, token_address.lower())
        with self._lock:
            if self.active.get(slot, ("",))[0] == task_id:
                del self.active[slot]

    def put_analysis(self, analysis: Analysis) -> None:
        self.analyses[analysis.task_id] = analysis.model_copy(deep=True)

    def get_analysis(self, task_id: str) -> Analysis | None:
        found = self.analyses.get(task_id)
        return found.model_copy(deep=True) if found else None

    def update_analysis(self, task_id: str, **changes: Any) -> Analysis:
        current = self.analyses[task_id]
        changes.setdefault("updated_at", datetime.now(current.created_at.tzinfo))
        updated = current.model_copy(update=changes, deep=True)
        self.analyses[task_id] = updated
        return updated.model_copy(deep=True)

    def record_agent_progress(self, task_id: str, agent: str, progress: AgentProgress) -> bool:
        with self._lock:
            current = self.analyses.get(task_id)
            if current is None:
                return False
            current.progress[agent] = progress.model_copy()
            return True

    def list_analyses(
        self,
        user_id: str,
        limit: int,
        cursor: str | None,
        *,
        chain: Chain | None = None,
        level: RiskLevel | None = None,
    ) -> Page[Analysis]:
        mine = sorted(
            (a for a in self.analyses.values() if a.user_id == user_id and a.matches(chain, level)),
            key=lambda a: (a.created_at, a.task_id),
            reverse=True,
        )
        return page_of(
            mine, [f"{a.created_at.isoformat()}#{a.task_id}" for a in mine], limit, cursor, user_id
        )

    def ping(self) -> None:
        return None

"""The watchlist's storage: watch entries, watched tokens, alert subscriptions, the schedule's lease.

Implementations: MemoryWatchStore here (tests, benchmarks); DynamoWatchStore in
store/watch_dynamo.py (the application table, PynamoDB).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any, Protocol

from moneygrow.chains import Chain
from moneygrow.store.base import Page
from moneygrow.store.memory import page_of
from moneygrow.watch.records import AlertSubscription, WatchedToken, WatchEntry

TokenKey = tuple[Chain, str]  # (chain, checksummed address)


class LimitReached(Exception):
    """The user has as many entries (watches or subscriptions) as their tier allows."""


class WatchStore(Protocol):
    # watch entries (a new entry adds a watcher to its token; a new token is due at `due_at`)
    def put_watch(self, entry: WatchEntry, max_entries: int, due_at: datetime) -> bool: ...  # True: new
    def get_watch(self, user_id: str, chain: Chain, token: str) -> WatchEntry | None: ...
    def delete_watch(self, user_id: str, chain: Chain, token: str) -> bool: ...
    def list_watches(self, user_id: str, limit: int, cursor: str | None) -> Page[WatchEntry]: ...
    def all_watches(self, user_id: str) -> list[WatchEntry]: ...  # at most the tier's limit

    # watched tokens (the unit of rescanning)
    def get_tokens(self, keys: list[TokenKey]) -> dict[TokenKey, WatchedToken]: ...
    def due_tokens(self, now: datetime, limit: int) -> list[WatchedToken]: ...  # due first
    def claim_rescan(
        self, chain: Chain, token: str, task_id: str, now: datetime, next_due_at: datetime
    ) -> bool: ...  # atomically, only while due and watched: the rescan in flight and the next due time
    def record_check(
        self, chain: Chain, token: str, task_id: str, state: dict[str, Any], now: datetime, alerted: bool
    ) -> bool: ...  # only once per task (a retried notify step does not count twice)
    def forget_token(self, chain: Chain, token: str) -> None: ...  # only when nobody watches it

    # alert subscriptions
    def put_subscription(self, sub: AlertSubscription, max_entries: int) -> None: ...
    def get_subscription(self, subscription_id: str) -> AlertSubscription | None: ...
    def update_subscription(self, subscription_id: str, **changes: Any) -> None: ...
    def delete_subscription(self, user_id: str, subscription_id: str) -> bool: ...
    def list_subscriptions(self, user_id: str, limit: int, cursor: str | None) -> Page[AlertSubscription]: ...
    def all_subscriptions(self, user_id: str) -> list[AlertSubscription]: ...

    # one schedule run at a time
    def acquire_lease(self, name: str, holder: str, now: datetime, ttl_s: int) -> bool: ...
    def release_lease(self, name: str, holder: str) -> None: ...


def token_key(chain: Chain, token: str) -> TokenKey:
    return chain, token


class MemoryWatchStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watches: dict[tuple[str, Chain, str], WatchEntry] = {}
        self._tokens: dict[TokenKey, WatchedToken] = {}
        self._subs: dict[str, AlertSubscription] = {}
        self._leases: dict[str, tuple[str, datetime]] = {}

    def put_watch(self, entry: WatchEntry, max_entries: int, due_at: datetime) -> bool:
        key = (entry.user_id, entry.chain, entry.token_address)
        with self._lock:
            if key in self._watches:
                self._watches[key] = entry.model_copy(update={"created_at": self._watches[key].created_at})
                return False
            if sum(1 for k in self._watches if k[0] == entry.user_id) >= max_entries:
                raise LimitReached(str(max_entries))
            self._watches[key] = entry
            tk = (entry.chain, entry.token_address)
            token = self._tokens.get(tk) or WatchedToken(
                chain=entry.chain, token_address=entry.token_address, next_due_at=due_at
            )
            self._tokens[tk] = token.model_copy(update={"watchers": token.watchers + 1})
            return True

    def get_watch(self, user_id: str, chain: Chain, token: str) -> WatchEntry | None:
        return self._watches.get((user_id, chain, token))

    def delete_watch(self, user_id: str, chain: Chain, token: str) -> bool:
        with self._lock:
            if self._watches.pop((user_id, chain, token), None) is None:
                return False
            t = self._tokens[(chain, token)]
            self._tokens[(chain, token)] = t.model_copy(update={"watchers": t.watchers - 1})
            return True

    def _user_watches(self, user_id: str) -> list[WatchEntry]:
        mine = [w for k, w in self._watches.items() if k[0] == user_id]
        return sorted(mine, key=lambda w: (w.chain.value, w.token_address.lower()))

    def list_watches(self, user_id: str, limit: int, cursor: str | None) -> Page[WatchEntry]:
        mine = self._user_watches(user_id)
        return page_of(
            mine, [f"{w.chain.value}#{w.token_address.lower()}" for w in mine], limit, cursor, user_id
        )

    def all_watches(self, user_id: str) -> list[WatchEntry]:
        return self._user_watches(user_id)

    def get_tokens(self, keys: list[TokenKey]) -> dict[TokenKey, WatchedToken]:
        return {k: self._tokens[k] for k in keys if k in self._tokens}

    def due_tokens(self, now: datetime, limit: int) -> list[WatchedToken]:
        due = [t for t in self._tokens.values() if t.next_due_at <= now]
        return sorted(due, key=lambda t: (t.next_due_at, t.token_address))[:limit]

    def claim_rescan(
        self, chain: Chain, token: str, task_id: str, now: datetime, next_due_at: datetime
    ) -> bool:
        with self._lock:
            t = self._tokens.get((chain, token))
            if t is None or t.watchers <= 0 or t.next_due_at > now:
                return False
            self._tokens[(chain, token)] = t.model_copy(
                update={"rescan_task_id": task_id, "rescan_started_at": now, "next_due_at": next_due_at}
            )
            return True

    def record_check(
        self, chain: Chain, token: str, task_id: str, state: dict[str, Any], now: datetime, alerted: bool
    ) -> bool:
        with self._lock:
            t = self._tokens.get((chain, token))
            if t is None or t.checked_task_id == task_id:
                return False
            update: dict[str, Any] = {"checked_task_id": task_id, "checked_at": now, "state": state}
            if alerted:
                update["last_alert_at"] = now
            self._tokens[(chain, token)] = t.model_copy(update=update)
            return True

    def forget_token(self, chain: Chain, token: str) -> None:
        with self._lock:
            t = self._tokens.get((chain, token))
            if t is not None and t.watchers <= 0:
                del self._tokens[(chain, token)]

    def put_subscription(self, sub: AlertSubscription, max_entries: int) -> None:
        with self._lock:
            if sum(1 for s in self._subs.values() if s.user_id == sub.user_id) >= max_entries:
                raise LimitReached(str(max_entries))
            self._subs[sub.subscription_id] = sub

    def get_subscription(self, subscription_id: str) -> AlertSubscription | None:
        return self._subs.get(subscription_id)

    def update_subscription(self, subscription_id: str, **changes: Any) -> None:
        with self._lock:
            if subscription_id in self._subs:
                self._subs[subscription_id] = self._subs[subscription_id].model_copy(update=changes)

    def delete_subscription(self, user_id: str, subscription_id: str) -> bool:
        with self._lock:
            sub = self._subs.get(subscription_id)
            if sub is None or sub.user_id != user_id:
                return False
            del self._subs[subscription_id]
            return True

    def _user_subs(self, user_id: str) -> list[AlertSubscription]:
        mine = [s for s in self._subs.values() if s.user_id == user_id]
        return sorted(mine, key=lambda s: (s.created_at, s.subscription_id))

    def list_subscriptions(self, user_id: str, limit: int, cursor: str | None) -> Page[AlertSubscription]:
        mine = self._user_subs(user_id)
        return page_of(mine, [s.subscription_id for s in mine], limit, cursor, user_id)

    def all_subscriptions(self, user_id: str) -> list[AlertSubscription]:
        return self._user_subs(user_id)

    def acquire_lease(self, name: str, holder: str, now: datetime, ttl_s: int) -> bool:
        with self._lock:
            current = self._leases.get(name)
            if current is not None and current[0] != holder and current[1] > now:
                return False
            self._leases[name] = (holder, now + timedelta(seconds=ttl_s))
            return True

    def release_lease(self, name: str, holder: str) -> None:
        with self._lock:
            if name in self._leases and self._leases[name][0] == holder:
                del self._leases[name]

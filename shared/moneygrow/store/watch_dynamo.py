"""The watchlist on the application table (PynamoDB, same single-table design as dynamo.py).

Items (pk / sk / gsi1pk / gsi1sk):
- watch entry     USER#<uid>                 / WATCH#<chain>#<token>    threshold, created_at
- watched token   WATCHED#<chain>#<token>    / TOKEN    gsi1: WATCHDUE#<shard> / <due>#<chain>#<token>
                                                         watchers, rescan and check state
- subscription    ALERTSUB#<sid>             / SUB      gsi1: USER#<uid>#ALERTSUBS / <created>#<sid>
- lease           LEASE#<name>               / LEASE    holder, until (expires_at TTL)

Due tokens are found with one gsi1 query per shard (SHARDS partitions, so that no single partition
takes every scheduler read and write at 100,000 watched tokens). A new entry and its token's
watcher count change in one transaction.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, DoesNotExist, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from moneygrow.chains import Chain
from moneygrow.store.base import Page
from moneygrow.store.dynamo import Item, _decode_cursor, _encode_cursor, bind_models
from moneygrow.store.watch import LimitReached, TokenKey
from moneygrow.watch.records import AlertSubscription, AlertThreshold, WatchedToken, WatchEntry

SHARDS = 8


class WatchItem(Item, discriminator="watch"):
    user_id = UnicodeAttribute()
    chain = UnicodeAttribute()
    token_address = UnicodeAttribute()
    threshold = JSONAttribute()
    created_at = UTCDateTimeAttribute()


class WatchedTokenItem(Item, discriminator="watched"):
    chain = UnicodeAttribute(null=True)
    token_address = UnicodeAttribute(null=True)
    watchers = NumberAttribute(null=True)
    next_due_at = UTCDateTimeAttribute(null=True)
    rescan_task_id = UnicodeAttribute(null=True)
    rescan_started_at = UTCDateTimeAttribute(null=True)
    checked_task_id = UnicodeAttribute(null=True)
    checked_at = UTCDateTimeAttribute(null=True)
    state = JSONAttribute(null=True)
    last_alert_at = UTCDateTimeAttribute(null=True)


class SubscriptionItem(Item, discriminator="alertsub"):
    subscription_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    endpoint = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    sns_subscription_arn = UnicodeAttribute(null=True)
    signing_secret = UnicodeAttribute(null=True)
    confirmed = BooleanAttribute(default=False)


class LeaseItem(Item, discriminator="lease"):
    holder = UnicodeAttribute(null=True)
    until = NumberAttribute(null=True)
    expires_at = NumberAttribute(null=True)  # TTL


_MODELS: tuple[type[Item], ...] = (WatchItem, WatchedTokenItem, SubscriptionItem, LeaseItem)


def _watch_sk(chain: Chain, token: str) -> str:
    return f"WATCH#{chain.value}#{token.lower()}"


def _token_pk(chain: Chain, token: str) -> str:
    return f"WATCHED#{chain.value}#{token.lower()}"


def _shard(chain: Chain, token: str) -> str:
    n = int(hashlib.sha256(_token_pk(chain, token).encode()).hexdigest(), 16) % SHARDS
    return f"WATCHDUE#{n}"


def _due_sk(when: datetime, chain: Chain, token: str) -> str:
    return f"{_iso(when)}#{chain.value}#{token.lower()}"


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _entry(item: WatchItem) -> WatchEntry:
    return WatchEntry(
        user_id=item.user_id,
        chain=Chain(item.chain),
        token_address=item.token_address,
        threshold=AlertThreshold.model_validate(item.threshold or {}),
        created_at=item.created_at,
    )


def _token(item: WatchedTokenItem) -> WatchedToken:
    return WatchedToken(
        chain=Chain(item.chain),
        token_address=item.token_address or "",
        watchers=int(item.watchers or 0),
        next_due_at=item.next_due_at or datetime.max.replace(tzinfo=UTC),
        rescan_task_id=item.rescan_task_id,
        rescan_started_at=item.rescan_started_at,
        checked_task_id=item.checked_task_id,
        checked_at=item.checked_at,
        state=item.state,
        last_alert_at=item.last_alert_at,
    )


def _subscription(item: SubscriptionItem) -> AlertSubscription:
    return AlertSubscription(
        subscription_id=item.subscription_id,
        user_id=item.user_id,
        channel=item.channel,
        endpoint=item.endpoint,
        created_at=item.created_at,
        sns_subscription_arn=item.sns_subscription_arn,
        signing_secret=item.signing_secret,
        confirmed=bool(item.confirmed),
    )


def _conditional_failed(exc: Exception) -> bool:
    return "ConditionalCheckFailed" in str(exc) or getattr(exc, "cause_response_code", "") in (
        "ConditionalCheckFailedException",
        "TransactionCanceledException",
    )


class DynamoWatchStore:
    def __init__(self, table_name: str, region: str) -> None:
        bind_models(_MODELS, table_name, region)
        self._connection = Connection(region=region)  # reused by every transaction (see DynamoStore)

    # watch entries
    def put_watch(self, entry: WatchEntry, max_entries: int, due_at: datetime) -> bool:
        pk, sk = f"USER#{entry.user_id}", _watch_sk(entry.chain, entry.token_address)
        item = WatchItem(
            pk=pk,
            sk=sk,
            user_id=entry.user_id,
            chain=entry.chain.value,
            token_address=entry.token_address,
            threshold=entry.threshold.model_dump(mode="json"),
            created_at=entry.created_at,
        )
        existing = self.get_watch(entry.user_id, entry.chain, entry.token_address)
        if existing is not None:  # a new threshold for a token already watched
            item.created_at = existing.created_at
            item.save(condition=WatchItem.pk.exists())
            return False
        if self._count(pk, "WATCH#") >= max_entries:
            raise LimitReached(str(max_entries))
        token = WatchedTokenItem(pk=_token_pk(entry.chain, entry.token_address), sk="TOKEN")
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(item, condition=WatchItem.pk.does_not_exist())
                tx.update(
                    token,
                    actions=[
                        WatchedTokenItem.watchers.add(1),
                        WatchedTokenItem.kind.set(WatchedTokenItem),
                        WatchedTokenItem.chain.set(entry.chain.value),
                        WatchedTokenItem.token_address.set(entry.token_address),
                        WatchedTokenItem.next_due_at.set(WatchedTokenItem.next_due_at | due_at),
                        WatchedTokenItem.gsi1pk.set(_shard(entry.chain, entry.token_address)),
                        WatchedTokenItem.gsi1sk.set(
                            WatchedTokenItem.gsi1sk | _due_sk(due_at, entry.chain, entry.token_address)
                        ),
                    ],
                )
        except TransactWriteError as exc:
            if not _conditional_failed(exc):
                raise
            return False  # a concurrent request added it first
        return True

    def _count(self, pk: str, prefix: str) -> int:
        return int(Item.count(pk, Item.sk.startswith(prefix)))

    def get_watch(self, user_id: str, chain: Chain, token: str) -> WatchEntry | None:
        try:
            item = WatchItem.get(f"USER#{user_id}", _watch_sk(chain, token), consistent_read=True)
        except DoesNotExist:
            return None
        return _entry(item) if isinstance(item, WatchItem) else None

    def delete_watch(self, user_id: str, chain: Chain, token: str) -> bool:
        item = WatchItem(pk=f"USER#{user_id}", sk=_watch_sk(chain, token))
        watched = WatchedTokenItem(pk=_token_pk(chain, token), sk="TOKEN")
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.delete(item, condition=WatchItem.pk.exists())
                tx.update(
                    watched,
                    actions=[WatchedTokenItem.watchers.add(-1)],
                    condition=WatchedTokenItem.pk.exists(),
                )
        except TransactWriteError as exc:
            if not _conditional_failed(exc):
                raise
            return False
        return True

    def list_watches(self, user_id: str, limit: int, cursor: str | None) -> Page[WatchEntry]:
        pk = f"USER#{user_id}"
        result = WatchItem.query(
            pk,
            WatchItem.sk.startswith("WATCH#"),
            limit=limit,
            last_evaluated_key=_decode_cursor(cursor, "pk", pk),
        )
        items = [_entry(i) for i in result if isinstance(i, WatchItem)]
        return Page(items, _encode_cursor(result.last_evaluated_key))

    def all_watches(self, user_id: str) -> list[WatchEntry]:
        items = WatchItem.query(f"USER#{user_id}", WatchItem.sk.startswith("WATCH#"))
        return [_entry(i) for i in items if isinstance(i, WatchItem)]

    # watched tokens
    def get_tokens(self, keys: list[TokenKey]) -> dict[TokenKey, WatchedToken]:
        if not keys:
            return {}
        found = WatchedTokenItem.batch_get([(_token_pk(c, t), "TOKEN") for c, t in keys])
        by_pk = {i.pk: _token(i) for i in found if isinstance(i, WatchedTokenItem) and i.chain}
        return {(c, t): by_pk[_token_pk(c, t)] for c, t in keys if _token_pk(c, t) in by_pk}

    def due_tokens(self, now: datetime, limit: int) -> list[WatchedToken]:
        upper = f"{_iso(now)}#~"  # "~" sorts after any chain name: everything due at or before now
        due: list[WatchedToken] = []
        for shard in range(SHARDS):
            for item in Item.gsi1.query(f"WATCHDUE#{shard}", Item.gsi1sk <= upper, limit=limit):
                if isinstance(item, WatchedTokenItem) and item.chain:
                    due.append(_token(item))
        return sorted(due, key=lambda t: (t.next_due_at, t.token_address))[:limit]

    def claim_rescan(
        self, chain: Chain, token: str, task_id: str, now: datetime, next_due_at: datetime
    ) -> bool:
        item = WatchedTokenItem(pk=_token_pk(chain, token), sk="TOKEN")
        try:
            item.update(
                actions=[
                    WatchedTokenItem.rescan_task_id.set(task_id),
                    WatchedTokenItem.rescan_started_at.set(now),
                    WatchedTokenItem.next_due_at.set(next_due_at),
                    WatchedTokenItem.gsi1sk.set(_due_sk(next_due_at, chain, token)),
                ],
                condition=WatchedTokenItem.pk.exists()
                & (WatchedTokenItem.watchers > 0)
                & (WatchedTokenItem.next_due_at <= now),
            )
        except UpdateError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def record_check(
        self, chain: Chain, token: str, task_id: str, state: dict[str, Any], now: datetime, alerted: bool
    ) -> bool:
        item = WatchedTokenItem(pk=_token_pk(chain, token), sk="TOKEN")
        actions: list[Action] = [
            WatchedTokenItem.checked_task_id.set(task_id),
            WatchedTokenItem.checked_at.set(now),
            WatchedTokenItem.state.set(state),
        ]
        if alerted:
            actions.append(WatchedTokenItem.last_alert_at.set(now))
        try:
            item.update(
                actions=actions,
                condition=WatchedTokenItem.pk.exists()
                & (
                    WatchedTokenItem.checked_task_id.does_not_exist()
                    | (WatchedTokenItem.checked_task_id != task_id)
                ),
            )
        except UpdateError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def forget_token(self, chain: Chain, token: str) -> None:
        try:
            WatchedTokenItem(pk=_token_pk(chain, token), sk="TOKEN").delete(
                condition=WatchedTokenItem.watchers <= 0
            )
        except DeleteError as exc:
            if not _conditional_failed(exc):
                raise

    # subscriptions
    def put_subscription(self, sub: AlertSubscription, max_entries: int) -> None:
        hk = f"USER#{sub.user_id}#ALERTSUBS"
        if Item.gsi1.count(hk) >= max_entries:
            raise LimitReached(str(max_entries))
        data = sub.model_dump()
        SubscriptionItem(
            pk=f"ALERTSUB#{sub.subscription_id}",
            sk="SUB",
            gsi1pk=hk,
            gsi1sk=f"{_iso(sub.created_at)}#{sub.subscription_id}",
            **data,
        ).save(condition=SubscriptionItem.pk.does_not_exist())

    def get_subscription(self, subscription_id: str) -> AlertSubscription | None:
        try:
            item = SubscriptionItem.get(f"ALERTSUB#{subscription_id}", "SUB", consistent_read=True)
        except DoesNotExist:
            return None
        return _subscription(item) if isinstance(item, SubscriptionItem) else None

    def update_subscription(self, subscription_id: str, **changes: Any) -> None:
        item = SubscriptionItem(pk=f"ALERTSUB#{subscription_id}", sk="SUB")
        actions: list[Action] = [
            getattr(SubscriptionItem, k).remove() if v is None else getattr(SubscriptionItem, k).set(v)
            for k, v in changes.items()
        ]
        try:
            item.update(actions=actions, condition=SubscriptionItem.pk.exists())
        except UpdateError as exc:
            if not _conditional_failed(exc):
                raise

    def delete_subscription(self, user_id: str, subscription_id: str) -> bool:
        item = SubscriptionItem(pk=f"ALERTSUB#{subscription_id}", sk="SUB")
        try:
            item.delete(condition=SubscriptionItem.user_id == user_id)
        except DeleteError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def list_subscriptions(self, user_id: str, limit: int, cursor: str | None) -> Page[AlertSubscription]:
        hk = f"USER#{user_id}#ALERTSUBS"
        result = Item.gsi1.query(hk, limit=limit, last_evaluated_key=_decode_cursor(cursor, "gsi1pk", hk))
        items = [_subscription(i) for i in result if isinstance(i, SubscriptionItem)]
        return Page(items, _encode_cursor(result.last_evaluated_key))

    def all_subscriptions(self, user_id: str) -> list[AlertSubscription]:
        items = Item.gsi1.query(f"USER#{user_id}#ALERTSUBS")
        return [_subscription(i) for i in items if isinstance(i, SubscriptionItem)]

    # lease
    def acquire_lease(self, name: str, holder: str, now: datetime, ttl_s: int) -> bool:
        at = int(now.timestamp())
        item = LeaseItem(pk=f"LEASE#{name}", sk="LEASE")
        try:
            item.update(
                actions=[
                    LeaseItem.kind.set(LeaseItem),
                    LeaseItem.holder.set(holder),
                    LeaseItem.until.set(at + ttl_s),
                    LeaseItem.expires_at.set(at + ttl_s + 3600),
                ],
                condition=LeaseItem.pk.does_not_exist()
                | (LeaseItem.holder == holder)
                | (LeaseItem.until < at),
            )
        except UpdateError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def release_lease(self, name: str, holder: str) -> None:
        try:
            LeaseItem(pk=f"LEASE#{name}", sk="LEASE").delete(condition=LeaseItem.holder == holder)
        except DeleteError as exc:
            if not _conditional_failed(exc):
                raise

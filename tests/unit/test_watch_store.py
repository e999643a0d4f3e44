"""The same watchlist behaviour from both WatchStore implementations: DynamoDB (moto) and in-memory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from moto import mock_aws

from moneygrow.chains import Chain
from moneygrow.store.base import InvalidCursor
from moneygrow.store.watch import LimitReached, MemoryWatchStore, WatchStore
from moneygrow.watch.records import AlertSubscription, AlertThreshold, ThresholdKind, WatchEntry

T0 = datetime(2026, 1, 1, tzinfo=UTC)
A = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
B = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Iterator[WatchStore]:
    if request.param == "memory":
        yield MemoryWatchStore()
        return
    with mock_aws():
        from moneygrow.store.dynamo import Item
        from moneygrow.store.watch_dynamo import DynamoWatchStore

        dynamo = DynamoWatchStore("watch-test", "us-east-1")
        Item.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        yield dynamo


def _entry(user: str, token: str = A, threshold: AlertThreshold | None = None) -> WatchEntry:
    return WatchEntry(
        user_id=user,
        chain=Chain.ETHEREUM,
        token_address=token,
        threshold=threshold or AlertThreshold(),
        created_at=T0,
    )


def test_one_watched_token_however_many_watch_it(store: WatchStore) -> None:
    assert store.put_watch(_entry("u1"), 10, due_at=T0) is True
    assert store.put_watch(_entry("u2"), 10, due_at=T0 + timedelta(hours=1)) is True
    # watching again only changes the threshold: not a second watcher
    level = AlertThreshold(kind=ThresholdKind.LEVEL, level="HIGH")
    assert store.put_watch(_entry("u1", threshold=level), 10, due_at=T0) is False
    token = store.get_tokens([(Chain.ETHEREUM, A)])[(Chain.ETHEREUM, A)]
    assert token.watchers == 2
    assert token.next_due_at == T0  # the first watcher's due time stands
    watch = store.get_watch("u1", Chain.ETHEREUM, A)
    assert watch is not None and watch.threshold.level == "HIGH"
    assert [t.token_address for t in store.due_tokens(T0, 10)] == [A]
    assert store.delete_watch("u1", Chain.ETHEREUM, A) is True
    assert store.delete_watch("u1", Chain.ETHEREUM, A) is False
    store.forget_token(Chain.ETHEREUM, A)  # u2 still watches: kept
    assert store.get_tokens([(Chain.ETHEREUM, A)])[(Chain.ETHEREUM, A)].watchers == 1
    assert store.delete_watch("u2", Chain.ETHEREUM, A) is True
    store.forget_token(Chain.ETHEREUM, A)
    assert store.get_tokens([(Chain.ETHEREUM, A)]) == {}


def test_limit_per_user_and_pages_only_own(store: WatchStore) -> None:
    store.put_watch(_entry("u1", A), 2, due_at=T0)
    store.put_watch(_entry("u1", B), 2, due_at=T0)
    with pytest.raises(LimitReached):
        store.put_watch(_entry("u1", "0x" + "11" * 20), 2, due_at=T0)
    store.put_watch(_entry("u2", "0x" + "22" * 20), 2, due_at=T0)
    first = store.list_watches("u1", 1, None)
    assert len(first.items) == 1 and first.cursor
    second = store.list_watches("u1", 1, first.cursor)
    assert {first.items[0].token_address, second.items[0].token_address} == {A, B}
    assert all(w.user_id == "u1" for w in store.all_watches("u1"))
    with pytest.raises(InvalidCursor):
        store.list_watches("u2", 1, first.cursor)


def test_claim_only_while_due_and_check_recorded_once(store: WatchStore) -> None:
    store.put_watch(_entry("u1"), 10, due_at=T0)
    assert store.claim_rescan(Chain.ETHEREUM, A, "t1", T0 - timedelta(seconds=1), T0) is False  # not due yet
    assert store.claim_rescan(Chain.ETHEREUM, A, "t1", T0, T0 + timedelta(hours=6)) is True
    assert store.claim_rescan(Chain.ETHEREUM, A, "t2", T0, T0 + timedelta(hours=6)) is False  # taken
    assert store.due_tokens(T0 + timedelta(hours=1), 10) == []
    assert [t.token_address for t in store.due_tokens(T0 + timedelta(hours=6), 10)] == [A]
    assert store.record_check(Chain.ETHEREUM, A, "t1", {"level": "LOW"}, T0, alerted=False) is True
    assert store.record_check(Chain.ETHEREUM, A, "t1", {"level": "HIGH"}, T0, alerted=True) is False
    token = store.get_tokens([(Chain.ETHEREUM, A)])[(Chain.ETHEREUM, A)]
    assert token.state == {"level": "LOW"} and token.checked_task_id == "t1" and token.last_alert_at is None


def test_subscriptions_are_per_user(store: WatchStore) -> None:
    def sub(sid: str, user: str) -> AlertSubscription:
        return AlertSubscription(
            subscription_id=sid, user_id=user, channel="email", endpoint=f"{user}@x.io", created_at=T0
        )

    store.put_subscription(sub("a" * 32, "u1"), 2)
    store.put_subscription(sub("b" * 32, "u1"), 2)
    with pytest.raises(LimitReached):
        store.put_subscription(sub("c" * 32, "u1"), 2)
    store.put_subscription(sub("d" * 32, "u2"), 2)
    assert [s.subscription_id for s in store.all_subscriptions("u1")] == ["a" * 32, "b" * 32]
    assert store.delete_subscription("u2", "a" * 32) is False  # not u2's
    store.update_subscription("a" * 32, confirmed=True, sns_subscription_arn="arn:x")
    got = store.get_subscription("a" * 32)
    assert got is not None and got.confirmed and got.sns_subscription_arn == "arn:x"
    assert store.delete_subscription("u1", "a" * 32) is True
    assert store.get_subscription("a" * 32) is None


def test_lease_excludes_a_second_holder_until_it_expires(store: WatchStore) -> None:
    assert store.acquire_lease("s", "h1", T0, 60) is True
    assert store.acquire_lease("s", "h2", T0 + timedelta(seconds=30), 60) is False
    assert store.acquire_lease("s", "h2", T0 + timedelta(seconds=61), 60) is True  # h1 died
    store.release_lease("s", "h1")  # not h1's any more: no effect
    assert store.acquire_lease("s", "h3", T0 + timedelta(seconds=62), 60) is False
    store.release_lease("s", "h2")
    assert store.acquire_lease("s", "h3", T0 + timedelta(seconds=62), 60) is True

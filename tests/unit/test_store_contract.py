"""The same behaviour from both Store implementations: DynamoDB (under moto) and in-memory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from moto import mock_aws

from moneygrow.chains import Chain
from moneygrow.models import AnalysisStatus
from moneygrow.store.base import ActiveTaskExists, EmailTaken, InvalidCursor, Store
from moneygrow.store.memory import MemoryStore
from moneygrow.store.records import Analysis, ApiKey, User

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ADDR = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    with mock_aws():
        from moneygrow.store.dynamo import DynamoStore, Item

        dynamo = DynamoStore("contract-test", "us-east-1")
        Item.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        yield dynamo


def _user(uid: str, email: str) -> User:
    return User(user_id=uid, email=email, password_hash="h", created_at=T0)


def _analysis(uid: str, n: int) -> Analysis:
    at = T0 + timedelta(minutes=n)
    return Analysis(
        task_id=f"{n:032x}",
        user_id=uid,
        token_address=ADDR,
        chain=Chain.ETHEREUM,
        status=AnalysisStatus.PENDING,
        created_at=at,
        updated_at=at,
    )


def test_users_by_id_and_email_and_unique_email(store: Store) -> None:
    store.create_user(_user("u1", "a@x.io"))
    assert store.get_user("u1") is not None
    found = store.get_user_by_email("a@x.io")
    assert found is not None and found.user_id == "u1"
    assert store.get_user_by_email("b@x.io") is None
    with pytest.raises(EmailTaken):
        store.create_user(_user("u2", "a@x.io"))
    assert store.get_user("u2") is None  # the failed registration left nothing behind


def test_api_keys_lookup_list_pages_and_revoke(store: Store) -> None:
    for i in range(5):
        store.put_api_key(
            ApiKey(
                key_id=f"{i:016x}", user_id="u1", name=f"k{i}", prefix="mg_", key_hash=f"h{i}", created_at=T0
            )
        )
    store.put_api_key(
        ApiKey(key_id="f" * 16, user_id="u2", name="other", prefix="mg_", key_hash="hx", created_at=T0)
    )
    found = store.get_api_key_by_hash("h3")
    assert found is not None and found.key_id == f"{3:016x}" and found.user_id == "u1"
    assert store.get_api_key_by_hash("nope") is None

    seen, cursor = [], None
    while True:
        page = store.list_api_keys("u1", 2, cursor)
        assert len(page.items) <= 2
        seen += [k.key_id for k in page.items]
        cursor = page.cursor
        if cursor is None:
            break
    assert sorted(seen) == [f"{i:016x}" for i in range(5)]
    assert store.delete_api_key("u1", f"{1:016x}") is True
    assert store.delete_api_key("u1", f"{1:016x}") is False
    assert store.delete_api_key("u1", "f" * 16) is False  # u2's key cannot be deleted by u1
    assert store.get_api_key_by_hash("hx") is not None
    store.touch_api_key("u1", f"{0:016x}", T0 + timedelta(hours=1))
    touched = store.get_api_key_by_hash("h0")
    assert touched is not None and touched.last_used_at == T0 + timedelta(hours=1)


def test_history_is_newest_first_paginated_and_private(store: Store) -> None:
    for n in range(7):
        store.put_analysis(_analysis("u1", n))
    store.put_analysis(_analysis("u2", 100))
    pages, cursor = [], None
    while True:
        page = store.list_analyses("u1", 3, cursor)
        pages.append([a.task_id for a in page.items])
        cursor = page.cursor
        if cursor is None:
            break
    flat = [t for p in pages for t in p]
    assert flat == [f"{n:032x}" for n in reversed(range(7))]
    first = store.list_analyses("u1", 3, None)
    with pytest.raises(InvalidCursor):
        store.list_analyses("u2", 3, first.cursor)  # another user's cursor is refused
    with pytest.raises(InvalidCursor):
        store.list_analyses("u1", 3, "not-a-cursor!!")


def test_update_analysis_sets_and_returns_new_state(store: Store) -> None:
    store.put_analysis(_analysis("u1", 1))
    updated = store.update_analysis(
        f"{1:032x}",
        status=AnalysisStatus.COMPLETED,
        result={"risk_score": 7},
        completed_at=T0 + timedelta(hours=2),
    )
    assert updated.status == AnalysisStatus.COMPLETED and updated.result == {"risk_score": 7}
    again = store.get_analysis(f"{1:032x}")
    assert again is not None and again.status == AnalysisStatus.COMPLETED
    assert again.completed_at == T0 + timedelta(hours=2)


def test_active_task_claim_is_exclusive_until_released(store: Store) -> None:
    store.claim_active_task("u1", Chain.ETHEREUM, ADDR, "t1", 60)
    with pytest.raises(ActiveTaskExists) as held:
        store.claim_active_task("u1", Chain.ETHEREUM, ADDR.lower(), "t2", 60)
    assert held.value.task_id == "t1"
    store.claim_active_task("u2", Chain.ETHEREUM, ADDR, "t3", 60)  # other user: independent
    store.claim_active_task("u1", Chain.BSC, ADDR, "t4", 60)  # other chain: independent
    store.release_active_task("u1", Chain.ETHEREUM, ADDR, "not-mine")  # does not free t1
    with pytest.raises(ActiveTaskExists):
        store.claim_active_task("u1", Chain.ETHEREUM, ADDR, "t5", 60)
    store.release_active_task("u1", Chain.ETHEREUM, ADDR, "t1")
    store.claim_active_task("u1", Chain.ETHEREUM, ADDR, "t6", 60)


def test_expired_claim_counts_as_free(store: Store) -> None:
    store.claim_active_task("u1", Chain.ETHEREUM, ADDR, "t1", -1)
    store.claim_active_task("u1", Chain.ETHEREUM, ADDR, "t2", 60)

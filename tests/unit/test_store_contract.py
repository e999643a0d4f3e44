"""The same behaviour from both Store implementations: DynamoDB (under moto) and in-memory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto import mock_aws

from moneygrow.chains import Chain
from moneygrow.models import AgentStatus, AnalysisStatus, RiskLevel
from moneygrow.store.base import ActiveTaskExists, EmailTaken, InvalidCursor, Store
from moneygrow.store.memory import MemoryStore
from moneygrow.store.records import AgentProgress, Analysis, ApiKey, RefreshFamily, User

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


LEVELS = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.CRITICAL]


def _history(store: Store, user: str, offset: int = 0) -> list[Analysis]:
    """A user's 24 analyses on three chains: most completed with a level (written whole, or
    completed later by update_analysis as the aggregate does), every fifth still pending."""
    made = []
    for n in range(24):
        a = _analysis(user, offset + n).model_copy(update={"chain": list(Chain)[n % 3]})
        done = n % 5 != 0
        result = {"risk_score": n, "risk_level": LEVELS[n % 4].value} if done else None
        if done and n % 2:
            store.put_analysis(a.model_copy(update={"status": AnalysisStatus.COMPLETED, "result": result}))
        else:
            store.put_analysis(a)
            if done:
                store.update_analysis(a.task_id, status=AnalysisStatus.COMPLETED, result=result)
        made.append(a.model_copy(update={"result": result}))
    return made


def _all_pages(store: Store, user: str, limit: int, **filters: object) -> list[list[str]]:
    pages, cursor = [], None
    for _ in range(100):
        page = store.list_analyses(user, limit, cursor, **filters)  # type: ignore[arg-type]
        assert len(page.items) <= limit
        pages.append([a.task_id for a in page.items])
        cursor = page.cursor
        if cursor is None:
            return pages
    raise AssertionError("the pages never end")


@pytest.mark.parametrize(
    "filters",
    [
        {"chain": Chain.BSC},
        {"level": RiskLevel.HIGH},
        {"chain": Chain.POLYGON, "level": RiskLevel.LOW},
        {"chain": Chain.ETHEREUM, "level": RiskLevel.UNKNOWN},  # none
    ],
)
def test_history_filters_by_chain_and_level_across_pages(store: Store, filters: dict[str, object]) -> None:
    mine = _history(store, "u1")
    _history(store, "u2", offset=100)  # the same chains and levels, another user's
    chain, level = filters.get("chain"), filters.get("level")
    expected = [
        a.task_id
        for a in reversed(mine)  # newest first
        if (chain is None or a.chain == chain) and (level is None or a.risk_level == level)
    ]
    pages = _all_pages(store, "u1", 2, **filters)
    assert [t for p in pages for t in p] == expected  # every match once, in order, none of u2's
    assert all(len(p) == 2 for p in pages[:-1])  # full pages while there is more (small history)
    assert expected == [] or len(pages) == -(-len(expected) // 2)


def test_history_filter_reads_a_bounded_amount_per_call(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A selective filter over a long history: DynamoStore stops after _FILTER_MAX_READ evaluated
    items with a short page and a cursor that resumes where it stopped; nothing is lost."""
    import moneygrow.store.dynamo as dynamo

    monkeypatch.setattr(dynamo, "_FILTER_PAGE", 4)
    monkeypatch.setattr(dynamo, "_FILTER_MAX_READ", 4)
    mine = _history(store, "u1")
    expected = [a.task_id for a in reversed(mine) if a.chain == Chain.BSC and a.risk_level == "CRITICAL"]
    assert len(expected) >= 1
    pages = _all_pages(store, "u1", 5, chain=Chain.BSC, level=RiskLevel.CRITICAL)
    assert [t for p in pages for t in p] == expected
    if not isinstance(store, MemoryStore):  # DynamoDB stopped early: short pages that still resume
        assert len(pages) > 1 and any(len(p) < len(expected) for p in pages[:-1])


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


def test_agents_record_their_progress_on_the_analysis_and_nothing_else(store: Store) -> None:
    store.create_analysis(_started("u1", "t1"), 60)
    fresh = store.get_analysis("t1")
    assert fresh is not None and fresh.progress == {}
    done = T0 + timedelta(seconds=3)
    ok = AgentProgress(status=AgentStatus.OK, duration_ms=40, finished_at=done)
    assert store.record_agent_progress("t1", "heuristic", ok)
    ml = AgentProgress(status=AgentStatus.DEGRADED, duration_ms=25, finished_at=done)
    assert store.record_agent_progress("t1", "ml", ml)
    # a retried agent overwrites its own entry only
    later = AgentProgress(status=AgentStatus.FAILED, duration_ms=7, finished_at=done + timedelta(seconds=1))
    assert store.record_agent_progress("t1", "heuristic", later)
    found = store.get_analysis("t1")
    assert found is not None and found.progress == {"heuristic": later, "ml": ml}
    assert found.status == AnalysisStatus.PENDING and found.updated_at == T0  # nothing else written
    # the aggregate's final write keeps it
    completed = store.update_analysis("t1", status=AnalysisStatus.COMPLETED, agents=[{"agent": "ml"}])
    assert completed.progress == {"heuristic": later, "ml": ml}
    # no analysis: nothing recorded, nothing created
    assert not store.record_agent_progress("nope", "ml", ml)
    assert store.get_analysis("nope") is None


def test_dynamo_progress_write_is_what_the_agents_policy_allows() -> None:
    """The UpdateItem names only pk and progress and returns nothing (the IAM conditions in
    infra/constructs/workflow.py); a record stored before progress was kept gets its map."""
    with mock_aws():
        from moneygrow.store.dynamo import AnalysisItem, DynamoStore, Item

        store = DynamoStore("contract-test", "us-east-1")
        Item.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        store.create_analysis(_started("u1", "t1"), 60)
        AnalysisItem(pk="ANALYSIS#t1", sk="ANALYSIS").update(actions=[AnalysisItem.progress.remove()])
        sent: list[dict[str, Any]] = []
        client = AnalysisItem._get_connection().connection.client
        client.meta.events.register(
            "before-parameter-build.dynamodb.UpdateItem", lambda params, **_: sent.append(params)
        )
        entry = AgentProgress(status=AgentStatus.OK, duration_ms=1, finished_at=T0)
        assert store.record_agent_progress("t1", "smart_money", entry)
        assert store.record_agent_progress("t1", "ml", entry)
        found = store.get_analysis("t1")
        assert found is not None and set(found.progress) == {"smart_money", "ml"}
        assert len(sent) == 3  # the first write found no map and created it; the second set its entry
        for params in sent:
            assert params["ReturnValues"] == "NONE" and params["Key"]["pk"] == {"S": "ANALYSIS#t1"}
            names = set(params["ExpressionAttributeNames"].values())
            assert names <= {"pk", "progress", "smart_money", "ml"}, names
            assert "progress" in names


def _started(uid: str, task_id: str, chain: Chain = Chain.ETHEREUM, address: str = ADDR) -> Analysis:
    return Analysis(
        task_id=task_id,
        user_id=uid,
        token_address=address,
        chain=chain,
        status=AnalysisStatus.PENDING,
        created_at=T0,
        updated_at=T0,
    )


def test_creating_an_analysis_locks_its_token_until_released(store: Store) -> None:
    store.create_analysis(_started("u1", "t1"), 60)
    assert store.get_analysis("t1") is not None
    with pytest.raises(ActiveTaskExists) as held:
        store.create_analysis(_started("u1", "t2", address=ADDR.lower()), 60)
    assert held.value.task_id == "t1"
    assert store.get_analysis("t2") is None  # refused as a whole: no record without its lock
    store.create_analysis(_started("u2", "t3"), 60)  # other user: independent
    store.create_analysis(_started("u1", "t4", chain=Chain.BSC), 60)  # other chain: independent
    store.release_active_task("u1", Chain.ETHEREUM, ADDR, "not-mine")  # does not free t1
    with pytest.raises(ActiveTaskExists):
        store.create_analysis(_started("u1", "t5"), 60)
    store.release_active_task("u1", Chain.ETHEREUM, ADDR, "t1")
    store.create_analysis(_started("u1", "t6"), 60)
    assert store.get_analysis("t1") is not None  # releasing the lock keeps the record


def test_expired_lock_counts_as_free(store: Store) -> None:
    store.create_analysis(_started("u1", "t1"), -1)
    store.create_analysis(_started("u1", "t2"), 60)


def test_user_tier_defaults_to_free_and_round_trips(store: Store) -> None:
    store.create_user(_user("u1", "a@x.io"))
    store.create_user(User(user_id="u2", email="b@x.io", password_hash="h", created_at=T0, tier="pro"))
    u1, u2 = store.get_user("u1"), store.get_user_by_email("b@x.io")
    assert u1 is not None and u1.tier == "free"
    assert u2 is not None and u2.tier == "pro"


def test_api_key_scopes_expiry_tier_and_get_by_owner(store: Store) -> None:
    key = ApiKey(
        key_id="a" * 16,
        user_id="u1",
        name="ci",
        prefix="mg_aaaa",
        key_hash="hash-a",
        created_at=T0,
        scopes=["read"],
        expires_at=T0 + timedelta(days=30),
        tier="pro",
        gateway_key_id="gw123",
    )
    store.put_api_key(key)
    assert store.get_api_key("u1", "a" * 16) == key
    assert store.get_api_key_by_hash("hash-a") == key
    assert store.get_api_key("u2", "a" * 16) is None  # another user's key id finds nothing
    assert store.get_api_key("u1", "b" * 16) is None
    plain = ApiKey(key_id="c" * 16, user_id="u1", name="n", prefix="p", key_hash="hash-c", created_at=T0)
    store.put_api_key(plain)
    got = store.get_api_key("u1", "c" * 16)
    assert got is not None and got.scopes == ["read", "analyze"] and got.expires_at is None
    assert got.tier == "free" and got.gateway_key_id is None


def test_refresh_family_rotates_once_per_token_and_revokes(store: Store) -> None:
    fam = RefreshFamily(
        family_id="f1", user_id="u1", current_jti="j1", created_at=T0, expires_at=T0 + timedelta(days=7)
    )
    store.put_refresh_family(fam)
    assert store.get_refresh_family("f1") == fam
    assert store.get_refresh_family("nope") is None
    later = T0 + timedelta(days=8)
    assert store.rotate_refresh_family("f1", "j1", "j2", later, 1_700_000_000) is True
    assert store.rotate_refresh_family("f1", "j1", "j3", later, 1_700_000_001) is False  # j1 was spent
    got = store.get_refresh_family("f1")
    assert got is not None and got.current_jti == "j2" and got.expires_at == later and not got.revoked
    assert got.previous_jti == "j1" and got.current_issued_at == 1_700_000_000
    assert store.rotate_refresh_family("missing", "j1", "j2", later, 0) is False
    store.revoke_refresh_family("f1")
    store.revoke_refresh_family("missing")  # no error
    revoked = store.get_refresh_family("f1")
    assert revoked is not None and revoked.revoked
    assert store.rotate_refresh_family("f1", "j2", "j4", later, 0) is False  # a revoked family is dead


def test_read_counter_sees_counts_without_counting(store: Store) -> None:
    future = int(datetime.now(UTC).timestamp()) + 600
    assert store.read_counter("k") == 0
    store.incr_counter("k", future)
    store.incr_counter("k", future)
    assert store.read_counter("k") == store.read_counter("k") == 2
    store.incr_counter("old", int(datetime.now(UTC).timestamp()) - 1)
    assert store.read_counter("old") == 0  # expired: TTL deletion is lazy


def test_counters_are_atomic_and_independent(store: Store) -> None:
    import threading

    assert store.incr_counter("user:u1#100", 2_000_000_000) == 1
    assert store.incr_counter("user:u1#100", 2_000_000_000) == 2
    assert store.incr_counter("user:u2#100", 2_000_000_000) == 1
    if isinstance(store, MemoryStore):  # moto's backend is not thread-safe; DynamoDB's ADD is atomic
        threads = [
            threading.Thread(target=lambda: [store.incr_counter("c", 2_000_000_000) for _ in range(50)])
            for _ in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert store.incr_counter("c", 2_000_000_000) == 201


def test_crafted_cursors_are_refused_not_sent_to_the_database(store: Store) -> None:
    import base64
    import json

    for n in range(3):
        store.put_analysis(_analysis("u1", n))
    crafted = [
        {"pk": {"S": "USER#u1"}, "sk": {"N": "1"}},
        {"gsi1pk": {"S": "USER#u1#ANALYSES"}, "gsi1sk": {"N": "x"}, "pk": {"S": "a"}, "sk": {"S": "b"}},
        {"gsi1pk": {"S": "USER#u1#ANALYSES"}},
        {"gsi1pk": {"S": "USER#u1#ANALYSES"}, "gsi1sk": {"S": ""}, "pk": {"S": "a"}, "sk": {"S": "b"}},
        ["not", "a", "dict"],
    ]
    for key in crafted:
        raw = json.dumps(key)
        cursor = base64.urlsafe_b64encode(raw.encode()).decode()
        with pytest.raises(InvalidCursor):
            store.list_analyses("u1", 2, cursor)
        with pytest.raises(InvalidCursor):
            store.list_api_keys("u1", 2, cursor)


def test_history_level_filter_finds_records_written_before_risk_level_was_kept() -> None:
    """Analyses stored before the risk_level attribute existed still match on their result."""
    with mock_aws():
        from moneygrow.store.dynamo import AnalysisItem, DynamoStore, Item

        store = DynamoStore("contract-test", "us-east-1")
        Item.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        for n, level in enumerate(["HIGH", "LOW", "HIGH"]):
            a = _analysis("u1", n)
            store.put_analysis(a.model_copy(update={"result": {"risk_level": level}}))
            AnalysisItem(pk=f"ANALYSIS#{a.task_id}", sk="ANALYSIS").update(
                actions=[AnalysisItem.risk_level.remove()]
            )
        page = store.list_analyses("u1", 10, None, level=RiskLevel.HIGH)
        assert [a.task_id for a in page.items] == [f"{2:032x}", f"{0:032x}"] and page.cursor is None

"""DynamoDB store (PynamoDB), single-table design.

Items (pk / sk / gsi1pk / gsi1sk):
- user profile        USER#<uid>      / PROFILE
- email uniqueness    EMAIL#<email>   / EMAIL                (user_id)
- API key             USER#<uid>      / APIKEY#<key_id>      gsi1: APIKEYHASH#<sha256> / APIKEY
- running-task lock   USER#<uid>      / ACTIVE#<chain>#<addr> (task_id, expires_at TTL)
- analysis            ANALYSIS#<tid>  / ANALYSIS             gsi1: USER#<uid>#ANALYSES / <created iso>#<tid>
                      (chain, and risk_level copied from the result for the history filters)
- refresh family      REFRESH#<fid>   / FAMILY               (user_id, current_jti, revoked, expires_at TTL)
- rate-limit counter  RATE#<bucket>#<window start> / COUNTER (hits, expires_at TTL)

An API key's own expiry is `valid_until`, not the table's TTL attribute: an expired key is refused by
the app but stays listed (and revocable, which also removes it from API Gateway).

Access patterns: user by id / by email, key by hash (gsi1), keys of a user (pk query),
analysis by task id, analyses of a user newest first (gsi1 query, descending), optionally only
those on a chain and/or with a risk level: the same query with a filter expression. A filter saves
no reads (DynamoDB bills every item the query evaluates, ~8 KB and 1 RRU eventually consistent
each with its verdict, before filtering), so one call evaluates at most _FILTER_MAX_READ items, in
queries of _FILTER_PAGE: at most ~500 RRU (~$0.000125) per call however selective the filter;
the page then holds what matched so far with a cursor, which resumes right after the last item
returned (or after the last evaluated when none matched). A sparse per-level/per-chain index would
read only matches, at the cost of a GSI's storage and writes on every analysis: worth it only if
users with thousands of analyses filter often.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from moneygrow.chains import Chain
from moneygrow.models import AnalysisStatus, RiskLevel
from moneygrow.store.base import ActiveTaskExists, EmailTaken, InvalidCursor, Page
from moneygrow.store.records import AgentProgress, Analysis, ApiKey, RefreshFamily, User, risk_level_of


class Gsi1(GlobalSecondaryIndex["Item"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Item(Model):
    class Meta:
        table_name = "moneygrow-local"  # replaced by DynamoStore from settings
        region = "us-east-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi1 = Gsi1()


class UserItem(Item, discriminator="user"):
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    tier = UnicodeAttribute(null=True)


class EmailItem(Item, discriminator="email"):
    user_id = UnicodeAttribute()


class ApiKeyItem(Item, discriminator="apikey"):
    key_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    name = UnicodeAttribute()
    prefix = UnicodeAttribute()
    key_hash = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    last_used_at = UTCDateTimeAttribute(null=True)
    scopes = JSONAttribute(null=True)
    valid_until = UTCDateTimeAttribute(null=True)
    tier = UnicodeAttribute(null=True)
    gateway_key_id = UnicodeAttribute(null=True)


class RefreshFamilyItem(Item, discriminator="refresh"):
    family_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    current_jti = UnicodeAttribute()
    previous_jti = UnicodeAttribute(null=True)
    current_issued_at = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    valid_until = UTCDateTimeAttribute()
    revoked = BooleanAttribute(default=False)
    expires_at = NumberAttribute()  # TTL: a day after the family's last token expires


class CounterItem(Item, discriminator="counter"):
    hits = NumberAttribute(default=0)
    expires_at = NumberAttribute()


class ActiveTaskItem(Item, discriminator="active"):
    task_id = UnicodeAttribute()
    expires_at = NumberAttribute()  # epoch seconds; the table's TTL attribute


class AnalysisItem(Item, discriminator="analysis"):
    task_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    token_address = UnicodeAttribute()
    chain = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    result = JSONAttribute(null=True)
    error = JSONAttribute(null=True)
    agents = JSONAttribute(null=True)
    risk_level = UnicodeAttribute(null=True)  # result["risk_level"], for the history filter
    # agent name -> {status, duration_ms, finished_at}: a native map, so that each agent sets only its
    # own entry (SET progress.<agent>), the one attribute the agents' IAM policy lets them write
    progress = MapAttribute[str, Any](null=True)  # type: ignore[no-untyped-call]


_MODELS: tuple[type[Item], ...] = (
    Item,
    UserItem,
    EmailItem,
    ApiKeyItem,
    ActiveTaskItem,
    AnalysisItem,
    RefreshFamilyItem,
    CounterItem,
)
_FAMILY_TTL_GRACE_S = 24 * 3600
_FILTER_PAGE = 100  # items a filtered history query evaluates per request (Limit)
_FILTER_MAX_READ = 500  # items one filtered history call evaluates at most


def _user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def _active_sk(chain: Chain, token_address: str) -> str:
    return f"ACTIVE#{chain.value}#{token_address.lower()}"


def _encode_cursor(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


def _decode_cursor(cursor: str | None, attr: str, expected: str) -> dict[str, Any] | None:
    """Decode a cursor and check it belongs to the caller's own partition (no cross-user paging)."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError as exc:  # bad base64, bad UTF-8 and bad JSON are all ValueErrors
        raise InvalidCursor("cursor is not valid") from exc
    if not isinstance(key, dict) or key.get(attr) != {"S": expected}:
        raise InvalidCursor("cursor does not belong to this listing")
    # exactly the key attributes DynamoDB returned, all strings: a crafted cursor must not reach
    # DynamoDB as a malformed ExclusiveStartKey (a ValidationException would be a 500)
    names = {"pk", "sk"} | ({"gsi1pk", "gsi1sk"} if attr == "gsi1pk" else set())
    if set(key) != names or not all(
        isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) and 0 < len(v["S"]) <= 1024
        for v in key.values()
    ):
        raise InvalidCursor("cursor is not valid")
    return key


def _to_analysis(item: AnalysisItem) -> Analysis:
    return Analysis(
        task_id=item.task_id,
        user_id=item.user_id,
        token_address=item.token_address,
        chain=Chain(item.chain),
        status=AnalysisStatus(item.status),
        created_at=item.created_at,
        updated_at=item.updated_at,
        completed_at=item.completed_at,
        result=item.result,
        error=item.error,
        agents=item.agents or [],
        progress=item.progress.as_dict() if item.progress is not None else {},  # type: ignore[no-untyped-call]
    )


def _to_api_key(item: ApiKeyItem) -> ApiKey:
    return ApiKey(
        key_id=item.key_id,
        user_id=item.user_id,
        name=item.name,
        prefix=item.prefix,
        key_hash=item.key_hash,
        created_at=item.created_at,
        last_used_at=item.last_used_at,
        scopes=item.scopes if item.scopes is not None else ["read", "analyze"],
        expires_at=item.valid_until,
        tier=item.tier or "free",
        gateway_key_id=item.gateway_key_id,
    )


def _to_family(item: RefreshFamilyItem) -> RefreshFamily:
    return RefreshFamily(
        family_id=item.family_id,
        user_id=item.user_id,
        current_jti=item.current_jti,
        created_at=item.created_at,
        expires_at=item.valid_until,
        revoked=bool(item.revoked),
        previous_jti=item.previous_jti or "",
        current_issued_at=int(item.current_issued_at or 0),
    )


def bind_models(models: tuple[type[Item], ...], table_name: str, region: str) -> None:
    """Point these item classes (and the base Item, which queries gsi1) at the configured table."""
    everything: tuple[type[Item], ...] = (Item, *models)
    for model in everything:
        model.Meta.table_name = table_name
        model.Meta.region = region
        model._connection = None


class DynamoStore:
    """The Store on DynamoDB. The endpoint comes from botocore's standard configuration
    (AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_DYNAMODB locally), so cloud and local share one path."""

    def __init__(self, table_name: str, region: str) -> None:
        bind_models(_MODELS, table_name, region)
        # One connection for the transactions: a new one per call builds a botocore client (~0.4 s).
        self._connection = Connection(region=region)
        self._table_name = table_name
        self._region = region

    # users
    def create_user(self, user: User) -> None:
        email_key = f"EMAIL#{user.email}"
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(
                    EmailItem(pk=email_key, sk="EMAIL", user_id=user.user_id),
                    condition=EmailItem.pk.does_not_exist(),
                )
                tx.save(
                    UserItem(pk=_user_pk(user.user_id), sk="PROFILE", **user.model_dump()),
                    condition=UserItem.pk.does_not_exist(),
                )
        except TransactWriteError as exc:
            if exc.cause_response_code == "TransactionCanceledException":
                raise EmailTaken(user.email) from exc
            raise

    def set_user_tier(self, user_id: str, tier: str) -> None:
        UserItem(pk=_user_pk(user_id), sk="PROFILE").update(
            actions=[UserItem.tier.set(tier)], condition=UserItem.pk.exists()
        )

    def get_user(self, user_id: str) -> User | None:
        try:
            item = UserItem.get(_user_pk(user_id), "PROFILE", consistent_read=True)
        except DoesNotExist:
            return None
        return User(
            user_id=item.user_id,
            email=item.email,
            password_hash=item.password_hash,
            created_at=item.created_at,
            tier=item.tier or "free",
        )

    def get_user_by_email(self, email: str) -> User | None:
        try:
            pointer = EmailItem.get(f"EMAIL#{email}", "EMAIL", consistent_read=True)
        except DoesNotExist:
            return None
        return self.get_user(pointer.user_id)

    # API keys
    def put_api_key(self, key: ApiKey) -> None:
        data = key.model_dump()
        data["valid_until"] = data.pop("expires_at")
        ApiKeyItem(
            pk=_user_pk(key.user_id),
            sk=f"APIKEY#{key.key_id}",
            gsi1pk=f"APIKEYHASH#{key.key_hash}",
            gsi1sk="APIKEY",
            **data,
        ).save(condition=ApiKeyItem.pk.does_not_exist())

    def get_api_key(self, user_id: str, key_id: str) -> ApiKey | None:
        try:
            item = ApiKeyItem.get(_user_pk(user_id), f"APIKEY#{key_id}", consistent_read=True)
        except DoesNotExist:
            return None
        return _to_api_key(item) if isinstance(item, ApiKeyItem) else None

    def get_api_key_by_hash(self, key_hash: str) -> ApiKey | None:
        for item in Item.gsi1.query(f"APIKEYHASH#{key_hash}", limit=1):
            if isinstance(item, ApiKeyItem):
                return _to_api_key(item)
        return None

    def list_api_keys(self, user_id: str, limit: int, cursor: str | None) -> Page[ApiKey]:
        pk = _user_pk(user_id)
        result = ApiKeyItem.query(
            pk,
            ApiKeyItem.sk.startswith("APIKEY#"),
            limit=limit,
            last_evaluated_key=_decode_cursor(cursor, "pk", pk),
        )
        items = [_to_api_key(i) for i in result if isinstance(i, ApiKeyItem)]
        return Page(items, _encode_cursor(result.last_evaluated_key))

    def delete_api_key(self, user_id: str, key_id: str) -> bool:
        item = ApiKeyItem(pk=_user_pk(user_id), sk=f"APIKEY#{key_id}")
        try:
            item.delete(condition=ApiKeyItem.pk.exists())
        except Exception as exc:  # DeleteError wraps ConditionalCheckFailed
            if "ConditionalCheckFailed" in str(exc):
                return False
            raise
        return True

    def touch_api_key(self, user_id: str, key_id: str, when: datetime) -> None:
        item = ApiKeyItem(pk=_user_pk(user_id), sk=f"APIKEY#{key_id}")
        try:
            item.update(actions=[ApiKeyItem.last_used_at.set(when)], condition=ApiKeyItem.pk.exists())
        except Exception as exc:
            if "ConditionalCheckFailed" not in str(exc):
                raise

    # refresh-token families
    def put_refresh_family(self, family: RefreshFamily) -> None:
        RefreshFamilyItem(
            pk=f"REFRESH#{family.family_id}",
            sk="FAMILY",
            family_id=family.family_id,
            user_id=family.user_id,
            current_jti=family.current_jti,
            previous_jti=family.previous_jti or None,
            current_issued_at=family.current_issued_at or None,
            created_at=family.created_at,
            valid_until=family.expires_at,
            revoked=family.revoked,
            expires_at=int(family.expires_at.timestamp()) + _FAMILY_TTL_GRACE_S,
        ).save()

    def get_refresh_family(self, family_id: str) -> RefreshFamily | None:
        try:
            item = RefreshFamilyItem.get(f"REFRESH#{family_id}", "FAMILY", consistent_read=True)
        except DoesNotExist:
            return None
        return _to_family(item) if isinstance(item, RefreshFamilyItem) else None

    def rotate_refresh_family(
        self, family_id: str, expected_jti: str, new_jti: str, expires_at: datetime, issued_at: int
    ) -> bool:
        item = RefreshFamilyItem(pk=f"REFRESH#{family_id}", sk="FAMILY")
        try:
            item.update(
                actions=[
                    RefreshFamilyItem.current_jti.set(new_jti),
                    RefreshFamilyItem.previous_jti.set(expected_jti),
                    RefreshFamilyItem.current_issued_at.set(issued_at),
                    RefreshFamilyItem.valid_until.set(expires_at),
                    RefreshFamilyItem.expires_at.set(int(expires_at.timestamp()) + _FAMILY_TTL_GRACE_S),
                ],
                condition=RefreshFamilyItem.pk.exists()
                & (RefreshFamilyItem.current_jti == expected_jti)
                & (RefreshFamilyItem.revoked == False),  # noqa: E712 - a DynamoDB condition, not a bool
            )
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def revoke_refresh_family(self, family_id: str) -> None:
        item = RefreshFamilyItem(pk=f"REFRESH#{family_id}", sk="FAMILY")
        try:
            item.update(
                actions=[RefreshFamilyItem.revoked.set(True)], condition=RefreshFamilyItem.pk.exists()
            )
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise

    def read_counter(self, key: str) -> int:
        try:
            item = CounterItem.get(f"RATE#{key}", "COUNTER", consistent_read=True)
        except DoesNotExist:
            return 0
        expired = int(item.expires_at or 0) <= int(datetime.now(UTC).timestamp())
        return 0 if expired else int(item.hits or 0)  # TTL deletion is lazy

    # rate limiting: one atomic ADD per request (no read-modify-write), old windows expire by TTL
    def incr_counter(self, key: str, expires_at: int) -> int:
        item = CounterItem(pk=f"RATE#{key}", sk="COUNTER")
        item.update(
            actions=[
                CounterItem.hits.add(1),
                CounterItem.expires_at.set(expires_at),
                CounterItem.kind.set(CounterItem),
            ]
        )
        return int(item.hits)

    # analyses
    def create_analysis(self, analysis: Analysis, lock_ttl_s: int) -> None:
        now = int(datetime.now(UTC).timestamp())
        lock = ActiveTaskItem(
            pk=_user_pk(analysis.user_id),
            sk=_active_sk(analysis.chain, analysis.token_address),
            task_id=analysis.task_id,
            expires_at=now + lock_ttl_s,
        )
        try:
            # One transaction: whoever sees the lock also finds its record (no "orphaned" lock).
            with TransactWrite(connection=self._connection) as tx:
                # A lock past its expiry counts as free: TTL deletion in DynamoDB is lazy.
                tx.save(
                    lock, condition=ActiveTaskItem.pk.does_not_exist() | (ActiveTaskItem.expires_at < now)
                )
                tx.save(_analysis_item(analysis), condition=AnalysisItem.pk.does_not_exist())
        except TransactWriteError as exc:
            if exc.cause_response_code != "TransactionCanceledException":
                raise
            # Cancelled by the condition or by a concurrent transaction on the same lock.
            try:
                current = ActiveTaskItem.get(lock.pk, lock.sk, consistent_read=True)
            except DoesNotExist:
                raise ActiveTaskExists("") from exc
            raise ActiveTaskExists(current.task_id) from exc
        # Read the lock back: DynamoDB serialises transactions, but moto (the local stack and the
        # tests) does not, and there the last of two racing writers holds the lock. The loser takes
        # back its record, never returned to anyone, and reports the winner: one execution either way.
        holder = ActiveTaskItem.get(lock.pk, lock.sk, consistent_read=True).task_id
        if holder != analysis.task_id:
            AnalysisItem(pk=f"ANALYSIS#{analysis.task_id}", sk="ANALYSIS").delete()
            raise ActiveTaskExists(holder)

    def release_active_task(self, user_id: str, chain: Chain, token_address: str, task_id: str) -> None:
        lock = ActiveTaskItem(pk=_user_pk(user_id), sk=_active_sk(chain, token_address))
        try:
            lock.delete(condition=ActiveTaskItem.task_id == task_id)  # only our own lock
        except Exception as exc:
            if "ConditionalCheckFailed" not in str(exc):
                raise

    def put_analysis(self, analysis: Analysis) -> None:
        _analysis_item(analysis).save()

    def get_analysis(self, task_id: str) -> Analysis | None:
        try:
            item = AnalysisItem.get(f"ANALYSIS#{task_id}", "ANALYSIS", consistent_read=True)
        except DoesNotExist:
            return None
        return _to_analysis(item)

    def update_analysis(self, task_id: str, **changes: Any) -> Analysis:
        item = AnalysisItem(pk=f"ANALYSIS#{task_id}", sk="ANALYSIS")
        changes.setdefault("updated_at", datetime.now(UTC))
        if "result" in changes:  # kept beside the result for the history filter
            changes["risk_level"] = risk_level_of(changes["result"])
        actions = [
            getattr(AnalysisItem, name).remove() if value is None else getattr(AnalysisItem, name).set(value)
            for name, value in changes.items()
        ]
        item.update(actions=actions, condition=AnalysisItem.pk.exists())  # refreshes item with ALL_NEW
        return _to_analysis(item)

    def record_agent_progress(self, task_id: str, agent: str, progress: AgentProgress) -> bool:
        """UpdateItem on ANALYSIS#<task_id> that reads pk (the condition), writes only `progress` and
        returns nothing (ReturnValues NONE): all that the agents' IAM policy allows them."""
        entry = progress.model_dump(mode="json")
        table = AnalysisItem._get_connection()
        key = (f"ANALYSIS#{task_id}", "ANALYSIS")
        exists = AnalysisItem.pk.exists()
        for _ in range(2):
            try:
                table.update_item(
                    *key,
                    actions=[AnalysisItem.progress[agent].set(entry)],
                    condition=exists,
                    return_values="NONE",
                )
                return True
            except UpdateError as exc:
                if exc.cause_response_code == "ConditionalCheckFailedException":
                    return False  # no such analysis
                if exc.cause_response_code != "ValidationException":
                    raise
            # ValidationException: no map to set an entry in (a record written before progress was
            # kept): create it, unless another agent just did (then set the entry in theirs)
            try:
                table.update_item(
                    *key,
                    actions=[AnalysisItem.progress.set({agent: entry})],
                    condition=exists & AnalysisItem.progress.does_not_exist(),
                    return_values="NONE",
                )
                return True
            except UpdateError as exc:
                if exc.cause_response_code != "ConditionalCheckFailedException":
                    raise
        return False

    def list_analyses(
        self,
        user_id: str,
        limit: int,
        cursor: str | None,
        *,
        chain: Chain | None = None,
        level: RiskLevel | None = None,
    ) -> Page[Analysis]:
        hk = f"USER#{user_id}#ANALYSES"
        start = _decode_cursor(cursor, "gsi1pk", hk)
        if chain is not None or level is not None:
            return _filtered_analyses(hk, limit, start, chain, level)
        result = Item.gsi1.query(hk, scan_index_forward=False, limit=limit, last_evaluated_key=start)
        items = [_to_analysis(i) for i in result if isinstance(i, AnalysisItem)]
        return Page(items, _encode_cursor(result.last_evaluated_key))

    def ping(self) -> None:
        Item.describe_table()


def _filtered_analyses(
    hk: str, limit: int, start: dict[str, Any] | None, chain: Chain | None, level: RiskLevel | None
) -> Page[Analysis]:
    """The gsi1 query with a filter expression, page by page (see the module docstring for the cost).
    Records written before risk_level was kept beside the result have none: the filter lets them
    through and Analysis.matches decides on the result itself."""
    condition = None
    if chain is not None:
        condition = AnalysisItem.chain == chain.value
    if level is not None:
        by_level = (AnalysisItem.risk_level == level.value) | AnalysisItem.risk_level.does_not_exist()
        condition = by_level if condition is None else condition & by_level
    query = Item.gsi1.query(
        hk,
        scan_index_forward=False,
        filter_condition=condition,
        last_evaluated_key=start,
        page_size=_FILTER_PAGE,
    )
    items: list[Analysis] = []
    read = 0
    for page in query.page_iter:
        read += page.get("ScannedCount", 0)
        rows = page.get("Items", [])
        end = query.page_iter.last_evaluated_key  # None: this was the partition's last page
        for i, raw in enumerate(rows):
            item = Item.from_raw_data(raw)
            if not isinstance(item, AnalysisItem) or not (found := _to_analysis(item)).matches(chain, level):
                continue
            items.append(found)
            if len(items) == limit:  # resume right after this item (the rest of the page unread)
                last = i == len(rows) - 1 and end is None
                return Page(items, None if last else _encode_cursor({k: raw[k] for k in _GSI1_KEY}))
        if end is None:
            return Page(items, None)
        if read >= _FILTER_MAX_READ:  # enough read for one call: a short page, resumable
            return Page(items, _encode_cursor(end))
    return Page(items, None)


_GSI1_KEY = ("pk", "sk", "gsi1pk", "gsi1sk")


def _analysis_item(analysis: Analysis) -> AnalysisItem:
    data = analysis.model_dump()
    data["chain"] = analysis.chain.value
    data["status"] = analysis.status.value
    data["progress"] = {name: p.model_dump(mode="json") for name, p in analysis.progress.items()}
    return AnalysisItem(
        pk=f"ANALYSIS#{analysis.task_id}",
        sk="ANALYSIS",
        gsi1pk=f"USER#{analysis.user_id}#ANALYSES",
        gsi1sk=f"{analysis.created_at.isoformat()}#{analysis.task_id}",
        risk_level=analysis.risk_level,
        **data,
    )

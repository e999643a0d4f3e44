"""The wallet registry on the application table (PynamoDB, same single-table design as dynamo.py).

Items (pk / sk):
- wallet profile   WALLET#<chain>#<address>  / PROFILE        label, category (seed); score, smart,
                                                                mev, stats, scored_at (registry job)
- token record     WALLET#<chain>#<address>  / TOKEN#<token>  record (moneygrow.smartmoney.scoring)
- tracked token    TRACKED                   / <chain>#<token> added_at, scanned_at, scanned_block

Labels and scores are written with UpdateItem on their own attributes, so neither overwrites the
other; records are whole-item puts. The agent reads profiles with BatchGetItem (100 keys a call).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from moneygrow.chains import Chain
from moneygrow.store.dynamo import Item, bind_models
from moneygrow.store.wallets import TrackedToken, WalletProfile, norm


class WalletItem(Item, discriminator="wallet"):
    label = UnicodeAttribute(null=True)
    category = UnicodeAttribute(null=True)
    score = NumberAttribute(null=True)
    smart = BooleanAttribute(null=True)
    mev = BooleanAttribute(null=True)
    stats = JSONAttribute(null=True)
    scored_at = UTCDateTimeAttribute(null=True)


class WalletRecordItem(Item, discriminator="wallet_record"):
    record = JSONAttribute()


class TrackedTokenItem(Item, discriminator="tracked"):
    added_at = UTCDateTimeAttribute()
    scanned_at = UTCDateTimeAttribute(null=True)
    scanned_block = NumberAttribute(null=True)


_MODELS: tuple[type[Item], ...] = (WalletItem, WalletRecordItem, TrackedTokenItem)
_TRACKED = "TRACKED"


def _pk(chain: Chain, address: str) -> str:
    return f"WALLET#{chain.value}#{norm(address).lower()}"


def _profile(chain: Chain, item: WalletItem) -> WalletProfile:
    return WalletProfile(
        chain=chain,
        address=norm(item.pk.rsplit("#", 1)[1]),
        label=item.label or "",
        category=item.category or "",
        score=None if item.score is None else int(item.score),
        smart=bool(item.smart),
        mev=bool(item.mev),
        stats=item.stats or {},
        scored_at=item.scored_at,
    )


class DynamoWalletRegistry:
    def __init__(self, table_name: str, region: str) -> None:
        bind_models(_MODELS, table_name, region)

    def get_wallets(self, chain: Chain, addresses: Sequence[str]) -> dict[str, WalletProfile]:
        keys = list(dict.fromkeys((_pk(chain, a), "PROFILE") for a in addresses))
        out: dict[str, WalletProfile] = {}
        for item in WalletItem.batch_get(keys):
            if isinstance(item, WalletItem):
                profile = _profile(chain, item)
                out[profile.address] = profile
        return out

    def put_labels(self, chain: Chain, labels: Sequence[tuple[str, str, str]]) -> int:
        for address, label, category in labels:
            WalletItem(pk=_pk(chain, address), sk="PROFILE").update(
                actions=[
                    WalletItem.label.set(label),
                    WalletItem.category.set(category),
                    WalletItem.kind.set(WalletItem),
                ]
            )
        return len(labels)

    def put_records(self, chain: Chain, token: str, records: dict[str, dict[str, Any]]) -> None:
        with WalletRecordItem.batch_write() as batch:
            for wallet, record in records.items():
                batch.save(
                    WalletRecordItem(pk=_pk(chain, wallet), sk=f"TOKEN#{norm(token).lower()}", record=record)
                )

    def records_of(self, chain: Chain, wallet: str) -> list[dict[str, Any]]:
        found = WalletRecordItem.query(_pk(chain, wallet), WalletRecordItem.sk.startswith("TOKEN#"))
        return [dict(i.record) for i in found if isinstance(i, WalletRecordItem)]

    def put_score(self, chain: Chain, wallet: str, score: dict[str, Any], when: datetime) -> None:
        WalletItem(pk=_pk(chain, wallet), sk="PROFILE").update(
            actions=[
                WalletItem.score.set(int(score["score"])),
                WalletItem.smart.set(bool(score["smart"])),
                WalletItem.mev.set(bool(score["mev"])),
                WalletItem.stats.set(dict(score)),
                WalletItem.scored_at.set(when),
                WalletItem.kind.set(WalletItem),
            ]
        )

    def track_token(self, chain: Chain, token: str, when: datetime) -> None:
        item = TrackedTokenItem(pk=_TRACKED, sk=f"{chain.value}#{norm(token).lower()}", added_at=when)
        try:
            item.save(
                condition=TrackedTokenItem.pk.does_not_exist()
            )  # keep the first added_at and scan state
        except Exception as exc:  # PutError wraps ConditionalCheckFailed
            if "ConditionalCheckFailed" not in str(exc):
                raise

    def tracked_tokens(self) -> list[TrackedToken]:
        out: list[TrackedToken] = []
        for item in TrackedTokenItem.query(_TRACKED):
            if isinstance(item, TrackedTokenItem):
                chain, token = item.sk.split("#", 1)
                out.append(
                    TrackedToken(
                        chain=Chain(chain),
                        token=norm(token),
                        added_at=item.added_at,
                        scanned_at=item.scanned_at,
                        scanned_block=None if item.scanned_block is None else int(item.scanned_block),
                    )
                )
        return out

    def mark_scanned(self, chain: Chain, token: str, block: int, when: datetime) -> None:
        TrackedTokenItem(pk=_TRACKED, sk=f"{chain.value}#{norm(token).lower()}").update(
            actions=[TrackedTokenItem.scanned_block.set(block), TrackedTokenItem.scanned_at.set(when)],
            condition=TrackedTokenItem.pk.exists(),
        )

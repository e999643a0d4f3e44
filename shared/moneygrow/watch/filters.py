"""The SNS filter policy of a user's subscriptions: their watched tokens, each with its threshold.

An alert carries message attributes (changes.Alert.attributes): `token` ("<chain>:<address>"),
`level_rank` and `risk_score` (the higher of before and after). A user's policy is an $or of one
branch per distinct threshold, listing the tokens that use it, so a subscriber receives only alerts
for their own tokens, at their own thresholds. SNS allows 150 value combinations per policy; a
branch counts one per token, so a watchlist of up to MAX_POLICY_TOKENS tokens always fits.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from moneygrow.watch.changes import LEVEL_RANK
from moneygrow.watch.records import AlertThreshold, ThresholdKind, WatchEntry

MAX_POLICY_TOKENS = 150
# Matches no alert: an empty watchlist must not mean "everything" (an absent policy would).
NOTHING: dict[str, Any] = {"token": ["none"]}


def token_attribute(chain: str, token_address: str) -> str:
    return f"{chain}:{token_address.lower()}"


def _condition(threshold: AlertThreshold) -> dict[str, Any]:
    if threshold.kind == ThresholdKind.LEVEL and threshold.level is not None:
        return {"level_rank": [{"numeric": [">=", LEVEL_RANK[threshold.level]]}]}
    if threshold.kind == ThresholdKind.SCORE and threshold.score is not None:
        return {"risk_score": [{"numeric": [">=", threshold.score]}]}
    return {}


def policy(watches: list[WatchEntry]) -> dict[str, Any]:
    if len(watches) > MAX_POLICY_TOKENS:
        raise ValueError(f"a filter policy holds at most {MAX_POLICY_TOKENS} tokens")
    groups: dict[str, tuple[dict[str, Any], list[str]]] = defaultdict(lambda: ({}, []))
    for w in watches:
        cond = _condition(w.threshold)
        key = repr(sorted(cond.items()))
        groups[key] = (cond, [*groups[key][1], token_attribute(w.chain.value, w.token_address)])
    branches = [{"token": sorted(tokens), **cond} for cond, tokens in groups.values()]
    if not branches:
        return dict(NOTHING)
    return branches[0] if len(branches) == 1 else {"$or": branches}

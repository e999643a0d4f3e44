"""Changes between verdicts, the alert they make, and who receives it (SNS filter policies, moto)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from moneygrow.adapters.sns import SnsAlertChannels
from moneygrow.chains import Chain
from moneygrow.watch import filters
from moneygrow.watch.changes import Alert, diff, snapshot
from moneygrow.watch.records import AlertThreshold, ThresholdKind, WatchEntry

T0 = datetime(2026, 1, 1, tzinfo=UTC)
A = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
B = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"


def result(level: str = "LOW", score: int = 10, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": "TOKEN",
        "risk_level": level,
        "risk_score": score,
        "heuristic_risks": [],
        "trade_simulation": {
            "can_buy": True,
            "can_sell": True,
            "buy_tax": 0.0,
            "sell_tax": 0.02,
            "transfer_tax": 0.0,
        },
        "liquidity": {"main_pair": "0xpair", "liquidity_native": 10.0, "lp_safe_share": 1.0},
        "token": {"symbol": "GOOD", "owner": "0x" + "aa" * 20},
    }
    return base | extra


def finding(kind: str, severity: str) -> dict[str, Any]:
    return {"type": kind, "severity": severity, "score": 50, "reason": "r", "evidence": {}}


def kinds(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return sorted(c.kind for c in diff(snapshot(old), snapshot(new)))


def test_nothing_changed_is_no_change_and_first_check_is_a_baseline() -> None:
    assert kinds(result(), result()) == []
    assert diff(None, snapshot(result("CRITICAL", 95))) == []
    # a score drifting within its level and a new LOW finding are kept silently
    assert kinds(result(score=10), result(score=18, heuristic_risks=[finding("new_contract", "LOW")])) == []


def test_each_change_a_holder_acts_on() -> None:
    honeypot = result(
        "CRITICAL",
        95,
        heuristic_risks=[finding("high_sell_tax", "CRITICAL")],
        trade_simulation={
            "can_buy": True,
            "can_sell": True,
            "buy_tax": 0.0,
            "sell_tax": 0.99,
            "transfer_tax": 0.0,
        },
    )
    assert kinds(result(), honeypot) == ["level", "new_finding", "tax"]
    (tax,) = [c for c in diff(snapshot(result()), snapshot(honeypot)) if c.kind == "tax"]
    assert (tax.field, tax.old, tax.new) == ("sell", 0.02, 0.99)
    pulled = result(liquidity={"main_pair": "0xpair", "liquidity_native": 0.01, "lp_safe_share": 1.0})
    assert kinds(result(), pulled) == ["liquidity_removed"]
    no_pool = result(liquidity=None, heuristic_risks=[finding("no_liquidity", "HIGH")])
    assert "liquidity_removed" in kinds(result(), no_pool)
    unlocked = result(liquidity={"main_pair": "0xpair", "liquidity_native": 10.0, "lp_safe_share": 0.1})
    assert kinds(result(), unlocked) == ["liquidity_unlocked"]
    new_owner = result(token={"symbol": "GOOD", "owner": "0x" + "bb" * 20})
    assert kinds(result(), new_owner) == ["ownership"]


def test_a_contract_that_stops_being_a_token_is_a_change() -> None:
    gone = {"kind": "NOT_A_TOKEN", "risk_level": None, "risk_score": None, "heuristic_risks": []}
    (change,) = diff(snapshot(result()), snapshot(gone))
    assert change.kind == "not_a_token" and change.severity == "CRITICAL"


def test_unmeasured_is_not_a_change() -> None:
    # a failed simulation or owner read (None) is not "tax changed" or "owner changed"
    degraded = result(trade_simulation=None, token={"symbol": "GOOD"}, liquidity=None)
    assert kinds(result(), degraded) == []


def _alert(token: str, old: tuple[str, int], new: tuple[str, int]) -> Alert:
    changes = diff(snapshot(result(*old)), snapshot(result(*new)))
    return Alert(
        alert_id="t" * 32,
        chain="ethereum",
        token_address=token,
        checked_at=T0.isoformat(),
        previous={"risk_level": old[0], "risk_score": old[1]},
        current={"risk_level": new[0], "risk_score": new[1]},
        changes=changes,
        result_url="http://app/analyses/" + "t" * 32,
    )


@pytest.fixture
def sns_world() -> Iterator[tuple[SnsAlertChannels, Any, Any]]:
    with mock_aws():
        sns, sqs = boto3.client("sns", region_name="us-east-1"), boto3.client("sqs", region_name="us-east-1")
        topic = sns.create_topic(Name="alerts")["TopicArn"]
        yield SnsAlertChannels(topic, sns), sns, sqs


def _queue_for(sns: Any, sqs: Any, topic: str, name: str, policy: dict[str, Any]) -> str:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"FilterPolicy": json.dumps(policy), "RawMessageDelivery": "true"},
    )
    return str(url)


def _received(sqs: Any, url: str) -> list[dict[str, Any]]:
    msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in msgs]


def test_filter_policies_deliver_only_each_users_tokens_at_their_thresholds(
    sns_world: tuple[SnsAlertChannels, Any, Any],
) -> None:
    channels, sns, sqs = sns_world
    high = AlertThreshold(kind=ThresholdKind.LEVEL, level="HIGH")

    def watch(user: str, token: str, threshold: AlertThreshold | None = None) -> WatchEntry:
        return WatchEntry(
            user_id=user,
            chain=Chain.ETHEREUM,
            token_address=token,
            threshold=threshold or AlertThreshold(),
            created_at=T0,
        )

    user_a = _queue_for(sns, sqs, channels.topic_arn, "a", filters.policy([watch("a", A)]))
    user_b = _queue_for(
        sns, sqs, channels.topic_arn, "b", filters.policy([watch("b", B, high), watch("b", A, high)])
    )
    nobody = _queue_for(sns, sqs, channels.topic_arn, "c", filters.policy([]))

    channels.publish(_alert(B, ("LOW", 10), ("MEDIUM", 40)))  # B below b's threshold
    channels.publish(_alert(B, ("LOW", 10), ("CRITICAL", 95)))  # B at b's threshold
    channels.publish(_alert(A, ("LOW", 10), ("MEDIUM", 40)))  # A: a (any change) only

    got_a, got_b = _received(sqs, user_a), _received(sqs, user_b)
    assert [(m["token_address"], m["current"]["risk_level"]) for m in got_a] == [(A, "MEDIUM")]
    assert [(m["token_address"], m["current"]["risk_level"]) for m in got_b] == [(B, "CRITICAL")]
    assert _received(sqs, nobody) == []
    assert got_b[0]["type"] == "token.risk_changed" and got_b[0]["changes"][0]["kind"] == "level"


def test_a_policy_stays_within_snss_combination_limit() -> None:
    watches = [
        WatchEntry(
            user_id="u",
            chain=Chain.BSC,
            token_address="0x" + f"{i:040x}",
            threshold=AlertThreshold(kind=ThresholdKind.SCORE, score=i % 3 * 30)
            if i % 2
            else AlertThreshold(),
            created_at=T0,
        )
        for i in range(filters.MAX_POLICY_TOKENS)
    ]
    policy = filters.policy(watches)
    combos = sum(len(branch["token"]) for branch in policy["$or"])
    assert combos == filters.MAX_POLICY_TOKENS <= 150
    with pytest.raises(ValueError):
        filters.policy([*watches, watches[0]])

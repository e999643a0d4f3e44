"""/watchlist, /alerts/subscriptions and /hooks over HTTP (FastAPI TestClient; SNS under moto)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient
from moto import mock_aws

from moneygrow.adapters.sns import SnsAlertChannels
from moneygrow.alerts.sns_messages import verify_sns_message
from moneygrow.config import Settings
from moneygrow.models import AnalysisStatus, utcnow
from moneygrow.store.memory import MemoryStore
from moneygrow.store.records import Analysis
from moneygrow.store.watch import MemoryWatchStore
from moneygrow.watch.records import RESCAN_OWNER
from tests.conftest import RecordingWorkflow
from tests.unit.test_alert_delivery import TOPIC, sns_envelope, sns_key  # noqa: F401  (fixture)
from tests.webhook_receiver import WebhookReceiver

A = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
B = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
DLQ = "arn:aws:sqs:us-east-1:123456789012:alert-delivery-dlq"
SNS = {"Content-Type": "text/plain; charset=UTF-8"}  # as SNS posts


@pytest.fixture
def world(sns_key: Any, issuer: Any) -> Iterator[dict[str, Any]]:  # noqa: F811
    from moneygrow_api import ApiDeps, create_app

    with mock_aws():
        sns = boto3.client("sns", region_name="us-east-1")
        sns.create_topic(Name=TOPIC.rsplit(":", 1)[1])
        settings = Settings(
            jwt_secret="unit-test-secret-" + "y" * 32, allow_private_webhooks=True, alerts_topic_arn=TOPIC
        )
        store, watch = MemoryStore(), MemoryWatchStore()
        deps = ApiDeps(
            settings=settings,
            store=store,
            workflow=RecordingWorkflow(),
            issuer=issuer,
            watch_store=watch,
            alerts=SnsAlertChannels(TOPIC, sns, dead_letter_arn=DLQ),
            verify_sns=partial(verify_sns_message, fetch_cert=lambda url: sns_key[1], topic_arn=TOPIC),
        )
        with TestClient(create_app(deps), raise_server_exceptions=False) as client:
            yield {"client": client, "store": store, "watch": watch, "sns": sns, "key": sns_key[0]}


def _login(client: TestClient, email: str) -> dict[str, str]:
    client.post("/auth/register", json={"email": email, "password": "a-long-Passw0rd!"})
    token = client.post("/auth/token", json={"email": email, "password": "a-long-Passw0rd!"}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def test_watchlist_crud_per_user_with_limits_and_clear_errors(world: dict[str, Any]) -> None:
    c = world["client"]
    alice, bob = _login(c, "alice@x.io"), _login(c, "bob@x.io")
    made = c.post("/watchlist", json={"token_address": A.lower(), "chain": "bsc"}, headers=alice)
    assert made.status_code == 201
    assert made.json()["token_address"] == A and made.json()["threshold"]["kind"] == "any_change"
    again = c.post(
        "/watchlist",
        json={"token_address": A, "chain": "bsc", "threshold": {"kind": "level", "level": "HIGH"}},
        headers=alice,
    )
    assert again.status_code == 200 and again.json()["threshold"] == {
        "kind": "level",
        "level": "HIGH",
        "score": None,
    }
    bad = c.post("/watchlist", json={"token_address": A, "threshold": {"kind": "score"}}, headers=alice)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"
    assert c.get("/watchlist", headers=bob).json() == {"items": [], "next_cursor": None}
    listed = c.get("/watchlist", headers=alice).json()["items"]
    assert [(w["chain"], w["token_address"]) for w in listed] == [("bsc", A)]
    for i in range(9):
        assert (
            c.post("/watchlist", json={"token_address": "0x" + f"{i + 1:040x}"}, headers=alice).status_code
            == 201
        )
    full = c.post("/watchlist", json={"token_address": B}, headers=alice)
    assert full.status_code == 409 and full.json()["error"]["details"] == {"limit": 10}
    page = c.get("/watchlist?limit=4", headers=alice).json()
    assert len(page["items"]) == 4 and page["next_cursor"]
    assert c.get(f"/watchlist?cursor={page['next_cursor']}", headers=bob).status_code == 400
    assert c.delete(f"/watchlist/bsc/{A}", headers=bob).status_code == 404
    assert c.delete(f"/watchlist/bsc/{A}", headers=alice).status_code == 204
    assert c.delete(f"/watchlist/bsc/{A}", headers=alice).status_code == 404


def test_a_rescan_is_readable_by_its_watchers_only(world: dict[str, Any]) -> None:
    c = world["client"]
    alice, bob = _login(c, "alice@x.io"), _login(c, "bob@x.io")
    c.post("/watchlist", json={"token_address": A, "chain": "bsc"}, headers=alice)
    now = utcnow()
    world["store"].put_analysis(
        Analysis(
            task_id="f" * 32,
            user_id=RESCAN_OWNER,
            token_address=A,
            chain="bsc",
            status=AnalysisStatus.COMPLETED,
            created_at=now,
            updated_at=now,
        )
    )
    assert c.get("/analysis/" + "f" * 32, headers=alice).status_code == 200
    assert c.get("/analysis/" + "f" * 32, headers=bob).status_code == 404


def _subscription_arns(sns: Any) -> dict[str, dict[str, str]]:
    subs = sns.list_subscriptions_by_topic(TopicArn=TOPIC)["Subscriptions"]
    return {
        s["SubscriptionArn"]: sns.get_subscription_attributes(SubscriptionArn=s["SubscriptionArn"])[
            "Attributes"
        ]
        for s in subs
    }


def test_webhook_subscription_confirmation_relay_and_unsubscribe(world: dict[str, Any]) -> None:
    c, sns, key = world["client"], world["sns"], world["key"]
    alice = _login(c, "alice@x.io")
    c.post("/watchlist", json={"token_address": A, "chain": "bsc"}, headers=alice)
    secret: dict[str, str] = {}
    with WebhookReceiver(lambda path: secret.get("value")) as rx:
        made = c.post("/alerts/subscriptions", json={"channel": "webhook", "endpoint": rx.url}, headers=alice)
        assert made.status_code == 201, made.text
        body = made.json()
        secret["value"] = body["signing_secret"]
        assert body["status"] == "pending_confirmation" and body["confirmation_sent"] is True
        sid = body["subscription_id"]
        (confirmation,) = rx.wait_for(1)
        assert confirmation.event_type == "subscription.confirmation"
        # SNS holds one subscription: the relay, filtered to alice's watchlist
        (attrs,) = _subscription_arns(sns).values()
        assert attrs["Endpoint"] == f"http://testserver/hooks/sns/{sid}"
        assert json.loads(attrs["FilterPolicy"]) == {"token": [f"bsc:{A.lower()}"]}
        # SNS retries a failed relay with backoff, then dead-letters it
        assert json.loads(attrs["RedrivePolicy"]) == {"deadLetterTargetArn": DLQ}
        assert json.loads(attrs["DeliveryPolicy"])["healthyRetryPolicy"]["numRetries"] >= 10
        c.post("/watchlist", json={"token_address": B, "chain": "bsc"}, headers=alice)
        (attrs,) = _subscription_arns(sns).values()
        assert sorted(json.loads(attrs["FilterPolicy"])["token"]) == sorted(
            [f"bsc:{A.lower()}", f"bsc:{B.lower()}"]
        )

        alert = json.dumps({"type": "token.risk_changed", "alert_id": "t1", "token_address": A})
        envelope = sns_envelope(key, message=alert)
        # unconfirmed: dropped (200, so SNS does not retry)
        assert c.post(f"/hooks/sns/{sid}", content=json.dumps(envelope), headers=SNS).json() == {
            "status": "dropped_unconfirmed"
        }
        confirm_url = confirmation.json()["confirm_url"].replace("http://testserver", "")
        assert c.get(confirm_url.replace("token=", "token=0")).status_code in (404, 422)
        assert c.get(confirm_url).json() == {"status": "confirmed"}
        assert c.get("/alerts/subscriptions", headers=alice).json()["items"][0]["status"] == "confirmed"

        assert c.post(f"/hooks/sns/{sid}", content=json.dumps(envelope), headers=SNS).json() == {
            "status": "delivered"
        }
        delivered = rx.wait_for(2)[1]
        assert delivered.verified and delivered.json()["alert_id"] == "t1"
        forged = dict(envelope, Message=alert.replace("t1", "t2"))
        assert c.post(f"/hooks/sns/{sid}", content=json.dumps(forged), headers=SNS).status_code == 403
        rx.fail_next(1)
        failed = c.post(f"/hooks/sns/{sid}", content=json.dumps(envelope), headers=SNS)
        assert failed.status_code == 502  # SNS retries, then dead-letters
        assert c.post(f"/hooks/sns/{sid}", content="not json", headers=SNS).status_code == 400

        unsubscribe = delivered.json()["unsubscribe_url"].replace("http://testserver", "")
        assert c.get(unsubscribe).json() == {"status": "unsubscribed"}
        assert _subscription_arns(sns) == {}
        assert c.get("/alerts/subscriptions", headers=alice).json()["items"] == []
        assert c.post(f"/hooks/sns/{sid}", content=json.dumps(envelope), headers=SNS).json() == {
            "status": "ignored"
        }


def test_email_and_sms_subscriptions_validation_and_isolation(world: dict[str, Any]) -> None:
    c = world["client"]
    alice, bob = _login(c, "alice@x.io"), _login(c, "bob@x.io")
    email = c.post(
        "/alerts/subscriptions", json={"channel": "email", "endpoint": "alice@x.io"}, headers=alice
    )
    assert email.status_code == 201 and email.json()["signing_secret"] is None
    sms = c.post("/alerts/subscriptions", json={"channel": "sms", "endpoint": "+15555550100"}, headers=alice)
    assert sms.status_code == 201 and sms.json()["status"] == "confirmed"
    for channel, endpoint in (
        ("sms", "555-0100"),
        ("email", "nope"),
        ("webhook", "ftp://x.io/h"),
        ("pager", "x"),
    ):
        bad = c.post("/alerts/subscriptions", json={"channel": channel, "endpoint": endpoint}, headers=alice)
        assert bad.status_code == 422, (channel, bad.text)
    c.post("/alerts/subscriptions", json={"channel": "email", "endpoint": "a2@x.io"}, headers=alice)
    over = c.post("/alerts/subscriptions", json={"channel": "email", "endpoint": "a3@x.io"}, headers=alice)
    assert over.status_code == 409
    assert c.get("/alerts/subscriptions", headers=bob).json()["items"] == []
    sid = email.json()["subscription_id"]
    assert c.delete(f"/alerts/subscriptions/{sid}", headers=bob).status_code == 404
    assert c.delete(f"/alerts/subscriptions/{sid}", headers=alice).status_code == 204
    protocols = sorted(a["Protocol"] for a in _subscription_arns(world["sns"]).values())
    assert protocols == ["email", "sms"]  # the deleted one is gone from SNS too

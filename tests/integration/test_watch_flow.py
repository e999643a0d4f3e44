"""Watchlists end to end: the schedule rescans a watched zoo token on the local chain through the
synthesized workflow (moto server + the real handlers), the owner raises the sell tax to 99 %, and a
signed alert reaches the user's webhook through SNS and the API's relay within one cycle; nothing
is sent while nothing changes, another user hears nothing, and a failing Notify lands in its DLQ.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devstack.aws import LocalAws, load_template, server_url, start_server, synth
from devstack.schedule import LocalRule, LocalSchedules, scheduled_rules
from tests.webhook_receiver import WebhookReceiver

PASSWORD = "a-long-Passw0rd!"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _reset() -> None:
    from moneygrow.agents.runner import default_deps
    from moneygrow.config import get_settings
    from moneygrow.store.factory import default_store, default_watch_store

    for cached in (get_settings, default_deps, default_store, default_watch_store):
        cached.cache_clear()


@pytest.fixture(scope="module")
def stack(world: dict[str, Any], anvil: Any) -> Iterator[dict[str, Any]]:
    import uvicorn

    moto_port, api_port = _free_port(), _free_port()
    moto_url, api_url = server_url(moto_port), f"http://127.0.0.1:{api_port}"
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {
            "MOTO_PORT": str(moto_port),
            "AWS_ENDPOINT_URL": moto_url,
            "MONEYGROW_RPC_URLS": json.dumps({c: [anvil.url] for c in ("ethereum", "bsc", "polygon")}),
            "MONEYGROW_RESCAN_EVERY_S": "0",  # due again at once: every cycle rescans
            "MONEYGROW_ALLOW_PRIVATE_WEBHOOKS": "true",
            "MONEYGROW_LOCAL_SNS_URL": moto_url,
            "MONEYGROW_PUBLIC_API_URL": api_url,
            "MONEYGROW_APP_URL": "http://app.test",
            "MONEYGROW_CHECK_CODE_AT_SUBMIT": "false",
        }.items():
            mp.setenv(key, value)
        server = start_server(moto_port)
        try:
            with LocalAws(
                load_template(synth()), endpoint_url=moto_url, prefix="moneygrow-watch", retry_sleep=0.0
            ) as aws:
                resources = aws.provision()
                for key, value in resources.env().items():
                    mp.setenv(key, value)
                _reset()
                from moneygrow_api import create_app

                api = uvicorn.Server(
                    uvicorn.Config(create_app(), host="127.0.0.1", port=api_port, log_level="warning")
                )
                thread = threading.Thread(target=api.run, daemon=True)
                thread.start()
                deadline = time.monotonic() + 20
                while not api.started and time.monotonic() < deadline:
                    time.sleep(0.05)
                (rescan,) = [
                    r for r in scheduled_rules(aws.template, resources) if "rescan" in str(r.function.source)
                ]
                yield {"api": api_url, "aws": aws, "resources": resources, "rescan": rescan}
                api.should_exit = True
                thread.join(timeout=10)
        finally:
            server.stop()
            _reset()


def _login(api: str, email: str) -> dict[str, str]:
    httpx.post(f"{api}/auth/register", json={"email": email, "password": PASSWORD}).raise_for_status()
    token = httpx.post(f"{api}/auth/token", json={"email": email, "password": PASSWORD}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def _cycle(stack: dict[str, Any], user: dict[str, str], token: str) -> dict[str, Any]:
    """One schedule cycle, then wait until the rescan's Notify step has compared the token."""
    before = _last_check(stack, user, token)
    summary = LocalSchedules([stack["rescan"]], stack["aws"].bridge).fire(stack["rescan"])
    assert summary.get("started", 0) >= 1 and not summary.get("deferred"), summary
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        last = _last_check(stack, user, token)
        if last and last != before:
            return last
        time.sleep(0.2)
    raise AssertionError("the rescan was not compared within 60 s")


def _last_check(stack: dict[str, Any], user: dict[str, str], token: str) -> dict[str, Any] | None:
    items = httpx.get(f"{stack['api']}/watchlist", headers=user).json()["items"]
    return next((w["last_check"] for w in items if w["token_address"] == token), None)


def _subscribe(api: str, user: dict[str, str], rx: WebhookReceiver, secrets: dict[str, str]) -> str:
    made = httpx.post(
        f"{api}/alerts/subscriptions", json={"channel": "webhook", "endpoint": rx.url}, headers=user
    )
    assert made.status_code == 201, made.text
    secrets["value"] = made.json()["signing_secret"]
    (confirmation,) = rx.wait_for_confirmations(1)
    assert confirmation.status == 200
    return str(made.json()["subscription_id"])


def test_a_raised_sell_tax_reaches_the_watchers_webhook_signed_within_one_cycle(
    stack: dict[str, Any], world: dict[str, Any], anvil: Any, chain_snapshot: str
) -> None:
    api = stack["api"]
    token = world["zoo"]["FeeRatio"]
    alice, bob = _login(api, "alice@watch.test"), _login(api, "bob@watch.test")
    assert httpx.post(f"{api}/watchlist", json={"token_address": token}, headers=alice).status_code == 201
    other = world["zoo"]["FeeToken"]
    assert httpx.post(f"{api}/watchlist", json={"token_address": other}, headers=bob).status_code == 201
    alice_secret: dict[str, str] = {}
    bob_secret: dict[str, str] = {}
    with (
        WebhookReceiver(lambda _p: alice_secret.get("value"), auto_confirm=True) as rx,
        WebhookReceiver(lambda _p: bob_secret.get("value"), auto_confirm=True) as rx_bob,
    ):
        _subscribe(api, alice, rx, alice_secret)
        _subscribe(api, bob, rx_bob, bob_secret)
        subs = httpx.get(f"{api}/alerts/subscriptions", headers=alice).json()["items"]
        assert [s["status"] for s in subs] == ["confirmed"]

        baseline = _cycle(stack, alice, token)  # the first rescan: the state later ones compare with
        assert baseline["risk_level"] in ("LOW", "MEDIUM", "HIGH", "CRITICAL")
        assert _cycle(stack, alice, token)["task_id"] != baseline["task_id"]  # nothing changed
        time.sleep(0.5)
        assert len(rx.deliveries) == 1  # the confirmation only

        _raise_sell_tax(anvil.url, world["zoo_details"]["FeeRatio"]["deployer"], token)
        after = _cycle(stack, alice, token)
        (_, alert) = rx.wait_for(2, timeout=30)
        assert alert.verified and alert.event_type == "token.risk_changed"
        body = alert.json()
        assert body["alert_id"] == after["task_id"] and body["token_address"] == token
        changes = {c["kind"]: c for c in body["changes"]}
        assert changes["tax"]["field"] == "sell" and changes["tax"]["new"] > 0.9 > changes["tax"]["old"]
        assert body["previous"]["risk_level"] == baseline["risk_level"]
        assert body["current"]["risk_level"] == "CRITICAL"
        assert body["result_url"] == f"http://app.test/analyses/{after['task_id']}"
        assert body["unsubscribe_url"].startswith(f"{api}/hooks/unsubscribe/")
        # the alert's rescan is readable by its watcher, not by anyone else
        assert httpx.get(f"{api}/analysis/{after['task_id']}", headers=alice).status_code == 200
        assert httpx.get(f"{api}/analysis/{after['task_id']}", headers=bob).status_code == 404
        assert len(rx_bob.deliveries) == 1  # bob's confirmation, never alice's alert
    # (the same trap seen again is not a second alert: tests/unit/test_watch_schedule.py)
    for user, watched in ((alice, token), (bob, other)):
        assert httpx.delete(f"{api}/watchlist/ethereum/{watched}", headers=user).status_code == 204


def _raise_sell_tax(rpc_url: str, owner: str, token: str) -> None:
    from devstack.chain import _web3, load_artifact
    from devstack.zoo import _Actor

    actor = _Actor(_web3(rpc_url), rpc_url, owner)
    try:
        actor.call(token, load_artifact("FeeRatio")["abi"], "setRatio", 9900)
    finally:
        actor.close()


def test_a_failing_notify_step_sends_the_task_to_its_dead_letter_queue(
    stack: dict[str, Any], world: dict[str, Any]
) -> None:
    api, aws, resources = stack["api"], stack["aws"], stack["resources"]
    carol = _login(api, "carol@watch.test")
    token = world["zoo"]["PlainToken"]
    httpx.post(f"{api}/watchlist", json={"token_address": token}, headers=carol).raise_for_status()
    rule: LocalRule = stack["rescan"]
    notify = next(fn for fn in resources.functions.values() if str(fn.source).endswith("functions/notify"))

    def broken(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise RuntimeError("the alerts topic is unreachable")

    original = aws.bridge.handler(notify)
    aws.bridge._handlers[notify.name] = broken
    try:
        summary = LocalSchedules([rule], aws.bridge).fire(rule)
        queue = next(url for lid, url in resources.queues.items() if "NotifyDlq" in lid)
        sqs = aws.client("sqs")
        deadline, tasks = time.monotonic() + 60, []
        while len(tasks) < summary["started"] and time.monotonic() < deadline:
            got = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1, MaxNumberOfMessages=10)
            tasks += [json.loads(m["Body"]) for m in got.get("Messages", [])]
    finally:
        aws.bridge._handlers[notify.name] = original
    # every rescan of this cycle (carol's token and the others') went to the DLQ, once each
    assert len(tasks) == summary["started"]
    (task,) = [t for t in tasks if t["token_address"] == token]
    assert task["user_id"] == "watchlist" and task["error"]["Error"] == "RuntimeError"

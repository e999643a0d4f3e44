"""Alert delivery (issue 13): webhook signatures, the URL policy, deliveries, SNS verification, relay."""

from __future__ import annotations

import base64
import datetime as dt
import json
import socket
import ssl
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from moneygrow.alerts import relay as relay_mod
from moneygrow.alerts import sns_messages, webhooks
from moneygrow.alerts.relay import RelayOutcome, WebhookTarget, confirm_subscribe_url, relay
from moneygrow.alerts.sns_messages import (
    CertCache,
    InvalidSnsMessage,
    SnsUnavailable,
    fetch_cert_https,
    verify_sns_message,
)
from moneygrow.alerts.webhooks import DeliveryFailed, check_webhook_url, deliver, sign, verify
from moneygrow.errors import ValidationFailed
from tests.webhook_receiver import WebhookReceiver

SECRET = "whsec_test-secret"
NOW = 1_700_000_000
TOPIC = "arn:aws:sns:us-east-1:123456789012:moneygrow-alerts"
CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem"


def resolver_for(*addresses: str) -> Callable[[str, int], Sequence[str]]:
    return lambda _host, _port: list(addresses)


PUBLIC = resolver_for("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946")


# --- signature ---------------------------------------------------------------------------------------


def test_sign_verify_round_trip() -> None:
    body = b'{"token":"0xabc","level":"HIGH"}'
    header = sign(SECRET, body, NOW)
    assert header.startswith(f"t={NOW},v1=") and len(header.split("v1=")[1]) == 64
    assert verify(SECRET, body, header, now=NOW)
    assert verify(SECRET, body, header, now=NOW + 300)  # at the edge of the tolerance
    assert not verify("whsec_other", body, header, now=NOW)


def test_replayed_old_or_future_timestamp_refused() -> None:
    body = b"{}"
    header = sign(SECRET, body, NOW)
    assert not verify(SECRET, body, header, now=NOW + 301)
    assert not verify(SECRET, body, header, now=NOW - 301)  # signed "in the future"
    assert verify(SECRET, body, header, now=NOW + 3000, tolerance_s=3600)


def test_tampered_body_or_header_refused() -> None:
    body = b'{"level":"LOW"}'
    header = sign(SECRET, body, NOW)
    assert not verify(SECRET, b'{"level":"CRITICAL"}', header, now=NOW)
    # moving the timestamp invalidates the signature (the timestamp is signed)
    assert not verify(SECRET, body, header.replace(f"t={NOW}", f"t={NOW + 1}"), now=NOW)
    for bad in ("", "garbage", f"t={NOW}", "v1=" + "0" * 64, f"t=abc,v1={'0' * 64}", f"t={NOW},t={NOW},v1=x"):
        assert not verify(SECRET, body, bad, now=NOW)


def test_rotation_accepts_any_of_several_v1_entries() -> None:
    body = b'{"a":1}'
    old, new = "whsec_old", "whsec_new"
    header = webhooks.sign_rotating([old, new], body, NOW)
    assert header.count("v1=") == 2
    assert verify(old, body, header, now=NOW)
    assert verify(new, body, header, now=NOW)
    assert not verify("whsec_third", body, header, now=NOW)
    # spaces after commas and unknown schemes are tolerated
    sig = sign(new, body, NOW).split("v1=")[1]
    assert verify(new, body, f"t={NOW}, v0=deadbeef, v1={sig}", now=NOW)


def test_new_secret() -> None:
    a, b = webhooks.new_secret(), webhooks.new_secret()
    assert a.startswith("whsec_") and len(a) >= 6 + 43 and a != b


# --- URL policy --------------------------------------------------------------------------------------


def test_public_url_allowed_and_normalised() -> None:
    assert check_webhook_url("https://hooks.example.com/a/b?x=1", allow_private=False, resolver=PUBLIC) == (
        "https://hooks.example.com/a/b?x=1"
    )
    assert (
        check_webhook_url("HTTPS://Hooks.Example.COM:443#frag", allow_private=False, resolver=PUBLIC)
        == "https://hooks.example.com/"
    )
    assert (
        check_webhook_url("https://hooks.example.com:8443/h", allow_private=False, resolver=PUBLIC)
        == "https://hooks.example.com:8443/h"
    )
    assert check_webhook_url("https://93.184.216.34/h", allow_private=False) == "https://93.184.216.34/h"


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.5", "private"),
        ("172.16.3.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", ""),  # reserved (Python classes 240/4 as private too)
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("fd00:ec2::254", "private"),  # IPv6 ULA (the IPv6 metadata service)
        ("fec0::1", "site-local"),
        ("::ffff:10.0.0.1", "IPv4-embedded private"),
        ("::ffff:127.0.0.1", "IPv4-embedded loopback"),
        ("2002:a00:1::1", "IPv4-embedded private"),  # 6to4 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", "IPv4-embedded link-local"),  # NAT64 of 169.254.169.254
        ("100.64.0.1", "not globally routable"),  # CGNAT
    ],
)
def test_non_public_addresses_refused(address: str, reason: str) -> None:
    with pytest.raises(ValidationFailed, match="non-public address") as exc:
        check_webhook_url("https://hooks.example.com/h", allow_private=False, resolver=resolver_for(address))
    assert reason in exc.value.message
    assert exc.value.details == {"field": "url"}
    # the same address as a literal in the URL
    literal = f"[{address}]" if ":" in address else address
    with pytest.raises(ValidationFailed, match="non-public address"):
        check_webhook_url(f"https://{literal}/h", allow_private=False)
    # allowed on the local stack
    check_webhook_url("https://hooks.example.com/h", allow_private=True, resolver=resolver_for(address))


def test_one_private_address_among_public_ones_refused() -> None:
    with pytest.raises(ValidationFailed, match="loopback"):
        check_webhook_url(
            "https://hooks.example.com/h",
            allow_private=False,
            resolver=resolver_for("93.184.216.34", "127.0.0.1"),
        )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/h", "must use https"),
        ("ftp://hooks.example.com/h", "must use https"),
        ("hooks.example.com/h", "must use https"),
        ("https://user:pass@hooks.example.com/h", "user name or password"),
        ("https://user@hooks.example.com/h", "user name or password"),
        ("https://hooks.example.com\\@127.0.0.1/", "user name or password"),
        ("https://hooks.example.com/" + "a" * 2048, "longer than 2048"),
        ("https:///h", "no host"),
        ("https://hooks.example.com:99999/h", "invalid port"),
        ("https://hooks.example.com/a b", "whitespace"),
        ("https://hooks.exa\tmple.com/", "whitespace"),
        ("https://[fe80::1%25eth0]/", "invalid host"),
        ("", "required"),
    ],
)
def test_malformed_urls_refused(url: str, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        check_webhook_url(url, allow_private=False, resolver=PUBLIC)


def test_http_allowed_only_when_private_allowed() -> None:
    with pytest.raises(ValidationFailed, match="https"):
        check_webhook_url("http://127.0.0.1:9000/h", allow_private=False)
    assert check_webhook_url("http://127.0.0.1:9000/h", allow_private=True) == "http://127.0.0.1:9000/h"
    assert check_webhook_url("http://127.0.0.1:80/h", allow_private=True) == "http://127.0.0.1/h"


def test_unresolvable_host_refused() -> None:
    def fails(_host: str, _port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(ValidationFailed, match="does not resolve"):
        check_webhook_url("https://nope.invalid/h", allow_private=False, resolver=fails)
    with pytest.raises(ValidationFailed, match="does not resolve"):
        check_webhook_url("https://nope.invalid/h", allow_private=False, resolver=resolver_for())


# --- deliveries against a real local receiver ------------------------------------------------------


def test_deliver_signs_and_sends_the_headers() -> None:
    body = b'{"type":"token.risk_changed","token":"0xabc"}'
    with WebhookReceiver(SECRET) as rx:
        status = deliver(
            rx.url,
            body=body,
            secret=SECRET,
            event_type="token.risk_changed",
            delivery_id="msg-1",
            allow_private=True,
        )
        (got,) = rx.wait_for(1)
    assert status == 200
    assert got.verified and got.body == body and got.path == "/hook"
    assert got.headers["content-type"] == "application/json"
    assert got.headers["moneygrow-event"] == "token.risk_changed"
    assert got.headers["moneygrow-delivery"] == "msg-1"
    assert got.headers["user-agent"] == "MoneyGrow-Webhooks/1"
    assert got.headers["moneygrow-signature"].startswith("t=")


def test_receiver_rejects_a_wrong_secret_or_a_stale_signature() -> None:
    with WebhookReceiver("whsec_not-this-one") as rx:
        deliver(rx.url, body=b"{}", secret=SECRET, event_type="e", delivery_id="d", allow_private=True)
        deliver(
            rx.url_for("other"),
            body=b"{}",
            secret="whsec_not-this-one",
            event_type="e",
            delivery_id="d",
            allow_private=True,
            now=lambda: NOW,  # long ago: a replay
        )
        wrong, stale = rx.wait_for(2)
    assert not wrong.verified and not stale.verified


def test_deliver_non_2xx_raises_delivery_failed_then_succeeds_on_retry() -> None:
    with WebhookReceiver(SECRET) as rx:
        rx.fail_next(1, status=500)
        with pytest.raises(DeliveryFailed) as exc:
            deliver(rx.url, body=b"{}", secret=SECRET, event_type="e", delivery_id="d", allow_private=True)
        assert exc.value.status_code == 500 and exc.value.status == 502
        assert exc.value.reason == 'HTTP 500: {"error":"scripted failure"}'
        assert (
            deliver(rx.url, body=b"{}", secret=SECRET, event_type="e", delivery_id="d", allow_private=True)
            == 200
        )
        assert [d.answered for d in rx.wait_for(2)] == [500, 200]


def test_deliver_does_not_follow_redirects() -> None:
    with WebhookReceiver(SECRET) as rx:
        rx.fail_next(1, status=302, location=rx.url_for("elsewhere"))
        with pytest.raises(DeliveryFailed, match="redirect not followed") as exc:
            deliver(rx.url, body=b"{}", secret=SECRET, event_type="e", delivery_id="d", allow_private=True)
        assert exc.value.status_code == 302
        assert [d.path for d in rx.wait_for(1)] == ["/hook"]
        assert len(rx.deliveries) == 1  # nothing sent to /elsewhere


def test_deliver_reason_never_carries_more_than_200_chars_of_the_response() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, text="x" * 10_000)

    with httpx.Client(transport=httpx.MockTransport(handler)) as client, pytest.raises(DeliveryFailed) as exc:
        deliver(
            "https://hooks.example.com/h",
            body=b"{}",
            secret=SECRET,
            event_type="e",
            delivery_id="d",
            allow_private=False,
            client=client,
            resolver=PUBLIC,
        )
    assert exc.value.reason == "HTTP 400: " + "x" * 200


def test_deliver_network_error_raises_delivery_failed() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    with pytest.raises(DeliveryFailed, match="network error"):
        deliver(
            f"http://127.0.0.1:{port}/h",
            body=b"{}",
            secret=SECRET,
            event_type="e",
            delivery_id="d",
            allow_private=True,
        )


def test_deliver_rechecks_the_url_before_sending() -> None:
    """DNS rebinding: the host resolved to a public address at subscription time, now to a private one."""
    sent: list[httpx.Request] = []
    client = httpx.Client(transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200)))
    with pytest.raises(DeliveryFailed, match=r"refused URL.*private"):
        deliver(
            "https://hooks.example.com/h",
            body=b"{}",
            secret=SECRET,
            event_type="e",
            delivery_id="d",
            allow_private=False,
            client=client,
            resolver=resolver_for("10.0.0.7"),
        )
    assert sent == []


def test_deliver_connects_to_the_checked_address_with_the_original_host() -> None:
    """The connection is pinned to the address that was checked: httpx does not resolve the host again."""
    with WebhookReceiver(SECRET) as rx:
        port = urlsplit(rx.url).port
        deliver(
            f"http://webhook.test:{port}/hook",  # does not resolve anywhere but through our resolver
            body=b"{}",
            secret=SECRET,
            event_type="e",
            delivery_id="d",
            allow_private=True,
            resolver=resolver_for("127.0.0.1"),
        )
        (got,) = rx.wait_for(1)
    assert got.headers["host"] == f"webhook.test:{port}" and got.verified


def _self_signed(tmp_path: Path, hostname: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{hostname}.crt", tmp_path / f"{hostname}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_path), str(key_path)


def test_pinned_https_delivery_still_verifies_the_certificate_against_the_host_name(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path, "webhook.test")
    trusting = httpx.Client(verify=ssl.create_default_context(cafile=cert))
    with WebhookReceiver(SECRET, tls=(cert, key)) as rx, trusting:
        port = urlsplit(rx.url).port
        kwargs: dict[str, Any] = {
            "body": b"{}",
            "secret": SECRET,
            "event_type": "e",
            "delivery_id": "d",
            "allow_private": True,
            "client": trusting,
            "resolver": resolver_for("127.0.0.1"),
        }
        assert deliver(f"https://webhook.test:{port}/hook", **kwargs) == 200
        # same server and address, another host name: the certificate does not match, nothing is sent
        with pytest.raises(DeliveryFailed, match="network error"):
            deliver(f"https://other.test:{port}/hook", **kwargs)
        (got,) = rx.wait_for(1)
    assert got.verified and got.headers["host"] == f"webhook.test:{port}"
    assert len(rx.deliveries) == 1


def test_receiver_auto_confirms_a_subscription_confirmation() -> None:
    with WebhookReceiver(SECRET) as confirm_target, WebhookReceiver(SECRET, auto_confirm=True) as rx:
        # the confirm URL is a POST-recording receiver too; it records nothing for a GET, which
        # http.server answers 501: what matters is that the receiver went there
        body = json.dumps({"type": "subscription.confirmation", "confirm_url": confirm_target.url}).encode()
        deliver(
            rx.url,
            body=body,
            secret=SECRET,
            event_type="subscription.confirmation",
            delivery_id="c",
            allow_private=True,
        )
        (confirmation,) = rx.wait_for_confirmations(1)
    assert confirmation.url == confirm_target.url and confirmation.status == 501


# --- SNS message verification ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sns_key() -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM)


def sns_envelope(
    key: rsa.RSAPrivateKey,
    message_type: str = "Notification",
    *,
    message: str = '{"type":"token.risk_changed","token":"0xabc","old":"LOW","new":"HIGH"}',
    subject: str | None = None,
    version: str = "2",
    topic_arn: str = TOPIC,
    cert_url: str = CERT_URL,
) -> dict[str, Any]:
    """An envelope signed the way SNS signs it (the AWS docs' string-to-sign)."""
    env: dict[str, Any] = {
        "Type": message_type,
        "MessageId": "6b3f1d1e-0000-4000-8000-000000000001",
        "TopicArn": topic_arn,
        "Message": message,
        "Timestamp": "2024-05-01T12:00:00.000Z",
        "SignatureVersion": version,
        "SigningCertURL": cert_url,
    }
    if subject is not None:
        env["Subject"] = subject
    if message_type == "Notification":
        fields = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
        env["UnsubscribeURL"] = "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x"
    else:
        fields = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
        env["Token"] = "2336412f37fb687f5d51e6e2425f004aed"
        env["SubscribeURL"] = (
            "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"
            f"&TopicArn={topic_arn}&Token=2336412f37fb687f5d51e6e2425f004aed"
        )
    text = "".join(f"{f}\n{env[f]}\n" for f in fields if f in env)
    algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
    env["Signature"] = base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), algorithm)).decode()
    return env


@pytest.fixture
def certs(sns_key: tuple[rsa.RSAPrivateKey, bytes]) -> Callable[[str], bytes]:
    return lambda url: sns_key[1]


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize(
    "message_type", ["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"]
)
def test_valid_sns_messages_verify(
    sns_key: tuple[rsa.RSAPrivateKey, bytes], certs: Callable[[str], bytes], version: str, message_type: str
) -> None:
    env = sns_envelope(sns_key[0], message_type, version=version)
    verify_sns_message(env, certs)
    verify_sns_message(env, certs, topic_arn=TOPIC)


def test_notification_with_subject_signs_the_subject(
    sns_key: tuple[rsa.RSAPrivateKey, bytes], certs: Callable[[str], bytes]
) -> None:
    env = sns_envelope(sns_key[0], subject="Token alert")
    verify_sns_message(env, certs)
    with pytest.raises(InvalidSnsMessage, match="does not verify"):
        verify_sns_message({**env, "Subject": "Changed"}, certs)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"Message": '{"type":"token.risk_changed","token":"0xevil"}'}, "does not verify"),
        ({"MessageId": "other"}, "does not verify"),
        ({"Timestamp": "2030-01-01T00:00:00.000Z"}, "does not verify"),
        ({"Signature": base64.b64encode(b"\0" * 256).decode()}, "does not verify"),
        ({"Signature": "not base64!"}, "not base64"),
        ({"Signature": None}, "missing Signature"),
        ({"SignatureVersion": "3"}, "unsupported SignatureVersion"),
        ({"SignatureVersion": None}, "unsupported SignatureVersion"),
        ({"Type": "Surprise"}, "unknown message type"),
        ({"TopicArn": None}, "missing or non-string field TopicArn"),
        ({"SigningCertURL": "http://sns.us-east-1.amazonaws.com/x.pem"}, "SigningCertURL"),
        ({"SigningCertURL": "https://evil.example.com/x.pem"}, "SigningCertURL"),
        ({"SigningCertURL": "https://sns.us-east-1.amazonaws.com.evil.com/x.pem"}, "SigningCertURL"),
        ({"SigningCertURL": "https://evil.com/sns.us-east-1.amazonaws.com/x.pem"}, "SigningCertURL"),
        ({"SigningCertURL": "https://sns.us-east-1.amazonaws.com@evil.com/x.pem"}, "SigningCertURL"),
        ({"SigningCertURL": "https://sns.us-east-1.amazonaws.com:8443/x.pem"}, "SigningCertURL"),
        ({"SigningCertURL": "https://sns.us-east-1.amazonaws.com/x.pem?redirect=1"}, "SigningCertURL"),
        ({"SigningCertURL": "https://sns.us-east-1.amazonaws.com/a/../x.pem"}, "SigningCertURL"),
        ({"SigningCertURL": "https://s3.amazonaws.com/x.pem"}, "SigningCertURL"),
        ({"SigningCertURL": CERT_URL + "\n"}, "SigningCertURL"),
        ({"SigningCertURL": None}, "SigningCertURL"),
    ],
)
def test_tampered_or_foreign_sns_messages_refused(
    sns_key: tuple[rsa.RSAPrivateKey, bytes],
    certs: Callable[[str], bytes],
    change: dict[str, Any],
    match: str,
) -> None:
    env = sns_envelope(sns_key[0]) | change
    with pytest.raises(InvalidSnsMessage, match=match) as exc:
        verify_sns_message(env, certs)
    assert exc.value.status == 403


def test_sns_message_from_another_topic_refused(
    sns_key: tuple[rsa.RSAPrivateKey, bytes], certs: Callable[[str], bytes]
) -> None:
    """Anyone's topic can subscribe our relay URL and SNS signs those messages too."""
    env = sns_envelope(sns_key[0], topic_arn="arn:aws:sns:us-east-1:999999999999:attacker")
    verify_sns_message(env, certs)  # authentic...
    with pytest.raises(InvalidSnsMessage, match="expected topic"):
        verify_sns_message(env, certs, topic_arn=TOPIC)  # ...but not ours


def test_cert_from_another_key_refused(sns_key: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(InvalidSnsMessage, match="does not verify"):
        verify_sns_message(sns_envelope(other), lambda url: sns_key[1])
    with pytest.raises(InvalidSnsMessage, match="not a PEM"):
        verify_sns_message(sns_envelope(other), lambda url: b"not a cert")


@pytest.mark.parametrize(
    "url",
    [
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem",
        "https://sns.eu-central-2.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
    ],
)
def test_sns_cert_urls_accepted(url: str) -> None:
    assert sns_messages.is_sns_signing_cert_url(url)


def test_moto_envelopes_verify() -> None:
    """moto signs the string SNS signs, except that it leaves a Subject out: `moto_compat` accepts that."""
    import boto3
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    with mock_aws():
        sns = boto3.client("sns", region_name="us-east-1")
        topic_arn = sns.create_topic(Name="moneygrow-alerts")["TopicArn"]
        sub_arn = sns.subscribe(TopicArn=topic_arn, Protocol="https", Endpoint="https://api.example.com/x")[
            "SubscriptionArn"
        ]
        backend = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
        subscription = backend.subscriptions[sub_arn]
        plain = subscription.get_post_data('{"type":"token.risk_changed"}', "mid-1", None)
        with_subject = subscription.get_post_data('{"type":"token.risk_changed"}', "mid-2", "Alert")
        pems = dict(backend._message_public_keys)

    def fetch(url: str) -> bytes:
        return pems[url.rsplit("/", 1)[1]]

    verify_sns_message(plain, fetch, topic_arn=topic_arn)
    with pytest.raises(InvalidSnsMessage, match="does not verify"):
        verify_sns_message(with_subject, fetch, topic_arn=topic_arn)
    verify_sns_message(with_subject, fetch, topic_arn=topic_arn, moto_compat=True)
    # moto_compat does not relax anything else
    with pytest.raises(InvalidSnsMessage):
        verify_sns_message({**with_subject, "Message": "{}"}, fetch, topic_arn=topic_arn, moto_compat=True)


def test_cert_cache_fetches_each_url_once(sns_key: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return sns_key[1]

    cache = CertCache(fetch, max_entries=2)
    for _ in range(3):
        verify_sns_message(sns_envelope(sns_key[0]), cache)
    assert fetched == [CERT_URL]
    for name in ("a", "b", "c"):
        cache(f"https://sns.us-east-1.amazonaws.com/{name}.pem")
    assert len(cache) == 2


def test_fetch_cert_https() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if "127.0.0.1" in str(request.url):  # moto: addressed to its SNS backend in us-east-1
            assert "/us-east-1/sns/aws4_request" in request.headers["authorization"]
        else:
            assert "authorization" not in request.headers
        if request.url.path.endswith("missing.pem"):
            return httpx.Response(404)
        return httpx.Response(200, content=b"PEM")

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        assert fetch_cert_https(CERT_URL, client=client) == b"PEM"
        # the local stack: moto serves the certificate named in the SNS URL
        assert fetch_cert_https(CERT_URL, base_url="http://127.0.0.1:5000/", client=client) == b"PEM"
        with pytest.raises(SnsUnavailable) as exc:
            fetch_cert_https("https://sns.us-east-1.amazonaws.com/missing.pem", client=client)
        assert exc.value.status == 503
        with pytest.raises(InvalidSnsMessage):
            fetch_cert_https("https://evil.example.com/x.pem", client=client)
    assert seen == [
        CERT_URL,
        "http://127.0.0.1:5000/SimpleNotificationService-0123456789abcdef.pem",
        "https://sns.us-east-1.amazonaws.com/missing.pem",
    ]


# --- relay -----------------------------------------------------------------------------------------

TARGET = WebhookTarget(
    subscription_id="sub-1", url="https://hooks.example.com/h", secret=SECRET, confirmed=True, topic_arn=TOPIC
)
UNSUBSCRIBE = "https://api.example.com/alerts/subscriptions/sub-1/unsubscribe?token=t"


class Recorder:
    def __init__(self, fail: Exception | None = None) -> None:
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        self.fail = fail

    def __call__(self, *args: Any, **kwargs: Any) -> int:
        self.calls.append((args, kwargs))
        if self.fail:
            raise self.fail
        return 200


def run_relay(
    env: dict[str, Any],
    target: WebhookTarget | None = TARGET,
    verify: Callable[[dict[str, Any]], None] = lambda env: None,
    deliver_fail: Exception | None = None,
) -> tuple[RelayOutcome, Recorder, Recorder]:
    deliver_rec, confirm_rec = Recorder(deliver_fail), Recorder()
    outcome = relay(
        env, target, verify=verify, deliver=deliver_rec, confirm_sns=confirm_rec, unsubscribe_url=UNSUBSCRIBE
    )
    return outcome, deliver_rec, confirm_rec


def test_relay_delivers_a_notification(sns_key: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    env = sns_envelope(sns_key[0])
    outcome, delivered, confirmed = run_relay(env)
    assert outcome is RelayOutcome.DELIVERED and not confirmed.calls
    ((args, kwargs),) = delivered.calls
    assert args == (TARGET.url,)
    assert kwargs["secret"] == SECRET
    assert kwargs["event_type"] == "token.risk_changed"
    assert kwargs["delivery_id"] == env["MessageId"]
    assert json.loads(kwargs["body"]) == {**json.loads(env["Message"]), "unsubscribe_url": UNSUBSCRIBE}
    assert b": " not in kwargs["body"]  # compact


def test_relay_event_type_defaults(sns_key: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    _, delivered, _ = run_relay(sns_envelope(sns_key[0], message='{"token":"0xabc"}'))
    assert delivered.calls[0][1]["event_type"] == "token.risk_changed"


def test_relay_refuses_before_anything_when_verification_fails(
    sns_key: tuple[rsa.RSAPrivateKey, bytes],
) -> None:
    def refuse(env: dict[str, Any]) -> None:
        raise InvalidSnsMessage("signature does not verify")

    deliver_rec, confirm_rec = Recorder(), Recorder()
    for target in (TARGET, None):
        with pytest.raises(InvalidSnsMessage):
            relay(
                sns_envelope(sns_key[0]),
                target,
                verify=refuse,
                deliver=deliver_rec,
                confirm_sns=confirm_rec,
                unsubscribe_url=UNSUBSCRIBE,
            )
    assert not deliver_rec.calls and not confirm_rec.calls


def test_relay_ignores_a_deleted_subscription(sns_key: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    outcome, delivered, confirmed = run_relay(sns_envelope(sns_key[0]), target=None)
    assert outcome is RelayOutcome.IGNORED and not delivered.calls and not confirmed.calls


def test_relay_confirms_the_sns_subscription(sns_key: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    env = sns_envelope(sns_key[0], "SubscriptionConfirmation")
    outcome, delivered, confirmed = run_relay(env)
    assert outcome is RelayOutcome.SNS_CONFIRMED and not delivered.calls
    assert confirmed.calls == [((env["SubscribeURL"],), {})]


def test_relay_drops_alerts_for_an_unconfirmed_webhook(sns_key: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    unconfirmed = WebhookTarget(**{**TARGET.__dict__, "confirmed": False})
    outcome, delivered, _ = run_relay(sns_envelope(sns_key[0]), target=unconfirmed)
    assert outcome is RelayOutcome.DROPPED_UNCONFIRMED and not delivered.calls
    # the SNS-level confirmation does not depend on the user's confirmation
    outcome, _, confirmed = run_relay(
        sns_envelope(sns_key[0], "SubscriptionConfirmation"), target=unconfirmed
    )
    assert outcome is RelayOutcome.SNS_CONFIRMED and confirmed.calls


def test_relay_ignores_unsubscribe_confirmations(sns_key: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    outcome, delivered, confirmed = run_relay(sns_envelope(sns_key[0], "UnsubscribeConfirmation"))
    assert outcome is RelayOutcome.IGNORED and not delivered.calls and not confirmed.calls


def test_relay_refuses_another_topic(sns_key: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    for message_type in ("Notification", "SubscriptionConfirmation"):
        env = sns_envelope(sns_key[0], message_type, topic_arn="arn:aws:sns:us-east-1:999999999999:attacker")
        with pytest.raises(InvalidSnsMessage, match="topic"):
            run_relay(env)


def test_relay_propagates_delivery_failures(sns_key: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    with pytest.raises(DeliveryFailed):
        run_relay(sns_envelope(sns_key[0]), deliver_fail=DeliveryFailed("HTTP 500", 500))


@pytest.mark.parametrize("message", ["not json", "[1, 2]", '"a string"'])
def test_relay_refuses_a_message_that_is_not_an_alert_object(
    sns_key: tuple[rsa.RSAPrivateKey, bytes], message: str
) -> None:
    with pytest.raises(ValidationFailed, match="alert JSON object"):
        run_relay(sns_envelope(sns_key[0], message=message))


def test_relay_end_to_end_to_a_local_webhook(
    sns_key: tuple[rsa.RSAPrivateKey, bytes], certs: Callable[[str], bytes]
) -> None:
    """Real SNS verification and a real signed POST; the receiver verifies with the subscription's secret."""
    from functools import partial

    env = sns_envelope(sns_key[0])
    with WebhookReceiver(SECRET) as rx:
        target = WebhookTarget("sub-1", rx.url, SECRET, confirmed=True, topic_arn=TOPIC)
        outcome = relay(
            env,
            target,
            verify=partial(verify_sns_message, fetch_cert=CertCache(certs), topic_arn=TOPIC),
            deliver=partial(deliver, allow_private=True),
            confirm_sns=confirm_subscribe_url,
            unsubscribe_url=UNSUBSCRIBE,
        )
        (got,) = rx.wait_for(1)
        assert outcome is RelayOutcome.DELIVERED
        assert got.verified and got.json()["unsubscribe_url"] == UNSUBSCRIBE
        assert got.headers["moneygrow-delivery"] == env["MessageId"]

        rx.fail_next(1)
        with pytest.raises(DeliveryFailed):  # the route answers 502: SNS retries
            relay(
                env,
                target,
                verify=partial(verify_sns_message, fetch_cert=certs, topic_arn=TOPIC),
                deliver=partial(deliver, allow_private=True),
                confirm_sns=confirm_subscribe_url,
                unsubscribe_url=UNSUBSCRIBE,
            )


@pytest.mark.parametrize(
    "url",
    [
        "http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t",
        "https://evil.example.com/?Action=ConfirmSubscription&Token=t",
        "https://sns.us-east-1.amazonaws.com.evil.com/?Action=ConfirmSubscription&Token=t",
        "https://x@sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t",
        "https://sns.us-east-1.amazonaws.com:8443/?Action=ConfirmSubscription&Token=t",
        "https://sns.us-east-1.amazonaws.com/other?Action=ConfirmSubscription&Token=t",
        "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&Token=t",
        "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Action=Unsubscribe",
    ],
)
def test_confirm_subscribe_url_refuses_anything_but_sns(url: str) -> None:
    client = httpx.Client(transport=httpx.MockTransport(lambda r: pytest.fail("must not be fetched")))
    with pytest.raises(InvalidSnsMessage, match="SubscribeURL"):
        confirm_subscribe_url(url, client=client)


def test_confirm_subscribe_url_gets_sns() -> None:
    url = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn&Token=t"
    seen: list[str] = []

    def ok(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, text="<ConfirmSubscriptionResponse/>")

    confirm_subscribe_url(url, client=httpx.Client(transport=httpx.MockTransport(ok)))
    assert seen == [url]
    failing = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    with pytest.raises(SnsUnavailable):
        confirm_subscribe_url(url, client=failing)
    assert relay_mod.DEFAULT_EVENT_TYPE == "token.risk_changed"


def test_moto_server_envelope_relayed_to_a_signed_webhook() -> None:
    """The local stack's path: moto's SNS POSTs to an http subscription, the relay verifies it (certificate
    fetched from moto itself) and delivers a signed webhook."""
    from functools import partial

    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        sns = boto3.client(
            "sns",
            region_name="eu-west-1",
            endpoint_url=endpoint,
            aws_access_key_id="t",
            aws_secret_access_key="t",
        )
        topic_arn = sns.create_topic(Name="moneygrow-alerts")["TopicArn"]
        with WebhookReceiver(None) as relay_endpoint, WebhookReceiver(SECRET) as user_hook:
            sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=relay_endpoint.url)
            sns.publish(
                TopicArn=topic_arn, Message='{"type":"token.risk_changed","token":"0xabc"}', Subject="Alert"
            )
            (posted,) = relay_endpoint.wait_for(1)
            envelope = json.loads(posted.body)  # SNS (and moto) send text/plain: parse the raw body
            target = WebhookTarget("sub-1", user_hook.url, SECRET, confirmed=True, topic_arn=topic_arn)
            outcome = relay(
                envelope,
                target,
                verify=partial(
                    verify_sns_message,
                    fetch_cert=CertCache(partial(fetch_cert_https, base_url=endpoint)),
                    topic_arn=topic_arn,
                    moto_compat=True,
                ),
                deliver=partial(deliver, allow_private=True),
                confirm_sns=confirm_subscribe_url,
                unsubscribe_url=UNSUBSCRIBE,
            )
            (got,) = user_hook.wait_for(1)
    finally:
        server.stop()
    assert outcome is RelayOutcome.DELIVERED
    assert got.verified and got.json() == {
        "type": "token.risk_changed",
        "token": "0xabc",
        "unsubscribe_url": UNSUBSCRIBE,
    }

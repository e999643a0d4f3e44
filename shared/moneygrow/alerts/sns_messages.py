"""Verification of the messages SNS POSTs to an HTTP(S) subscription (our webhook relay).

Per https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html: the signing
certificate must come from SNS itself (`https://sns.<region>.amazonaws.com[.cn]/<name>.pem`, nothing
else), the string to sign is `Name\\nvalue\\n` for a fixed, sorted list of fields that depends on the
message type, and the signature is RSA PKCS#1 v1.5 with SHA1 (SignatureVersion "1") or SHA256 ("2").

Anyone can create a topic in their own AWS account and subscribe our relay's URL to it: SNS signs those
messages too. So a valid signature is not enough, the TopicArn must be ours (`topic_arn`).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from moneygrow.errors import Forbidden, ServiceUnavailable

FETCH_TIMEOUT_S: Final = 5.0
_MAX_CERT_BYTES: Final = 64 * 1024

# sns.<region>.amazonaws.com[.cn], regions such as us-east-1, us-gov-west-1, cn-north-1, ap-southeast-3.
_SNS_HOST = r"sns\.[a-z]{2}(?:-[a-z]+)+-\d{1,2}\.amazonaws\.com(?:\.cn)?"
SIGNING_CERT_URL_RE: Final = re.compile(rf"https://{_SNS_HOST}/[A-Za-z0-9_-]{{1,200}}\.pem")
_SNS_HOST_RE: Final = re.compile(_SNS_HOST)

NOTIFICATION_FIELDS: Final = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS: Final = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)
_FIELDS_BY_TYPE: Final[Mapping[str, tuple[str, ...]]] = {
    "Notification": NOTIFICATION_FIELDS,
    "SubscriptionConfirmation": CONFIRMATION_FIELDS,
    "UnsubscribeConfirmation": CONFIRMATION_FIELDS,
}
_HASHES: Final[Mapping[str, Callable[[], hashes.HashAlgorithm]]] = {
    # SNS defines SignatureVersion 1 as SHA1 (verification of its signatures only).
    "1": hashes.SHA1,
    "2": hashes.SHA256,
}


class InvalidSnsMessage(Forbidden):
    """The POST is not an authentic SNS message for our topic (the relay's caller answers 403)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"invalid SNS message: {reason}", {"reason": reason})
        self.reason = reason


class SnsUnavailable(ServiceUnavailable):
    """SNS could not be reached (certificate fetch, subscription confirmation): answer 503, SNS retries."""


def is_sns_signing_cert_url(url: str) -> bool:
    return isinstance(url, str) and SIGNING_CERT_URL_RE.fullmatch(url) is not None


def is_sns_subscribe_url(url: str) -> bool:
    """`https://sns.<region>.amazonaws.com[.cn]/?Action=ConfirmSubscription&...`, nothing else."""
    if not isinstance(url, str) or len(url) > 4096:
        return False
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and "@" not in parts.netloc
        and port is None
        and _SNS_HOST_RE.fullmatch(parts.netloc) is not None
        and parts.path in ("", "/")
        and not parts.fragment
        and parse_qs(parts.query).get("Action") == ["ConfirmSubscription"]
    )


def string_to_sign(envelope: Mapping[str, Any], *, include_subject: bool = True) -> bytes:
    """The canonical bytes SNS signs for `envelope` (fields sorted by name, each `Name\\nvalue\\n`)."""
    message_type = envelope.get("Type")
    fields = _FIELDS_BY_TYPE.get(message_type) if isinstance(message_type, str) else None
    if fields is None:
        raise InvalidSnsMessage(f"unknown message type {str(message_type)[:40]!r}")
    out: list[str] = []
    for name in fields:
        value = envelope.get(name)
        if name == "Subject" and (value is None or not include_subject):
            continue  # optional: only signed when present
        if not isinstance(value, str):
            raise InvalidSnsMessage(f"missing or non-string field {name}")
        out.append(f"{name}\n{value}\n")
    return "".join(out).encode("utf-8")


def _public_key(pem: bytes) -> rsa.RSAPublicKey:
    try:
        key = x509.load_pem_x509_certificate(pem).public_key()
    except ValueError:
        raise InvalidSnsMessage("signing certificate is not a PEM certificate") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidSnsMessage("signing certificate has no RSA key")
    return key


def _signature_ok(
    key: rsa.RSAPublicKey, signature: bytes, data: bytes, algorithm: hashes.HashAlgorithm
) -> bool:
    try:
        key.verify(signature, data, padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        return False
    return True


def verify_sns_message(
    envelope: Mapping[str, Any],
    fetch_cert: Callable[[str], bytes],
    *,
    topic_arn: str | None = None,
    moto_compat: bool = False,
) -> None:
    """Return when `envelope` is an authentic SNS message (from `topic_arn` when given), else raise.

    Raises InvalidSnsMessage (answer 403), or whatever `fetch_cert` raises when the certificate cannot
    be fetched (`fetch_cert_https` raises SnsUnavailable: answer 503 so SNS retries).
    `moto_compat` (local stack only): moto leaves the Subject out of the string it signs, so a
    Notification with a Subject is also accepted when it verifies without it. Never set it in AWS:
    the Subject would then be unauthenticated (the relay does not use it, but still).
    """
    if not isinstance(envelope, Mapping):
        raise InvalidSnsMessage("not a JSON object")
    version = envelope.get("SignatureVersion")
    hash_factory = _HASHES.get(version) if isinstance(version, str) else None
    if hash_factory is None:
        raise InvalidSnsMessage(f"unsupported SignatureVersion {str(version)[:10]!r}")
    cert_url = envelope.get("SigningCertURL")
    if not isinstance(cert_url, str) or not is_sns_signing_cert_url(cert_url):
        raise InvalidSnsMessage("SigningCertURL is not an SNS certificate URL")
    if topic_arn is not None and envelope.get("TopicArn") != topic_arn:
        raise InvalidSnsMessage("message is not from the expected topic")
    data = string_to_sign(envelope)
    raw_signature = envelope.get("Signature")
    if not isinstance(raw_signature, str):
        raise InvalidSnsMessage("missing Signature")
    try:
        signature = base64.b64decode(raw_signature, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidSnsMessage("Signature is not base64") from None
    key = _public_key(fetch_cert(cert_url))
    if _signature_ok(key, signature, data, hash_factory()):
        return
    if moto_compat and envelope.get("Type") == "Notification" and "Subject" in envelope:
        without_subject = string_to_sign(envelope, include_subject=False)
        if _signature_ok(key, signature, without_subject, hash_factory()):
            return
    raise InvalidSnsMessage("signature does not verify")


def fetch_cert_https(url: str, *, base_url: str | None = None, client: httpx.Client | None = None) -> bytes:
    """GET the signing certificate at `url` (an SNS certificate URL; 5 s timeout, no redirects).

    `base_url` (local stack only) fetches `{base_url}/<name>.pem` instead, addressed to moto's SNS
    backend: moto (e.g. `http://127.0.0.1:5000`) signs with certificates it serves itself under the same
    `sns.<region>.amazonaws.com` URLs.
    """
    if not is_sns_signing_cert_url(url):
        raise InvalidSnsMessage("SigningCertURL is not an SNS certificate URL")
    target, headers = url, {}
    if base_url is not None:
        # moto's server picks the service from a SigV4 credential scope: name SNS and the region, so
        # the request reaches the SNS backend that holds the certificate (nothing is signed).
        target = f"{base_url.rstrip('/')}/{url.rsplit('/', 1)[1]}"
        region = urlsplit(url).netloc.split(".")[1]
        headers["Authorization"] = f"AWS4-HMAC-SHA256 Credential=local/20240101/{region}/sns/aws4_request"
    http = client or httpx.Client(timeout=FETCH_TIMEOUT_S, follow_redirects=False)
    try:
        response = http.get(target, headers=headers, timeout=FETCH_TIMEOUT_S, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise SnsUnavailable(f"cannot fetch the SNS signing certificate ({type(exc).__name__})") from None
    finally:
        if client is None:
            http.close()
    if response.status_code != 200:
        raise SnsUnavailable(f"cannot fetch the SNS signing certificate (HTTP {response.status_code})")
    if len(response.content) > _MAX_CERT_BYTES:
        raise InvalidSnsMessage("signing certificate is too large")
    return response.content


class CertCache:
    """Fetches each signing certificate once per process (Lambda container); use it as `fetch_cert`.

    Only certificates that fetched successfully are kept; SNS rotates them rarely, so a small bound
    is plenty (the oldest entry is dropped beyond `max_entries`).
    """

    def __init__(self, fetch: Callable[[str], bytes] = fetch_cert_https, *, max_entries: int = 16) -> None:
        self._fetch = fetch
        self._max = max_entries
        self._certs: dict[str, bytes] = {}

    def __call__(self, url: str) -> bytes:
        cert = self._certs.get(url)
        if cert is None:
            cert = self._fetch(url)
            if len(self._certs) >= self._max:
                self._certs.pop(next(iter(self._certs)))
            self._certs[url] = cert
        return cert

    def __len__(self) -> int:
        return len(self._certs)

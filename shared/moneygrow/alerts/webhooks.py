"""Signed webhook deliveries: the signature scheme, the URL policy and the POST itself.

Each delivery carries `MoneyGrow-Signature: t=<unix ts>,v1=<hex hmac-sha256(secret, f"{t}." + body)>`
(Stripe-style). A receiver recomputes the HMAC over the raw body with its subscription's secret,
compares in constant time and refuses timestamps older (or newer) than a tolerance, so a captured
delivery cannot be replayed later. During a secret rotation the header may carry several `v1=` entries
(one per active secret); a receiver accepts the delivery when any of them matches its secret.

A webhook URL is user input that our servers will POST to, so it is checked (https only, no userinfo,
public addresses only) when the subscription is created and again right before each delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import SplitResult, urlsplit, urlunsplit

import httpx

from moneygrow.errors import AppError, ValidationFailed
from moneygrow.observability import logger

SIGNATURE_HEADER: Final = "MoneyGrow-Signature"
EVENT_HEADER: Final = "MoneyGrow-Event"
DELIVERY_HEADER: Final = "MoneyGrow-Delivery"
USER_AGENT: Final = "MoneyGrow-Webhooks/1"
DEFAULT_TOLERANCE_S: Final = 300
MAX_URL_LENGTH: Final = 2048
DELIVERY_TIMEOUT_S: Final = 5.0
_MAX_REASON_BODY: Final = 200

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) -> the addresses the host resolves to, as strings. Injectable for tests (no DNS there).
Resolver = Callable[[str, int], Sequence[str]]

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# After IDNA encoding: DNS labels, or an IP literal (IPv6 without its brackets).
_HOSTNAME = re.compile(r"[a-z0-9_.-]+|[0-9a-f:.]+")


class DeliveryFailed(AppError):
    """The user's endpoint did not accept the delivery (non-2xx, redirect, network error, refused URL).

    Maps to 502 so that the relay's caller answers SNS with a 5xx and SNS retries, then dead-letters.
    `reason` is short and never holds more than 200 characters of the endpoint's response.
    """

    status, code = 502, "webhook_delivery_failed"

    def __init__(self, reason: str, status_code: int | None = None) -> None:
        super().__init__(f"webhook delivery failed: {reason}", {"status_code": status_code})
        self.reason = reason
        self.status_code = status_code


# --- signature -------------------------------------------------------------------------------------


def new_secret() -> str:
    """A fresh signing secret for one webhook subscription (shown to the user once)."""
    return "whsec_" + secrets.token_urlsafe(32)


def _digest(secret: str, body: bytes, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The `MoneyGrow-Signature` header value for `body` sent at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={_digest(secret, body, timestamp)}"


def sign_rotating(secrets_: Sequence[str], body: bytes, timestamp: int) -> str:
    """The header value with one `v1=` entry per secret (old and new during a rotation)."""
    if not secrets_:
        raise ValueError("at least one secret is needed")
    return f"t={timestamp}," + ",".join(f"v1={_digest(s, body, timestamp)}" for s in secrets_)


def verify(secret: str, body: bytes, header: str, now: int, tolerance_s: int = DEFAULT_TOLERANCE_S) -> bool:
    """True when `header` signs `body` with `secret` and its timestamp is within `tolerance_s` of `now`."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            return False
        if key == "t":
            if timestamp is not None or not value.isascii() or not value.isdigit():
                return False
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
        # other schemes (v0, future versions) are ignored, as Stripe does
    if timestamp is None or not candidates or abs(now - timestamp) > tolerance_s:
        return False
    expected = _digest(secret, body, timestamp).encode()
    # Compare against every entry (no early exit), each in constant time.
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(expected, candidate.encode("ascii", "replace"))
    return matched


# --- URL policy ------------------------------------------------------------------------------------


def _non_public_reason(address: IPAddress) -> str | None:
    """Why `address` must not be a webhook target, or None when it is a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            inner = _non_public_reason(embedded)
            if inner is not None:
                return f"IPv4-embedded {inner}"
        if address.is_site_local:
            return "site-local"
    checks: tuple[tuple[bool, str], ...] = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local (incl. the cloud metadata service)"),
        (address.is_multicast, "multicast"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
        (not address.is_global, "not globally routable"),
    )
    for hit, reason in checks:
        if hit:
            return reason
    return None


def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (the default resolver; tests inject their own)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    # IPv6 link-local results carry a scope ("fe80::1%eth0"); the address itself is what we classify.
    return [str(info[4][0]).split("%", 1)[0] for info in infos]


@dataclass(frozen=True)
class CheckedUrl:
    """A webhook URL that passed the policy, with the addresses it resolved to at check time."""

    url: str
    parts: SplitResult
    hostname: str
    port: int
    addresses: tuple[str, ...]


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, {"field": "url"})


def _parse(url: str, allow_private: bool) -> tuple[SplitResult, str, int]:
    if not isinstance(url, str) or not url:
        raise _invalid("webhook URL is required")
    if len(url) > MAX_URL_LENGTH:
        raise _invalid(f"webhook URL is longer than {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise _invalid("webhook URL contains whitespace or control characters")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and allow_private):
        raise _invalid("webhook URL must use https")
    if "@" in parts.netloc:
        raise _invalid("webhook URL must not contain a user name or password")
    try:
        port = parts.port
    except ValueError:
        raise _invalid("webhook URL has an invalid port") from None
    hostname = (parts.hostname or "").rstrip(".")
    if not hostname:
        raise _invalid("webhook URL has no host")
    try:
        hostname = hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise _invalid("webhook URL has an invalid host name") from None
    if not _HOSTNAME.fullmatch(hostname):
        raise _invalid("webhook URL has an invalid host name")
    return parts, hostname, port or (443 if scheme == "https" else 80)


def check_webhook_url_details(
    url: str, *, allow_private: bool, resolver: Resolver | None = None
) -> CheckedUrl:
    """`check_webhook_url`, also returning the parsed URL and the addresses it resolved to."""
    parts, hostname, port = _parse(url, allow_private)
    try:
        literal: IPAddress | None = ipaddress.ip_address(hostname)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = list((resolver or resolve_host)(hostname, port))
        except (OSError, UnicodeError):
            raise _invalid("webhook URL host does not resolve") from None
        if not addresses:
            raise _invalid("webhook URL host does not resolve")
    if not allow_private:
        for address in addresses:
            try:
                reason = _non_public_reason(ipaddress.ip_address(address))
            except ValueError:
                reason = "not an IP address"
            if reason is not None:
                raise _invalid(f"webhook URL host resolves to a non-public address ({reason})")
    scheme = parts.scheme.lower()
    host_for_netloc = f"[{hostname}]" if isinstance(literal, ipaddress.IPv6Address) else hostname
    default_port = 443 if scheme == "https" else 80
    netloc = host_for_netloc if parts.port in (None, default_port) else f"{host_for_netloc}:{port}"
    normalised = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    return CheckedUrl(normalised, urlsplit(normalised), hostname, port, tuple(addresses))


def check_webhook_url(url: str, *, allow_private: bool, resolver: Resolver | None = None) -> str:
    """The normalised webhook URL, or ValidationFailed saying why it is refused.

    https only (http only when `allow_private`, i.e. the local stack), no userinfo, at most 2048
    characters, and a host that resolves only to public addresses unless `allow_private`: loopback,
    private (incl. IPv6 ULA), link-local (incl. 169.254.169.254), multicast, reserved, unspecified,
    site-local, CGNAT and IPv4-mapped/6to4/NAT64 forms of those are refused. The fragment is dropped;
    scheme and host are lower-cased; a default port is removed.
    """
    return check_webhook_url_details(url, allow_private=allow_private, resolver=resolver).url


# --- delivery --------------------------------------------------------------------------------------


def _pinned_request(
    client: httpx.Client, checked: CheckedUrl, body: bytes, headers: dict[str, str]
) -> httpx.Request:
    """A request that connects to the address we just checked rather than resolving the host again.

    DNS rebinding: a host can answer our check with a public address and httpx's own lookup, a moment
    later, with 127.0.0.1 or the metadata service. So we connect to the checked address and send the
    original host in the Host header and, for https, as the TLS SNI / certificate host name (httpcore's
    `sni_hostname` extension), so the certificate is still verified against the user's host name.
    What remains: an HTTP(S) proxy configured in the environment resolves the host itself (the pinned
    address is what it is asked for, so it only matters if the proxy rewrites it), and the connection
    goes to the first checked address only (no fallback to the host's other addresses).
    """
    parts = checked.parts
    address = ipaddress.ip_address(checked.addresses[0])
    host = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    pinned = urlunsplit((parts.scheme, f"{host}:{checked.port}", parts.path, parts.query, ""))
    extensions: dict[str, str] = {}
    try:
        ipaddress.ip_address(checked.hostname)
    except ValueError:
        if parts.scheme == "https":
            extensions["sni_hostname"] = checked.hostname
    return client.build_request(
        "POST",
        pinned,
        content=body,
        headers={**headers, "Host": parts.netloc},
        timeout=DELIVERY_TIMEOUT_S,
        extensions=extensions,
    )


def _short(text: str) -> str:
    return " ".join(text.split())[:_MAX_REASON_BODY]


def _now() -> int:
    return int(time.time())


def deliver(
    url: str,
    *,
    body: bytes,
    secret: str,
    event_type: str,
    delivery_id: str,
    allow_private: bool,
    client: httpx.Client | None = None,
    now: Callable[[], int] = _now,
    resolver: Resolver | None = None,
) -> int:
    """POST `body` to the webhook `url`, signed with `secret`; the status code when it answers 2xx.

    Raises DeliveryFailed for any other status (redirects are not followed), a network error or
    timeout (5 s), or a URL that no longer passes `check_webhook_url` (re-checked right before sending,
    and the connection pinned to the checked address: see `_pinned_request`).
    """
    try:
        checked = check_webhook_url_details(url, allow_private=allow_private, resolver=resolver)
    except ValidationFailed as exc:
        raise DeliveryFailed(f"refused URL: {exc.message}") from None
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, body, now()),
        EVENT_HEADER: event_type,
        DELIVERY_HEADER: delivery_id,
        "User-Agent": USER_AGENT,
    }
    own_client = client is None
    http = client if client is not None else httpx.Client(timeout=DELIVERY_TIMEOUT_S, follow_redirects=False)
    log = {"delivery_id": delivery_id, "event_type": event_type, "host": checked.hostname}
    try:
        request = _pinned_request(http, checked, body, headers)
        response = http.send(request, stream=True, follow_redirects=False)
        try:
            status = response.status_code
            if 200 <= status < 300:
                logger.info("webhook delivered", extra={**log, "status": status})
                return status
            if 300 <= status < 400:
                reason = f"HTTP {status} redirect not followed"
            else:
                snippet = b""
                for chunk in response.iter_bytes():
                    snippet += chunk
                    if len(snippet) >= _MAX_REASON_BODY:
                        break
                text = _short(snippet[:_MAX_REASON_BODY].decode("utf-8", "replace"))
                reason = f"HTTP {status}" + (f": {text}" if text else "")
        finally:
            response.close()
    except httpx.HTTPError as exc:
        logger.warning("webhook delivery failed", extra={**log, "error": type(exc).__name__})
        raise DeliveryFailed(f"network error ({type(exc).__name__})") from None
    finally:
        if own_client:
            http.close()
    logger.warning("webhook delivery failed", extra={**log, "status": status})
    raise DeliveryFailed(reason, status_code=status)

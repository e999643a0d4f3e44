"""A local webhook receiver for tests and for trying alerts by hand (README).

A threaded HTTP server on 127.0.0.1 (port 0) that records every POST, checks its MoneyGrow-Signature
with the secret `secret_lookup` gives for the request path, and can answer 5xx (or a redirect) for the
next N requests to exercise SNS retries and the DLQ:

    with WebhookReceiver("whsec_...") as rx:             # or a callable: path -> secret or None
        url = rx.url                                      # http://127.0.0.1:<port>/hook
        rx.fail_next(2)                                   # the next two POSTs get 500
        ...
        deliveries = rx.wait_for(3, timeout=10)           # the first three recorded POSTs
        assert deliveries[-1].verified

With `auto_confirm=True`, a `subscription.confirmation` event carrying a `confirm_url` makes the
receiver GET that URL (in a background thread, after it has answered), as a user confirming would.
Deliveries are sent with allow_private=True (the receiver is on loopback, over http unless `tls`).
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from moneygrow.alerts import webhooks

SecretLookup = Callable[[str], str | None]
MAX_BODY = 1024 * 1024


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    verified: bool  # the signature verified with the path's secret (within the tolerance)
    answered: int  # the status the receiver answered
    received_at: float = field(default_factory=time.time)

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def event_type(self) -> str | None:
        return self.headers.get(webhooks.EVENT_HEADER.lower())


@dataclass
class Confirmation:
    url: str
    status: int | None  # None: the GET failed
    error: str | None = None


class WebhookReceiver:
    def __init__(
        self,
        secret_lookup: str | SecretLookup | None = None,
        *,
        auto_confirm: bool = False,
        tls: tuple[str, str] | None = None,
        tolerance_s: int = webhooks.DEFAULT_TOLERANCE_S,
    ) -> None:
        """`tls` = (certfile, keyfile) serves https on `localhost` instead of http on 127.0.0.1."""
        if secret_lookup is None or isinstance(secret_lookup, str):
            fixed = secret_lookup
            self._secret_lookup: SecretLookup = lambda _path: fixed
        else:
            self._secret_lookup = secret_lookup
        self.auto_confirm = auto_confirm
        self.tolerance_s = tolerance_s
        self.deliveries: list[Delivery] = []
        self.confirmations: list[Confirmation] = []
        self._tls = tls
        self._lock = threading.Condition()
        self._script: list[tuple[int, str | None]] = []  # statuses to answer next, before 200
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- control -------------------------------------------------------------------------------------

    def fail_next(self, n: int, status: int = 500, location: str | None = None) -> None:
        """Answer `status` (with `Location` for a redirect) to the next `n` POSTs, then 200 again."""
        with self._lock:
            self._script.extend([(status, location)] * n)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "the receiver is not started"
        port = self._server.server_address[1]
        return f"https://localhost:{port}" if self._tls else f"http://127.0.0.1:{port}"

    @property
    def url(self) -> str:
        return self.base_url + "/hook"

    def url_for(self, name: str) -> str:
        return f"{self.base_url}/{name.lstrip('/')}"

    def wait_for(self, n: int, timeout: float = 10.0) -> list[Delivery]:
        """The first `n` deliveries, waiting up to `timeout` seconds for them (AssertionError after)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.deliveries) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {n} webhook deliveries, got {len(self.deliveries)}")
                self._lock.wait(left)
            return list(self.deliveries[:n])

    def wait_for_confirmations(self, n: int, timeout: float = 10.0) -> list[Confirmation]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.confirmations) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {n} confirmations, got {len(self.confirmations)}")
                self._lock.wait(left)
            return list(self.confirmations[:n])

    # --- lifecycle -----------------------------------------------------------------------------------

    def __enter__(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if self._tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self._tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="webhook-receiver", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # --- request handling ----------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(min(length, MAX_BODY))
        headers = {k.lower(): v for k, v in handler.headers.items()}
        path = handler.path
        secret = self._secret_lookup(path)
        signature = headers.get(webhooks.SIGNATURE_HEADER.lower(), "")
        verified = secret is not None and webhooks.verify(
            secret, body, signature, int(time.time()), self.tolerance_s
        )
        with self._lock:
            status, location = self._script.pop(0) if self._script else (200, None)
        handler.send_response(status)
        if location:
            handler.send_header("Location", location)
        reply = b'{"ok":true}' if status < 300 else b'{"error":"scripted failure"}'
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(reply)))
        handler.end_headers()
        handler.wfile.write(reply)
        with self._lock:
            self.deliveries.append(Delivery(path, headers, body, verified, status))
            self._lock.notify_all()
        if self.auto_confirm and status < 300:
            self._maybe_confirm(headers, body)

    def _maybe_confirm(self, headers: dict[str, str], body: bytes) -> None:
        if headers.get(webhooks.EVENT_HEADER.lower()) != "subscription.confirmation":
            return
        try:
            confirm_url = json.loads(body).get("confirm_url")
        except (ValueError, AttributeError):
            return
        if isinstance(confirm_url, str):
            threading.Thread(target=self._confirm, args=(confirm_url,), daemon=True).start()

    def _confirm(self, url: str) -> None:
        try:
            status: int | None = httpx.get(url, timeout=5, follow_redirects=True).status_code
            error = None
        except httpx.HTTPError as exc:
            status, error = None, type(exc).__name__
        with self._lock:
            self.confirmations.append(Confirmation(url, status, error))
            self._lock.notify_all()

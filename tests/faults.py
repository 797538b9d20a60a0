"""A fault-injecting HTTPS reverse proxy: it stands in front of a healthy API (a local vendor-shaped
server, or moto) and misbehaves in one chosen way, so every provider meets every fault the same way.
"""

from __future__ import annotations

import enum
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class Fault(enum.StrEnum):
    TIMEOUT = "timeout"
    REFUSED = "connection refused"
    TLS_OTHER_HOST = "TLS certificate for another host"
    UNAUTHORIZED = "401"
    FORBIDDEN = "403"
    THROTTLED_THEN_OK = "429 that clears"
    THROTTLED = "429 that never clears"
    SERVER_ERROR_HTML = "502 with an HTML body"
    MALFORMED_JSON = "malformed JSON"
    TRUNCATED = "truncated body"
    REPEATING_CURSOR = "repeating pagination cursor"
    HUGE = "very large response"


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    truncate: bool = False


Rewrite = Callable[[str, str, Reply], Reply | None]


class FaultProxy:
    """Forwards to ``backend`` unless ``fault`` says otherwise; ``rewrite`` adapts a vendor-specific
    fault (a repeating cursor) by changing a healthy reply."""

    def __init__(self, backend: str, fault: Fault | None, rewrite: Rewrite | None = None) -> None:
        self.backend = backend
        self.fault = fault
        self.rewrite = rewrite
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()

    def forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        request = urllib.request.Request(self.backend + path, data=body or None, method=method)
        for key, value in headers.items():
            if key.lower() not in {"host", "content-length", "connection", "accept-encoding"}:
                request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Reply(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read(), dict(error.headers))

    def reply(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        with self.lock:
            self.requests.append((method, path, headers))
            count = len(self.requests)
        fault = self.fault
        html = {"Content-Type": "text/html"}
        json_type = {"Content-Type": "application/json"}
        match fault:
            case Fault.TIMEOUT:
                return Reply(200, b"{}", json_type, delay=4.0)
            case Fault.UNAUTHORIZED:
                return Reply(
                    401,
                    b'{"message": "Unauthorized", "errors": [{"code": 10000, "message": "Authentication error"}]}',
                    json_type,
                )
            case Fault.FORBIDDEN:
                return Reply(
                    403,
                    b'{"__type": "AccessDeniedException", "message": "not authorized", "error": {"code": "AuthorizationFailed", "message": "no access"}}',
                    json_type,
                )
            case Fault.THROTTLED:
                return Reply(429, b'{"message": "Too Many Requests"}', {**json_type, "Retry-After": "1"})
            case Fault.THROTTLED_THEN_OK if count == 1:
                return Reply(429, b'{"message": "Too Many Requests"}', {**json_type, "Retry-After": "1"})
            case Fault.SERVER_ERROR_HTML:
                return Reply(502, b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", html)
            case Fault.MALFORMED_JSON:
                return Reply(200, b'{"result": [{"id": ', json_type)
        healthy = self.forward(method, path, headers, body)
        if fault is Fault.TRUNCATED:
            return Reply(healthy.status, healthy.body[: len(healthy.body) // 2], healthy.headers, truncate=True)
        if fault is Fault.HUGE:
            return Reply(healthy.status, _padded(healthy.body), healthy.headers)
        if fault is Fault.REPEATING_CURSOR and self.rewrite is not None:
            return self.rewrite(method, path, healthy) or healthy
        return healthy


def is_read(method: str, path: str, headers: dict[str, str]) -> bool:
    """GET and HEAD, and AWS's RPC-over-POST reads: the operation, named in X-Amz-Target or in the
    smithy-rpc-v2 path, must be a List/Get/Describe."""
    if method in {"GET", "HEAD"}:
        return True
    if method != "POST":
        return False
    target = next((v for k, v in headers.items() if k.lower() == "x-amz-target"), "")
    operation = target.rsplit(".", 1)[-1] if target else path.rstrip("/").rsplit("/", 1)[-1]
    return operation.startswith(("List", "Get", "Describe"))


def _padded(body: bytes) -> bytes:
    """The same JSON with 20 MB of an unknown member: a response much larger than any real one."""
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if isinstance(document, dict):
        document["padding"] = "x" * (20 * 1024 * 1024)
    return json.dumps(document).encode()


@contextmanager
def serve_proxy(proxy: FaultProxy, tls: tuple[Path, Path]) -> Iterator[str]:
    import ssl

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            reply = proxy.reply(self.command, self.path, dict(self.headers), body)
            if reply.delay:
                time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                skip = {"content-length", "transfer-encoding", "connection", "content-encoding"}
                for key, value in reply.headers.items():
                    if key.lower() not in skip:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.body) + (1000 if reply.truncate else 0)))
                self.send_header("Connection", "close" if reply.truncate else "keep-alive")
                self.end_headers()
                self.wfile.write(reply.body)
                self.wfile.flush()
            except OSError:
                return
            if reply.truncate:
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    class Quiet(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass

    httpd = Quiet(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(tls[0]), str(tls[1]))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()

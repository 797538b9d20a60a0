"""Local HTTP servers that speak the vendors' documented APIs, for provider tests over real HTTP.

Each server runs in a thread on 127.0.0.1 with an ephemeral port, records every request it gets
(for the read-only proof), and can be told to misbehave the ways real APIs do.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    #: send fewer bytes than Content-Length announces, then close
    truncate: bool = False

    @classmethod
    def json(cls, document: Any, status: int = 200, **headers: str) -> Reply:
        return cls(status, json.dumps(document).encode(), {"Content-Type": "application/rdap+json", **headers})

    @classmethod
    def html(cls, status: int) -> Reply:
        page = f"<!DOCTYPE html><html><body><h1>{status} Bad Gateway</h1></body></html>".encode()
        return cls(status, page, {"Content-Type": "text/html"})


Route = Callable[[str, dict[str, str]], Reply | None]


class Server:
    def __init__(
        self, route: Route, methods: frozenset[str] = frozenset({"GET"}), tls: tuple[Path, Path] | None = None
    ) -> None:
        self.route = route
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                with server.lock:
                    server.requests.append((self.command, self.path))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                reply = server.route(self.path, dict(self.headers)) if self.command in methods else Reply(405)
                reply = reply or Reply.json({"errorCode": 404, "title": "Not Found"}, 404)
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                body = reply.body
                self.send_header("Content-Length", str(len(body) + (100 if reply.truncate else 0)))
                self.send_header("Connection", "close" if reply.truncate else "keep-alive")
                self.end_headers()
                try:
                    self.wfile.write(body)
                    self.wfile.flush()
                except OSError:
                    return
                if reply.truncate:
                    self.close_connection = True

            do_GET = _serve
            do_POST = _serve
            do_PUT = _serve
            do_DELETE = _serve
            do_PATCH = _serve

        class Quiet(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a route that raises drops the connection, which is what the test wants

        self.httpd = Quiet(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        scheme = "http"
        if tls is not None:
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"

    def paths(self) -> list[str]:
        with self.lock:
            return [path for _, path in self.requests]

    def methods(self) -> set[str]:
        with self.lock:
            return {method for method, _ in self.requests}


@contextmanager
def serve(
    route: Route, methods: frozenset[str] = frozenset({"GET"}), tls: tuple[Path, Path] | None = None
) -> Iterator[Server]:
    """Serve ``route`` (over TLS with ``tls=(cert, key)``); other methods get 405. AWS-shaped servers
    also allow POST: AWS's reads are POSTs."""
    server = Server(route, methods, tls)
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()

"""A plain-HTTP reverse proxy that adds a fixed latency to every request and records when each one came."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def max_per_second(times: list[float]) -> int:
    """The most requests that arrived within any one-second window."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(ordered):
        while t - ordered[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


class LatencyProxy:
    def __init__(self, backend: str, latency: float) -> None:
        self.backend = backend
        self.latency = latency
        self.times: list[float] = []
        self.lock = threading.Lock()

    def max_per_second(self) -> int:
        return max_per_second(self.times)


@contextmanager
def serve(proxy: LatencyProxy) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            with proxy.lock:
                proxy.times.append(time.monotonic())
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            request = urllib.request.Request(proxy.backend + self.path, data=body, method=self.command)
            for key, value in self.headers.items():
                if key.lower() not in {"host", "content-length", "connection", "accept-encoding"}:
                    request.add_header(key, value)
            time.sleep(proxy.latency)
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    status, data, headers = response.status, response.read(), dict(response.headers)
            except urllib.error.HTTPError as error:
                status, data, headers = error.code, error.read(), dict(error.headers)
            self.send_response(status)
            for key, value in headers.items():
                if key.lower() not in {"content-length", "transfer-encoding", "connection", "content-encoding"}:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128

    httpd = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()

"""A Cloudflare-shaped v4 API for the live benchmark: n zones with their registrations and records,
cursor and page-number pagination as documented, a fixed latency per request, and arrival times."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from latency import max_per_second

ACCOUNT = "0123456789abcdef0123456789abcdef"


class CloudflareEstate:
    def __init__(self, zones: int, latency: float) -> None:
        self.zones = [
            {
                "id": f"z{i}",
                "name": f"cf{i}.example",
                "status": "active",
                "name_servers": ["lara.ns.cloudflare.com", "theo.ns.cloudflare.com"],
                "account": {"id": ACCOUNT},
            }
            for i in range(zones)
        ]
        self.latency = latency
        self.times: list[float] = []
        self.lock = threading.Lock()

    def max_per_second(self) -> int:
        return max_per_second(self.times)

    def reply(self, path: str) -> tuple[int, dict[str, Any]]:
        url = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        parts = url.path.removeprefix("/client/v4/").split("/")
        per_page = int(float(query.get("per_page", "50")))
        page = int(float(query.get("page", "1")))

        def numbered(items: list[Any]) -> dict[str, Any]:
            chunk = items[(page - 1) * per_page : page * per_page]
            pages = max(1, -(-len(items) // per_page))
            info = {
                "page": page,
                "per_page": per_page,
                "count": len(chunk),
                "total_count": len(items),
                "total_pages": pages,
            }
            return {"success": True, "errors": [], "messages": [], "result": chunk, "result_info": info}

        match parts:
            case ["accounts"]:
                return 200, numbered([{"id": ACCOUNT, "name": "bench"}])
            case ["accounts", _, "registrar", "registrations"]:
                start = int(query.get("cursor") or 0)
                chunk = [
                    {
                        "domain_name": z["name"],
                        "auto_renew": i % 10 != 0,
                        "locked": True,
                        "status": "active",
                        "privacy_mode": "redaction",
                        "created_at": "2020-01-01T00:00:00Z",
                        "expires_at": "2028-01-01T00:00:00Z",
                    }
                    for i, z in enumerate(self.zones[start : start + per_page], start)
                ]
                following = start + per_page
                cursor = str(following) if following < len(self.zones) else ""
                return 200, {
                    "success": True,
                    "errors": [],
                    "messages": [],
                    "result": chunk,
                    "result_info": {"count": len(chunk), "cursor": cursor},
                }
            case ["accounts", _, "alerting", "v3", "policies"]:
                return 200, {"success": True, "errors": [], "messages": [], "result": []}
            case ["zones"]:
                return 200, numbered(self.zones)
            case ["zones", zone, "dns_records"]:
                name = self.zones[int(zone[1:])]["name"]
                records = [
                    {"id": f"{zone}-{k}", "type": t, "name": n, "content": c, "proxied": p, "ttl": 1}
                    for k, (t, n, c, p) in enumerate(
                        [
                            ("A", name, "192.0.2.1", True),
                            ("CNAME", f"www.{name}", name, True),
                            ("MX", name, "mx.example.net", False),
                            ("TXT", name, "v=spf1 -all", False),
                        ]
                    )
                ]
                return 200, numbered(records)
            case ["zones", _, "workers", "routes"]:
                return 200, {"success": True, "errors": [], "messages": [], "result": []}
            case ["zones", _, "healthchecks"]:
                return 200, numbered([])
        return 404, {
            "success": False,
            "errors": [{"code": 7003, "message": "not found"}],
            "messages": [],
            "result": None,
        }


@contextmanager
def serve(estate: CloudflareEstate) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            with estate.lock:
                estate.times.append(time.monotonic())
            time.sleep(estate.latency)
            status, document = estate.reply(self.path)
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128

    httpd = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/client/v4"
    finally:
        httpd.shutdown()
        httpd.server_close()

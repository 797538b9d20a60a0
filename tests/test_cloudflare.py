"""The Cloudflare provider against a local server that speaks the v4 API's documented shapes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from servers import Reply, Server, serve

FIXTURES = Path(__file__).parent / "fixtures" / "cloudflare"
TOKEN = "cf-canary-token-0123456789"
ACCOUNT = "0123456789abcdef0123456789abcdef"


def envelope(result: Any, **info: Any) -> Reply:
    body = {"success": True, "errors": [], "messages": [], "result": result}
    if info:
        body["result_info"] = info
    return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


def failure(status: int, code: int, message: str) -> Reply:
    body = {"success": False, "errors": [{"code": code, "message": message}], "messages": [], "result": None}
    return Reply(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


ZONES = [
    {
        "id": "d56084adb405e0b7e32c52321bf07be6",
        "name": "example.com",
        "status": "active",
        "name_servers": ["lara.ns.cloudflare.com", "theo.ns.cloudflare.com"],
        "account": {"id": ACCOUNT, "name": "Acme"},
    },
    {
        "id": "e1",
        "name": "status-demo.com",
        "status": "active",
        "name_servers": ["kai.ns.cloudflare.com", "uma.ns.cloudflare.com"],
        "account": {"id": ACCOUNT, "name": "Acme"},
    },
]
REGISTRATIONS = [
    [
        {
            "domain_name": "example.com",
            "auto_renew": True,
            "locked": True,
            "status": "active",
            "privacy_mode": "redaction",
            "created_at": "2020-01-01T00:00:00Z",
            "expires_at": "2027-01-01T00:00:00Z",
        }
    ],
    [
        {
            "domain_name": "status-demo.com",
            "auto_renew": False,
            "locked": False,
            "status": "redemption_period",
            "privacy_mode": "redaction",
            "created_at": "2019-01-01T00:00:00Z",
            "expires_at": "2026-11-01T00:00:00Z",
        }
    ],
]


class CloudflareAPI:
    def __init__(self) -> None:
        self.fail: dict[str, Reply] = {}
        self.repeat_cursor = False

    def __call__(self, path: str, headers: dict[str, str]) -> Reply | None:
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            return failure(401, 10000, "Authentication error")
        url = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        parts = url.path.removeprefix("/client/v4/").split("/")
        for prefix, reply in self.fail.items():
            if url.path.removeprefix("/client/v4/").startswith(prefix):
                return reply
        page = int(query.get("page", "1"))
        match parts:
            case ["accounts"]:
                return envelope(
                    [{"id": ACCOUNT, "name": "Acme"}], page=1, per_page=50, count=1, total_count=1, total_pages=1
                )
            case ["accounts", _, "registrar", "registrations"]:
                cursor = query.get("cursor", "")
                if cursor == "":
                    return envelope(REGISTRATIONS[0], count=1, cursor="page-2")
                nxt = "page-2" if self.repeat_cursor else ""
                return envelope(REGISTRATIONS[1], count=1, cursor=nxt)
            case ["accounts", _, "alerting", "v3", "policies"]:
                return envelope(
                    [
                        {
                            "id": "p1",
                            "name": "certs",
                            "alert_type": "universal_ssl_event_type",
                            "enabled": True,
                            "filters": {"zones": ["e1"]},
                            "mechanisms": {},
                        },
                        {
                            "id": "p2",
                            "name": "origin",
                            "alert_type": "http_alert_origin_error",
                            "enabled": True,
                            "filters": {},
                            "mechanisms": {},
                        },
                        {
                            "id": "p3",
                            "name": "off",
                            "alert_type": "health_check_status_notification",
                            "enabled": False,
                            "filters": {},
                            "mechanisms": {},
                        },
                        {
                            "id": "p4",
                            "name": "billing",
                            "alert_type": "billing_usage_alert",
                            "enabled": True,
                            "filters": {},
                            "mechanisms": {},
                        },
                    ]
                )
            case ["zones"]:
                return envelope(ZONES, page=1, per_page=50, count=2, total_count=2, total_pages=1)
            case ["zones", "d56084adb405e0b7e32c52321bf07be6", "dns_records"]:
                body = (FIXTURES / f"cloudflare-go-dns-list_page_{page}.json").read_bytes()
                return Reply(200, body, {"Content-Type": "application/json"})
            case ["zones", "e1", "dns_records"]:
                record = {
                    "id": "r1",
                    "type": "A",
                    "name": "status-demo.com",
                    "content": "192.0.2.7",
                    "proxied": True,
                    "ttl": 1,
                }
                return envelope([record], page=1, per_page=100, count=1, total_count=1, total_pages=1)
            case ["zones", "d56084adb405e0b7e32c52321bf07be6", "workers", "routes"]:
                return envelope([{"id": "w1", "pattern": "shop.example.com/*", "script": "router"}])
            case ["zones", "e1", "workers", "routes"]:
                return failure(403, 10000, "Authentication error")
            case ["zones", zone, "healthchecks"]:
                checks = (
                    [{"id": "h1", "name": "api", "address": "api.example.com", "type": "HTTPS"}] if zone != "e1" else []
                )
                return envelope(checks, page=1, per_page=50, count=len(checks), total_count=len(checks), total_pages=1)
        return None


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Server, CloudflareAPI]]:
    routes = CloudflareAPI()
    with serve(routes) as server:
        monkeypatch.setenv("CLOUDFLARE_BASE_URL", f"{server.url}/client/v4")
        monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
        yield server, routes


def config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "lapse.toml"
    path.write_text(f"[providers.cloudflare]\nretries = 1\ntimeout = 3\n{extra}", encoding="utf-8")
    return path


def scan(cli: Any, tmp_path: Path, extra: str = "") -> tuple[Any, dict[str, Any], dict[str, Any]]:
    snap = tmp_path / "snap.json"
    run = cli("scan", "--config", config(tmp_path, extra), "--format", "json", "-o", snap, "--now", "2026-11-22")
    return run, (json.loads(run.out) if run.out else {}), (json.loads(snap.read_text()) if snap.exists() else {})


def test_scan_reads_registrations_zones_records_routes_and_checks(
    cli: Any, tmp_path: Path, api: tuple[Server, CloudflareAPI]
) -> None:
    server, _ = api
    run, report, saved = scan(cli, tmp_path)
    assert run.code == 1, run.err
    assert report["complete"] is True
    regs = {r["domain"]: r for r in saved["registrations"]}
    assert set(regs) == {"example.com", "status-demo.com"}  # both cursor pages
    assert regs["status-demo.com"]["auto_renew"] is False
    assert "redemptionPeriod" in regs["status-demo.com"]["statuses"]
    zones = {z["name"]: z for z in saved["zones"]}
    assert zones["example.com"]["nameservers"] == ["lara.ns.cloudflare.com", "theo.ns.cloudflare.com"]
    records = {(r["name"], r["type"]) for r in zones["example.com"]["records"]}
    dns = [r for r in zones["example.com"]["records"] if r["type"] != "WORKER"]
    assert len(dns) == 3  # both pages of the real fixture
    assert dns[0] == {
        "name": "example.com",
        "type": "A",
        "content": "198.51.100.4",
        "ttl": 120,
        "proxied": True,
        "edge": "cloudflare",
    }
    assert ("shop.example.com", "WORKER") in records
    assert all(r["edge"] == "cloudflare" for r in zones["example.com"]["records"] if r["proxied"])
    monitors = {m["name"]: (m["kind"], m["covers"]) for m in saved["monitors"]}
    assert monitors == {
        "cloudflare-healthcheck:api": ("http", ["api.example.com"]),
        "cloudflare-notification:certs": ("certificate", ["status-demo.com"]),
        "cloudflare-notification:origin": ("http", ["example.com", "status-demo.com"]),
    }
    assert any("Workers routes not read" in n["message"] for n in report["notes"])  # 403: coverage note only
    codes = {(f["code"], f["domain"]) for f in report["findings"]}
    assert ("LAP113", "status-demo.com") in codes
    assert ("LAP302", "status-demo.com") in codes  # registrar, DNS and edge all Cloudflare
    assert server.methods() == {"GET"}
    assert TOKEN not in run.out + run.err + json.dumps(saved)


@pytest.mark.parametrize(
    ("prefix", "reply", "words"),
    [
        ("zones", Reply.html(502), "server error 502 (it returned an HTML page)"),
        ("zones", Reply(200, b'{"success": true, "result": [', {"Content-Type": "application/json"}), "not valid JSON"),
        ("accounts", failure(429, 10000, "rate limited"), "429 Too Many Requests"),
    ],
)
def test_failures_are_reported_in_plain_words(
    cli: Any, tmp_path: Path, api: tuple[Server, CloudflareAPI], prefix: str, reply: Reply, words: str
) -> None:
    _, routes = api
    routes.fail[prefix] = reply
    run, report, _ = scan(cli, tmp_path)
    assert run.code == 3, run.err
    assert any(words in e["message"] for e in report["errors"]), report["errors"]
    assert "Traceback" not in run.err


def test_bad_token_is_an_auth_error(
    cli: Any, tmp_path: Path, api: tuple[Server, CloudflareAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "wrong-canary-token")
    run, report, _ = scan(cli, tmp_path)
    assert run.code == 3
    [error] = report["errors"]
    assert error["kind"] == "auth"
    assert "401 Unauthorized" in error["message"]
    assert "wrong-canary-token" not in run.out + run.err


def test_missing_token_variable_names_it(
    cli: Any, tmp_path: Path, api: tuple[Server, CloudflareAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    run, report, _ = scan(cli, tmp_path, 'token-env = "LAPSE_CF_TOKEN"\n')
    assert run.code == 3
    assert report["errors"][0]["message"] == "no API token: the environment variable LAPSE_CF_TOKEN is not set"


def test_a_repeating_cursor_stops_instead_of_looping(
    cli: Any, tmp_path: Path, api: tuple[Server, CloudflareAPI]
) -> None:
    _, routes = api
    routes.repeat_cursor = True
    run, report, _ = scan(cli, tmp_path)
    assert run.code == 3
    assert any("pagination cursor repeated" in e["message"] for e in report["errors"])


def test_the_sdk_client_cannot_send_a_write(api: tuple[Server, CloudflareAPI]) -> None:
    from datetime import UTC, datetime

    from lapse.providers import cloudflare as provider
    from lapse.providers.http import ReadOnlyViolation
    from lapse.providers.scope import Scope

    server, _ = api
    import cloudflare

    reader = provider.Reader(TOKEN, provider.LIMITS, Scope(now=datetime.now(UTC)))
    with pytest.raises(cloudflare.APIConnectionError) as refused:
        reader.client.zones.delete(zone_id="d56084adb405e0b7e32c52321bf07be6")
    reader.client.close()
    assert isinstance(refused.value.__cause__, ReadOnlyViolation)
    assert "refused to send DELETE" in str(refused.value.__cause__)
    assert server.methods() <= {"GET"}

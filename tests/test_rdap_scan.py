"""`lapse scan` with the RDAP provider against a local RDAP server over real HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import Reply, Server, serve

RDAP = Path(__file__).parent / "fixtures" / "rdap"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((RDAP / name).read_text(encoding="utf-8"))


def minimal(domain: str, expires: str = "2030-01-01T00:00:00Z") -> dict[str, Any]:
    return {
        "objectClassName": "domain",
        "ldhName": domain,
        "status": ["client transfer prohibited"],
        "events": [{"eventAction": "expiration", "eventDate": expires}],
        "nameservers": [{"ldhName": "ns1.example.net"}, {"ldhName": "ns2.example.org"}],
    }


class Registry:
    """Routes for a few registries, one of which misbehaves in each way a real one can."""

    def __init__(self) -> None:
        self.busy_calls = 0
        self.url = ""

    def bootstrap(self) -> dict[str, Any]:
        u = self.url
        return {
            "version": "1.0",
            "publication": "2026-11-01T00:00:00Z",
            "services": [
                [["com"], [f"{u}/verisign/"]],
                [["new"], [f"{u}/newreg"]],
                [["busy"], [f"{u}/busy/"]],
                [["bad"], [f"{u}/broken/"]],
                [["junk"], [f"{u}/junk/"]],
                [["slow"], [f"{u}/slow/"]],
                [["cut"], [f"{u}/cut/"]],
            ],
        }

    def __call__(self, path: str, headers: dict[str, str]) -> Reply | None:
        match path.split("/")[1:]:
            case ["bootstrap.json"]:
                return Reply.json(self.bootstrap())
            case ["verisign", "domain", "google.com"]:
                return Reply.json(fixture("verisign-com-google.com.json"))
            case ["verisign", "domain", "themarquetry.com"]:
                return Reply.json(fixture("whoisit-verisign-com-themarquetry.com.json"))
            case ["newreg", "domain", "docs.new"]:
                return Reply.json(fixture("whodap-markmonitor-docs.new.json"))
            case ["busy", "domain", name]:
                self.busy_calls += 1
                if self.busy_calls == 1:
                    return Reply.json({"errorCode": 429}, 429, **{"Retry-After": "1"})
                return Reply.json(minimal(name))
            case ["broken", "domain", _]:
                return Reply.html(502)
            case ["junk", "domain", _]:
                return Reply(200, b'{"ldhName": "w.junk", "events": [', {"Content-Type": "application/rdap+json"})
            case ["slow", "domain", name]:
                return Reply(200, json.dumps(minimal(name)).encode(), {"Content-Type": "application/json"}, delay=2.5)
            case ["cut", "domain", name]:
                return Reply(
                    200, json.dumps(minimal(name)).encode(), {"Content-Type": "application/json"}, truncate=True
                )
        return None


DOMAINS = [
    "google.com", "themarquetry.com", "docs.new", "x.busy", "y.bad", "w.junk", "z.slow", "v.cut", "missing.com",
    "nowhere.notld",
]  # fmt: skip


@pytest.fixture
def registry() -> Iterator[tuple[Server, Registry]]:
    routes = Registry()
    with serve(routes) as server:
        routes.url = server.url
        yield server, routes


def config(tmp_path: Path, server: Server, domains: list[str], **extra: str) -> Path:
    lines = [
        "[providers.rdap]",
        f'bootstrap-url = "{server.url}/bootstrap.json"',
        f'cache-dir = "{tmp_path / "cache"}"',
        "timeout = 1",
        "retries = 1",
        *(f"{k} = {v}" for k, v in extra.items()),
    ]
    for name in domains:
        lines += ["[[domains]]", f'name = "{name}"']
    path = tmp_path / "lapse.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def scan(cli: Any, cfg: Path, *args: str | Path) -> tuple[Any, dict[str, Any]]:
    run = cli("scan", "--config", cfg, "--now", "2026-11-22", "--format", "json", *args)
    return run, json.loads(run.out) if run.out else {}


def test_scan_reads_the_registries_and_reports_each_failure_plainly(
    cli: Any, tmp_path: Path, registry: tuple[Server, Registry]
) -> None:
    server, _ = registry
    snap = tmp_path / "snapshot.json"
    started = time.monotonic()
    run, report = scan(cli, config(tmp_path, server, DOMAINS), "-o", snap)
    assert time.monotonic() - started < 20
    assert run.code == 3, run.err
    assert report["complete"] is False
    errors = {e["account"]: e["message"] for e in report["errors"]}
    host = "127.0.0.1"
    assert set(errors) == {host}  # all failures from one server host, grouped by cause below
    messages = sorted(e["message"] for e in report["errors"])
    assert any("server error 502 Bad Gateway (it returned an HTML page)" in m and "y.bad" in m for m in messages)
    assert any("not valid JSON" in m and "w.junk" in m for m in messages)
    assert any("timed out" in m and "z.slow" in m for m in messages)
    assert any("broke off mid-response" in m and "v.cut" in m for m in messages)
    assert "Traceback" not in run.err
    # what could be read was read, and linted
    read = {f["domain"] for f in report["findings"]} | {n["domain"] for n in report["not_evaluated"]}
    assert {"google.com", "themarquetry.com", "docs.new", "x.busy"} <= read
    codes = {(f["code"], f["domain"]) for f in report["findings"]}
    assert ("LAP402", "themarquetry.com") in codes  # delegated to dns-parking.com
    assert ("LAP113", "themarquetry.com") in codes  # expired in 2022
    assert ("LAP110", "docs.new") in codes  # expires 2026-11-29, auto-renew unknown
    assert ("LAP901", None) in codes
    notes = {(n["domain"], n["message"]) for n in report["notes"]}
    assert ("nowhere.notld", "the .notld registry has no RDAP service") in notes
    assert ("missing.com", "the registry has no record of this domain") in notes
    # the snapshot holds the registry views, with their source
    saved = json.loads(snap.read_text())
    regs = {r["domain"]: r for r in saved["registrations"]}
    assert set(regs) == {"google.com", "themarquetry.com", "docs.new", "x.busy"}
    assert regs["google.com"]["registrar_iana_id"] == "292"
    assert regs["google.com"]["source"]["provider"] == "rdap"
    assert regs["x.busy"]["expires"] == "2030-01-01T00:00:00Z"  # after one 429 with Retry-After
    assert "requests: rdap" in run.err
    assert server.methods() == {"GET"}


def test_bootstrap_is_cached_and_a_corrupt_cache_is_refetched(
    cli: Any, tmp_path: Path, registry: tuple[Server, Registry]
) -> None:
    server, _ = registry
    cfg = config(tmp_path, server, ["google.com"])
    assert scan(cli, cfg)[0].code in (0, 1)
    assert scan(cli, cfg)[0].code in (0, 1)
    assert server.paths().count("/bootstrap.json") == 1
    [cache] = (tmp_path / "cache").iterdir()
    cache.write_text("{ not json", encoding="utf-8")
    run, report = scan(cli, cfg)
    assert run.code in (0, 1)
    assert server.paths().count("/bootstrap.json") == 2
    assert report["complete"] is True


def test_stale_cache_is_used_when_the_bootstrap_cannot_be_fetched(
    cli: Any, tmp_path: Path, registry: tuple[Server, Registry]
) -> None:
    server, routes = registry
    cfg = config(tmp_path, server, ["google.com"])
    scan(cli, cfg)
    [cache] = (tmp_path / "cache").iterdir()
    cached = json.loads(cache.read_text())
    cached["fetched_at"] -= 3 * 24 * 3600
    cache.write_text(json.dumps(cached))
    cfg.write_text(cfg.read_text().replace("/bootstrap.json", "/gone.json"), encoding="utf-8")
    # a different URL has no cache: the scan cannot find any registry and says so
    run, report = scan(cli, cfg)
    assert run.code == 3
    assert "404 Not Found" in report["errors"][0]["message"]
    cfg.write_text(cfg.read_text().replace("/gone.json", "/bootstrap.json"), encoding="utf-8")
    routes_bootstrap = routes.bootstrap
    routes.bootstrap = lambda: (_ for _ in ()).throw(RuntimeError("down"))  # type: ignore[method-assign]
    run, report = scan(cli, cfg)
    routes.bootstrap = routes_bootstrap  # type: ignore[method-assign]
    assert report["complete"] is True, report["errors"]
    assert any("using the bootstrap cached 72 h ago" in n["message"] for n in report["notes"])


def test_scan_without_providers_is_a_usage_error(cli: Any, tmp_path: Path) -> None:
    cfg = tmp_path / "lapse.toml"
    cfg.write_text("[[domains]]\nname = 'example.com'\n")
    run = cli("scan", "--config", cfg)
    assert run.code == 2
    assert "no providers configured" in run.err
    cfg.write_text("[providers.azure]\n")
    run = cli("scan", "--config", cfg, "--format", "json")
    assert run.code == 3  # missing credentials are a failed provider: the rest of a scan goes on
    assert "no subscription" in json.loads(run.out)["errors"][0]["message"]
    cfg.write_text("[providers.rdap]\n")
    run = cli("scan", "--config", cfg, "--provider", "cloudflare")
    assert run.code == 2
    assert "add a [providers.cloudflare] table" in run.err

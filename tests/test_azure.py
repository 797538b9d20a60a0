"""The Azure provider against a local HTTPS server that speaks ARM's documented shapes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from certs import make_cert
from servers import Reply, Server, serve

FIXTURES = Path(__file__).parent / "fixtures" / "azure"
TOKEN = "arm-canary-token-abcdef"
SUB = "subid"


def body(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))["responses"]["200"]["body"]
    return document


def arm_error(status: int, code: str, message: str) -> Reply:
    return Reply(
        status, json.dumps({"error": {"code": code, "message": message}}).encode(), {"Content-Type": "application/json"}
    )


class ARM:
    def __init__(self) -> None:
        self.url = ""
        self.fail: dict[str, Reply] = {}
        self.tokens: set[str] = set()

    def __call__(self, path: str, headers: dict[str, str]) -> Reply | None:
        self.tokens.add(headers.get("Authorization", ""))
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            return arm_error(401, "AuthenticationFailed", "Authentication failed.")
        url = urlsplit(path)
        query = parse_qs(url.query)
        for needle, reply in self.fail.items():
            if needle in url.path:
                return reply
        segments = url.path.strip("/").split("/")
        match segments:
            case ["subscriptions", _, "providers", "Microsoft.DomainRegistration", "domains"]:
                return Reply.json(body("domainregistration-2024-04-01-ListDomainsBySubscription.json"))
            case ["subscriptions", _, "providers", "Microsoft.Network", zones] if zones.lower() == "dnszones":
                if "$skipToken" in query:
                    return Reply.json({"value": []})
                page = body("dns-2018-05-01-ListZonesBySubscription.json")
                page["nextLink"] = (
                    f"{self.url}/subscriptions/{SUB}/providers/Microsoft.Network/dnszones?api-version=2018-05-01&$skipToken=2"
                )
                return Reply.json(page)
            case [
                "subscriptions",
                _,
                "resourceGroups",
                _,
                "providers",
                "Microsoft.Network",
                _,
                zone,
                "all" | "recordsets",
            ]:
                if zone != "zone1" or "$skipToken" in query:
                    return Reply.json({"value": []})
                page = body("dns-2023-07-01-preview-ListRecordSetsByZone.json")
                page["nextLink"] = f"{self.url}{url.path}?api-version=2018-05-01&$skipToken=2"
                return Reply.json(page)
        return None


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def arm(cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Server, ARM]]:
    routes = ARM()
    with serve(routes, tls=cert) as server:
        routes.url = server.url
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert[0]))  # trust the throwaway certificate
        monkeypatch.setenv("ARM_TOKEN", TOKEN)
        yield server, routes


def config(tmp_path: Path, server: Server, extra: str = "") -> Path:
    path = tmp_path / "lapse.toml"
    path.write_text(
        "[providers.azure]\n"
        f'subscription-id = "{SUB}"\n'
        'access-token-env = "ARM_TOKEN"\n'
        f'resource-manager-url = "{server.url}"\n'
        "retries = 1\ntimeout = 3\n" + extra,
        encoding="utf-8",
    )
    return path


def scan(cli: Any, tmp_path: Path, server: Server, extra: str = "") -> tuple[Any, dict[str, Any], dict[str, Any]]:
    snap = tmp_path / "snap.json"
    run = cli(
        "scan", "--config", config(tmp_path, server, extra), "--format", "json", "-o", snap, "--now", "2026-11-22"
    )
    return run, (json.loads(run.out) if run.out else {}), (json.loads(snap.read_text()) if snap.exists() else {})


def test_scan_reads_app_service_domains_zones_and_record_sets(
    cli: Any, tmp_path: Path, arm: tuple[Server, ARM]
) -> None:
    server, routes = arm
    run, report, saved = scan(cli, tmp_path, server)
    assert run.code == 1, run.err
    assert report["complete"] is True, report["errors"]
    [reg] = saved["registrations"]
    assert reg["domain"] == "example.com"
    assert reg["auto_renew"] is True
    assert reg["expires"] == "2022-09-10T19:30:53Z"
    assert reg["nameservers"] == ["ns01.ote.domaincontrol.com", "ns02.ote.domaincontrol.com"]
    assert "registrant@email.com" in reg["contact_emails"]
    zones = {z["name"]: z for z in saved["zones"]}
    assert set(zones) == {"zone1", "zone2"}
    assert zones["zone1"]["nameservers"] == [
        "ns1-01.azure-dns.com",
        "ns2-01.azure-dns.net",
        "ns3-01.azure-dns.org",
        "ns4-01.azure-dns.info",
    ]
    types = sorted({r["type"] for r in zones["zone1"]["records"]})
    assert types == ["A", "CAA", "CNAME"]
    codes = {(f["code"], f["domain"]) for f in report["findings"]}
    assert ("LAP113", "example.com") in codes  # expired 2022 in the REST example
    assert server.methods() == {"GET"}
    assert routes.tokens == {f"Bearer {TOKEN}"}
    assert TOKEN not in run.out + run.err + json.dumps(saved)


@pytest.mark.parametrize(
    ("needle", "reply", "kind", "words"),
    [
        ("dnszones", Reply.html(502), "unavailable", "server error 502 (it returned an HTML page)"),
        ("Microsoft.DomainRegistration", arm_error(403, "AuthorizationFailed", "no access"), "auth", "403 Forbidden"),
        (
            "dnszones",
            Reply(200, b'{"value": [', {"Content-Type": "application/json"}),
            "invalid-response",
            "not valid JSON",
        ),
    ],
)
def test_failures_keep_the_rest_and_say_what_broke(
    cli: Any, tmp_path: Path, arm: tuple[Server, ARM], needle: str, reply: Reply, kind: str, words: str
) -> None:
    server, routes = arm
    routes.fail[needle] = reply
    run, report, saved = scan(cli, tmp_path, server)
    assert run.code == 3, run.err
    [error] = report["errors"]
    assert error["kind"] == kind
    assert words in error["message"], error
    assert saved["registrations"] or saved["zones"]  # the other half was still read


def test_wrong_token_is_an_auth_error(
    cli: Any, tmp_path: Path, arm: tuple[Server, ARM], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _ = arm
    monkeypatch.setenv("ARM_TOKEN", "wrong-canary")
    run, report, _ = scan(cli, tmp_path, server)
    assert run.code == 3
    assert {e["kind"] for e in report["errors"]} == {"auth"}
    assert "wrong-canary" not in run.out + run.err


def test_certificate_for_another_host_is_named_plainly(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = make_cert(tmp_path / "other", hosts=("other.example",))
    with serve(ARM(), tls=other) as server:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other[0]))
        monkeypatch.setenv("ARM_TOKEN", TOKEN)
        run, report, _ = scan(cli, tmp_path, server)
    assert run.code == 3
    assert report["errors"]
    assert all("certificate does not match the host" in e["message"] for e in report["errors"]), report["errors"]


def test_plain_http_endpoint_is_refused_not_sent_a_token(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    routes = ARM()
    with serve(routes) as server:
        monkeypatch.setenv("ARM_TOKEN", TOKEN)
        run, _, _ = scan(cli, tmp_path, server)
    assert run.code == 2  # the config schema refuses it before anything is sent
    assert "resource-manager-url: expected an https:// URL" in run.err
    assert routes.tokens == set()

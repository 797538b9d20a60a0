"""Every provider against every fault, from one table: a fault-injecting HTTPS proxy stands in front of
each provider's healthy API (local vendor-shaped servers, moto for AWS). Adding a provider or a fault
adds a row. Each cell checks what DESIGN.md promises: the scan finishes within its deadline, the failing
provider is named with the cause in plain words, every other provider's findings are still reported,
the result is incomplete (exit 3), and nothing prints a traceback."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import test_azure
import test_cloudflare
from certs import make_cert
from faults import Fault, FaultProxy, Reply, is_read, serve_proxy
from servers import serve
from test_aws import register
from test_azure import ARM, SUB
from test_cloudflare import CloudflareAPI
from test_rdap_scan import Registry

DEADLINE = 25


@dataclass(frozen=True)
class Target:
    name: str
    #: a domain whose findings prove this provider was read
    witness: str
    #: turns a healthy reply into one with a cursor that repeats; None: the API has no pagination
    repeat_cursor: Callable[[str], Callable[[str, str, Reply], Reply | None]] | None


def _cf_cursor(proxy: str) -> Callable[[str, str, Reply], Reply | None]:
    def rewrite(method: str, path: str, healthy: Reply) -> Reply | None:
        if "registrar/registrations" not in path or healthy.status != 200:
            return None
        document = json.loads(healthy.body)
        document["result_info"] = {"cursor": "again", "count": 1}
        return Reply(200, json.dumps(document).encode(), {"Content-Type": "application/json"})

    return rewrite


def _azure_cursor(proxy: str) -> Callable[[str, str, Reply], Reply | None]:
    def rewrite(method: str, path: str, healthy: Reply) -> Reply | None:
        if "dnszones" not in path.lower() or "recordsets" in path.lower() or healthy.status != 200:
            return None
        document = json.loads(healthy.body)
        document["nextLink"] = (
            f"{proxy}/subscriptions/{SUB}/providers/Microsoft.Network/dnszones?api-version=2018-05-01&$skipToken=again"
        )
        return Reply(200, json.dumps(document).encode(), {"Content-Type": "application/json"})

    return rewrite


def _aws_cursor(proxy: str) -> Callable[[str, str, Reply], Reply | None]:
    def rewrite(method: str, path: str, healthy: Reply) -> Reply | None:
        if not path.startswith("/2013-04-01/hostedzone") or method != "GET":
            return None
        xml = (
            '<?xml version="1.0"?><ListHostedZonesResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
            "<HostedZones></HostedZones><Marker>again</Marker><IsTruncated>true</IsTruncated>"
            "<NextMarker>again</NextMarker><MaxItems>100</MaxItems></ListHostedZonesResponse>"
        )
        return Reply(200, xml.encode(), {"Content-Type": "text/xml"})

    return rewrite


TARGETS = [
    Target("aws", "fault-demo.com", _aws_cursor),
    Target("azure", "example.com", _azure_cursor),
    Target("cloudflare", "status-demo.com", _cf_cursor),
    Target("rdap", "themarquetry.com", None),
]

# What a person reads for each fault: the error kind and words that name the cause.
EXPECT: dict[Fault, tuple[set[str], tuple[str, ...]]] = {
    Fault.TIMEOUT: ({"timeout"}, ("timed out",)),
    Fault.REFUSED: ({"unavailable"}, ("refused", "could not connect")),
    Fault.TLS_OTHER_HOST: ({"unavailable"}, ("certificate does not match the host",)),
    Fault.UNAUTHORIZED: ({"auth"}, ("401", "nauthorized", "uthentication")),
    Fault.FORBIDDEN: ({"auth"}, ("403", "orbidden", "AccessDenied")),
    Fault.THROTTLED: ({"throttled"}, ("429", "hrottled", "Too Many Requests")),
    Fault.SERVER_ERROR_HTML: ({"unavailable"}, ("502",)),
    Fault.MALFORMED_JSON: ({"invalid-response"}, ("not valid JSON", "could not be parsed", "documented shape")),
    Fault.TRUNCATED: (
        {"unavailable", "invalid-response"},
        ("broke off", "truncated", "could not connect", "connection"),
    ),
    Fault.REPEATING_CURSOR: ({"invalid-response"}, ("cursor repeated",)),
}


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    folder = tmp_path_factory.mktemp("tls")
    good, other = make_cert(folder / "good"), make_cert(folder / "other", hosts=("other.example",))
    # trust both, so the other-host certificate fails on its name, not on trust
    bundle = folder / "bundle.pem"
    bundle.write_bytes(good[0].read_bytes() + other[0].read_bytes())
    return {"good": good, "other": other, "bundle": (bundle, bundle)}


@contextmanager
def backend(target: str, aws_url: str) -> Iterator[tuple[str, Any]]:
    """The healthy API behind the proxy: its base URL and its route object."""
    if target == "aws":
        yield aws_url, None
        return
    routes: Any = {"azure": ARM, "cloudflare": CloudflareAPI, "rdap": Registry}[target]()
    with serve(routes) as server:
        routes.url = server.url
        yield server.url, routes


def configure(
    target: str, url: str, routes: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, companion: str
) -> Path:
    """Point the target provider at ``url`` (the proxy) and a companion provider at its healthy server."""
    lines = []
    if target == "aws":
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        lines += ["[providers.aws]"]
    elif target == "azure":
        routes.url = url
        monkeypatch.setenv("ARM_TOKEN", test_azure.TOKEN)
        lines += [
            "[providers.azure]",
            f'subscription-id = "{SUB}"',
            'access-token-env = "ARM_TOKEN"',
            f'resource-manager-url = "{url}"',
        ]
    elif target == "cloudflare":
        monkeypatch.setenv("CLOUDFLARE_BASE_URL", f"{url}/client/v4")
        monkeypatch.setenv("CLOUDFLARE_API_TOKEN", test_cloudflare.TOKEN)
        lines += ["[providers.cloudflare]"]
    else:
        routes.url = url
        lines += ["[providers.rdap]", f'bootstrap-url = "{url}/bootstrap.json"', f'cache-dir = "{tmp_path / "cache"}"']
    lines += ["retries = 1", "timeout = 2"]
    lines += companion.splitlines()
    if target == "rdap":
        lines += ["[[domains]]", 'name = "themarquetry.com"']
    path = tmp_path / "lapse.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def scan_through(
    target: Target,
    fault: Fault | None,
    cli: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    aws: str,
    certs: dict[str, tuple[Path, Path]],
    *extra: str | Path,
) -> tuple[Any, dict[str, Any], str, float, FaultProxy | None]:
    """Scan ``target`` through a proxy injecting ``fault`` (None: healthy), beside a healthy companion."""
    trusted = str(certs["bundle"][0])
    monkeypatch.setenv("SSL_CERT_FILE", trusted)  # httpx: RDAP and the Cloudflare SDK
    monkeypatch.setenv("AWS_CA_BUNDLE", trusted)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", trusted)  # azure-core
    if target.name == "aws":
        register(aws, "fault-demo.com", auto_renew=False)
    proxy = None
    with ExitStack() as stack:
        # the companion: a healthy provider whose findings must survive the target's failure
        if target.name == "rdap":
            companion_routes = CloudflareAPI()
            companion = stack.enter_context(serve(companion_routes))
            monkeypatch.setenv("CLOUDFLARE_BASE_URL", f"{companion.url}/client/v4")
            monkeypatch.setenv("CLOUDFLARE_API_TOKEN", test_cloudflare.TOKEN)
            companion_toml, companion_witness = "[providers.cloudflare]\nretries = 0", "status-demo.com"
        else:
            registry = Registry()
            companion = stack.enter_context(serve(registry))
            registry.url = companion.url
            companion_toml = (
                f'[providers.rdap]\nbootstrap-url = "{companion.url}/bootstrap.json"\ncache-dir = "{tmp_path / "rdap"}"\n'
                '[[domains]]\nname = "themarquetry.com"'
            )
            companion_witness = "themarquetry.com"
        url, routes = stack.enter_context(backend(target.name, aws))
        if fault is Fault.REFUSED:
            front = "https://127.0.0.1:9"  # the discard port: nothing listens
        else:
            proxy = FaultProxy(url, fault)
            front = stack.enter_context(serve_proxy(proxy, certs["other" if fault is Fault.TLS_OTHER_HOST else "good"]))
            if target.repeat_cursor:
                proxy.rewrite = target.repeat_cursor(front)
        cfg = configure(target.name, front, routes, tmp_path, monkeypatch, companion_toml)
        started = time.monotonic()
        run = cli(
            "scan", "--config", cfg, "--format", "json", "--now", "2026-11-22", "--deadline", str(DEADLINE), *extra
        )
        elapsed = time.monotonic() - started
    report = json.loads(run.out) if run.out else {}
    return run, report, companion_witness, elapsed, proxy


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_providers_only_read(
    target: Target,
    cli: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    aws: str,
    certs: dict[str, tuple[Path, Path]],
) -> None:
    """The read-only proof: every request a healthy scan sends is a read."""
    _, report, _, _, proxy = scan_through(target, None, cli, tmp_path, monkeypatch, aws, certs)
    assert report["complete"] is True, report.get("errors")
    assert proxy is not None
    assert proxy.requests, "the provider sent nothing"
    writes = [(m, p) for m, p, h in proxy.requests if not is_read(m, p, h)]
    assert writes == []


@pytest.mark.parametrize("fault", list(Fault), ids=[f.name.lower() for f in Fault])
@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_fault_matrix(
    target: Target,
    fault: Fault,
    cli: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    aws: str,
    certs: dict[str, tuple[Path, Path]],
) -> None:
    if fault is Fault.REPEATING_CURSOR and target.repeat_cursor is None:
        pytest.skip(f"{target.name} has no pagination")
    run, report, companion_witness, elapsed, _ = scan_through(target, fault, cli, tmp_path, monkeypatch, aws, certs)
    assert "Traceback" not in run.err + run.out
    assert elapsed < DEADLINE + 10, f"took {elapsed:.1f} s"
    domains = {f["domain"] for f in report["findings"]} | {n["domain"] for n in report["not_evaluated"]}
    assert companion_witness in domains, "the healthy provider's results were lost"
    errors = [e for e in report["errors"] if e["provider"] == target.name]
    if fault in (Fault.THROTTLED_THEN_OK, Fault.HUGE):
        assert not errors, errors  # a 429 that clears, or a large but valid answer, is a success
        assert report["complete"] is True
        assert target.witness in domains
        assert run.code in (0, 1)
        return
    assert run.code == 3, run.err
    assert report["complete"] is False
    assert errors, report["errors"]
    kinds, words = EXPECT[fault]
    assert {e["kind"] for e in errors} <= kinds, errors
    assert any(any(w in e["message"] for w in words) for e in errors), errors
    assert any(f["code"] == "LAP901" for f in report["findings"])


def test_is_read_tells_writes_apart() -> None:
    assert is_read("GET", "/client/v4/zones", {})
    assert is_read("POST", "/", {"X-Amz-Target": "Route53Domains_v20140515.ListDomains"})
    assert is_read("POST", "/service/Route53Domains/operation/GetDomainDetail", {})
    assert not is_read("POST", "/", {"X-Amz-Target": "Route53Domains_v20140515.RegisterDomain"})
    assert not is_read("DELETE", "/client/v4/zones/1", {})
    assert not is_read("PUT", "/subscriptions/x", {})


CANARIES = {
    "AWS_SECRET_ACCESS_KEY": "canary-aws-secret-7f3a",
    "AWS_SESSION_TOKEN": "canary-aws-session-91bc",
    "CLOUDFLARE_API_TOKEN": "canary-cf-token-55de",
    "ARM_TOKEN": "canary-arm-token-c0ff",
    "AZURE_CLIENT_SECRET": "canary-azure-secret-beef",
}


@pytest.mark.parametrize(
    "fault", [Fault.UNAUTHORIZED, Fault.MALFORMED_JSON, Fault.TLS_OTHER_HOST], ids=["401", "malformed", "tls"]
)
@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_credential_canaries_never_leak(
    target: Target,
    fault: Fault,
    cli: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    aws: str,
    certs: dict[str, tuple[Path, Path]],
) -> None:
    """Canary secrets in every credential variable appear in no output, report or snapshot, even when
    errors quote URLs and the servers reject the credentials."""
    for variable, value in CANARIES.items():
        monkeypatch.setenv(variable, value)
    # the local servers accept the canaries as the real credentials
    monkeypatch.setattr(test_cloudflare, "TOKEN", CANARIES["CLOUDFLARE_API_TOKEN"])
    monkeypatch.setattr(test_azure, "TOKEN", CANARIES["ARM_TOKEN"])
    snap = tmp_path / "snap.json"
    run, _, _, _, _ = scan_through(target, fault, cli, tmp_path, monkeypatch, aws, certs, "-o", snap, "-v")
    outputs = [run.out, run.err, snap.read_text()]
    for fmt in ("terminal", "json", "sarif", "junit", "markdown"):
        report = cli("check", snap, "--format", fmt, "-v", "--now", "2026-11-22")
        outputs += [report.out, report.err]
    for value in CANARIES.values():
        assert not any(value in text for text in outputs), f"{value} leaked"

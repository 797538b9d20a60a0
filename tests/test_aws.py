"""The AWS provider against moto's server over real HTTP (Route 53 Domains and Route 53)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from msgspec import structs
from servers import Reply, serve

from lapse.errors import ProviderErrorKind

CONTACT = {
    "FirstName": "Dana",
    "LastName": "Ops",
    "ContactType": "PERSON",
    "AddressLine1": "1 Main St",
    "City": "Seattle",
    "State": "WA",
    "CountryCode": "US",
    "ZipCode": "98101",
    "PhoneNumber": "+1.5555550100",
    "Email": "domains@corp.example",
}


def client(service: str, url: str) -> Any:
    return boto3.client(service, region_name="us-east-1", endpoint_url=url)


def register(url: str, name: str, *, auto_renew: bool = True) -> None:
    domains = client("route53domains", url)
    domains.register_domain(
        DomainName=name,
        DurationInYears=2,
        AutoRenew=auto_renew,
        AdminContact=CONTACT,
        RegistrantContact=CONTACT,
        TechContact=CONTACT,
    )


def fail_renewal(name: str) -> None:
    """Moto has no way to fail a renewal over its API; put the operation in its backend."""
    from moto.route53domains.models import route53domains_backends
    from moto.route53domains.validators import Route53DomainsOperation

    backend = route53domains_backends["123456789012"]["aws"]
    operation = Route53DomainsOperation.validate(
        domain_name=name, status="FAILED", type_="RENEW_DOMAIN", message="Payment method declined"
    )
    backend._Route53DomainsBackend__operations[operation.id] = operation  # type: ignore[attr-defined]


def write_config(tmp_path: Path, *, retries: int = 1) -> Path:
    path = tmp_path / "lapse.toml"
    path.write_text(f"[providers.aws]\nretries = {retries}\ntimeout = 3\n", encoding="utf-8")
    return path


def scan(cli: Any, cfg: Path, tmp_path: Path) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    snap = tmp_path / "snap.json"
    run = cli("scan", "--config", cfg, "--format", "json", "-o", snap)
    report = json.loads(run.out) if run.out else {}
    saved = json.loads(snap.read_text()) if snap.exists() else {}
    return run, report, saved


def test_scan_reads_registrations_zones_records_and_health_checks(cli: Any, tmp_path: Path, aws: str) -> None:
    register(aws, "paperplane-demo.com", auto_renew=False)
    register(aws, "ppcdn-demo.com")
    fail_renewal("ppcdn-demo.com")
    route53 = client("route53", aws)
    zone_id = next(z["Id"] for z in route53.list_hosted_zones()["HostedZones"] if z["Name"].startswith("ppcdn-demo"))
    route53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": "www.ppcdn-demo.com",
                        "Type": "A",
                        "AliasTarget": {
                            "HostedZoneId": "Z2FDTNDATAQYW2",
                            "DNSName": "d111111abcdef8.cloudfront.net",
                            "EvaluateTargetHealth": False,
                        },
                    },
                }
            ]
        },
    )
    route53.create_health_check(
        CallerReference="hc1",
        HealthCheckConfig={
            "Type": "HTTPS",
            "FullyQualifiedDomainName": "www.ppcdn-demo.com",
            "Port": 443,
            "ResourcePath": "/health",
        },
    )
    run, report, saved = scan(cli, write_config(tmp_path), tmp_path)
    assert run.code == 1, run.err
    assert report["complete"] is True
    regs = {r["domain"]: r for r in saved["registrations"]}
    assert set(regs) == {"paperplane-demo.com", "ppcdn-demo.com"}
    assert regs["paperplane-demo.com"]["auto_renew"] is False
    assert regs["paperplane-demo.com"]["contact_emails"] == ["domains@corp.example"]
    assert regs["ppcdn-demo.com"]["renewal_failures"][0]["reason"].startswith("RENEW_DOMAIN operation FAILED")
    assert regs["ppcdn-demo.com"]["source"] == {
        "provider": "aws",
        "account": "default",
        "read_at": regs["ppcdn-demo.com"]["source"]["read_at"],
    }
    zones = {z["name"]: z for z in saved["zones"]}
    assert "ppcdn-demo.com" in zones
    edge = [r for r in zones["ppcdn-demo.com"]["records"] if r["proxied"]]
    assert edge == [
        {
            "name": "www.ppcdn-demo.com",
            "type": "A",
            "content": "d111111abcdef8.cloudfront.net",
            "ttl": None,
            "proxied": True,
            "edge": "aws",
        }
    ]
    assert [m["covers"] for m in saved["monitors"]] == [["www.ppcdn-demo.com"]]
    codes = {(f["code"], f["domain"]) for f in report["findings"]}
    assert ("LAP101", "paperplane-demo.com") in codes
    assert ("LAP112", "ppcdn-demo.com") in codes
    assert "requests: aws" in run.err
    assert "canary-secret" not in run.out + run.err + json.dumps(saved)


def test_rescan_reuses_unchanged_details_until_they_are_too_old(aws: str) -> None:
    from dataclasses import replace
    from datetime import timedelta

    from lapse.providers import aws as provider
    from lapse.providers.scope import Scope

    register(aws, "a-demo.com")
    register(aws, "b-demo.com", auto_renew=False)
    now = datetime.now(UTC)
    first = provider.read({}, Scope(now=now))
    previous = {("aws", r.source.account, r.domain): r for r in first.inventory.registrations}
    again = provider.read({}, Scope(now=now + timedelta(hours=1), previous=previous))
    assert first.requests - again.requests == 2  # both GetDomainDetail calls saved
    assert {r.domain: r.nameservers for r in again.inventory.registrations} == {
        r.domain: r.nameservers for r in first.inventory.registrations
    }
    assert all(r.contact_emails for r in again.inventory.registrations)
    # a change the list call shows (here: the snapshot said auto-renew was on) makes it read again
    flipped = {k: structs.replace(r, auto_renew=True) if r.domain == "b-demo.com" else r for k, r in previous.items()}
    changed = provider.read({}, Scope(now=now + timedelta(hours=1), previous=flipped))
    assert changed.requests == again.requests + 1
    # and so does age
    old = {
        k: structs.replace(r, source=replace(r.source, read_at=now - timedelta(days=30))) for k, r in previous.items()
    }
    stale = provider.read({}, Scope(now=now, previous=old))
    assert stale.requests == first.requests


def test_only_read_operations_can_be_called(aws: str) -> None:
    from lapse.providers import aws as provider
    from lapse.providers.scope import Scope

    account = provider.Account(None, provider.LIMITS, Scope(now=datetime.now(UTC)))
    with pytest.raises(provider.ReadOnlyViolation, match="RegisterDomain"):
        account.domains.register_domain(
            DomainName="x.example",
            DurationInYears=2,
            AdminContact=CONTACT,
            RegistrantContact=CONTACT,
            TechContact=CONTACT,
        )
    with pytest.raises(provider.ReadOnlyViolation, match="ChangeResourceRecordSets"):
        account.route53.change_resource_record_sets(HostedZoneId="Z1", ChangeBatch={"Changes": []})
    assert client("route53domains", aws).list_domains()["Domains"] == []  # nothing reached the server


def test_unreachable_endpoint_is_a_plain_scan_error(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "canary-secret-do-not-print")
    run, report, _ = scan(cli, write_config(tmp_path, retries=0), tmp_path)
    assert run.code == 3
    assert report["errors"]
    assert all("could not connect" in e["message"] for e in report["errors"])
    assert "Traceback" not in run.err
    assert "canary-secret" not in run.out + run.err


@pytest.mark.parametrize(
    ("reply", "kind", "words"),
    [
        (
            Reply(
                403,
                b'{"__type":"AccessDeniedException","message":"not authorized"}',
                {"Content-Type": "application/x-amz-json-1.1"},
            ),
            "auth",
            "AccessDenied",
        ),
        (Reply.html(502), "unavailable", "server error 502"),
    ],
)
def test_http_failures_from_the_api(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reply: Reply, kind: str, words: str
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "canary-secret-do-not-print")
    with serve(lambda path, headers: reply, frozenset({"GET", "POST"})) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
        run, report, _ = scan(cli, write_config(tmp_path, retries=0), tmp_path)
    assert run.code == 3, run.err
    messages = [e["message"] for e in report["errors"]]
    assert messages
    assert all(e["kind"] == kind for e in report["errors"]), report["errors"]
    assert any(words in m for m in messages), messages
    assert "canary-secret" not in run.out + run.err
    assert ProviderErrorKind(kind)


def _requests(stderr: str) -> int:
    line = next(line for line in stderr.splitlines() if line.startswith("lapse: requests:"))
    return int(line.split("aws ")[1].split(",")[0])


def test_since_snapshot_cuts_requests_on_a_rescan(cli: Any, tmp_path: Path, aws: str) -> None:
    for name in ("a-demo.com", "b-demo.com", "c-demo.com"):
        register(aws, name)
    cfg = write_config(tmp_path)
    first = cli("scan", "--config", cfg, "-o", tmp_path / "first.json", "--format", "json")
    again = cli(
        "scan", "--config", cfg, "--since", tmp_path / "first.json", "-o", tmp_path / "again.json", "--format", "json"
    )
    # a rescan of an unchanged estate makes list calls only: ListDomains, ListOperations,
    # ListHostedZones, ListHealthChecks (3 GetDomainDetail and 3 ListResourceRecordSets saved)
    assert _requests(again.err) == 4
    assert _requests(first.err) - _requests(again.err) == 6
    zones_before = json.loads((tmp_path / "first.json").read_text())["zones"]
    assert json.loads((tmp_path / "again.json").read_text())["zones"] == zones_before
    before = json.loads((tmp_path / "first.json").read_text())["registrations"]
    after = json.loads((tmp_path / "again.json").read_text())["registrations"]
    assert before == after


def test_permissions_are_read_only(cli: Any) -> None:
    run = cli("permissions", "aws")
    policy = json.loads(run.out.split("\n", 1)[1])
    actions = policy["Statement"][0]["Action"]
    assert actions
    assert all(a.split(":")[1].startswith(("List", "Get")) for a in actions)
    assert "needs no credentials" in cli("permissions", "rdap").out
    assert cli("permissions", "gcp").code == 2
    every = cli("permissions")
    assert every.code == 0, every.err
    assert "# dns" in every.out and "# tls" in every.out

"""Pulumi stack exports read by `lapse check`: real exports, the checkpoint form, secrets, drift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lapse.errors import InputError
from lapse.model import Source
from lapse.pulumi_map import SECRET_SIG, SECRET_VALUE, UNKNOWN, Resource, kind, to_inventory
from lapse.stack_export import from_document

PULUMI = Path(__file__).parent / "fixtures" / "pulumi"
SECRET = {SECRET_SIG: SECRET_VALUE, "ciphertext": "v1:canaryCIPHERTEXTdonotprint"}


def load(name: str) -> Any:
    return json.loads((PULUMI / name).read_text(encoding="utf-8"))


def test_real_aws_route53_export() -> None:
    inv = from_document(load("pulumi-aws-route53-5.42.0-stack.json"), where="stack.json")
    [zone] = inv.zones
    assert zone.name == "example.com-8b845b8"
    assert zone.provider == "aws"
    assert zone.nameservers == (
        "ns-1059.awsdns-04.org",
        "ns-1586.awsdns-06.co.uk",
        "ns-211.awsdns-26.com",
        "ns-871.awsdns-44.net",
    )
    [record] = zone.records
    assert (record.name, record.type, record.content, record.ttl) == (
        "www.example.com-8b845b8",
        "CNAME",
        "dev.example.com",
        5,
    )
    assert zone.source.provider == "pulumi"
    assert zone.source.account == "test"
    assert zone.source.file == "stack.json"


@pytest.mark.parametrize("version", ["5.25.0", "5.49.0"])
def test_cloudflare_zone_across_provider_versions(version: str) -> None:
    inv = from_document(load(f"pulumi-cloudflare-zone-{version}-stack.json"), where="s.json")
    [zone] = inv.zones
    assert zone.name.endswith("-test-cloudflare-pulumi.com")
    assert zone.provider == "cloudflare"
    assert all(ns.endswith(".ns.cloudflare.com") for ns in zone.nameservers)


def test_checkpoint_form_with_secrets_reads_without_leaking(cli: Any) -> None:
    inv = from_document(load("pulumi-checkpoint-secrets.json"), where="c.json")
    assert inv.zones == () and inv.registrations == ()
    run = cli("check", PULUMI / "pulumi-checkpoint-secrets.json", "--format", "json", "--now", "2026-11-22")
    assert run.code == 0
    assert "1b47061264138c4ac30d75fd1eb44270" not in run.out


def synthetic() -> dict[str, Any]:
    """What no public export has yet: registered domains, v5 dnsRecord, azure-native, preview unknowns."""
    stack = {
        "urn": "urn:pulumi:prod::dns::pulumi:pulumi:Stack::dns-prod",
        "type": "pulumi:pulumi:Stack",
        "custom": False,
    }
    resources = [
        {
            "urn": "urn:pulumi:prod::dns::cloudflare:index/notificationPolicy:NotificationPolicy::certs",
            "type": "cloudflare:index/notificationPolicy:NotificationPolicy",
            "custom": True,
            "outputs": {"alertType": "universal_ssl_event_type", "enabled": True, "filters": {"zones": ["z1"]}},
        },
        stack,
        {
            "urn": "urn:pulumi:prod::dns::aws:route53domains/registeredDomain:RegisteredDomain::main",
            "type": "aws:route53domains/registeredDomain:RegisteredDomain",
            "custom": True,
            "outputs": {
                "domainName": "Paperplane-Demo.com.",
                "autoRenew": False,
                "transferLock": True,
                "expirationDate": "2026-12-01T00:00:00Z",
                "registrarName": "Amazon Registrar, Inc.",
                "nameServers": [{"name": "lara.ns.cloudflare.com"}, {"name": "theo.ns.cloudflare.com"}],
                "registrantContact": {"email": SECRET},
                "adminContact": {"email": "ops@paperplane-demo.com"},
                "statusLists": ["clientTransferProhibited"],
            },
        },
        {
            "urn": "urn:pulumi:prod::dns::cloudflare:index/zone:Zone::main",
            "type": "cloudflare:index/zone:Zone",
            "custom": True,
            "outputs": {
                "id": "z1",
                "name": "paperplane-demo.com",
                "nameServers": ["lara.ns.cloudflare.com", "theo.ns.cloudflare.com"],
            },
        },
        {
            "urn": "urn:pulumi:prod::dns::cloudflare:index/dnsRecord:DnsRecord::www",
            "type": "cloudflare:index/dnsRecord:DnsRecord",
            "custom": True,
            "outputs": {
                "zoneId": "z1",
                "name": "www.paperplane-demo.com",
                "type": "CNAME",
                "content": "app.example.net",
                "proxied": True,
                "ttl": 1,
            },
        },
        {
            "urn": "urn:pulumi:prod::dns::cloudflare:index/registrarDomain:RegistrarDomain::status",
            "type": "cloudflare:index/registrarDomain:RegistrarDomain",
            "custom": True,
            "inputs": {"domainName": "status-demo.com", "autoRenew": UNKNOWN, "locked": True},
        },
        {
            "urn": "urn:pulumi:prod::dns::azure-native:domainregistration:Domain::mail",
            "type": "azure-native:domainregistration:Domain",
            "custom": True,
            "outputs": {
                "name": "mail-demo.com",
                "autoRenew": True,
                "expirationTime": "2027-08-01T00:00:00Z",
                "registrationStatus": "Active",
                "nameServers": ["ns1-01.azure-dns.com"],
            },
        },
        {
            "urn": "urn:pulumi:prod::dns::azure-native:dns/v20180501:Zone::mail",
            "type": "azure-native:dns/v20180501:Zone",
            "custom": True,
            "outputs": {"name": "mail-demo.com", "nameServers": ["ns1-05.azure-dns.com"]},
        },
        {
            "urn": "urn:pulumi:prod::dns::azure-native:network:RecordSet::mx",
            "type": "azure-native:network:RecordSet",
            "custom": True,
            "outputs": {"zoneName": "mail-demo.com", "relativeRecordSetName": "@", "recordType": "MX", "ttl": 3600},
        },
        {
            "urn": "urn:pulumi:prod::dns::aws:route53/healthCheck:HealthCheck::api",
            "type": "aws:route53/healthCheck:HealthCheck",
            "custom": True,
            "outputs": {"fqdn": "www.paperplane-demo.com", "type": "HTTPS"},
        },
        {
            "urn": "urn:pulumi:prod::dns::aws:route53/zone:Zone::old",
            "type": "aws:route53/zone:Zone",
            "custom": True,
            "delete": True,
            "outputs": {"name": "gone-demo.com", "nameServers": []},
        },
    ]
    return {"version": 3, "deployment": {"manifest": {}, "resources": resources}}


def test_every_mapped_resource_type() -> None:
    inv = from_document(synthetic(), where="s.json")
    regs = {r.domain: r for r in inv.registrations}
    assert set(regs) == {"paperplane-demo.com", "status-demo.com", "mail-demo.com"}
    main = regs["paperplane-demo.com"]
    assert main.auto_renew is False
    assert main.contact_emails == ("ops@paperplane-demo.com",)  # the secret one is unknown, not ciphertext
    assert regs["status-demo.com"].auto_renew is None  # unknown during preview
    assert regs["mail-demo.com"].registrar_iana_id == "146"
    zones = {z.name: z for z in inv.zones}
    assert set(zones) == {"paperplane-demo.com", "mail-demo.com"}  # the pending delete is gone
    [www] = zones["paperplane-demo.com"].records
    assert (www.proxied, www.edge) == (True, "cloudflare")
    assert [r.type for r in zones["mail-demo.com"].records] == ["MX"]
    assert sorted((m.kind.value, m.covers) for m in inv.monitors) == [
        ("certificate", ("paperplane-demo.com",)),
        ("http", ("www.paperplane-demo.com",)),
    ]


def test_stack_export_findings_point_at_the_export(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(synthetic()), encoding="utf-8")
    run = cli("check", path, "--format", "sarif", "--now", "2026-11-22")
    assert run.code == 1, run.err
    sarif = json.loads(run.out)
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"LAP101", "LAP402"}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert all(uri.endswith("prod.json") for uri in uris)
    assert "canaryCIPHERTEXT" not in run.out


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"version": 2, "deployment": {}}, "version: lapse reads Pulumi deployment version 3, got 2"),
        ({"version": 3, "deployment": {"resources": {}}}, "deployment.resources: expected an array or null"),
        (
            {"version": 3, "deployment": {"resources": [{"type": "x"}]}},
            "deployment.resources[0]: missing required key 'urn'",
        ),
        ({"version": 3, "checkpoint": {"stack": "x"}}, "checkpoint.latest: expected the deployment object"),
    ],
)
def test_bad_exports_name_the_field(document: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match="s.json: " + message.replace("[", r"\[").replace("]", r"\]")):
        from_document(document, where="s.json")


def test_type_tokens_normalize_aliases() -> None:
    assert kind("azure-native:network/v20180501:Zone") == "azure-native:network:Zone"
    assert kind("azure-native:dns:RecordSet") == "azure-native:network:RecordSet"
    assert kind("aws:route53/zone:Zone") == "aws:route53/zone:Zone"
    assert (
        to_inventory(
            [Resource("random:index/randomString:RandomString", "u", {})], source=Source(provider="pulumi")
        ).zones
        == ()
    )

"""Name normalization and the vendor table, including hostnames from real RDAP responses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lapse import names, vendors

RDAP = Path(__file__).parent / "fixtures" / "rdap"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("GOOGLE.COM", "google.com"),
        ("amazon.cyou.", "amazon.cyou"),
        ("  Example.ORG. ", "example.org"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("ÉXAMPLE.fr", "xn--xample-9ua.fr"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert names.normalize(raw) == expected


@pytest.mark.parametrize("bad", ["", ".", "exa mple.com", "a..b", "x" * 64 + ".com", "a" * 254, "☃\x00.com"])
def test_normalize_rejects(bad: str) -> None:
    with pytest.raises(names.InvalidName):
        names.normalize(bad)


def test_patterns() -> None:
    assert names.normalize_pattern("*.Example.ORG.") == "*.example.org"
    assert names.pattern_base("*.example.org") == "example.org"
    assert names.pattern_base("shop-*.example.org") == "example.org"
    assert names.matches("a.example.org", "*.example.org")
    assert not names.matches("example.org", "*.example.org")
    assert names.is_within("a.b.example.org", "example.org")
    assert not names.is_within("notexample.org", "example.org")


@pytest.mark.parametrize(
    ("host", "vendor"),
    [
        ("ns-1042.awsdns-02.org", "aws"),
        ("NS-1805.AWSDNS-33.CO.UK.", "aws"),
        ("lara.ns.cloudflare.com", "cloudflare"),
        ("ns1-01.azure-dns.com", "azure"),
        ("ns-cloud-a1.googledomains.com", "google"),
        ("ns1.google.com", "google"),
        ("ns23.domaincontrol.com", "godaddy"),
        ("dns1.registrar-servers.com", "namecheap"),
        ("dns1.p01.nsone.net", "ns1"),
        ("pdns196.ultradns.com", "ultradns"),
        ("a1-64.akam.net", "akamai"),
        ("ns1.dnsimple.com", "dnsimple"),
        ("ns-123-a.gandi.net", "gandi"),
        ("ns1.digitalocean.com", "digitalocean"),
        ("hydrogen.ns.hetzner.com", "hetzner"),
        ("dns200.anycast.me", "ovh"),
        ("curitiba.ns.porkbun.com", "porkbun"),
        ("ns1.markmonitor.com", "markmonitor"),
        ("ns1.cscdns.net", "csc"),
        ("ns1.sedoparking.com", "sedo"),
        ("ns1.dns-parking.com", "dnsparking"),
        ("ns1.example.net", None),
        ("awsdns-01.com.evil.example", None),
    ],
)
def test_vendor_for_nameserver(host: str, vendor: str | None) -> None:
    assert vendors.vendor_for_nameserver(host) == vendor


@pytest.mark.parametrize(
    ("registrar", "iana", "vendor"),
    [
        ("MarkMonitor Inc.", None, "markmonitor"),
        ("Some Name", "292", "markmonitor"),
        ("GoDaddy.com, LLC", None, "godaddy"),
        ("NameCheap, Inc.", None, "namecheap"),
        ("Amazon Registrar, Inc.", None, "aws"),
        ("Cloudflare, Inc.", None, "cloudflare"),
        ("Gandi SAS", None, "gandi"),
        ("CSC Corporate Domains, Inc.", None, "csc"),
        ("Porkbun LLC", None, "porkbun"),
        ("Com Laude", "470", "comlaude"),
        ("Tiny Registrar GmbH", None, None),
        (None, None, None),
    ],
)
def test_vendor_for_registrar(registrar: str | None, iana: str | None, vendor: str | None) -> None:
    assert vendors.vendor_for_registrar(registrar, iana) == vendor


def test_table_is_sorted_unique_and_covers_the_required_vendors() -> None:
    ids = [v.id for v in vendors.VENDORS]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    required = {
        "aws", "cloudflare", "azure", "google", "godaddy", "namecheap", "ns1", "ultradns", "akamai", "dnsimple",
        "gandi", "digitalocean", "hetzner", "ovh", "porkbun", "markmonitor", "csc",
    }  # fmt: skip
    assert required <= set(ids)
    assert any(v.parking for v in vendors.VENDORS)


def _rdap_nameservers(path: Path) -> list[str]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [ns["ldhName"] for ns in doc.get("nameservers", []) if "ldhName" in ns]


@pytest.mark.parametrize(
    ("fixture", "vendor"),
    [
        ("verisign-com-google.com.json", "google"),
        ("whoisit-verisign-com-themarquetry.com.json", "dnsparking"),
    ],
)
def test_real_rdap_nameservers_map_to_vendors(fixture: str, vendor: str) -> None:
    hosts = _rdap_nameservers(RDAP / fixture)
    assert hosts
    assert {vendors.vendor_for_nameserver(names.normalize(h)) for h in hosts} == {vendor}

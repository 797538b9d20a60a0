"""The dns and tls probes against real DNS and TLS servers on loopback addresses.

One small internet: a `.example` registry server, nameservers that answer well, refuse, answer
without authority or stay silent, a parking service, a signed zone and a zone whose DS matches no
key; TLS listeners serving a good certificate, one for the wrong names, one about to expire, one
from an unknown CA. `lapse scan` with [providers.dns] and [providers.tls] reads it all, and the
LAP5xx rules judge what it read.
"""

from __future__ import annotations

import datetime
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dns.dnssec
import dns.rdtypes.ANY.DNSKEY
import pytest
from certs import Authority
from cryptography.hazmat.primitives.asymmetric import ed25519
from dnsserver import Network, Server, zone
from tlsserver import Listener

RESOLVER = "127.0.9.53"
TLD = "127.0.1.1"


def _key() -> dns.rdtypes.ANY.DNSKEY.DNSKEY:
    private = ed25519.Ed25519PrivateKey.generate()
    return dns.dnssec.make_dnskey(private.public_key(), dns.dnssec.Algorithm.ED25519, flags=257)


@dataclass
class World:
    network: Network
    tls_port: int
    ca: Path
    key_tag: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    signing, stranger = _key(), _key()
    ds = dns.dnssec.make_ds("healthy.example.", signing, "SHA256")
    stale_ds = dns.dnssec.make_ds("badds.example.", stranger, "SHA256")
    tld = zone(
        "example.",
        f"""
@ NS a.nic
a.nic A {TLD}
healthy NS ns1.healthy
healthy NS ns2.healthy
healthy DS {ds.to_text()}
ns1.healthy A 127.0.2.1
ns2.healthy A 127.0.3.1
lame NS ns1.lame
lame NS ns2.lame
lame NS ns3.lame
lame NS ns4.lame
ns1.lame A 127.0.2.1
ns2.lame A 127.0.5.1
ns3.lame A 127.0.5.2
ns4.lame A 127.0.5.3
samenet NS ns1.samenet
samenet NS ns2.samenet
ns1.samenet A 127.0.6.1
ns2.samenet A 127.0.6.2
parked NS ns1.sedoparking.com.
parked NS ns2.sedoparking.com.
badds NS ns1.healthy
badds NS ns2.healthy
badds DS {stale_ds.to_text()}
""",
    )
    healthy = zone(
        "healthy.example.",
        f"""
@ NS ns1
@ NS ns2
@ DNSKEY {signing.to_text()}
ns1 A 127.0.2.1
ns2 A 127.0.3.1
www A 127.0.7.1
wrong A 127.0.7.2
soon A 127.0.7.3
stranger A 127.0.7.4
down A 127.0.7.5
""",
    )
    lame = zone("lame.example.", "@ NS ns1\n@ NS ns2\n@ NS ns3\n@ NS ns4\n")
    samenet = zone("samenet.example.", "@ NS ns1\n@ NS ns2\nns1 A 127.0.6.1\nns2 A 127.0.6.2\n")
    parked = zone("parked.example.", "@ NS ns1.sedoparking.com.\n@ A 127.0.4.1\n")
    parking = zone("sedoparking.com.", "ns1 A 127.0.4.1\nns2 A 127.0.4.2\n")
    badds = zone("badds.example.", f"@ NS ns1.healthy.example.\n@ DNSKEY {signing.to_text()}\n")

    network = Network()
    network.add(Server(TLD, [tld]))
    network.add(Server("127.0.2.1", [healthy, lame, badds]))
    network.add(Server("127.0.3.1", [healthy, badds]))
    network.add(Server("127.0.5.1", [lame], behaviour="refuse"))
    network.add(Server("127.0.5.2", [lame], behaviour="noaa"))
    network.add(Server("127.0.5.3", [lame], behaviour="silent"))
    network.add(Server("127.0.6.1", [samenet]))
    network.add(Server("127.0.6.2", [samenet]))
    network.add(Server("127.0.4.1", [parked]))
    network.add(Server("127.0.4.2", [parked]))
    network.resolver(RESOLVER, [tld, healthy, lame, samenet, parked, parking, badds])

    folder = tmp_path_factory.mktemp("tls")
    ca = Authority(folder)
    other = Authority(folder / "other", name="Someone else's CA")
    port = _free_port()
    day = datetime.timedelta(days=1)
    listeners = [
        Listener("127.0.7.1", port, *ca.issue("www", ("www.healthy.example",), expires_in=90 * day)),
        Listener("127.0.7.2", port, *ca.issue("wrong", ("*.parkingcrew.net", "parkingcrew.net"), expires_in=90 * day)),
        Listener("127.0.7.3", port, *ca.issue("soon", ("*.healthy.example",), expires_in=5 * day)),
        Listener("127.0.7.4", port, *other.issue("stranger", ("stranger.healthy.example",), expires_in=90 * day)),
    ]
    yield World(network=network, tls_port=port, ca=ca.path, key_tag=dns.dnssec.key_id(signing))
    for listener in listeners:
        listener.close()
    network.close()


def _config(world: World, folder: Path, *, dns_extra: str = "") -> Path:
    path = folder / "lapse.toml"
    path.write_text(
        f"""
[providers.dns]
resolvers = ["{RESOLVER}:{world.network.port}"]
port = {world.network.port}
timeout = 0.5
retries = 0
{dns_extra}

[providers.tls]
resolvers = ["{RESOLVER}:{world.network.port}"]
port = {world.tls_port}
ca-file = "{world.ca}"
timeout = 2

[[domains]]
name = "healthy.example"
hostnames = ["www.healthy.example", "wrong.healthy.example", "soon.healthy.example",
             "stranger.healthy.example", "down.healthy.example", "nowhere.healthy.example"]

[[domains]]
name = "lame.example"

[[domains]]
name = "samenet.example"

[[domains]]
name = "parked.example"

[[domains]]
name = "badds.example"

[[domains]]
name = "gone.example"
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def scanned(world: World, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any], str]:
    from lapse.cli import main

    folder = tmp_path_factory.mktemp("scan")
    config = _config(world, folder)
    report = folder / "report.json"
    snapshot = folder / "snapshot.json"
    code = main(["scan", "--config", str(config), "--format", "json", "--output", str(report), "-o", str(snapshot)])
    assert code == 1  # critical findings, and a complete scan
    return json.loads(report.read_text()), json.loads(snapshot.read_text()), str(folder)


def _by(report: dict[str, Any], code: str) -> dict[str, str]:
    return {f["target"]: f["message"] for f in report["findings"] if f["code"] == code}


def test_the_scan_is_complete_and_saves_what_the_parent_said(scanned: Any, world: World) -> None:
    report, snapshot, _ = scanned
    assert report["complete"] is True
    live = {d["domain"]: d for d in snapshot["delegations"]}
    assert set(live) == {
        "healthy.example",
        "lame.example",
        "samenet.example",
        "parked.example",
        "badds.example",
        "gone.example",
    }
    healthy = live["healthy.example"]
    assert healthy["parent"] == "example"
    assert healthy["nameservers"] == ["ns1.healthy.example", "ns2.healthy.example"]
    assert {s["name"]: (s["addresses"], s["lame"]) for s in healthy["servers"]} == {
        "ns1.healthy.example": (["127.0.2.1"], None),
        "ns2.healthy.example": (["127.0.3.1"], None),
    }
    assert healthy["ds_key_tags"] == [world.key_tag]
    assert healthy["dnskey_tags"] == [world.key_tag]
    assert healthy["ds_matched"] == [world.key_tag]
    assert "NXDOMAIN" in live["gone.example"]["error"]


def test_the_parent_and_the_nameservers_are_asked_without_recursion(scanned: Any, world: World) -> None:
    tld = world.network.servers[TLD]
    asked = {(name, rdtype) for name, rdtype, _ in tld.queries}
    assert ("healthy.example.", "NS") in asked
    assert ("healthy.example.", "DS") in asked
    assert not any(rd for _, _, rd in tld.queries)
    assert not any(rd for _, _, rd in world.network.servers["127.0.2.1"].queries)


def test_a_healthy_signed_domain_has_no_live_findings(scanned: Any) -> None:
    report, _, _ = scanned
    live = [f for f in report["findings"] if f["code"].startswith("LAP50") and f["domain"] == "healthy.example"]
    assert live == []


def test_parked_delegation_is_critical(scanned: Any) -> None:
    report, _, _ = scanned
    message = _by(report, "LAP501")["parked.example"]
    assert "ns1.sedoparking.com" in message
    assert "parking service" in message
    assert set(_by(report, "LAP501")) == {"parked.example"}


def test_a_missing_delegation_is_reported(scanned: Any) -> None:
    report, _, _ = scanned
    assert "NXDOMAIN" in _by(report, "LAP502")["gone.example"]


def test_lame_servers_are_named_with_why(scanned: Any) -> None:
    report, _, _ = scanned
    found = _by(report, "LAP503")
    assert set(found) == {"lame.example"}
    message = found["lame.example"]
    assert "3 of 4" in message
    assert "ns2.lame.example: answers REFUSED at 127.0.5.1" in message
    assert "ns3.lame.example: not authoritative at 127.0.5.2" in message
    assert "ns4.lame.example: no answer in time at 127.0.5.3" in message
    assert "ns1.lame.example" not in message


def test_nameservers_in_one_network_are_flagged(scanned: Any) -> None:
    report, _, _ = scanned
    found = _by(report, "LAP504")
    assert "127.0.6.0/24" in found["samenet.example"]
    assert "healthy.example" not in found  # 127.0.2.1 and 127.0.3.1: two networks


def test_ds_matching_no_key_is_critical(scanned: Any) -> None:
    report, _, _ = scanned
    found = [f for f in report["findings"] if f["code"] == "LAP505"]
    assert [f["target"] for f in found] == ["badds.example"]
    assert found[0]["severity"] == "critical"


def test_certificates_are_judged_per_hostname(scanned: Any) -> None:
    report, snapshot, _ = scanned
    certs = {c["hostname"]: c for c in snapshot["certificates"]}
    assert certs["www.healthy.example"]["names"] == ["www.healthy.example"]
    assert certs["www.healthy.example"]["issuer"] == "lapse test CA"
    assert certs["www.healthy.example"]["untrusted"] is None
    assert "does not match" in _by(report, "LAP510")["wrong.healthy.example"]
    assert "*.parkingcrew.net" in _by(report, "LAP510")["wrong.healthy.example"]
    assert set(_by(report, "LAP510")) == {"wrong.healthy.example"}  # *.healthy.example covers soon.
    assert set(_by(report, "LAP511")) == {"soon.healthy.example"}
    unusable = _by(report, "LAP512")
    assert set(unusable) == {"stranger.healthy.example", "down.healthy.example", "nowhere.healthy.example"}
    assert "unable to get local issuer certificate" in unusable["stranger.healthy.example"]
    assert "connection refused" in unusable["down.healthy.example"].lower()
    assert "no address" in unusable["nowhere.healthy.example"]


def test_an_unreachable_resolver_is_a_scan_error_not_a_crash(world: World, tmp_path: Path, cli: Any) -> None:
    config = tmp_path / "lapse.toml"
    config.write_text(
        f"""
[providers.dns]
resolvers = ["127.0.9.99:{world.network.port}"]
timeout = 0.3
retries = 0

[[domains]]
name = "healthy.example"
"""
    )
    run = cli("scan", "--config", config, "--format", "json")
    assert run.code == 3, run.err
    report = json.loads(run.out)
    errors = [f for f in report["findings"] if f["code"] == "LAP901"]
    assert len(errors) == 1
    assert "healthy.example" in errors[0]["message"]
    assert "Traceback" not in run.err


def test_a_resolver_given_by_name_is_a_config_error(tmp_path: Path, cli: Any) -> None:
    config = tmp_path / "lapse.toml"
    config.write_text('[providers.dns]\nresolvers = ["dns.google"]\n\n[[domains]]\nname = "a.example"\n')
    run = cli("scan", "--config", config)
    assert run.code == 2
    assert "providers.dns.resolvers[0]" in run.err
    assert "expected an IP address" in run.err

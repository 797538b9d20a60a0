"""The LAP5xx rules on hand-built observations: each verdict, each skip, and what they must not flag."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from factories import CF_NS, NOW, cert, declared, inventory, live, registration, source, view, zone

from lapse import engine
from lapse.config import Config
from lapse.findings import Severity
from lapse.model import Criticality, NameserverCheck
from lapse.policies import find
from lapse.policies.live import covers
from lapse.policies.rule import Context, Flag, Skip


def outcomes(code: str, *items: object, **options: Any) -> list[Flag | Skip]:
    rule = find(code)
    assert rule is not None
    v = view(*items)
    ctx = Context(now=NOW, estate=None)  # type: ignore[arg-type]  # domain rules never read it
    return list(rule.check(v, {**rule.defaults(), **options}, ctx))  # type: ignore[attr-defined]


def flags(code: str, *items: object, **options: Any) -> list[Flag]:
    return [o for o in outcomes(code, *items, **options) if isinstance(o, Flag)]


@pytest.mark.parametrize("code", ["LAP501", "LAP502", "LAP503", "LAP504", "LAP505", "LAP510", "LAP511", "LAP512"])
def test_without_a_probe_every_live_rule_says_not_evaluated(code: str) -> None:
    found = outcomes(code, registration(), zone())
    assert len(found) == 1
    assert isinstance(found[0], Skip)
    assert "lapse scan" in found[0].reason


LIVE_CODES = ["LAP501", "LAP502", "LAP503", "LAP504", "LAP505", "LAP510", "LAP511", "LAP512"]


def test_a_probe_that_never_ran_is_one_not_evaluated_per_rule_not_one_per_domain() -> None:
    many = inventory(*(registration(f"brand{i}.example") for i in range(40)))
    result = engine.run(many, Config(), now=NOW, select=["LAP5"], ignore=[])
    assert sorted(n.code for n in result.not_evaluated) == LIVE_CODES
    assert all(n.domain is None and n.target == engine.ESTATE_WIDE for n in result.not_evaluated)
    assert all("none of the 40 domains" in n.reason for n in result.not_evaluated)
    assert not result.findings


def test_a_probe_that_missed_some_domains_names_each_one() -> None:
    partial = inventory(
        registration("read.example"),
        registration("missed.example"),
        live("read.example"),
        cert("www.read.example"),
    )
    result = engine.run(partial, Config(), now=NOW, select=["LAP501", "LAP510"], ignore=[])
    assert sorted((n.code, n.domain) for n in result.not_evaluated) == [
        ("LAP501", "missed.example"),
        ("LAP510", "missed.example"),
    ]


def test_parking_in_the_live_delegation() -> None:
    assert flags("LAP501", live(nameservers=("ns1.sedoparking.com", "ns2.sedoparking.com")))
    assert not flags("LAP501", live())


def test_live_delegation_compared_with_each_source() -> None:
    agreeing = (registration(), zone(), live())
    assert not flags("LAP502", *agreeing)
    registry = registration(source=source("rdap", "rdap.verisign.com"), nameservers=CF_NS)
    found = flags("LAP502", registration(), registry, zone(), live())
    assert len(found) == 1
    assert "the registry (rdap (rdap.verisign.com)) says lara.ns.cloudflare.com" in found[0].message
    assert "registrar" not in found[0].message


def test_no_delegation_at_the_parent_is_critical_for_a_critical_domain() -> None:
    gone = live(nameservers=(), servers=(), error="the parent answered NXDOMAIN")
    found = flags("LAP502", registration(), gone, declared("example.com", Criticality.CRITICAL))
    assert found[0].severity is Severity.CRITICAL
    assert outcomes("LAP503", gone)[0] == Skip(
        reason="the parent zone gave no delegation: the parent answered NXDOMAIN"
    )


def test_lame_counts_and_all_lame_is_critical() -> None:
    one = live(
        servers=(
            NameserverCheck(name="a.example.net", addresses=("192.0.2.1",), lame="refused"),
            NameserverCheck(name="b.example.org", addresses=("198.51.100.1",)),
        )
    )
    found = flags("LAP503", one)
    assert "1 of 2" in found[0].message
    assert found[0].severity is Severity.MEDIUM
    every = live(servers=(NameserverCheck(name="a.example.net", lame="no address (its name does not resolve)"),))
    assert flags("LAP503", every)[0].severity is Severity.CRITICAL


def test_network_diversity_skips_anycast_vendors_and_counts_prefixes() -> None:
    assert not flags("LAP504", live())  # Route 53: anycast
    same = live(
        nameservers=("ns1.example.net", "ns2.example.net"),
        servers=(
            NameserverCheck(name="ns1.example.net", addresses=("192.0.2.10",)),
            NameserverCheck(name="ns2.example.net", addresses=("192.0.2.11", "2001:db8:1::1")),
        ),
    )
    assert "192.0.2.0/24" in flags("LAP504", same)[0].message
    assert not flags("LAP504", same, **{"min-networks": 1})
    apart = live(
        nameservers=("ns1.example.net", "ns2.example.org"),
        servers=(
            NameserverCheck(name="ns1.example.net", addresses=("192.0.2.10",)),
            NameserverCheck(name="ns2.example.org", addresses=("198.51.100.10",)),
        ),
    )
    assert not flags("LAP504", apart)


def test_ds_checked_by_digest() -> None:
    assert not flags("LAP505", live())  # unsigned
    assert not flags("LAP505", live(ds_key_tags=frozenset({1}), dnskey_tags=frozenset({1}), ds_matched=frozenset({1})))
    same_tag_wrong_digest = live(ds_key_tags=frozenset({1}), dnskey_tags=frozenset({1}))
    assert "matches none" in flags("LAP505", same_tag_wrong_digest)[0].message
    assert "publish no DNSKEY" in flags("LAP505", live(ds_key_tags=frozenset({1}), dnskey_tags=frozenset()))[0].message
    assert isinstance(outcomes("LAP505", live(ds_key_tags=frozenset({1})))[0], Skip)


@pytest.mark.parametrize(
    ("pattern", "hostname", "expected"),
    [
        ("www.example.com", "www.example.com", True),
        ("*.example.com", "www.example.com", True),
        ("*.example.com", "example.com", False),
        ("*.example.com", "a.b.example.com", False),
        ("*.EXAMPLE.com", "api.example.com", True),
        ("example.com", "www.example.com", False),
    ],
)
def test_certificate_names_cover_like_browsers(pattern: str, hostname: str, expected: bool) -> None:
    assert covers(pattern, hostname) is expected


def test_certificate_rules_judge_each_hostname() -> None:
    good = cert()
    wrong = cert("api.example.com", names=("parked.example.net",))
    soon = cert("old.example.com", not_after=NOW + timedelta(days=3))
    expired = cert("dead.example.com", not_after=NOW - timedelta(days=1))
    refused = cert("down.example.com", not_after=None, names=(), issuer=None, error="connection refused")
    untrusted = cert("self.example.com", untrusted="self-signed certificate")
    items = (registration(), good, wrong, soon, expired, refused, untrusted)
    assert [f.target for f in flags("LAP510", *items)] == ["api.example.com"]
    expiring = {f.target: f for f in flags("LAP511", *items)}
    assert set(expiring) == {"old.example.com", "dead.example.com"}
    assert expiring["dead.example.com"].severity is Severity.CRITICAL
    assert "in 3 days" in expiring["old.example.com"].message
    assert {f.target for f in flags("LAP511", *items, days=1)} == {"dead.example.com"}
    assert {f.target for f in flags("LAP512", *items)} == {"down.example.com", "self.example.com"}

"""Joining the views of one domain, and indexing monitors without scanning them all."""

from __future__ import annotations

from factories import AWS_NS, CF_NS, NOW, declared, inventory, monitor, registration, source, view, zone

from lapse import estate
from lapse.model import Criticality


def test_zones_join_the_registered_domain_above_them() -> None:
    views = estate.build(inventory(registration("example.com"), zone("docs.example.com"), zone("example.com"))).domains
    assert [v.name for v in views] == ["example.com"]
    assert sorted(z.name for z in views[0].zones) == ["docs.example.com", "example.com"]


def test_a_zone_with_no_known_parent_is_a_domain_of_its_own() -> None:
    views = estate.build(inventory(zone("a.example"), zone("www.a.example"))).domains
    assert [v.name for v in views] == ["a.example"]


def test_conflicts_resolve_conservatively() -> None:
    v = view(
        registration(days=300, auto_renew=True, transfer_lock=True),
        registration(days=200, auto_renew=False, transfer_lock=None, statuses=frozenset(), source=source("rdap")),
    )
    assert v.auto_renew is False
    assert v.transfer_lock is False  # the registry shows no transfer-prohibited status
    assert v.expires == min(r.expires for r in v.registrations if r.expires)


def test_nameservers_fall_back_to_the_zone_and_unknown_hosts_are_their_own_vendor() -> None:
    v = view(registration(nameservers=()), zone(nameservers=CF_NS))
    assert v.nameservers == CF_NS
    assert v.dns_vendors == {"cloudflare"}
    assert estate.nameserver_vendor("ns1.corp-dns.example") == "corp-dns.example"
    assert view(registration(nameservers=AWS_NS)).dns_vendors == {"aws"}


def test_declared_criticality_defaults_to_medium() -> None:
    assert view(registration()).criticality is Criticality.MEDIUM
    assert view(registration(), declared("example.com", Criticality.CRITICAL)).criticality is Criticality.CRITICAL


def test_monitor_coverage() -> None:
    inv = inventory(
        registration("example.com"),
        registration("example.co.uk"),
        registration("other.org"),
        monitor("www.example.com", name="sub"),
        monitor("*.co.uk", name="glob-above"),
        monitor("shop-*.other.org", name="glob-below"),
    )
    covered = {v.name: sorted(m.name for m in v.monitors) for v in estate.build(inv).domains}
    assert covered == {"example.co.uk": ["glob-above"], "example.com": ["sub"], "other.org": ["glob-below"]}


def test_estate_knows_names_under_known_domains() -> None:
    est = estate.build(inventory(registration("example.com"), declared("brand.example")))
    assert est.knows("www.example.com")
    assert est.knows("brand.example")
    assert not est.knows("example.org")


def test_index_is_built_once_for_large_estates() -> None:
    # 5,000 domains with a monitor each: coverage must come from the index, one monitor per domain.
    items: list[object] = []
    for i in range(5000):
        items += [registration(f"d{i}.example"), monitor(f"d{i}.example", name=f"m{i}")]
    views = estate.build(inventory(*items)).domains
    assert all(len(v.monitors) == 1 for v in views)
    assert NOW  # the factories' clock is fixed

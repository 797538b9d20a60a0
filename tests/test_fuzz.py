"""Property-based tests over every parser: any input yields a valid model or a typed, clear error."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from lapse import config, schema_types, snapshot, stack_export
from lapse.errors import ConfigError, InputError, ProviderError
from lapse.model import Inventory, Monitor, Record, Registration, Source, Zone

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SRC = Source(provider="fuzz")

scalars = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
domainish = st.sampled_from(
    ["example.com", "EXAMPLE.COM.", "bücher.de", "a..b", "", " ", "x" * 300, "*.example.org"]
) | st.text(max_size=20)
dates = st.sampled_from(
    ["2027-01-01T00:00:00Z", "2027-01-01", "soon", "2026-13-45T00:00:00Z", "2029-08-18T13:19:55"]
) | st.text(max_size=25)


def shaped(keys: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Documents with the members a parser reads, each present or not, each possibly the wrong type."""
    return st.fixed_dictionaries({}, optional={k: v | json_values for k, v in keys.items()})


source_doc = shaped({"provider": st.text(max_size=8), "account": st.text(max_size=8), "read_at": dates})
registration_doc = shaped(
    {
        "domain": domainish,
        "source": source_doc,
        "expires": dates,
        "auto_renew": st.booleans(),
        "statuses": st.lists(st.text(max_size=10)),
        "nameservers": st.lists(domainish, max_size=3),
        "ds_key_tags": st.lists(st.integers(-5, 70000)),
        "renewal_failures": st.lists(shaped({"at": dates, "reason": st.text()})),
    }
)
snapshot_doc = shaped(
    {
        "schema_version": st.sampled_from([1, 2, "1", None]),
        "registrations": st.lists(registration_doc, max_size=3),
        "zones": st.lists(
            shaped(
                {
                    "name": domainish,
                    "source": source_doc,
                    "records": st.lists(shaped({"name": domainish, "type": st.text(max_size=5)})),
                }
            ),
            max_size=2,
        ),
        "monitors": st.lists(
            shaped(
                {
                    "name": st.text(max_size=5),
                    "kind": st.sampled_from(["expiry", "http", "ping"]),
                    "covers": st.lists(domainish, max_size=2),
                    "source": source_doc,
                }
            ),
            max_size=2,
        ),
        "notes": st.lists(
            shaped({"provider": st.text(max_size=5), "message": st.text(max_size=10), "domain": domainish}), max_size=2
        ),
        "delegations": st.lists(
            shaped(
                {
                    "domain": domainish,
                    "source": source_doc,
                    "parent": st.text(max_size=5),
                    "nameservers": st.lists(domainish, max_size=2),
                    "servers": st.lists(shaped({"name": domainish, "addresses": st.lists(st.text(max_size=9))})),
                    "ds_key_tags": st.lists(st.integers(-5, 70000)),
                    "dnskey_tags": st.lists(st.integers(-5, 70000)),
                }
            ),
            max_size=2,
        ),
        "certificates": st.lists(
            shaped({"hostname": domainish, "source": source_doc, "not_after": dates, "names": st.lists(domainish)}),
            max_size=2,
        ),
    }
)


@SETTINGS
@given(document=snapshot_doc | json_values)
def test_snapshot_parser(document: Any) -> None:
    try:
        inventory = snapshot.from_document(document, where="s.json")
    except InputError as exc:
        assert str(exc).startswith("s.json: ")
        assert "\n" not in str(exc)
    else:
        assert isinstance(inventory, Inventory)


@SETTINGS
@given(document=snapshot_doc)
def test_the_fast_snapshot_check_is_never_looser_than_the_schema(document: Any) -> None:
    kind = schema_types.document_type(snapshot.schema(), "snapshot")
    try:
        msgspec.convert(document, kind)
    except msgspec.ValidationError:
        return
    assert Draft202012Validator(snapshot.schema()).is_valid(document), document


@SETTINGS
@given(document=snapshot_doc | json_values)
def test_reading_a_file_and_reading_a_parsed_document_agree(document: Any) -> None:
    """The fast path (parse and check item by item) and the reference path (json, then jsonschema)
    must give the same inventory, or the same error."""

    def outcome(read: Callable[[], Inventory]) -> Inventory | str:
        try:
            return read()
        except InputError as exc:
            return str(exc)

    data = json.dumps(document).encode()
    fast = outcome(lambda: snapshot.from_bytes(data, where="s.json"))
    reference = outcome(lambda: snapshot.from_document(document, where="s.json"))
    assert fast == reference


config_doc = shaped(
    {
        "fail-on": st.sampled_from(["high", "nope"]),
        "select": st.lists(st.sampled_from(["LAP1", "LAP999", "auto-renew-off", "x"])),
        "domains": st.lists(shaped({"name": domainish, "criticality": st.sampled_from(["low", "urgent"])}), max_size=2),
        "monitors": st.lists(
            shaped(
                {
                    "name": st.text(max_size=5),
                    "kind": st.sampled_from(["expiry", "ping"]),
                    "covers": st.lists(domainish, max_size=2),
                }
            ),
            max_size=2,
        ),
        "rules": st.dictionaries(st.sampled_from(["expires-soon", "renewal-overdue", "nope"]), json_values, max_size=2),
        "waivers": st.lists(
            shaped(
                {
                    "rule": st.sampled_from(["LAP101", "zzz"]),
                    "domain": domainish,
                    "reason": st.text(max_size=5),
                    "expires": dates,
                }
            ),
            max_size=2,
        ),
        "providers": st.dictionaries(st.sampled_from(["aws", "rdap", "gcp"]), json_values, max_size=2),
    }
)


@SETTINGS
@given(document=config_doc)
def test_config_parser(document: dict[str, Any]) -> None:
    try:
        cfg = config.from_table(document, path=Path("lapse.toml"))
    except ConfigError as exc:
        assert str(exc).startswith("lapse.toml: ")
        assert "\n" not in str(exc)
    else:
        assert cfg.fail_on is not None


@SETTINGS
@given(text=st.text(max_size=200))
def test_config_file_text(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.mktemp("cfg") / "lapse.toml"
    path.write_text(text, encoding="utf-8")
    try:
        config.load(path)
    except ConfigError as exc:
        assert str(exc).startswith(str(path))


resource_doc = shaped(
    {
        "urn": st.text(max_size=10),
        "type": st.sampled_from(
            [
                "aws:route53domains/registeredDomain:RegisteredDomain",
                "aws:route53/zone:Zone",
                "aws:route53/record:Record",
                "cloudflare:index/zone:Zone",
                "cloudflare:index/record:Record",
                "azure-native:network:RecordSet",
                "azure-native:domainregistration:Domain",
                "pulumi:pulumi:Stack",
            ]
        )
        | st.text(max_size=10),
        "outputs": shaped(
            {
                "domainName": domainish,
                "name": domainish,
                "zone": domainish,
                "nameServers": json_values,
                "autoRenew": json_values,
                "expirationDate": dates,
                "zoneId": json_values,
                "aliases": json_values,
                "fqdn": domainish,
                "zoneName": domainish,
                "relativeRecordSetName": st.text(max_size=5),
            }
        ),
        "delete": st.booleans(),
    }
)


@SETTINGS
@given(
    document=shaped(
        {
            "version": st.sampled_from([3, 2]),
            "deployment": shaped({"resources": st.lists(resource_doc, max_size=4)}),
            "checkpoint": shaped({"latest": shaped({"resources": st.lists(resource_doc, max_size=3)})}),
        }
    )
)
def test_stack_export_parser(document: dict[str, Any]) -> None:
    try:
        inventory = stack_export.from_document(document, where="stack.json")
    except InputError as exc:
        assert str(exc).startswith("stack.json: ")
    else:
        assert isinstance(inventory, Inventory)


rdap_doc = shaped(
    {
        "ldhName": domainish,
        "status": st.lists(st.text(max_size=20)),
        "events": st.lists(
            shaped(
                {
                    "eventAction": st.sampled_from(["expiration", "registration", "registrar expiration"]),
                    "eventDate": dates,
                }
            )
        ),
        "entities": st.lists(
            shaped(
                {
                    "roles": st.lists(st.sampled_from(["registrar", "Registrant", "technical"])),
                    "vcardArray": json_values,
                    "publicIds": json_values,
                    "handle": st.text(max_size=5),
                    "entities": json_values,
                }
            )
        ),
        "nameservers": st.lists(shaped({"ldhName": domainish})),
        "secureDNS": json_values,
    }
)


def _normalizers() -> list[tuple[str, Callable[[Any], Any]]]:
    from lapse.providers import aws, azure, cloudflare, rdap

    return [
        ("rdap", lambda d: rdap.normalize(d, queried="example.com", source=SRC)),
        ("aws-domain", lambda d: aws.normalize_domain(d, d.get("detail") if isinstance(d, dict) else None, (), SRC)),
        ("aws-zone", lambda d: aws.normalize_zone(d, d.get("sets", []) if isinstance(d, dict) else [], SRC)),
        ("aws-health", lambda d: aws.normalize_health_check(d, SRC)),
        ("cloudflare-registration", lambda d: cloudflare.normalize_registration(d, SRC)),
        ("cloudflare-record", cloudflare.normalize_record),
        ("cloudflare-zone", lambda d: cloudflare.normalize_zone(d, [], SRC)),
        ("cloudflare-policy", lambda d: cloudflare.normalize_policy(d, {"z1": "example.com"}, SRC)),
        ("azure-domain", lambda d: azure.normalize_domain(d, SRC)),
        ("azure-zone", lambda d: azure.normalize_zone(d, d.get("sets", []) if isinstance(d, dict) else [], SRC)),
    ]


provider_doc = rdap_doc | shaped(
    {
        "DomainName": domainish,
        "Expiry": json_values,
        "AutoRenew": json_values,
        "detail": shaped(
            {
                "StatusList": json_values,
                "Nameservers": json_values,
                "DnssecKeys": json_values,
                "ExpirationDate": json_values,
                "AdminContact": json_values,
            }
        ),
        "Name": domainish,
        "sets": json_values,
        "HealthCheckConfig": json_values,
        "domain_name": domainish,
        "expires_at": dates,
        "status": json_values,
        "name": domainish,
        "content": json_values,
        "ttl": json_values,
        "proxied": json_values,
        "name_servers": json_values,
        "alert_type": st.sampled_from(["universal_ssl_event_type", "x"]),
        "filters": json_values,
        "properties": json_values,
        "enabled": json_values,
    }
)


@SETTINGS
@pytest.mark.parametrize("name", [n for n, _ in _normalizers()])
@given(document=provider_doc)
def test_provider_normalizers(name: str, document: dict[str, Any]) -> None:
    normalize = dict(_normalizers())[name]
    try:
        result = normalize(document)
    except ProviderError as exc:
        assert exc.reason
    else:
        assert result is None or isinstance(result, Registration | Zone | Record | Monitor)


def test_fuzz_strategies_produce_json() -> None:
    assert json.dumps({"ok": True})

"""Snapshots: round trip, schema validation with field paths, version handling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import NOW, REPO, inventory, monitor, record, registration, zone
from jsonschema import Draft202012Validator

from lapse import schema_types, snapshot
from lapse.errors import InputError
from lapse.model import (
    CertificateCheck,
    DeclaredDomain,
    Inventory,
    LiveDelegation,
    NameserverCheck,
    RenewalFailure,
    Source,
)


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    probe = Source(provider="dns", read_at=NOW)
    original = inventory(
        registration(ds_key_tags=frozenset({1, 2}), renewal_failures=(RenewalFailure(at=NOW, reason="declined"),)),
        zone(records=(record("www.example.com", edge="cloudflare"),), dnskey_tags=frozenset({2})),
        monitor("*.example.com"),
        DeclaredDomain(name="example.com", hostnames=("www.example.com",), source=Source(provider="config")),
    )
    original = original.merge(
        Inventory(
            delegations=(
                LiveDelegation(
                    domain="example.com",
                    source=probe,
                    parent="com",
                    nameservers=("ns1.example.net",),
                    servers=(NameserverCheck(name="ns1.example.net", addresses=("192.0.2.1",), lame="refused"),),
                    ds_key_tags=frozenset({7}),
                    dnskey_tags=frozenset({7, 8}),
                    ds_matched=frozenset({7}),
                ),
                LiveDelegation(domain="gone.example", source=probe, parent="example", error="NXDOMAIN"),
            ),
            certificates=(
                CertificateCheck(
                    hostname="www.example.com",
                    source=Source(provider="tls", read_at=NOW),
                    address="192.0.2.7:443",
                    not_after=NOW,
                    names=("*.example.com",),
                    issuer="Let's Encrypt",
                    untrusted="self-signed certificate",
                ),
            ),
        )
    )
    path = tmp_path / "s.json"
    snapshot.write(path, original, generated_at=NOW)
    loaded = snapshot.load(path)
    assert loaded == original  # Source.file is not compared; everything else is
    assert loaded.registrations[0].source.file == str(path)


def test_written_snapshots_validate_against_the_shipped_schema(tmp_path: Path) -> None:
    document = snapshot.to_document(inventory(registration(), zone()), generated_at=NOW)
    Draft202012Validator.check_schema(snapshot.schema())
    Draft202012Validator(snapshot.schema()).validate(document)


def test_names_are_normalized_on_load() -> None:
    doc = {
        "schema_version": 1,
        "registrations": [
            {"domain": "GOOGLE.COM.", "source": {"provider": "rdap"}, "nameservers": ["NS1.GOOGLE.COM."]}
        ],
    }
    inv = snapshot.from_document(doc, where="s.json")
    assert inv.registrations[0].domain == "google.com"
    assert inv.registrations[0].nameservers == ("ns1.google.com",)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"schema_version": 2}, "s.json: schema_version: this is a version 2 snapshot; lapse 0.1.0 reads version 1"),
        ({"registrations": []}, "s.json: schema_version: missing; this is not a lapse snapshot"),
        ([], "s.json: expected a JSON object (a lapse snapshot), got an array"),
        ({"schema_version": 1, "registrations": {}}, "s.json: registrations: expected an array, got a table/object"),
        (
            {"schema_version": 1, "registrations": [{"domain": "a.example"}]},
            "s.json: registrations[0]: missing required key 'source'",
        ),
        (
            {"schema_version": 1, "registrations": [{"domain": "a.example", "source": {"provider": "x"}, "expiry": 1}]},
            "s.json: registrations[0].expiry: unknown key (did you mean 'expires'?)",
        ),
        (
            {
                "schema_version": 1,
                "registrations": [{"domain": "a.example", "source": {"provider": "x"}, "expires": "next tuesday"}],
            },
            "s.json: registrations[0].expires: expected an RFC 3339 date-time with a timezone",
        ),
        (
            {
                "schema_version": 1,
                "registrations": [
                    {"domain": "a.example", "source": {"provider": "x"}, "expires": "2026-13-45T00:00:00Z"}
                ],
            },
            "s.json: registrations[0].expires: expected an RFC 3339 date-time with a timezone, got '2026-13-45T00:00:00Z'",
        ),
        (
            {"schema_version": 1, "registrations": [{"domain": "exa mple.com", "source": {"provider": "x"}}]},
            "s.json: registrations[0].domain: 'exa mple.com' is not a domain name",
        ),
        (
            {
                "schema_version": 1,
                "monitors": [{"name": "m", "kind": "ping", "covers": ["a.example"], "source": {"provider": "config"}}],
            },
            's.json: monitors[0].kind: expected one of "expiry", "certificate", "http", "dns", got "ping"',
        ),
        (
            {
                "schema_version": 1,
                "zones": [
                    {
                        "name": "a.example",
                        "source": {"provider": "x"},
                        "records": [{"name": "a.example", "type": "A", "ttl": "300"}],
                    }
                ],
            },
            "s.json: zones[0].records[0].ttl: expected an integer or null, got a string",
        ),
    ],
)
def test_invalid_documents_name_the_field(document: object, message: str) -> None:
    with pytest.raises(InputError) as err:
        snapshot.from_document(document, where="s.json")
    assert str(err.value).startswith(message), str(err.value)


def test_example_snapshots_are_valid() -> None:
    for path in sorted((REPO / "examples").glob("*/snapshot.json")):
        assert snapshot.load(path).registrations, path
        assert json.loads(path.read_text())["schema_version"] == 1


def test_valid_snapshots_take_the_fast_path() -> None:
    for path in sorted((REPO / "examples").glob("*/snapshot.json")):
        fast = snapshot.read_fast(path.read_bytes(), where=str(path))
        assert fast is not None, path
        assert fast == snapshot.from_document(json.loads(path.read_text()), where=str(path))


def test_an_integral_float_is_an_integer_as_json_schema_says(tmp_path: Path) -> None:
    record = {"name": "a.example", "type": "A", "ttl": 300.0}
    document = {"schema_version": 1, "zones": [{"name": "a.example", "source": {"provider": "x"}, "records": [record]}]}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(document))
    assert snapshot.read_fast(path.read_bytes(), where="s.json") is None  # msgspec is stricter here
    assert snapshot.load(path).zones[0].records[0].ttl == 300


def test_a_schema_keyword_the_types_do_not_implement_is_refused() -> None:
    with pytest.raises(schema_types.Unsupported, match="patternProperties"):
        schema_types.document_type({"type": "object", "patternProperties": {"^x": {}}}, "x")
    with pytest.raises(schema_types.Unsupported, match="remote"):
        schema_types.document_type({"type": "object", "properties": {"a": {"$ref": "remote.json"}}}, "x")

"""`lapse merge`: one snapshot per account joins into one estate, as if scanned together."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from factories import CF_NS, NOW, inventory, registration, source, zone
from msgspec import structs

from lapse import snapshot
from lapse.merge import merge


def test_views_from_different_sources_join_and_duplicates_collapse(cli: Any, tmp_path: Path) -> None:
    registrar = inventory(registration("shop.example", auto_renew=False))
    dns = inventory(zone("shop.example", nameservers=CF_NS, provider="cloudflare", source=source("cloudflare", "acct")))
    older = inventory(registration("shop.example", auto_renew=True, source=source("aws", "123456789012")))
    files = []
    for name, inv, when in (
        ("registrar", registrar, NOW),
        ("dns", dns, NOW),
        ("stale", older, NOW - timedelta(days=2)),
    ):
        path = tmp_path / f"{name}.json"
        document = snapshot.to_document(inv, generated_at=when)
        for item in document["registrations"] + document["zones"]:
            item["source"]["read_at"] = when.isoformat().replace("+00:00", "Z")
        path.write_text(json.dumps(document), encoding="utf-8")
        files.append(path)
    out = tmp_path / "estate.json"
    run = cli("merge", *files, files[0], "-o", out)
    assert run.code == 0, run.err
    assert "merged 4 files: 1 registrations, 1 zones" in run.err
    joined = snapshot.load(out)
    [reg] = joined.registrations
    assert reg.auto_renew is False  # the newer read of the same account and domain wins
    check = cli("check", out, "--format", "json", "--now", "2026-11-22", "--select", "LAP101,LAP402")
    findings = {(f["code"], f["domain"]) for f in json.loads(check.out)["findings"]}
    assert ("LAP101", "shop.example") in findings  # registrar view...
    assert ("LAP402", "shop.example") in findings  # ...joined with the DNS view: AWS delegation, Cloudflare zone


def test_merge_keeps_every_error_once() -> None:

    from lapse.model import ScanError

    error = ScanError(provider="aws", account="a", kind="auth", message="denied", source=source())
    a = structs.replace(inventory(), errors=(error,))
    assert merge([a, a]).errors == (error,)


def test_merge_needs_an_output(cli: Any, tmp_path: Path) -> None:
    run = cli("merge", tmp_path / "a.json")
    assert run.code == 2
    assert "-o/--output" in run.err

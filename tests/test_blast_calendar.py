"""lapse blast-radius (table, detail, Mermaid, Graphviz) and lapse calendar (table, iCalendar)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from factories import CF_NS, NOW, REPO, declared, inventory, record, registration, zone
from icalendar import Calendar

from lapse import blast, estate
from lapse.model import Criticality

ESTATE = REPO / "examples" / "estate"
AS_OF = ("--now", "2026-11-22")


def test_impacts_separate_losing_dns_from_losing_some_nameservers() -> None:
    mixed = ("ns-1.awsdns-01.org", "dns1.p01.nsone.net")
    found = blast.impacts(
        estate.build(
            inventory(
                registration("a.example", nameservers=mixed),
                registration("b.example", registrar="Cloudflare, Inc.", nameservers=CF_NS),
                zone("b.example", nameservers=CF_NS, records=(record("www.b.example", edge="cloudflare"),)),
                declared("b.example", Criticality.CRITICAL),
            )
        )
    )
    by = {i.vendor: i for i in found}
    assert by["aws"].registration == ("a.example",)
    assert by["aws"].dns == ()
    assert by["aws"].dns_partial == ("a.example",)
    assert by["ns1"].dns_partial == ("a.example",)
    assert by["cloudflare"].dns == ("b.example",)
    assert by["cloudflare"].edge == ("www.b.example",)
    assert by["cloudflare"].critical == ("b.example",)
    assert "www.b.example" in by["cloudflare"].hostnames
    assert found[0].vendor in {"aws", "cloudflare"}  # most domains first


def test_table_names_every_vendor(cli: Any) -> None:
    run = cli("blast-radius", "--config", ESTATE / "lapse.toml")
    assert run.code == 0, run.err
    for name in ("Amazon Web Services", "Cloudflare", "GoDaddy", "Microsoft Azure", "NS1 (IBM)"):
        assert name in run.out


def test_vendor_detail_lists_hostnames_that_stop_working(cli: Any) -> None:
    run = cli("blast-radius", "--config", ESTATE / "lapse.toml", "--vendor", "Amazon Web Services")
    assert run.code == 0
    assert "these domains stop resolving (1" in run.out
    detail = run.out.split("hostnames that stop working")[1]
    for host in ("www.paperplane.example", "api.paperplane.example", "docs.paperplane.example"):
        assert host in detail


def test_unknown_vendor_is_a_usage_error(cli: Any) -> None:
    run = cli("blast-radius", "--config", ESTATE / "lapse.toml", "--vendor", "dyn")
    assert run.code == 2
    assert "found: aws" in run.err


def test_json_matches_the_table(cli: Any) -> None:
    run = cli("blast-radius", "--config", ESTATE / "lapse.toml", "--format", "json")
    document = {v["vendor"]: v for v in json.loads(run.out)}
    assert document["cloudflare"]["edge"] == ["docs.paperplane.example", "paperplane-status.example"]


def test_mermaid_has_a_node_per_vendor_and_name_and_an_arrow_per_role(cli: Any) -> None:
    run = cli("blast-radius", "--config", ESTATE / "lapse.toml", "--diagram", "mermaid")
    lines = run.out.splitlines()
    assert lines[0] == "flowchart LR"
    assert '  v_aws["Amazon Web Services"]:::vendor' in lines
    assert '  n_paperplane_example["paperplane.example"]:::critical' in lines
    assert "  v_aws -.->|DNS, some servers| n_pp_cdn_example" in lines
    assert "  v_cloudflare ==>|edge| n_docs_paperplane_example" in lines
    defined = {line.split("[")[0].strip() for line in lines if '["' in line}
    for line in lines:
        if "|" in line and ("-->" in line or "==>" in line or "-.->" in line):
            source, *_, target = line.split()
            assert source in defined and target in defined, line


@pytest.mark.skipif(
    shutil.which("dot") is None and not os.environ.get("LAPSE_REQUIRE_TOOLS"),
    reason="Graphviz is not installed (apt install graphviz); CI sets LAPSE_REQUIRE_TOOLS",
)
def test_graphviz_draws_the_dot_output(cli: Any, tmp_path: Path) -> None:
    svg = tmp_path / "blast.svg"
    run = cli("blast-radius", "--config", ESTATE / "lapse.toml", "--diagram", "dot", "--output", svg)
    assert run.code == 0, run.err
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "Amazon Web Services" in text and "paperplane.example" in text
    dot = cli("blast-radius", "--config", ESTATE / "lapse.toml", "--diagram", "dot").out
    checked = subprocess.run(["dot", "-Tcanon"], input=dot.encode(), capture_output=True, check=False)
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr == b""


def test_drawing_without_graphviz_says_how_to_get_it(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    run = cli("blast-radius", "--config", ESTATE / "lapse.toml", "--diagram", "dot", "-o", tmp_path / "b.png")
    assert run.code == 2
    assert "needs Graphviz's 'dot'" in run.err
    assert not (tmp_path / "b.png").exists()


def test_calendar_lists_upcoming_expiries_soonest_first(cli: Any) -> None:
    run = cli("calendar", "--config", ESTATE / "lapse.toml", *AS_OF, "--format", "json")
    found = json.loads(run.out)
    assert [r["domain"] for r in found][:3] == [
        "legacy-brand.example",
        "paperplane.example",
        "paperplane-status.example",
    ]
    assert found[1]["days_left"] == 9
    assert found[2]["auto_renew"] is False
    window = cli("calendar", "--config", ESTATE / "lapse.toml", *AS_OF, "--days", "30", "--format", "json").out
    assert [r["domain"] for r in json.loads(window)] == [
        "legacy-brand.example",
        "paperplane.example",
        "paperplane-status.example",
    ]


def test_ics_is_valid_icalendar_with_stable_uids_and_reminders(cli: Any, tmp_path: Path) -> None:
    ics = tmp_path / "renewals.ics"
    run = cli("calendar", "--config", ESTATE / "lapse.toml", *AS_OF, "--ics", ics, "--reminders", "14,0")
    assert run.code == 0, run.err
    raw = ics.read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # RFC 5545 §3.1 line folding
    calendar = Calendar.from_ical(raw)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    event = events["paperplane.example-2026-12-01@lapse"]
    assert str(event.decoded("dtstart")) == "2026-12-01"
    triggers = sorted(a.decoded("trigger") for a in event.walk("VALARM"))
    assert triggers == [-timedelta(days=25 + 14), -timedelta(days=25)]  # LAP112's window is 25 days
    assert "auto-renew is OFF" in str(events["paperplane-status.example-2026-12-10@lapse"]["summary"])
    again = tmp_path / "again.ics"
    cli("calendar", "--config", ESTATE / "lapse.toml", "--now", "2026-11-23", "--ics", again)
    assert {str(e["uid"]) for e in Calendar.from_ical(again.read_bytes()).walk("VEVENT")} == set(events)


def test_calendar_window_follows_the_rule_config(cli: Any, tmp_path: Path) -> None:
    config = tmp_path / "lapse.toml"
    config.write_text('inputs = ["s.json"]\n[rules.renewal-overdue]\nwindow-days = 40\n')
    (tmp_path / "s.json").write_text((ESTATE / "snapshot.json").read_text())
    found = json.loads(cli("calendar", "--config", config, *AS_OF, "--format", "json").out)
    by = {r["domain"]: r for r in found}
    assert by["paperplane.example"]["renew_by"].startswith("2026-10-22")


@pytest.mark.parametrize("args", [["--days", "0"], ["--reminders", "soon"], ["--reminders", "-3"]])
def test_calendar_usage_errors(cli: Any, args: list[str]) -> None:
    run = cli("calendar", "--config", ESTATE / "lapse.toml", *args)
    assert run.code == 2
    assert run.err.startswith("lapse: error: --")


def test_now_is_respected_by_the_days_left(cli: Any) -> None:
    later = (NOW + timedelta(days=1)).date().isoformat()
    found = json.loads(cli("calendar", "--config", ESTATE / "lapse.toml", "--now", later, "--format", "json").out)
    assert {r["domain"]: r["days_left"] for r in found}["paperplane.example"] == 8

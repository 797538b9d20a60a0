"""Reporters: golden files for every format, SARIF and JUnit validated against their schemas.

Regenerate the golden files after an intended change with ``LAPSE_UPDATE_GOLDEN=1 pytest``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from factories import FIXTURES, REPO
from jsonschema.validators import validator_for

GOLDEN = Path(__file__).parent / "golden"
FORMATS = {"terminal": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "markdown": "md"}
ESTATES = ("estate", "clean")


def report(cli: Any, estate: str, fmt: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(REPO)
    run = cli(
        "check",
        f"examples/{estate}/lapse.toml",
        f"examples/{estate}/snapshot.json",
        "--now",
        "2026-11-22",
        "--format",
        fmt,
    )
    assert run.code in (0, 3), run.err
    return str(run.out)


@pytest.mark.parametrize("estate", ESTATES)
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_golden(cli: Any, monkeypatch: pytest.MonkeyPatch, estate: str, fmt: str) -> None:
    text = report(cli, estate, fmt, monkeypatch)
    golden = GOLDEN / f"{estate}.{FORMATS[fmt]}"
    if os.environ.get("LAPSE_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("estate", ESTATES)
def test_sarif_validates_against_the_official_schema(cli: Any, monkeypatch: pytest.MonkeyPatch, estate: str) -> None:
    document = json.loads(report(cli, estate, "sarif", monkeypatch))
    schema = json.loads((FIXTURES / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    validator = validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, errors[0]


def test_sarif_is_what_github_code_scanning_needs(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from lapse.policies import RULES

    run = json.loads(report(cli, "estate", "sarif", monkeypatch))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.code for r in RULES]
    assert all(r["help"]["markdown"] and r["shortDescription"]["text"] for r in rules)
    fingerprints = set()
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        [location] = result["locations"]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert uri in {"examples/estate/snapshot.json", "examples/estate/lapse.toml"}, uri
        assert location["logicalLocations"][0]["name"]
        fingerprints.add(result["partialFingerprints"]["lapseFinding/v1"])
    assert len(fingerprints) == len(run["results"])
    assert run["invocations"][0]["executionSuccessful"] is False  # a provider failed


def test_sarif_points_at_the_line_that_names_the_domain(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    run = json.loads(report(cli, "estate", "sarif", monkeypatch))["runs"][0]
    snapshot_lines = (REPO / "examples/estate/snapshot.json").read_text().splitlines()
    for result in run["results"]:
        physical = result["locations"][0]["physicalLocation"]
        domain = result["locations"][0]["logicalLocations"][0]["name"]
        if physical["artifactLocation"]["uri"].endswith("snapshot.json") and "." in domain:
            assert domain in snapshot_lines[physical["region"]["startLine"] - 1]


def test_waived_findings_are_sarif_suppressions(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    results = json.loads(report(cli, "estate", "sarif", monkeypatch))["runs"][0]["results"]
    suppressed = [r for r in results if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["LAP301"]
    assert "mail migration" in suppressed[0]["suppressions"][0]["justification"]


@pytest.mark.parametrize("estate", ESTATES)
def test_junit_validates_against_the_xsd(cli: Any, monkeypatch: pytest.MonkeyPatch, estate: str) -> None:
    xml = report(cli, estate, "junit", monkeypatch)
    schema = xmlschema.XMLSchema(str(FIXTURES / "schemas" / "junit-10.xsd"))
    schema.validate(xml)


def test_junit_counts_failures_skips_and_errors(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(report(cli, "estate", "junit", monkeypatch))
    report_json = json.loads(report(cli, "estate", "json", monkeypatch))
    summary = report_json["summary"]
    assert int(root.get("errors", "")) == 1  # the Cloudflare 401, as LAP901
    assert int(root.get("failures", "")) == summary["findings"] - 1
    skipped = sum(int(suite.get("skipped", "")) for suite in root.iter("testsuite"))
    assert skipped == summary["not_evaluated"] + summary["waived"]
    names = {case.get("name") for case in root.iter("testcase") if case.get("classname") == "lapse.LAP101"}
    assert names >= {"paperplane-status.example", "paperplane.example"}  # one case per domain


def test_markdown_warns_when_incomplete(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    text = report(cli, "estate", "markdown", monkeypatch)
    assert "> [!WARNING]" in text
    assert "| 🔴 critical | `LAP112` renewal-overdue | paperplane.example |" in text

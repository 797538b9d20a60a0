"""The command line end to end: commands, exit codes, bad input, the offline import budget."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from factories import REPO

from lapse.policies import RULES

ESTATE = REPO / "examples" / "estate"
CLEAN = REPO / "examples" / "clean"
NOW = ("--now", "2026-11-22")


def lapse(*args: str | Path, cwd: Path = REPO, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed console script, as a user and pre-commit do."""
    exe = Path(sys.executable).with_name("lapse")
    return subprocess.run(
        [str(exe), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_estate_example_triggers_every_rule_and_is_incomplete(cli: Any) -> None:
    from lapse.policies import RULES

    run = cli("check", ESTATE / "lapse.toml", ESTATE / "snapshot.json", *NOW, "--format", "json")
    assert run.code == 3, run.err
    report = json.loads(run.out)
    assert report["complete"] is False
    assert {f["code"] for f in report["findings"]} | {w["code"] for w in report["waived"]} == {r.code for r in RULES}


def test_clean_example_exits_zero(cli: Any) -> None:
    run = cli("check", CLEAN / "lapse.toml", CLEAN / "snapshot.json", *NOW)
    assert run.code == 0, run.out + run.err
    assert "nothing at or above low (exit 0)" in run.out


def test_config_is_found_in_the_working_directory(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CLEAN)
    assert cli("check", "snapshot.json", *NOW).code == 0
    monkeypatch.chdir(ESTATE)
    assert cli("check", "snapshot.json", *NOW, "--format", "json").code == 3


def test_inputs_from_the_config_when_no_files_are_given(
    cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(ESTATE)
    run = cli("check", *NOW, "--format", "json")
    assert run.code == 3
    assert json.loads(run.out)["inputs"] == ["snapshot.json"]
    bad = tmp_path / "lapse.toml"
    bad.write_text('inputs = ["nothing/*.json"]\n')
    missing = cli("check", "--config", bad)
    assert missing.code == 2
    assert "inputs: 'nothing/*.json' matches no file" in missing.err


def test_json_report_shape(cli: Any) -> None:
    run = cli("check", ESTATE / "lapse.toml", ESTATE / "snapshot.json", *NOW, "--format", "json")
    report = json.loads(run.out)
    assert report["schema_version"] == 1
    assert set(report["summary"]) >= {"domains", "findings", "by_severity", "not_evaluated", "waived", "errors"}
    for finding in report["findings"]:
        assert {"code", "name", "severity", "domain", "message", "source"} <= set(finding)
    assert report["errors"] == [
        {
            "provider": "cloudflare",
            "account": "acquisitions",
            "kind": "auth",
            "message": "401 Unauthorized: the API token is invalid or expired",
        }
    ]


def test_fail_on_and_select_flags(cli: Any) -> None:
    args = (CLEAN / "lapse.toml", CLEAN / "snapshot.json", *NOW)
    assert cli("check", *args, "--fail-on", "info").code == 1
    assert cli("check", *args, "--fail-on", "info", "--ignore", "LAP310").code == 0
    assert cli("check", *args, "--fail-on", "info", "--select", "vendor-blast-radius").code == 1
    bad = cli("check", *args, "--select", "LAP77")
    assert bad.code == 2
    assert bad.err.strip() == "lapse: error: no rule or rule prefix 'LAP77'"


def test_baseline_round_trip(cli: Any, tmp_path: Path) -> None:
    base = tmp_path / "baseline.json"
    args = (ESTATE / "lapse.toml", ESTATE / "snapshot.json", *NOW)
    total = len(json.loads(cli("check", *args, "--format", "json").out)["findings"])
    written = cli("check", *args, "--baseline", base, "--write-baseline")
    assert written.code == 0
    assert f"wrote {total} findings" in written.err
    again = cli("check", *args, "--baseline", base, "--format", "json")
    report = json.loads(again.out)
    assert report["findings"] == []
    assert report["summary"]["baselined"] == total
    assert again.code == 3  # a baseline hides findings, never the fact that a provider was not read
    fresh = cli("check", *args, "--baseline", base, "--format", "json", "--now", "2027-06-01")
    new = {(f["code"], f["domain"]) for f in json.loads(fresh.out)["findings"]}
    assert ("LAP113", "paperplane.example") in new  # findings that appeared since are reported
    assert ("LAP301", "paperplane-mail.example") in new  # its waiver expired by then


def test_output_file_and_summary_on_stderr(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    run = cli("check", CLEAN / "lapse.toml", CLEAN / "snapshot.json", *NOW, "--format", "markdown", "--output", out)
    assert run.code == 0
    assert run.out == ""
    assert "report written to" in run.err
    assert out.read_text().startswith("## lapse")


def test_rules_explain_and_schema(cli: Any) -> None:
    listing = cli("rules")
    assert listing.code == 0
    assert "LAP112" in listing.out and "renewal-overdue" in listing.out
    as_json = json.loads(cli("rules", "--format", "json").out)
    assert len(as_json) == len(RULES)
    explained = cli("explain", "renewal-overdue")
    assert explained.code == 0
    assert explained.out.startswith("LAP112 renewal-overdue (default severity: critical)")
    assert "window-days = 25" in explained.out
    assert cli("explain", "lap112").out == explained.out
    unknown = cli("explain", "renewal-overdu")
    assert unknown.code == 2
    assert "did you mean 'renewal-overdue'" in unknown.err
    for which in ("config", "snapshot", "baseline"):
        schema = json.loads(cli("schema", which).out)
        assert schema["$schema"].startswith("https://json-schema.org/")


def test_usage_errors_exit_2_without_traceback(cli: Any) -> None:
    for args in (("check", "--format", "xml"), ("bogus",), ("check", "--now", "yesterday"), ()):
        run = cli(*args)
        assert run.code == 2, args
        assert "Traceback" not in run.err
        assert run.err.startswith("lapse: error:")


# -- bad input corpus ----------------------------------------------------------------------------

VALID_SNAPSHOT = (CLEAN / "snapshot.json").read_text()

BAD_SNAPSHOTS: dict[str, tuple[bytes, str]] = {
    "empty.json": (b"", "file is empty"),
    "blank.json": (b"  \n\t\n", "file is empty"),
    "binary.json": (bytes(range(256)) * 4, "is a binary file"),
    "latin1.json": ('{"schema_version": 1, "generator": "café"}'.encode("latin-1"), "is not UTF-8 text"),
    "truncated.json": (VALID_SNAPSHOT[: len(VALID_SNAPSHOT) // 2].encode(), "invalid JSON at line"),
    "trailing-comma.json": (b'{"schema_version": 1,}', "invalid JSON at line 1 column 22"),
    "deep.json": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    "deep-object.json": (
        b'{"schema_version": 1, "generator": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        "nested too deeply",
    ),
    "top-level-array.json": (b"[]", "expected a JSON object"),
    "not-a-snapshot.json": (b'{"name": "x"}', "not a lapse snapshot"),
    "future.json": (b'{"schema_version": 7}', "schema_version: this is a version 7 snapshot"),
    "string-version.json": (b'{"schema_version": "1"}', 'schema_version: this is a version "1" snapshot'),
    "wrong-type.json": (b'{"schema_version": 1, "zones": "all"}', "zones: expected an array, got a string"),
    "bad-date.json": (
        VALID_SNAPSHOT.replace('"2031-04-02T00:00:00Z"', '"2031-04-02"').encode(),
        "registrations[0].expires: expected an RFC 3339 date-time with a timezone",
    ),
    "unknown-key.json": (
        VALID_SNAPSHOT.replace('"auto_renew": true,', '"autorenew": true,', 1).encode(),
        "registrations[0].autorenew: unknown key (did you mean 'auto_renew'?)",
    ),
    "null-name.json": (
        VALID_SNAPSHOT.replace('"domain": "tidy.example"', '"domain": null').encode(),
        "registrations[0].domain: expected a string, got null",
    ),
    "pulumi-export.json": (
        b'{"version": 3, "deployment": {"resources": "all"}}',
        "deployment.resources: expected an array",
    ),
    "missing.json": (b"", "no such file"),
}

BAD_CONFIGS: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "file is empty"),
    "binary": (b"\x00\x01\x02fail-on", "is a binary file"),
    "syntax": (b"fail-on = [", "invalid TOML"),
    "deep": (b"x = " + b"[" * 100_000 + b"]" * 100_000, "lapse.toml: "),
    "unknown": (b'fial-on = "high"', "fial-on: unknown key (did you mean 'fail-on'?)"),
    "types": (b"[[domains]]\nname = 5", "domains[0].name: expected a string, got an integer"),
}


@pytest.mark.parametrize("name", sorted(BAD_SNAPSHOTS))
def test_bad_snapshot_gives_one_line_exit_2(cli: Any, tmp_path: Path, name: str) -> None:
    content, message = BAD_SNAPSHOTS[name]
    path = tmp_path / name
    if name != "missing.json":
        path.write_bytes(content)
    run = cli("check", "--config", CLEAN / "lapse.toml", path)
    assert run.code == 2
    assert run.out == ""
    assert len(run.err.strip().splitlines()) == 1, run.err
    assert run.err.startswith(f"lapse: error: {path}"), run.err
    assert message in run.err, run.err


@pytest.mark.parametrize("name", sorted(BAD_CONFIGS))
def test_bad_config_gives_one_line_exit_2(cli: Any, tmp_path: Path, name: str) -> None:
    content, message = BAD_CONFIGS[name]
    path = tmp_path / "lapse.toml"
    path.write_bytes(content)
    run = cli("check", "--config", path, CLEAN / "snapshot.json")
    assert run.code == 2
    assert len(run.err.strip().splitlines()) == 1, run.err
    assert run.err.startswith(f"lapse: error: {path}"), run.err
    assert message in run.err, run.err


def test_a_directory_is_not_a_snapshot(cli: Any, tmp_path: Path) -> None:
    run = cli("check", "--config", CLEAN / "lapse.toml", tmp_path)
    assert run.code == 2
    assert "is a directory" in run.err


# -- the real console script ---------------------------------------------------------------------


def test_console_script_no_traceback_on_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "s.json"
    bad.write_bytes(b"{")
    proc = lapse("check", "--config", CLEAN / "lapse.toml", bad)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_no_colour_when_not_a_tty_or_no_color() -> None:
    proc = lapse("check", ESTATE / "lapse.toml", ESTATE / "snapshot.json", *NOW)
    assert proc.returncode == 3
    assert "\x1b[" not in proc.stdout
    assert "LAP112" in proc.stdout
    assert "INCOMPLETE" in proc.stdout


def test_offline_path_imports_no_vendor_sdk_and_no_rich_for_json() -> None:
    probe = (
        "import sys\n"
        "from lapse.cli import main\n"
        f"code = main(['check', {str(ESTATE / 'lapse.toml')!r}, {str(ESTATE / 'snapshot.json')!r},"
        " '--now', '2026-11-22', '--format', 'json'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'boto3', 'botocore', 'azure', 'cloudflare', 'pulumi', 'pulumi_policy', 'grpc', 'httpx', 'rich'})\n"
        "bare = sorted({'policies', 'providers'} & set(sys.modules))\n"
        "sys.stderr.write(repr((code, heavy, bare)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd="/", timeout=60)
    assert proc.stderr.strip().endswith("(3, [], [])"), proc.stderr


def test_rules_listing_imports_no_jsonschema() -> None:
    probe = (
        "import sys, io, contextlib\n"
        "from lapse.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['explain', 'LAP101'])\n"
        "print('jsonschema' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd="/", timeout=60)
    assert proc.stdout.strip() == "False", proc.stdout + proc.stderr

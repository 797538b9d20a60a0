"""The CI examples parse, and every lapse command in them is one the CLI accepts."""

from __future__ import annotations

import shlex
from typing import Any

import pytest
import yaml
from factories import REPO

from lapse.cli import _parser

CI = REPO / "examples" / "ci"


def commands(document: Any) -> list[str]:
    found: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key in ("run", "script") and value:
                lines = value if isinstance(value, list) else str(value).splitlines()
                found += [line.strip() for line in lines if line.strip().startswith("lapse ")]
            else:
                found += commands(value)
    elif isinstance(document, list):
        for item in document:
            found += commands(item)
    return found


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_ci_example_commands_parse(name: str) -> None:
    document = yaml.safe_load((CI / name).read_text(encoding="utf-8"))
    found = commands(document)
    assert found, f"{name} runs no lapse command"
    for line in found:
        line = line.replace("${{ matrix.account.name }}", "prod")
        argv = shlex.split(line.split(">")[0].split("||")[0])[1:]
        _parser().parse_args(argv)  # raises UsageError on a flag or command that does not exist


def test_github_workflow_uses_oidc_uploads_sarif_and_pages() -> None:
    workflow = yaml.safe_load((CI / "github-actions.yml").read_text(encoding="utf-8"))
    jobs = workflow["jobs"]
    assert jobs["scan"]["permissions"]["id-token"] == "write"
    steps = [s for job in jobs.values() for s in job["steps"]]
    assert any(str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif") for s in steps)
    assert any("pagerduty" in str(s.get("run", "")) for s in steps)
    assert any("lapse merge" in str(s.get("run", "")) for s in steps)

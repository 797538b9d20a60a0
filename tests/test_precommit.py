"""The hook manifest with the real pre-commit tool: `pre-commit try-repo` in a temporary git repo."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml  # pre-commit's own dependency
from factories import REPO

CLEAN = REPO / "examples" / "clean"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_manifest_follows_pre_commit_conventions() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"lapse", "lapse-scan"}
    for hook in hooks.values():
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"
    assert "stages" not in hooks["lapse"]  # offline: every commit
    assert set(hooks["lapse-scan"]["stages"]) == {"pre-push", "manual"}  # live: only when opted into


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs the lapse git checkout to try")
def test_try_repo_fails_on_a_bad_estate_and_passes_on_a_clean_one(tmp_path: Path) -> None:
    project = tmp_path / "infra"
    (project / "dns").mkdir(parents=True)
    config = (CLEAN / "lapse.toml").read_text().replace('inputs = ["snapshot.json"]', 'inputs = ["dns/*.json"]')
    (project / "lapse.toml").write_text(config)
    snapshot = json.loads((CLEAN / "snapshot.json").read_text())
    snapshot["registrations"][0]["auto_renew"] = False
    (project / "dns" / "estate.json").write_text(json.dumps(snapshot, indent=2))
    git(project, "init", "-q")
    git(project, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or "pre-commit"

    def try_repo() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, "try-repo", str(REPO), "lapse", "--all-files", "--color", "never"],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
        )

    failing = try_repo()
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "lapse check (domain and DNS policy)" in failing.stdout
    assert "Failed" in failing.stdout
    assert "LAP101" in failing.stdout  # auto-renew off on tidy.example

    (project / "dns" / "estate.json").write_text((CLEAN / "snapshot.json").read_text())
    git(project, "add", ".")
    passing = try_repo()
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout

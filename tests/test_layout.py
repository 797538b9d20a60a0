"""The install layout the design card fixes: policies/ and providers/ live under lapse.*."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

from factories import REPO


def test_policies_and_providers_import_only_under_lapse() -> None:
    probe = (
        "import sys, lapse.policies, lapse.providers, lapse.cli\n"
        "print(sorted({'policies', 'providers'} & set(sys.modules)))\n"
        "print(lapse.policies.__file__)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd="/", check=True)
    bare, location = proc.stdout.splitlines()
    assert bare == "[]"
    assert location.endswith(("policies/__init__.py", "policies\\__init__.py"))


def test_the_distribution_declares_the_extras_and_console_script() -> None:
    dist = metadata.distribution("lapse")
    extras = set(dist.metadata.get_all("Provides-Extra") or [])
    assert {"aws", "cloudflare", "azure", "pulumi", "dns", "tls", "all", "test"} <= extras
    core = [r for r in dist.requires or [] if "extra ==" not in r]
    assert sorted(r.split(">")[0].split("=")[0].strip() for r in core) == [
        "icalendar",  # lapse calendar; imported only by it
        "idna",
        "jinja2",  # --format html; imported only by it
        "jsonschema",
        "msgspec",  # parses and checks snapshots against types built from the schema
        "rich",
    ]
    assert any(ep.name == "lapse" and ep.value == "lapse.cli:main" for ep in dist.entry_points)


def test_fixtures_we_copied_have_provenance() -> None:
    provenance = (REPO / "tests" / "fixtures" / "PROVENANCE.md").read_text(encoding="utf-8")
    for path in (REPO / "tests" / "fixtures").rglob("*"):
        if path.is_file() and path.name != "PROVENANCE.md":
            assert path.name in provenance, f"{path.name} has no provenance line"


def test_readme_lists_every_rule() -> None:
    from lapse.policies import RULES

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"| {rule.code} | `{rule.name}` |" in readme, rule.code

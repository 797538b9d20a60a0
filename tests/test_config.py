"""Configuration: every documented key, strict validation with did-you-mean, discovery."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lapse import config
from lapse.errors import ConfigError
from lapse.findings import Severity
from lapse.model import Criticality, MonitorKind

FULL = """
fail-on = "medium"
select = ["LAP1", "LAP401"]
ignore = ["LAP111"]

[providers.aws]
profiles = ["prod", "staging"]
[providers.cloudflare]
token-env = "CF_TOKEN"
[providers.azure]
subscription-id = ["a", "b"]
[providers.rdap]
timeout = 5

[[domains]]
name = "Example.COM."
owner = "platform"
criticality = "critical"

[[monitors]]
name = "expiry"
kind = "expiry"
covers = ["example.com", "*.Example.ORG"]

[rules.expires-soon]
days = { critical = 14, medium = 60 }
severity = "high"

[[waivers]]
rule = "auto-renew-off"
domain = "legacy.*"
reason = "sunsetting"
expires = 2027-01-31
"""


def write(tmp_path: Path, text: str, name: str = "lapse.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_documented_key(tmp_path: Path) -> None:
    cfg = config.load(write(tmp_path, FULL))
    assert cfg.fail_on is Severity.MEDIUM
    assert cfg.select == ("LAP1", "LAP401")
    assert cfg.ignore == ("LAP111",)
    assert set(cfg.providers) == {"aws", "cloudflare", "azure", "rdap"}
    [domain] = cfg.domains
    assert (domain.name, domain.owner, domain.criticality) == ("example.com", "platform", Criticality.CRITICAL)
    [mon] = cfg.monitors
    assert mon.kind is MonitorKind.EXPIRY
    assert mon.covers == ("example.com", "*.example.org")
    assert cfg.rules["expires-soon"] == {"days": {"critical": 14, "medium": 60}, "severity": "high"}
    [waiver] = cfg.waivers
    assert (waiver.rule, waiver.domain, waiver.expires) == ("LAP101", "legacy.*", date(2027, 1, 31))


def test_pyproject_tool_lapse(tmp_path: Path) -> None:
    path = write(tmp_path, '[project]\nname = "x"\n\n[tool.lapse]\nfail-on = "low"\n', "pyproject.toml")
    assert config.load(path).fail_on is Severity.LOW


def test_pyproject_errors_name_the_full_key(tmp_path: Path) -> None:
    path = write(tmp_path, '[tool.lapse]\nfail-onn = "low"\n', "pyproject.toml")
    with pytest.raises(
        ConfigError, match=r"pyproject.toml: tool.lapse.fail-onn: unknown key \(did you mean 'fail-on'\?\)"
    ):
        config.load(path)


def test_discovery_walks_up_and_skips_pyproject_without_tool_lapse(tmp_path: Path) -> None:
    write(tmp_path, 'fail-on = "low"\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    write(nested.parent, '[project]\nname = "x"\n', "pyproject.toml")
    assert config.discover(nested) == tmp_path / "lapse.toml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('fail_on = "high"', "lapse.toml: fail_on: unknown key (did you mean 'fail-on'?)"),
        (
            'fail-on = "severe"',
            'lapse.toml: fail-on: expected one of "info", "low", "medium", "high", "critical", got "severe"',
        ),
        ('select = "LAP1"', "lapse.toml: select: expected an array, got a string"),
        ('select = ["LAP7"]', "lapse.toml: select[0]: no rule or rule prefix 'LAP7'"),
        (
            'ignore = ["auto-renew-of"]',
            "lapse.toml: ignore[0]: no rule or rule prefix 'auto-renew-of' (did you mean 'auto-renew-off'?)",
        ),
        (
            "[providers.aws]\nprofile = ['x']",
            "lapse.toml: providers.aws.profile: unknown key (did you mean 'profiles'?)",
        ),
        (
            "[providers.godaddy]",
            "lapse.toml: providers.godaddy: unknown key (expected one of: aws, azure, cloudflare, dns, rdap, tls)",
        ),
        ("[[domains]]\nowner = 'x'", "lapse.toml: domains[0]: missing required key 'name'"),
        ("[[domains]]\nname = 'bad name.com'", "lapse.toml: domains[0].name: 'bad name.com' is not a domain name"),
        (
            "[[domains]]\nname = 'a.example'\nhostnames = ['www.b.example']",
            "lapse.toml: domains[0].hostnames[0]: 'www.b.example' is not under a.example",
        ),
        ("[providers.dns]\nport = 0", "lapse.toml: providers.dns.port: "),
        (
            "[[domains]]\nname = 'a.example'\ncriticality = 'urgent'",
            "lapse.toml: domains[0].criticality: expected one of",
        ),
        (
            "[[monitors]]\nname = 'm'\nkind = 'expiry'\ncovers = []",
            "lapse.toml: monitors[0].covers: expected at least 1 item(s)",
        ),
        ("[rules.expires-son]", "lapse.toml: rules.expires-son: unknown key (did you mean 'expires-soon'?)"),
        (
            "[rules.expires-soon]\ndays = 30",
            "lapse.toml: rules.expires-soon.days: expected a table/object, got an integer",
        ),
        (
            "[rules.expires-soon]\ndays = {critical = -1}",
            "lapse.toml: rules.expires-soon.days.critical: -1 is out of range",
        ),
        (
            "[rules.renewal-overdue]\nwindow = 10",
            "lapse.toml: rules.renewal-overdue.window: unknown key (did you mean 'window-days'?)",
        ),
        ("[[waivers]]\nrule = 'LAP101'\ndomain = 'a.example'", "lapse.toml: waivers[0]: missing required key 'reason'"),
        (
            "[[waivers]]\nrule = 'auto-renew'\ndomain = 'a'\nreason = 'r'",
            "lapse.toml: waivers[0].rule: no rule 'auto-renew' (did you mean",
        ),
        (
            "[[waivers]]\nrule = 'LAP101'\ndomain = 'a'\nreason = 'r'\nexpires = 'soon'",
            "lapse.toml: waivers[0].expires: expected a date such as 2027-01-31",
        ),
        (
            "[[waivers]]\nrule = 'LAP101'\ndomain = 'a'\nreason = 'r'\nexpires = '2027-02-30'",
            "lapse.toml: waivers[0].expires: '2027-02-30' is not a calendar date",
        ),
        ("fail-on = ", "lapse.toml: invalid TOML: Invalid value (at end of document)"),
        ("[rules]\n[rules]", "lapse.toml: invalid TOML: Cannot declare ('rules',) twice (at line 2, column 7)"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        config.load(write(tmp_path, text))
    got = str(err.value).replace(str(tmp_path) + "/", "")
    assert got.startswith(message), got
    assert "\n" not in got

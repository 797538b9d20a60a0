"""Selection, waivers, baselines, severity overrides and exit codes."""

from __future__ import annotations

from datetime import date

import pytest
from factories import NOW, inventory, monitor, registration, source

from lapse import engine
from lapse.config import Config, Waiver
from lapse.findings import Severity
from lapse.policies import RULES


def codes(rules: tuple[object, ...]) -> list[str]:
    return [r.code for r in rules]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("select", "ignore", "expected"),
    [
        (["LAP"], [], [r.code for r in RULES]),
        (["LAP1"], ["LAP11"], ["LAP101", "LAP102", "LAP120"]),
        (["LAP101"], ["LAP1"], ["LAP101"]),  # the more specific selector wins, as in Ruff
        (["LAP4"], ["LAP402"], ["LAP401", "LAP403"]),
        (["LAP"], ["LAP"], []),
    ],
)
def test_selection(select: list[str], ignore: list[str], expected: list[str]) -> None:
    assert codes(engine.selected(RULES, select, ignore)) == expected


def waiver(rule: str, domain: str, expires: date | None = None) -> Waiver:
    return Waiver(
        rule=rule, domain=domain, reason="accepted", expires=expires, origin="lapse.toml", source=source("config")
    )


LOCK_OFF = inventory(registration("a.example", transfer_lock=False), registration("b.example", transfer_lock=False))


def run(config: Config, **kwargs: object) -> engine.Result:
    return engine.run(LOCK_OFF, config, now=NOW, select=["LAP401", "LAP91"], ignore=[], **kwargs)  # type: ignore[arg-type]


def test_waiver_by_glob_suppresses_and_is_reported_as_waived() -> None:
    result = run(Config(waivers=(waiver("LAP401", "a.*"),)))
    assert [f.domain for f in result.findings] == ["b.example"]
    assert [(f.domain, w.domain) for f, w in result.waived] == [("a.example", "a.*")]


def test_expired_waiver_stops_applying_and_is_itself_a_finding() -> None:
    result = run(Config(waivers=(waiver("LAP401", "a.example", date(2026, 11, 1)),)))
    assert sorted((f.code, f.domain) for f in result.findings) == [
        ("LAP401", "a.example"),
        ("LAP401", "b.example"),
        ("LAP910", "a.example"),
    ]
    assert not result.waived


def test_waiver_valid_through_its_expiry_day() -> None:
    result = run(Config(waivers=(waiver("LAP401", "a.example", NOW.date()),)))
    assert [f.domain for f, _ in result.waived] == ["a.example"]


def test_unused_waiver_is_a_finding_but_not_for_rules_that_did_not_run() -> None:
    result = run(Config(waivers=(waiver("LAP401", "zzz.example"), waiver("LAP101", "a.example"))))
    unused = [f for f in result.findings if f.code == "LAP911"]
    assert [f.target for f in unused] == ["waiver:LAP401:zzz.example"]


def test_baseline_hides_known_findings_only() -> None:
    first = run(Config())
    known = frozenset(f.fingerprint for f in first.findings if f.domain == "a.example")
    second = run(Config(), baseline=known)
    assert [f.domain for f in second.findings] == ["b.example"]
    assert [f.domain for f in second.baselined] == ["a.example"]


def test_fingerprints_are_stable_across_runs_and_messages() -> None:
    a = run(Config()).findings
    b = engine.run(LOCK_OFF, Config(), now=NOW.replace(year=2027), select=["LAP401"], ignore=[]).findings
    assert [f.fingerprint for f in a] == [f.fingerprint for f in b]


@pytest.mark.parametrize(
    ("fail_on", "exit_code"),
    [(Severity.CRITICAL, 0), (Severity.HIGH, 0), (Severity.MEDIUM, 1), (Severity.INFO, 1)],
)
def test_fail_on_decides_exit_code(fail_on: Severity, exit_code: int) -> None:
    assert run(Config(fail_on=fail_on)).exit_code == exit_code


def test_cli_fail_on_overrides_config() -> None:
    assert run(Config(fail_on=Severity.CRITICAL), fail_on=Severity.LOW).exit_code == 1


def test_severity_override_from_config() -> None:
    result = run(Config(rules={"transfer-lock-off": {"severity": "critical"}}))
    assert {str(f.severity) for f in result.findings} == {"critical"}
    assert result.exit_code == 1


def test_options_from_config_reach_the_rule() -> None:
    inv = inventory(registration(days=100, auto_renew=False), monitor("example.com"))
    default = engine.run(inv, Config(), now=NOW, select=["LAP110"], ignore=[])
    wider = engine.run(
        inv, Config(rules={"expires-soon": {"days": {"low": 120}}}), now=NOW, select=["LAP110"], ignore=[]
    )
    assert not default.findings
    assert [str(f.severity) for f in wider.findings] == ["low"]


def test_passes_are_recorded_per_rule() -> None:
    result = engine.run(inventory(registration("ok.example")), Config(), now=NOW, select=["LAP401"], ignore=[])
    assert result.passed == {"LAP401": ("ok.example",)}


def test_findings_are_ordered_most_severe_first() -> None:
    result = engine.run(
        inventory(registration("a.example", transfer_lock=False), registration("b.example", days=5)),
        Config(),
        now=NOW,
    )
    ranks = [f.severity.rank for f in result.findings]
    assert ranks == sorted(ranks, reverse=True)


def test_severity_override_applies_to_waiver_findings() -> None:
    config = Config(waivers=(waiver("LAP401", "zzz.example"),), rules={"waiver-unused": {"severity": "high"}})
    [unused] = [f for f in run(config).findings if f.code == "LAP911"]
    assert unused.severity is Severity.HIGH

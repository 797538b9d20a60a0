"""Runs the selected rules over an estate, applies waivers and a baseline, decides the exit code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lapse import estate as estate_mod
from lapse import names
from lapse.config import Config, Waiver
from lapse.estate import DomainView
from lapse.findings import Finding, NotEvaluated, Severity
from lapse.model import Inventory, Note, ScanError
from lapse.policies import RULES, DomainRule, EstateRule, Rule
from lapse.policies.rule import Context, Flag, Skip
from lapse.policies.scan import WaiverExpired, WaiverUnused

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3

#: the target of a "not evaluated" that stands for every domain (the rule's data source is absent)
ESTATE_WIDE = "all domains"


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    findings: tuple[Finding, ...]
    not_evaluated: tuple[NotEvaluated, ...]
    waived: tuple[tuple[Finding, Waiver], ...]
    baselined: tuple[Finding, ...]
    #: per rule code, the targets it checked and found nothing wrong with
    passed: Mapping[str, tuple[str, ...]]
    errors: tuple[ScanError, ...]
    rules: tuple[Rule, ...]
    notes: tuple[Note, ...] = field(default=())
    now: datetime
    fail_on: Severity
    domain_count: int
    inputs: tuple[str, ...] = field(default=())
    #: the joined inventory the rules saw (the HTML report draws blast radius and calendar from it)
    estate: estate_mod.Estate | None = field(default=None, compare=False, repr=False)
    #: LAP112's renewal window in days, as configured
    renewal_window: int = 25

    @property
    def complete(self) -> bool:
        return not self.errors

    @property
    def failing(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity.at_least(self.fail_on))

    @property
    def exit_code(self) -> int:
        """3 wins over 1: an incomplete result must never look like a verdict on the whole estate."""
        if not self.complete:
            return EXIT_INCOMPLETE
        return EXIT_FINDINGS if self.failing else EXIT_CLEAN

    def counts(self) -> dict[Severity, int]:
        counts = dict.fromkeys(Severity, 0)
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts


def selected(rules: Sequence[Rule], select: Iterable[str], ignore: Iterable[str]) -> tuple[Rule, ...]:
    """Rules whose most specific matching selector is a select, as Ruff resolves them."""
    select, ignore = tuple(select), tuple(ignore)

    def best(prefixes: tuple[str, ...], code: str) -> int:
        return max((len(p) for p in prefixes if code.startswith(p)), default=-1)

    return tuple(r for r in rules if best(select, r.code) > best(ignore, r.code))


def run(
    inventory: Inventory,
    config: Config,
    *,
    now: datetime,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    fail_on: Severity | None = None,
    baseline: frozenset[str] = frozenset(),
    inputs: Sequence[str] = (),
) -> Result:
    rules = selected(
        RULES,
        config.select if select is None else select,
        config.ignore if ignore is None else ignore,
    )
    est = estate_mod.build(inventory)
    ctx = Context(now=now, estate=est)
    raw: list[Finding] = []
    skipped: list[NotEvaluated] = []
    passed: dict[str, tuple[str, ...]] = {}
    for rule in rules:
        options, override = _options(rule, config.rules.get(rule.name, {}))
        if isinstance(rule, DomainRule) and (reason := rule.unavailable(est)):
            skipped.append(
                NotEvaluated(
                    code=rule.code,
                    name=rule.name,
                    domain=None,
                    target=ESTATE_WIDE,
                    reason=f"{reason}; none of the {len(est.domains):,} domains was checked",
                )
            )
            passed[rule.code] = ()
        elif isinstance(rule, DomainRule):
            passed[rule.code] = _run_domain_rule(rule, est.domains, options, override, ctx, raw, skipped)
        elif isinstance(rule, EstateRule):
            for outcome in rule.check_estate(est, options, ctx):
                _collect(rule, outcome, None, override, raw, skipped)
    active, waived, waiver_findings = _apply_waivers(raw, config, rules, now)
    everything = active + waiver_findings
    if baseline:
        new = [f for f in everything if f.fingerprint not in baseline]
        old = [f for f in everything if f.fingerprint in baseline]
    else:  # fingerprints are hashes: not worth computing for nothing to compare with
        new, old = everything, []
    return Result(
        findings=tuple(_ordered(new)),
        not_evaluated=tuple(skipped),
        waived=tuple(waived),
        baselined=tuple(old),
        passed=passed,
        errors=inventory.errors,
        notes=inventory.notes,
        rules=rules,
        now=now,
        fail_on=config.fail_on if fail_on is None else fail_on,
        domain_count=len(est.domains),
        inputs=tuple(inputs),
        estate=est,
        renewal_window=window_days(config.rules),
    )


def window_days(rule_tables: Mapping[str, Mapping[str, Any]]) -> int:
    """LAP112's renewal window as configured: the calendar and the rule must agree on it."""
    from lapse.policies import find

    rule = find("renewal-overdue")
    assert rule is not None
    return int(rule_tables.get(rule.name, {}).get("window-days", rule.defaults()["window-days"]))


def _options(rule: Rule, table: Mapping[str, Any]) -> tuple[dict[str, Any], Severity | None]:
    options = {**rule.defaults(), **{k: v for k, v in table.items() if k != "severity"}}
    override = Severity(table["severity"]) if "severity" in table else None
    return options, override


def _run_domain_rule(
    rule: DomainRule,
    views: Sequence[DomainView],
    options: Mapping[str, Any],
    override: Severity | None,
    ctx: Context,
    raw: list[Finding],
    skipped: list[NotEvaluated],
) -> tuple[str, ...]:
    passed = []
    for view in views:
        outcomes = list(rule.check(view, options, ctx))
        if not outcomes:
            passed.append(view.name)
        for outcome in outcomes:
            _collect(rule, outcome, view, override, raw, skipped)
    return tuple(passed)


def _collect(
    rule: Rule,
    outcome: Flag | Skip,
    view: DomainView | None,
    override: Severity | None,
    raw: list[Finding],
    skipped: list[NotEvaluated],
) -> None:
    domain = view.name if view else outcome.domain
    target = outcome.target or domain or rule.name
    if isinstance(outcome, Skip):
        skipped.append(
            NotEvaluated(code=rule.code, name=rule.name, domain=domain, target=target, reason=outcome.reason)
        )
        return
    raw.append(
        Finding(
            code=rule.code,
            name=rule.name,
            severity=override or outcome.severity or rule.severity,
            domain=domain,
            target=target,
            message=outcome.message,
            source=outcome.source or (view.source if view else None),
        )
    )


def _waiver_matches(waiver: Waiver, finding: Finding) -> bool:
    if waiver.rule != finding.code:
        return False
    return names.matches(finding.domain or finding.target, waiver.domain) or names.matches(
        finding.target, waiver.domain
    )


def _apply_waivers(
    findings: list[Finding], config: Config, rules: Sequence[Rule], now: datetime
) -> tuple[list[Finding], list[tuple[Finding, Waiver]], list[Finding]]:
    waivers = config.waivers
    today = now.date()
    live = [w for w in waivers if w.expires is None or w.expires >= today]
    used: set[int] = set()
    active: list[Finding] = []
    waived: list[tuple[Finding, Waiver]] = []
    for finding in findings:
        match = next((i for i, w in enumerate(live) if _waiver_matches(w, finding)), None)
        if match is None:
            active.append(finding)
        else:
            used.add(match)
            waived.append((finding, live[match]))
    codes = {r.code for r in rules}
    about: list[Finding] = []
    if WaiverExpired.code in codes:
        about += [
            _waiver_finding(
                WaiverExpired, w, f"waiver of {w.rule} for {w.domain} expired on {w.expires} ({w.reason})", config
            )
            for w in waivers
            if w.expires is not None and w.expires < today
        ]
    if WaiverUnused.code in codes:
        about += [
            _waiver_finding(WaiverUnused, w, f"waiver of {w.rule} for {w.domain} matches no finding", config)
            for i, w in enumerate(live)
            if i not in used and w.rule in codes
        ]
    return active, waived, about


def _waiver_finding(rule: type[Rule], waiver: Waiver, message: str, config: Config) -> Finding:
    _, override = _options(rule(), config.rules.get(rule.name, {}))
    return Finding(
        code=rule.code,
        name=rule.name,
        severity=override or rule.severity,
        domain=None if names.is_glob(waiver.domain) else waiver.domain,
        target=f"waiver:{waiver.rule}:{waiver.domain}",
        message=message,
        source=waiver.source,
    )


def _ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first, then by domain and code: the order a person triages in."""
    return sorted(findings, key=lambda f: (-f.severity.rank, f.domain or "", f.code, f.target))

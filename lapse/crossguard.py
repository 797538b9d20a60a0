"""The lapse rules as a Pulumi CrossGuard policy pack.

Single-resource rules (auto-renew, expiry, renewal, term, lock) become resource policies that check
one registered domain as Pulumi plans it; every other rule becomes a stack policy over all of the
stack's resources. Both go through the same resource mapping as ``lapse check`` on a stack export,
and the same engine. Each policy's enforcement level follows the rule's severity (critical and
high block, the rest advise) and can be overridden in the policy pack's config, as can every rule
option; descriptions and remediation steps come from the rule docs.

Reading a value Pulumi cannot know during preview raises pulumi_policy's UnknownValueError, which
the pack reports the way Pulumi expects: "can't run policy during preview", never a false verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from lapse import engine
from lapse.config import Config
from lapse.findings import Finding, Severity
from lapse.model import Inventory, Source
from lapse.policies import RULES, EngineRule, Rule
from lapse.pulumi_map import Resource, to_inventory

PACK_NAME = "lapse"
#: rules that decide from one registered domain alone
RESOURCE_RULES = frozenset({"LAP101", "LAP110", "LAP111", "LAP112", "LAP113", "LAP401"})
#: rules about a scan or about waivers: nothing to check in a Pulumi program
SCAN_ONLY = frozenset({"LAP901"})
SOURCE = Source(provider="pulumi")


def enforcement(rule: Rule) -> Any:
    from pulumi_policy import EnforcementLevel

    return EnforcementLevel.MANDATORY if rule.severity.at_least(Severity.HIGH) else EnforcementLevel.ADVISORY


def _severity(rule: Rule) -> Any:
    from pulumi_policy import Severity as PulumiSeverity

    return PulumiSeverity.LOW if rule.severity is Severity.INFO else PulumiSeverity(rule.severity.value)


def _plain(value: Any) -> Any:
    """A deep copy of (proxied) resource properties; reading an unknown raises UnknownValueError."""
    if isinstance(value, Mapping):
        return {str(k): _plain(value[k]) for k in value}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [_plain(v) for v in value]  # pulumi_policy's proxies are Sequences, not lists
    return value


def _findings(rule: Rule, inventory: Inventory, options: Mapping[str, Any], now: datetime) -> list[Finding]:
    config = Config(rules={rule.name: dict(options)})
    return list(engine.run(inventory, config, now=now, select=[rule.code], ignore=[]).findings)


def _options(args: Any) -> dict[str, Any]:
    config = args.get_config() or {}
    return {k: v for k, v in dict(config).items() if k != "enforcementLevel"}


def _metadata(rule: Rule) -> dict[str, Any]:
    """What every policy says about itself, from the rule and its docs."""
    from pulumi_policy import PolicyConfigSchema

    return {
        "name": rule.name,
        "description": rule.title(),
        "enforcement_level": enforcement(rule),
        "config_schema": PolicyConfigSchema(properties=dict(rule.options["properties"])),
        "severity": _severity(rule),
        "remediation_steps": rule.sections().get("How to fix"),
        "tags": ["domains", rule.code],
    }


def _resource_policy(rule: Rule, now: Callable[[], datetime]) -> Any:
    from pulumi_policy import ResourceValidationPolicy

    def validate(args: Any, report_violation: Callable[..., None]) -> None:
        resource = Resource(type=args.resource_type, urn=args.urn, props=_plain(args.props))
        inventory = to_inventory([resource], source=SOURCE)
        if not inventory.registrations:
            return  # not a registered domain: nothing for this rule to check
        for finding in _findings(rule, inventory, _options(args), now()):
            report_violation(f"{finding.domain}: {finding.message} ({rule.code})", None)

    return ResourceValidationPolicy(validate=validate, **_metadata(rule))


def _urns(resources: Iterable[Resource]) -> dict[str, str]:
    """Which resource declares each domain or zone, so a stack finding points at it."""
    urns: dict[str, str] = {}
    for res in resources:
        single = to_inventory([res], source=SOURCE)
        for name in [r.domain for r in single.registrations] + [z.name for z in single.zones]:
            urns.setdefault(name, res.urn)
    return urns


def _stack_policy(rule: Rule, now: Callable[[], datetime]) -> Any:
    from pulumi_policy import StackValidationPolicy

    def validate(args: Any, report_violation: Callable[..., None]) -> None:
        resources = [Resource(type=r.resource_type, urn=r.urn, props=_plain(r.props)) for r in args.resources]
        inventory = to_inventory(resources, source=SOURCE)
        urns = _urns(resources)
        for finding in _findings(rule, inventory, _options(args), now()):
            where = f"{finding.domain}: " if finding.domain else ""
            report_violation(f"{where}{finding.message} ({rule.code})", urns.get(finding.domain or ""))

    return StackValidationPolicy(validate=validate, **_metadata(rule))


def policies(now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> list[Any]:
    """Every applicable rule as a CrossGuard policy, named by the rule's name."""
    chosen = [r for r in RULES if r.code not in SCAN_ONLY and not isinstance(r, EngineRule)]
    return [_resource_policy(rule, now) if rule.code in RESOURCE_RULES else _stack_policy(rule, now) for rule in chosen]


def serve() -> None:
    """Start the policy pack's analyzer (it prints its port and serves until the engine stops it)."""
    from pulumi_policy import PolicyPack

    PolicyPack(
        name=PACK_NAME,
        policies=policies(),
        description="Catch the domain and DNS failures that take companies offline, before they happen.",
        tags=["domains", "dns"],
    )

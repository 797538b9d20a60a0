"""The rule contract: a code, a name, a default severity, an options schema, docs, and a pure check.

A rule's class docstring is its documentation. ``lapse explain``, SARIF ``rules[]`` and the
CrossGuard policy metadata are all generated from it, and a test holds every docstring to the
sections in :data:`DOC_SECTIONS`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import msgspec

from lapse.estate import DomainView, Estate
from lapse.findings import Severity
from lapse.model import Source

Options = Mapping[str, Any]

DOC_SECTIONS = ("What it checks", "Why it matters", "Example", "How to fix", "Options", "References")


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What a check may know besides the inventory; "now" comes from here, never from the clock."""

    now: datetime
    estate: Estate


class Flag(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A rule's verdict that something is wrong. Estate rules set ``target`` (and ``domain``)."""

    message: str
    severity: Severity | None = None
    source: Source | None = None
    target: str | None = None
    domain: str | None = None


class Skip(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """The rule could not decide for lack of data; reported as "not evaluated"."""

    reason: str
    target: str | None = None
    domain: str | None = None


Outcome = Flag | Skip


def options_schema(properties: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "properties": dict(properties or {})}


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    options: ClassVar[dict[str, Any]] = options_schema()

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {key: prop["default"] for key, prop in cls.options["properties"].items() if "default" in prop}

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def title(cls) -> str:
        return cls.doc().splitlines()[0].rstrip(".") if cls.doc() else cls.name

    @classmethod
    def sections(cls) -> dict[str, str]:
        """The docstring's ``## Heading`` sections, by heading."""
        parts = re.split(r"^## +(.+?)\s*$", cls.doc(), flags=re.MULTILINE)
        return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


class DomainRule(Rule):
    """Checks one domain at a time (like a CrossGuard resource policy)."""

    def unavailable(self, estate: Estate) -> str | None:
        """Why no domain at all can be checked, else None.

        When a rule's data source is absent from every input (no probe ran), the engine reports the
        rule once as not evaluated instead of once per domain: 100,000 identical lines help nobody.
        """
        return None

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterable[Outcome]:
        raise NotImplementedError


class EstateRule(Rule):
    """Checks the whole inventory at once (like a CrossGuard stack policy)."""

    def check_estate(self, estate: Estate, options: Options, ctx: Context) -> Iterable[Outcome]:
        raise NotImplementedError


class EngineRule(Rule):
    """Findings the engine itself raises about its inputs (waivers); documented like any rule."""


def escalate(severity: Severity, domain: DomainView, *, to: Severity) -> Severity:
    """``to`` for a domain declared critical, else ``severity``: critical domains get louder alerts."""
    return to if domain.criticality == "critical" else severity


def day(value: datetime) -> str:
    return value.date().isoformat()

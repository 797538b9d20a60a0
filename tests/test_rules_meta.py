"""The rule table itself: stable codes, complete docs, valid option schemas."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator

from lapse.policies import RULES, DomainRule, EngineRule, EstateRule, find
from lapse.policies.rule import DOC_SECTIONS

# The codes DESIGN.md promises, the two waiver findings the engine raises, and the LAP5xx live checks
# (issue 7: what the parent zone and the served certificates say).
DESIGNED = {
    "LAP101", "LAP102", "LAP110", "LAP111", "LAP112", "LAP113", "LAP120",
    "LAP201", "LAP202", "LAP210",
    "LAP301", "LAP302", "LAP310",
    "LAP401", "LAP402", "LAP403",
    "LAP501", "LAP502", "LAP503", "LAP504", "LAP505", "LAP510", "LAP511", "LAP512",
    "LAP901", "LAP910", "LAP911",
}  # fmt: skip


def test_codes_are_unique_sorted_and_complete() -> None:
    codes = [r.code for r in RULES]
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes)
    assert set(codes) == DESIGNED


def test_names_are_unique_kebab_case() -> None:
    names = [r.name for r in RULES]
    assert len(set(names)) == len(names)
    for name in names:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name), name


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_docs_have_every_section(rule: object) -> None:
    sections = rule.sections()  # type: ignore[attr-defined]
    assert list(sections) == list(DOC_SECTIONS), f"{rule.code}: sections {list(sections)}"  # type: ignore[attr-defined]
    for heading, text in sections.items():
        assert len(text) >= 4, f"{rule.code}: '{heading}' is empty"  # type: ignore[attr-defined]
    title = rule.title()  # type: ignore[attr-defined]
    assert 10 < len(title) < 90
    why = sections["Why it matters"]
    assert len(why) > 120, f"{rule.code}: say why it matters, citing the failure it prevents"  # type: ignore[attr-defined]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_how_to_fix_is_actionable(rule: object) -> None:
    fix = rule.sections()["How to fix"]  # type: ignore[attr-defined]
    assert len(fix) > 40


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_options_schema_is_valid_and_defaults_validate(rule: object) -> None:
    schema = rule.options  # type: ignore[attr-defined]
    Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    Draft202012Validator(schema).validate(rule.defaults())  # type: ignore[attr-defined]
    documented = rule.sections()["Options"]  # type: ignore[attr-defined]
    for key in schema["properties"]:
        assert f"`{key}`" in documented, f"{rule.code}: option {key} is not documented"  # type: ignore[attr-defined]


def test_each_rule_has_exactly_one_shape() -> None:
    for rule in RULES:
        shapes = [isinstance(rule, k) for k in (DomainRule, EstateRule, EngineRule)]
        assert sum(shapes) == 1, rule.code


def test_find_by_code_or_name_any_case() -> None:
    assert find("lap101") is find("LAP101") is find("auto-renew-off") is find(" Auto-Renew-Off ")
    assert find("LAP999") is None

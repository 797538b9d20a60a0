"""JUnit XML: one test suite per rule, one test case per domain (or other target) the rule checked.

CI systems that read JUnit then show lapse findings as failed tests, not-evaluated checks as
skipped tests, and provider errors (LAP901) as errors.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from lapse.engine import Result
from lapse.report import RenderOptions
from lapse.timeutil import format_datetime


def render(result: Result, options: RenderOptions) -> str:
    cases: dict[str, list[ET.Element]] = defaultdict(list)
    for finding in result.findings:
        case = ET.Element("testcase", name=finding.target, classname=f"lapse.{finding.code}", time="0")
        kind = "error" if finding.code == "LAP901" else "failure"
        ET.SubElement(
            case, kind, type=str(finding.severity), message=finding.message
        ).text = (
            f"{finding.code} {finding.name} [{finding.severity}] {finding.domain or finding.target}: {finding.message}"
        )
        cases[finding.code].append(case)
    for finding, waiver in result.waived:
        case = ET.Element("testcase", name=finding.target, classname=f"lapse.{finding.code}", time="0")
        ET.SubElement(case, "skipped", message=f"waived: {waiver.reason}")
        cases[finding.code].append(case)
    for skipped in result.not_evaluated:
        case = ET.Element("testcase", name=skipped.target, classname=f"lapse.{skipped.code}", time="0")
        ET.SubElement(case, "skipped", message=f"not evaluated: {skipped.reason}")
        cases[skipped.code].append(case)
    for code, targets in result.passed.items():
        cases[code].extend(
            ET.Element("testcase", name=target, classname=f"lapse.{code}", time="0") for target in targets
        )
    root = ET.Element("testsuites", name="lapse")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for rule in result.rules:
        rule_cases = cases.get(rule.code, [])
        counts = {
            "tests": len(rule_cases),
            "failures": sum(1 for c in rule_cases if c.find("failure") is not None),
            "errors": sum(1 for c in rule_cases if c.find("error") is not None),
            "skipped": sum(1 for c in rule_cases if c.find("skipped") is not None),
        }
        attributes = {"name": f"{rule.code} {rule.name}", **{k: str(v) for k, v in counts.items()}}
        suite = ET.SubElement(root, "testsuite", attributes, timestamp=format_datetime(result.now), time="0")
        suite.extend(rule_cases)
        for key, value in counts.items():
            totals[key] += value
    # the common JUnit XSD has no "skipped" on <testsuites>; each <testsuite> carries its own
    root.attrib.update({k: str(v) for k, v in totals.items() if k != "skipped"}, time="0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

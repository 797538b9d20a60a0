"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

GitHub needs every result located in a repository file (relative URI) and de-duplicates alerts by
``partialFingerprints``; both come from the finding's source file and its (code, target) pair.
"""

from __future__ import annotations

import json
import os
from pathlib import PurePath
from typing import Any

from lapse import __version__
from lapse.engine import Result
from lapse.findings import Finding, Severity
from lapse.policies import Rule
from lapse.report import RenderOptions

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "lapseFinding/v1"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub orders and labels alerts by this number (0-10).
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    sections = rule.sections()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.title()},
        "fullDescription": {"text": sections.get("What it checks", rule.title())},
        "help": {
            "text": f"{sections.get('Why it matters', '')}\n\nHow to fix:\n{sections.get('How to fix', '')}",
            "markdown": rule.doc(),
        },
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": ["domains", "dns", rule.code[:4] + "xx"],
            "security-severity": SECURITY_SEVERITY[rule.severity],
        },
    }


def _relative(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = path
    return PurePath(rel).as_posix()


def _line_of(text: str | None, needle: str | None) -> int:
    """First line that names the domain, so the alert points at its declaration."""
    if not text or not needle:
        return 1
    at = text.find(f'"{needle}"')
    if at < 0:
        at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def _result(finding: Finding, index: int, options: RenderOptions) -> dict[str, Any]:
    file = (finding.source.file if finding.source else None) or options.default_file
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index,
        "level": LEVELS[finding.severity],
        "message": {"text": f"{finding.domain or finding.target}: {finding.message}"},
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {"severity": str(finding.severity), "target": finding.target},
    }
    location: dict[str, Any] = {}
    if file:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": _relative(file), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": _line_of(options.sources.get(file), finding.domain)},
        }
    location["logicalLocations"] = [
        {"name": finding.domain or finding.target, "kind": "resource", "fullyQualifiedName": finding.target}
    ]
    result["locations"] = [location]
    return result


def document(result: Result, options: RenderOptions) -> dict[str, Any]:
    rules = list(result.rules)
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = [_result(f, index[f.code], options) for f in result.findings]
    for finding, waiver in result.waived:
        entry = _result(finding, index[finding.code], options)
        entry["suppressions"] = [{"kind": "external", "status": "accepted", "justification": waiver.reason}]
        results.append(entry)
    notifications = [
        {"level": "error", "message": {"text": f"{e.provider}: {e.message}"}, "descriptor": {"id": "LAP901"}}
        for e in result.errors
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "lapse",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [rule_descriptor(r) for r in rules],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the repository root"}}},
                "invocations": [{"executionSuccessful": result.complete, "toolExecutionNotifications": notifications}],
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def render(result: Result, options: RenderOptions) -> str:
    return json.dumps(document(result, options), indent=2, ensure_ascii=False) + "\n"

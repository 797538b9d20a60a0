"""Machine-readable report. ``schema_version`` changes only when a field changes meaning."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lapse import __version__, jsonlines
from lapse.engine import Result
from lapse.findings import SEVERITIES, Finding
from lapse.model import Source
from lapse.report import RenderOptions
from lapse.timeutil import format_datetime

SCHEMA_VERSION = 1


def _source(source: Source | None) -> dict[str, Any] | None:
    if source is None:
        return None
    return {
        "provider": source.provider,
        "account": source.account,
        "read_at": format_datetime(source.read_at) if source.read_at else None,
        "file": source.file,
    }


def finding(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "name": f.name,
        "severity": str(f.severity),
        "domain": f.domain,
        "target": f.target,
        "message": f.message,
        "source": _source(f.source),
        "fingerprint": f.fingerprint,
    }


def document(result: Result) -> dict[str, Any]:
    """The report as one JSON-ready dict."""
    return {key: list(value) if isinstance(value, Iterator) else value for key, value in _members(result).items()}


def _members(result: Result) -> dict[str, Any]:
    """The report's members; the long arrays are iterators, made into dicts only as they are written."""
    counts = result.counts()
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "lapse", "version": __version__},
        "generated_at": format_datetime(result.now),
        "complete": result.complete,
        "exit_code": result.exit_code,
        "fail_on": str(result.fail_on),
        "summary": {
            "domains": result.domain_count,
            "rules": len(result.rules),
            "findings": len(result.findings),
            "failing": len(result.failing),
            "by_severity": {str(s): counts[s] for s in reversed(SEVERITIES)},
            "not_evaluated": len(result.not_evaluated),
            "waived": len(result.waived),
            "baselined": len(result.baselined),
            "errors": len(result.errors),
        },
        "findings": (finding(f) for f in result.findings),
        "not_evaluated": (
            {"code": n.code, "name": n.name, "domain": n.domain, "target": n.target, "reason": n.reason}
            for n in result.not_evaluated
        ),
        "waived": (
            {**finding(f), "waiver": {"reason": w.reason, "expires": w.expires.isoformat() if w.expires else None}}
            for f, w in result.waived
        ),
        "errors": [
            {"provider": e.provider, "account": e.account, "kind": e.kind, "message": e.message} for e in result.errors
        ],
        "notes": [{"provider": n.provider, "domain": n.domain, "message": n.message} for n in result.notes],
        "inputs": list(result.inputs),
    }


def render(result: Result, options: RenderOptions) -> str:
    return "".join(chunks(result))


def chunks(result: Result) -> Iterator[str]:
    """The report a line at a time: 100,000 findings are written without a dict for each in memory."""
    return jsonlines.chunks(_members(result))

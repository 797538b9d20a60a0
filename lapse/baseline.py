"""Baselines: the findings a team has accepted, so a pull request is judged on what it adds."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from lapse import files
from lapse.errors import InputError
from lapse.findings import Finding
from lapse.timeutil import format_datetime
from lapse.validation import packaged_schema, validate


def load(path: Path) -> frozenset[str]:
    """The fingerprints in a baseline file."""
    document = files.load_json(path)
    validate(document, packaged_schema("baseline-v1.schema.json"), where=str(path), error=InputError, fast=True)
    return frozenset(item["fingerprint"] for item in document["findings"])


def dumps(findings: Iterable[Finding], *, generated_at: datetime) -> str:
    items = sorted(
        ({"fingerprint": f.fingerprint, "code": f.code, "target": f.target, "message": f.message} for f in findings),
        key=lambda item: (item["code"], item["target"]),
    )
    document = {"schema_version": 1, "generated_at": format_datetime(generated_at), "findings": items}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

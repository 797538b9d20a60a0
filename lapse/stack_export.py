"""``pulumi stack export`` files (deployment version 3, and the older checkpoint form) as an Inventory.

Validated against the shape lapse reads, not Pulumi's apitype schemas: those reject real exports
(CLI 3.92+ writes ``created``/``modified`` on resources and ``null`` property dependencies), and a
linter must read the files people actually have.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lapse.errors import InputError
from lapse.model import Inventory, Source
from lapse.pulumi_map import Resource, to_inventory


def looks_like_stack_export(document: Any) -> bool:
    return isinstance(document, Mapping) and ("deployment" in document or "checkpoint" in document)


SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:lapse:external:pulumi-deployment-v3",
    "type": "object",
    "required": ["version", "deployment"],
    "properties": {
        "version": {"const": 3},
        "deployment": {
            "type": "object",
            "properties": {
                "resources": {
                    "type": ["array", "null"],
                    "items": {
                        "type": "object",
                        "required": ["urn", "type"],
                        "properties": {
                            "urn": {"type": "string"},
                            "type": {"type": "string"},
                            "inputs": {"type": ["object", "null"]},
                            "outputs": {"type": ["object", "null"]},
                            "delete": {"type": "boolean"},
                        },
                    },
                }
            },
        },
    },
}


def _deployment(document: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    """The deployment, from either form; the checkpoint form keeps it under ``checkpoint.latest``."""
    if "checkpoint" in document:
        checkpoint = document["checkpoint"]
        latest = checkpoint.get("latest") if isinstance(checkpoint, Mapping) else None
        if not isinstance(latest, Mapping):
            raise InputError(f"{where}: checkpoint.latest: expected the deployment object")
        return {"version": document.get("version", 3), "deployment": latest}
    return document


def from_document(document: Mapping[str, Any], *, where: str) -> Inventory:
    from lapse.validation import validate

    wrapped = _deployment(document, where)
    if wrapped.get("version") != 3:
        raise InputError(f"{where}: version: lapse reads Pulumi deployment version 3, got {wrapped.get('version')!r}")
    validate(wrapped, SCHEMA, where=where, error=InputError)
    deployment = wrapped["deployment"]
    stack = None
    items = []
    for res in deployment.get("resources", []) or []:
        urn = str(res.get("urn", ""))
        if res.get("type") == "pulumi:pulumi:Stack":
            stack = urn.split("::")[0].removeprefix("urn:pulumi:")
        if res.get("delete"):
            continue  # pending deletion: no longer part of the stack
        props = res.get("outputs") or res.get("inputs") or {}
        items.append(Resource(type=str(res.get("type", "")), urn=urn, props=props))
    source = Source(provider="pulumi", account=stack, file=where)
    return to_inventory(items, source=source)

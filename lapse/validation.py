"""JSON Schema validation with messages a person can act on.

jsonschema finds what is wrong; this module says it in one line: the dotted path of the field, what
was expected, what was found, and for an unknown key the nearest known one.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lapse.errors import LapseError

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_JSON_TYPES = {
    dict: "a table/object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "null",
}
_SCHEMA_TYPES = {
    "object": "a table/object",
    "array": "an array",
    "string": "a string",
    "boolean": "a boolean",
    "integer": "an integer",
    "number": "a number",
    "null": "null",
}


@functools.cache
def packaged_schema(name: str) -> Mapping[str, Any]:
    """A JSON Schema shipped in ``lapse/schemas``."""
    try:  # the installed file; importlib.resources (slower to import) only for zipped installs
        text = (Path(__file__).parent / "schemas" / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        from importlib import resources

        text = resources.files("lapse").joinpath("schemas", name).read_text(encoding="utf-8")
    schema: Mapping[str, Any] = json.loads(text)
    return schema


def validate(
    document: Any,
    schema: Mapping[str, Any],
    *,
    where: str,
    error: type[LapseError],
    prefix: str = "",
    fast: bool = False,
) -> None:
    """Raise ``error("<where>: <prefix><path>: <what is wrong>")`` for the most relevant violation.

    With ``fast``, the document is first checked against msgspec types built from the schema
    (:mod:`lapse.schema_types`), in C and many times faster; jsonschema, the reference, runs only
    when that check fails, to confirm the failure and explain it. The schema stays the one source
    of truth either way.
    """
    if fast and _fast_accepts(schema, document):
        return
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    validator = Draft202012Validator(schema)
    try:
        found = best_match(validator.iter_errors(document))
    except RecursionError:
        raise error(f"{where}: nested too deeply") from None
    if found is not None:
        raise error(f"{where}: {describe(found, prefix)}")


def _fast_accepts(schema: Mapping[str, Any], document: Any) -> bool:
    import msgspec

    from lapse import schema_types

    try:
        kind = schema_types.document_type(schema, "document")
    except schema_types.Unsupported:
        return False
    try:
        msgspec.convert(document, kind)
    except msgspec.ValidationError:
        return False
    return True


def _key(part: object) -> str:
    """A key as it can be shown on one line: quoted when it holds anything but name characters."""
    text = str(part)
    return text if text and all(c.isalnum() or c in "_-" for c in text) else json.dumps(text)


def field_path(parts: Any) -> str:
    """``["rules", "expires-soon", 0]`` -> ``rules.expires-soon[0]``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{_key(part)}" if text else _key(part)
    return text


def describe(err: ValidationError, prefix: str = "") -> str:
    path = field_path(err.absolute_path)
    if prefix:
        path = prefix + path if path else prefix.rstrip(".")
    lead = f"{path}: " if path else ""
    schema = err.schema if isinstance(err.schema, Mapping) else {}
    instance = err.instance
    value: Any = err.validator_value
    match err.validator:
        case "additionalProperties" if isinstance(instance, Mapping):
            known = sorted(schema.get("properties", {}))
            unknown = sorted(k for k in instance if k not in known)
            name = unknown[0] if unknown else "?"
            where = f"{path}.{_key(name)}" if path else _key(name)
            return f"{where}: unknown key{_suggest(name, known)}"
        case "required":
            missing = str(err.message).split("'")[1] if "'" in str(err.message) else str(err.message)
            return f"{lead}missing required key '{missing}'"
        case "type":
            names = [value] if isinstance(value, str) else list(value)
            wanted = " or ".join(_SCHEMA_TYPES.get(n, n) for n in names)
            return f"{lead}expected {wanted}, got {json_kind(instance)}"
        case "enum":
            options = ", ".join(json.dumps(v) for v in value)
            return f"{lead}expected one of {options}, got {_short(instance)}"
        case "const":
            return f"{lead}expected {json.dumps(err.validator_value)}, got {_short(instance)}"
        case "pattern":
            hint = schema.get("description") or f"the pattern {err.validator_value}"
            return f"{lead}expected {hint}, got {_short(instance)}"
        case "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum":
            return f"{lead}{_short(instance)} is out of range ({err.validator} {err.validator_value})"
        case "minItems":
            return f"{lead}expected at least {err.validator_value} item(s)"
        case "minLength":
            return f"{lead}must not be empty"
        case _:
            return f"{lead}{err.message}"


def _suggest(name: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    if known:
        return f" (expected one of: {', '.join(known)})"
    return ""


def json_kind(value: Any) -> str:
    """How JSON or TOML calls a value's type: "an array", "a string", …"""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."

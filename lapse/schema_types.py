"""lapse's JSON Schemas turned into msgspec types, so that parsing a document also checks it.

The schema files stay the one source of truth: these types are built from them when first needed
(a couple of milliseconds), never written by hand. msgspec checks types, lengths, ranges, patterns,
enums and unknown members in C while it parses, so a 100,000-domain snapshot is read and checked
in about the time ``json.loads`` alone takes, and without building a dict per item.

Only the keywords lapse's schemas use are understood; any other raises :class:`Unsupported`, so a
schema that grows a new keyword fails its tests instead of being checked less strictly than it says.
The types are never looser than the schema (a property test holds them to jsonschema); the one
place they are stricter is JSON Schema's ``1.0`` counting as an integer, and callers then ask
jsonschema, which stays the reference and explains every rejection.

Optional members: absent and ``null`` read the same when the schema allows null (``None``);
absent arrays read as an empty tuple; other absent members read as ``msgspec.UNSET``.
"""

from __future__ import annotations

import functools
import json
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union

import msgspec

#: keywords that change nothing about what a document may hold
_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "format", "$comment", "default", "examples"})
_UNDERSTOOD = _ANNOTATIONS | {
    "$defs",
    "$ref",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "anyOf",
    "enum",
    "const",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
}
_METAS = {"minLength": "min_length", "maxLength": "max_length", "pattern": "pattern", "minimum": "ge", "maximum": "le"}


class Unsupported(ValueError):
    """The schema uses a keyword this translation does not implement."""


class _Builder:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.defs: Mapping[str, Any] = root.get("$defs", {})
        self.made: dict[str, Any] = {}

    def type_of(self, node: Mapping[str, Any], name: str) -> Any:
        _understood(node, name)
        if "$ref" in node:
            return self.ref(node["$ref"])
        if "anyOf" in node:
            return Union[tuple(self.type_of(n, name) for n in node["anyOf"])]  # noqa: UP007
        if "const" in node:
            return Literal[node["const"]]
        if "enum" in node:
            return Literal[tuple(node["enum"])]
        kinds = node.get("type")
        if isinstance(kinds, list):
            return Union[tuple(self.type_of({**node, "type": kind}, name) for kind in kinds)]  # noqa: UP007
        return self.simple(node, kinds, name)

    def ref(self, ref: str) -> Any:
        if not ref.startswith("#/$defs/"):
            raise Unsupported(f"$ref {ref!r}: only local #/$defs/ references are supported")
        key = ref.removeprefix("#/$defs/")
        if key not in self.made:
            self.made[key] = self.type_of(self.defs[key], key)
        return self.made[key]

    def simple(self, node: Mapping[str, Any], kind: str | None, name: str) -> Any:
        if kind == "null":
            return None
        if kind == "boolean":
            return bool
        if kind in ("string", "integer"):
            base = str if kind == "string" else int
            meta = {_METAS[k]: v for k, v in node.items() if k in _METAS}
            return Annotated[base, msgspec.Meta(**meta)] if meta else base
        if kind == "array":
            items = self.type_of(node.get("items", {"type": ["string", "integer", "boolean", "null"]}), name)
            listed = list[items]  # type: ignore[valid-type]
            return Annotated[listed, msgspec.Meta(min_length=node["minItems"])] if "minItems" in node else listed
        if kind == "object":
            return self.struct(node, name)
        raise Unsupported(f"{name}: type {kind!r} is not supported")

    def struct(self, node: Mapping[str, Any], name: str, *, raw: frozenset[str] = frozenset()) -> type[msgspec.Struct]:
        _understood(node, name)
        extra = node.get("additionalProperties", True)
        if extra not in (True, False):
            raise Unsupported(f"{name}: additionalProperties must be true or false")
        required = set(node.get("required", ()))
        fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
        for key, sub in node.get("properties", {}).items():
            kind = list[msgspec.Raw] if key in raw else self.type_of(sub, f"{name}.{key}")
            fields.append((key, kind) if key in required else (key, *_optional(kind)))
        fields.sort(key=len)  # required members first, as Python signatures need
        title = "".join(part.title() for part in name.replace(".", "_").split("_"))
        return msgspec.defstruct(title, fields, forbid_unknown_fields=not extra, frozen=True, gc=False)


def _understood(node: Mapping[str, Any], name: str) -> None:
    unknown = set(node) - _UNDERSTOOD
    if unknown:
        raise Unsupported(f"{name}: keyword {sorted(unknown)[0]!r} is not supported")


def _optional(kind: Any) -> tuple[Any, Any]:
    """The type and default of a member that may be absent."""
    if _allows_none(kind):
        return kind, None
    if _is_list(kind):
        return kind, ()
    return Union[kind, msgspec.UnsetType], msgspec.UNSET  # noqa: UP007


def _allows_none(kind: Any) -> bool:
    if kind is None or kind is type(None):
        return True
    return typing.get_origin(kind) is Union and any(_allows_none(arg) for arg in typing.get_args(kind))


def _is_list(kind: Any) -> bool:
    if typing.get_origin(kind) is Annotated:
        kind = typing.get_args(kind)[0]
    return typing.get_origin(kind) is list


def document_type(schema: Mapping[str, Any], name: str) -> type[msgspec.Struct]:
    """The whole document as one type."""
    return _whole(json.dumps(schema, sort_keys=True), name)


@functools.cache
def _whole(schema_json: str, name: str) -> type[msgspec.Struct]:
    schema = json.loads(schema_json)
    return _Builder(schema).struct(schema, name)


@functools.cache
def _split(schema_json: str, name: str) -> tuple[type[msgspec.Struct], dict[str, Any]]:
    schema = json.loads(schema_json)
    builder = _Builder(schema)
    arrays = {k for k, v in schema.get("properties", {}).items() if v.get("type") == "array" and "items" in v}
    envelope = builder.struct(schema, name, raw=frozenset(arrays))
    items = {k: builder.type_of(schema["properties"][k]["items"], f"{name}.{k}") for k in arrays}
    return envelope, items


def split_types(schema: Mapping[str, Any], name: str) -> tuple[type[msgspec.Struct], dict[str, Any]]:
    """An envelope whose top-level arrays are left unparsed (``msgspec.Raw`` per item), and the
    type of each array's items: a large document is then checked and converted one item at a time,
    so its parsed form never sits in memory whole."""
    return _split(json.dumps(schema, sort_keys=True), name)

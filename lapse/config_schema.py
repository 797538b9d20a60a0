"""The configuration's JSON Schema, built from the rules so that one source gives validation,
``lapse schema`` and the docs. Rule option schemas are embedded under ``rules.<rule-name>``."""

from __future__ import annotations

from typing import Any

from lapse.findings import SEVERITIES
from lapse.model import Criticality, MonitorKind

DATE = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}$",
    "description": "a date such as 2027-01-31",
}

_COMMON_PROVIDER = {
    "timeout": {"type": "number", "exclusiveMinimum": 0, "description": "seconds per request"},
    "rate-limit": {"type": "number", "exclusiveMinimum": 0, "description": "requests per second"},
    "concurrency": {"type": "integer", "minimum": 1, "maximum": 64},
    "retries": {"type": "integer", "minimum": 0, "maximum": 10, "description": "retries after a failed request"},
}


def _provider(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "properties": {**_COMMON_PROVIDER, **properties}}


_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}}
_ONE_OR_MORE = {"anyOf": [{"type": "string", "minLength": 1}, _STRINGS]}

_RESOLVERS = {
    "type": "array",
    "items": {"type": "string", "minLength": 1},
    "description": "recursive resolvers to look names up with, as IP or IP:port (default: the system's)",
}
_PORT = {"type": "integer", "minimum": 1, "maximum": 65535}

PROVIDERS: dict[str, Any] = {
    "aws": _provider({"profiles": _STRINGS}),
    "cloudflare": _provider({"token-env": {"type": "string", "minLength": 1}, "accounts": _STRINGS}),
    "azure": _provider(
        {
            "subscription-id": _ONE_OR_MORE,
            "access-token-env": {"type": "string", "minLength": 1},
            "resource-manager-url": {"type": "string", "pattern": "^https://", "description": "an https:// URL"},
        }
    ),
    "dns": _provider(
        {
            "resolvers": _RESOLVERS,
            "port": _PORT,
            "ipv6": {"type": "boolean", "description": "also ask nameservers over IPv6 (needs an IPv6 route)"},
        }
    ),
    "tls": _provider(
        {
            "resolvers": _RESOLVERS,
            "port": _PORT,
            "ca-file": {"type": "string", "minLength": 1, "description": "extra trusted CA certificates (PEM)"},
        }
    ),
    "rdap": _provider(
        {
            "bootstrap-url": {"type": "string", "pattern": "^https?://", "description": "a URL"},
            "cache-dir": {"type": "string", "minLength": 1},
        }
    ),
}


def build() -> dict[str, Any]:
    from lapse.policies import RULES

    rule_tables = {}
    for rule in RULES:
        options = rule.options
        rule_tables[rule.name] = {
            **options,
            "description": rule.title(),
            "properties": {
                **options["properties"],
                "severity": {"enum": [s.value for s in SEVERITIES], "description": "override the severity"},
            },
        }
    code_or_prefix = {
        "type": "string",
        "pattern": "^(LAP[0-9]{0,3}|[a-z0-9]+(-[a-z0-9]+)*)$",
        "description": "a rule code or code prefix such as LAP1 or LAP101, or a rule name",
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:lapse:schema:config:1",
        "title": "lapse configuration ([tool.lapse] in pyproject.toml, or lapse.toml)",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "fail-on": {
                "enum": [s.value for s in SEVERITIES],
                "default": "high",
                "description": "lowest severity that makes the exit code 1",
            },
            "inputs": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "snapshots and stack exports to lint when no files are given (globs)",
            },
            "select": {"type": "array", "items": code_or_prefix, "default": ["LAP"]},
            "ignore": {"type": "array", "items": code_or_prefix, "default": []},
            "providers": {
                "type": "object",
                "additionalProperties": False,
                "properties": PROVIDERS,
                "description": "a provider is enabled by its table being present",
            },
            "domains": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "minLength": 1},
                        "owner": {"type": "string"},
                        "criticality": {"enum": [c.value for c in Criticality], "default": "medium"},
                        "hostnames": {
                            "type": "array",
                            "items": {"type": "string", "minLength": 1},
                            "description": "hostnames under the domain that serve traffic (TLS checks, blast radius)",
                        },
                    },
                },
            },
            "monitors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "kind", "covers"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "minLength": 1},
                        "kind": {"enum": [k.value for k in MonitorKind]},
                        "covers": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
                    },
                },
            },
            "rules": {"type": "object", "additionalProperties": False, "properties": rule_tables},
            "waivers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["rule", "domain", "reason"],
                    "additionalProperties": False,
                    "properties": {
                        "rule": {"type": "string", "minLength": 1, "description": "a rule code or name"},
                        "domain": {"type": "string", "minLength": 1, "description": "a domain or glob"},
                        "reason": {"type": "string", "minLength": 1},
                        "expires": DATE,
                    },
                },
            },
        },
    }

"""Domain-name normalization: one spelling per name, whatever case, trailing dot or script it came in."""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterator

_GLOB_CHARS = frozenset("*?[")
# The common case, checked in one regex call: lower-case LDH labels (plus "_" for service names).
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_PLAIN_NAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*")


class InvalidName(ValueError):
    """A string that is not a usable domain name."""


@functools.lru_cache(maxsize=65536)
def normalize(name: str) -> str:
    """Return the canonical A-label form: lower case, no trailing dot, IDNA-encoded (RFC 5891).

    Providers and RDAP servers disagree on spelling ("GOOGLE.COM", "amazon.cyou.", "bücher.de"),
    so every name is normalized once at the edge and compared as a plain string after that.
    """
    text = name.strip().rstrip(".").lower()
    if _PLAIN_NAME.fullmatch(text):
        return text
    if not text or len(text) > 253 or ".." in text or any(c.isspace() for c in text):
        raise InvalidName(f"{name!r} is not a domain name")
    if text.isascii():
        labels = text.split(".")
        if any(len(label) > 63 for label in labels):
            raise InvalidName(f"{name!r} has a label longer than 63 characters")
        return text
    import idna  # only paid for non-ASCII names

    try:
        return idna.encode(text, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise InvalidName(f"{name!r} is not a valid internationalized domain name ({exc})") from exc


def lenient(value: object) -> str | None:
    """The normalized name, or None when ``value`` is not one: for reading vendors' responses,
    where a bad name means "this item names no domain", not a failed read."""
    if not isinstance(value, str):
        return None
    try:
        return normalize(value)
    except InvalidName:
        return None


def normalize_pattern(pattern: str) -> str:
    """Normalize a glob such as ``*.Example.ORG.``; the glob characters are kept as they are."""
    text = pattern.strip().rstrip(".").lower()
    if not text:
        raise InvalidName(f"{pattern!r} is not a domain pattern")
    if _GLOB_CHARS.isdisjoint(text):
        return normalize(text)
    return text


def is_glob(pattern: str) -> bool:
    return not _GLOB_CHARS.isdisjoint(pattern)


def pattern_base(pattern: str) -> str:
    """The longest literal suffix of a pattern: ``*.example.org`` -> ``example.org``."""
    labels = pattern.split(".")
    literal: list[str] = []
    for label in reversed(labels):
        if not _GLOB_CHARS.isdisjoint(label):
            break
        literal.append(label)
    return ".".join(reversed(literal))


def matches(name: str, pattern: str) -> bool:
    """Glob match on normalized names (``fnmatchcase``: case was already folded)."""
    return name == pattern or (is_glob(pattern) and fnmatch.fnmatchcase(name, pattern))


def ancestors(name: str) -> Iterator[str]:
    """``a.b.example.com`` -> ``b.example.com``, ``example.com``, ``com``."""
    dot = name.find(".")
    while dot != -1:
        yield name[dot + 1 :]
        dot = name.find(".", dot + 1)


def is_within(name: str, domain: str) -> bool:
    """True when ``name`` is ``domain`` itself or a name under it."""
    return name == domain or name.endswith("." + domain)

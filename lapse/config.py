"""Loading ``lapse.toml`` or ``[tool.lapse]`` from pyproject.toml into a validated Config."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from lapse import files, names
from lapse.errors import ConfigError
from lapse.findings import Severity
from lapse.model import Criticality, DeclaredDomain, Inventory, Monitor, MonitorKind, Source

CONFIG_FILES = ("lapse.toml", "pyproject.toml")


@dataclass(frozen=True, slots=True, kw_only=True)
class Waiver:
    rule: str  # canonical code
    domain: str  # normalized name or glob
    reason: str
    expires: date | None
    #: where it was written, for findings about the waiver itself
    origin: str
    source: Source


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    path: Path | None = None
    fail_on: Severity = Severity.HIGH
    select: tuple[str, ...] = ("LAP",)
    ignore: tuple[str, ...] = ()
    providers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    domains: tuple[DeclaredDomain, ...] = ()
    monitors: tuple[Monitor, ...] = ()
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()
    #: globs of snapshots and stack exports to lint when ``lapse check`` is given no files
    inputs: tuple[str, ...] = ()

    def input_files(self) -> list[Path]:
        """The files ``inputs`` names, relative to the config file, sorted; a glob matching none is an error."""
        base = self.path.parent if self.path else Path.cwd()
        found: list[Path] = []
        for pattern in self.inputs:
            import glob

            full = pattern if os.path.isabs(pattern) else os.path.join(glob.escape(str(base)), pattern)
            matched = sorted(Path(p) for p in glob.glob(full, recursive=True) if os.path.isfile(p))
            if not matched:
                raise ConfigError(f"{self.path}: inputs: '{pattern}' matches no file under {base}")
            found += matched
        return list(dict.fromkeys(found))

    def inventory(self) -> Inventory:
        """What the config itself declares: the domains you own and the monitors you run."""
        return Inventory(domains=self.domains, monitors=self.monitors)


def discover(start: Path) -> Path | None:
    """The nearest lapse.toml, or pyproject.toml with a [tool.lapse] table, at or above ``start``."""
    for folder in (start, *start.parents):
        candidate = folder / "lapse.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and has_tool_lapse(pyproject):
            return pyproject
    return None


def parse_selector(value: str) -> str:
    """A code prefix (``LAP1``), a code, or a rule name, as its canonical code (prefix)."""
    from lapse import policies

    rule = policies.find(value)
    if rule is not None:
        return rule.code
    upper = value.strip().upper()
    if upper and any(r.code.startswith(upper) for r in policies.RULES):
        return upper
    raise ValueError(f"no rule or rule prefix '{value}'{policies.did_you_mean(value)}")


def has_tool_lapse(path: Path) -> bool:
    """A cheap look for a [tool.lapse] table; parsing waits until the file is chosen."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "[tool.lapse" in text


def load(path: Path) -> Config:
    text = files.read_text(path, error=ConfigError)
    import tomllib

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: TOML is nested too deeply") from None
    if path.name == "pyproject.toml":
        table = document.get("tool", {}).get("lapse")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: no [tool.lapse] table")
        return from_table(table, path=path, prefix="tool.lapse.")
    return from_table(document, path=path, prefix="")


def from_table(table: Mapping[str, Any], *, path: Path, prefix: str = "") -> Config:
    from lapse import config_schema
    from lapse.validation import validate

    document = _plain(table)
    validate(document, config_schema.build(), where=str(path), error=ConfigError, prefix=prefix)
    return _Builder(path, prefix).config(document)


def _plain(value: Any) -> Any:
    """TOML dates and times as ISO strings, so the JSON Schema sees JSON types only."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class _Builder:
    def __init__(self, path: Path, prefix: str) -> None:
        self.path = path
        self.prefix = prefix
        self.source = Source(provider="config", account=None, read_at=None, file=str(path))

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.path}: {self.prefix}{key}: {message}")

    def name(self, value: str, key: str) -> str:
        try:
            return names.normalize(value)
        except names.InvalidName as exc:
            raise self.fail(key, str(exc)) from None

    def pattern(self, value: str, key: str) -> str:
        try:
            return names.normalize_pattern(value)
        except names.InvalidName as exc:
            raise self.fail(key, str(exc)) from None

    def config(self, doc: Mapping[str, Any]) -> Config:
        return Config(
            path=self.path,
            fail_on=Severity(doc.get("fail-on", "high")),
            select=tuple(self.selector(s, f"select[{i}]") for i, s in enumerate(doc.get("select", ["LAP"]))),
            ignore=tuple(self.selector(s, f"ignore[{i}]") for i, s in enumerate(doc.get("ignore", []))),
            providers=dict(doc.get("providers", {})),
            domains=tuple(self.domain(d, i) for i, d in enumerate(doc.get("domains", []))),
            monitors=tuple(self.monitor(m, i) for i, m in enumerate(doc.get("monitors", []))),
            rules=dict(doc.get("rules", {})),
            waivers=tuple(self.waiver(w, i) for i, w in enumerate(doc.get("waivers", []))),
            inputs=tuple(doc.get("inputs", [])),
        )

    def selector(self, value: str, key: str) -> str:
        try:
            return parse_selector(value)
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None

    def domain(self, obj: Mapping[str, Any], i: int) -> DeclaredDomain:
        name = self.name(obj["name"], f"domains[{i}].name")
        hostnames = []
        for j, value in enumerate(obj.get("hostnames", [])):
            key = f"domains[{i}].hostnames[{j}]"
            host = self.name(value, key)
            if host != name and not host.endswith(f".{name}"):
                raise self.fail(key, f"'{host}' is not under {name}")
            hostnames.append(host)
        return DeclaredDomain(
            name=name,
            hostnames=tuple(hostnames),
            owner=obj.get("owner"),
            criticality=Criticality(obj.get("criticality", "medium")),
            source=self.source,
        )

    def monitor(self, obj: Mapping[str, Any], i: int) -> Monitor:
        return Monitor(
            name=obj["name"],
            kind=MonitorKind(obj["kind"]),
            covers=tuple(self.pattern(p, f"monitors[{i}].covers[{j}]") for j, p in enumerate(obj["covers"])),
            source=self.source,
        )

    def waiver(self, obj: Mapping[str, Any], i: int) -> Waiver:
        from lapse import policies

        rule = policies.find(obj["rule"])
        if rule is None:
            hint = policies.did_you_mean(obj["rule"])
            raise self.fail(f"waivers[{i}].rule", f"no rule '{obj['rule']}'{hint}")
        expires = None
        if "expires" in obj:
            try:
                expires = date.fromisoformat(obj["expires"])
            except ValueError:
                raise self.fail(f"waivers[{i}].expires", f"{obj['expires']!r} is not a calendar date") from None
        return Waiver(
            rule=rule.code,
            domain=self.pattern(obj["domain"], f"waivers[{i}].domain"),
            reason=obj["reason"],
            expires=expires,
            origin=f"{self.path}: {self.prefix}waivers[{i}]",
            source=self.source,
        )

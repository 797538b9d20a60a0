"""The command line. One top-level handler turns every expected failure into one line and an exit code."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from lapse import __version__
from lapse.errors import InputError, LapseError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from lapse.config import Config
    from lapse.engine import Result
    from lapse.model import Inventory

SCHEMAS = ("config", "snapshot", "baseline")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        handler = args.handler
        with contextlib.nullcontext() if handler is _scan else _without_cycle_collection():
            code: int = handler(args)
        return code
    except LapseError as exc:
        print(f"lapse: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("lapse: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug in lapse: one line, and the traceback only on request
        if os.environ.get("LAPSE_DEBUG"):
            raise
        print(
            f"lapse: internal error: {type(exc).__name__}: {exc} (rerun with LAPSE_DEBUG=1 for details, and "
            "please report it)",
            file=sys.stderr,
        )
        return 2


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Offline commands build a large acyclic model and exit: Python's cycle collector would only
    walk those millions of objects again and again (a third of a 10,000-domain check). Reference
    counting still frees everything; ``scan`` keeps the collector, as network libraries make cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit 2 through our handler with a one-line message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="lapse", description="Catch the domain and DNS failures that take companies offline.")
    parser.add_argument("--version", action="version", version=f"lapse {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    check = sub.add_parser("check", help="lint snapshots and config offline", description="Lint snapshots and config.")
    _add_input_options(check)
    _add_lint_options(check)
    check.set_defaults(handler=_check)

    scan = sub.add_parser("scan", help="read live registrar, registry and DNS state, save it, lint it")
    scan.add_argument("--provider", action="append", default=[], help="scan only this provider (repeatable)")
    scan.add_argument("-o", "--snapshot", type=Path, help="save what was read here (written atomically)")
    scan.add_argument("--deadline", type=float, metavar="SECONDS", help="stop reading after this long")
    scan.add_argument("--since", type=Path, metavar="SNAPSHOT", help="reuse unchanged details from an earlier snapshot")
    scan.add_argument(
        "--max-age", type=float, default=168, metavar="HOURS", help="refetch reused details older than this"
    )
    _add_config_option(scan)
    _add_lint_options(scan)
    scan.set_defaults(handler=_scan)

    blast = sub.add_parser(
        "blast-radius",
        help="what each vendor takes down if it fails: a table, or a diagram (Mermaid, Graphviz)",
        description="For each vendor: the domains whose registration control, DNS or edge it holds.",
    )
    _add_input_options(blast)
    blast.add_argument("--vendor", help="only this vendor (an id such as aws, or its name)")
    blast.add_argument("--diagram", choices=("mermaid", "dot"), help="print a diagram instead of the table")
    blast.add_argument("--format", choices=("terminal", "json"), default="terminal", help="the table's format")
    blast.add_argument(
        "-o", "--output", type=Path, help="write here; with --diagram dot, a .svg, .png or .pdf is drawn by Graphviz"
    )
    blast.set_defaults(handler=_blast_radius)

    cal = sub.add_parser(
        "calendar",
        help="upcoming expiries, and an iCalendar file with reminders before each renewal window",
        description="List upcoming domain expiries; --ics writes a calendar a team can subscribe to.",
    )
    _add_input_options(cal)
    cal.add_argument("--days", type=int, default=365, help="how far ahead to look (default 365)")
    cal.add_argument("--ics", type=Path, help="write an iCalendar (.ics) file here")
    cal.add_argument(
        "--reminders",
        default="30,7,0",
        metavar="DAYS",
        help="remind this many days before each renewal window opens (default 30,7,0)",
    )
    cal.add_argument("--format", choices=("terminal", "json"), default="terminal")
    cal.add_argument("--now", help="as of this date or date-time (UTC)")
    cal.set_defaults(handler=_calendar)

    merge = sub.add_parser("merge", help="join snapshots (one per account or subscription) into one")
    merge.add_argument("files", nargs="+", type=Path, metavar="SNAPSHOT")
    merge.add_argument("-o", "--output", type=Path, required=True, help="where to write the joined snapshot")
    merge.set_defaults(handler=_merge)

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("terminal", "json"), default="terminal")
    rules.set_defaults(handler=_rules)

    explain = sub.add_parser("explain", help="show a rule's documentation")
    explain.add_argument("rule", metavar="CODE|NAME")
    explain.set_defaults(handler=_explain)

    permissions = sub.add_parser("permissions", help="the least-privilege, read-only access a scan needs")
    permissions.add_argument("provider", nargs="?", help="aws, azure, cloudflare or rdap (default: all)")
    permissions.set_defaults(handler=_permissions)

    schema = sub.add_parser("schema", help="print a JSON Schema (config, snapshot or baseline)")
    schema.add_argument("which", nargs="?", choices=SCHEMAS, default="config")
    schema.set_defaults(handler=_schema)
    return parser


def _add_input_options(p: argparse.ArgumentParser) -> None:
    """What ``check`` and the commands that read like it take: files, or the config's ``inputs``."""
    p.add_argument("files", nargs="*", type=Path, metavar="FILE", help="snapshots (and lapse.toml / pyproject.toml)")
    _add_config_option(p)


def _add_config_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, help="config file (default: lapse.toml or pyproject.toml found upward)")


def _add_lint_options(p: argparse.ArgumentParser) -> None:
    from lapse.findings import SEVERITIES
    from lapse.report import Format

    p.add_argument("--format", choices=[f.value for f in Format], default="terminal")
    p.add_argument("--output", type=Path, help="write the report here instead of standard output")
    p.add_argument("--fail-on", choices=[s.value for s in SEVERITIES], help="lowest severity that exits 1")
    p.add_argument("--select", help="comma-separated rule codes, prefixes or names (replaces the config's)")
    p.add_argument("--ignore", help="comma-separated rule codes, prefixes or names (replaces the config's)")
    p.add_argument("--baseline", type=Path, help="report only findings not in this baseline file")
    p.add_argument("--write-baseline", action="store_true", help="write the current findings to --baseline")
    p.add_argument("--now", help="evaluate as of this date or date-time (UTC), for reproducible runs")
    p.add_argument("-v", "--verbose", action="store_true", help="also list what could not be evaluated")


# -- commands ------------------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    inventory, config, config_path, inputs = _gather(args)
    return _lint(inventory, config, args, config_path, inputs)


def _gather(args: argparse.Namespace) -> tuple[Inventory, Config, Path | None, list[Path]]:
    """The config and everything it and the command line point at, as one inventory."""
    config_path, inputs = _split_inputs(args.files, args.config)
    config = _load_config(config_path)
    if not args.files:
        inputs = [_relative(p) for p in config.input_files()]
    inventory = config.inventory()
    for path in inputs:
        inventory = inventory.merge(_load_input(path))
    return inventory, config, config_path, inputs


def _blast_radius(args: argparse.Namespace) -> int:
    from lapse import blast, diagram, estate, files

    inventory, _, _, _ = _gather(args)
    found = blast.impacts(estate.build(inventory))
    if args.vendor:
        chosen = blast.find_vendor(found, args.vendor)
        if chosen is None:
            known = ", ".join(i.vendor for i in found) or "none: no registrar, nameserver or edge is known"
            raise UsageError(f"--vendor {args.vendor}: no such vendor in this estate (found: {known})")
        found = [chosen]
    if args.diagram:
        text = diagram.mermaid(found) if args.diagram == "mermaid" else diagram.dot(found)
        if args.output and args.output.suffix.lower() in (".svg", ".png", ".pdf"):
            if args.diagram != "dot":
                raise UsageError(f"--output {args.output}: only --diagram dot can be drawn as {args.output.suffix}")
            _draw(text, args.output)
        elif args.output:
            files.write_atomic(args.output, text)
        else:
            sys.stdout.write(text)
        return 0
    if args.format == "json":
        from dataclasses import asdict

        document = [{"vendor": i.vendor, "name": i.name, **asdict(i)} for i in found]
        text = json.dumps(document, indent=2) + "\n"
    else:
        from lapse.report.blast import render

        on_terminal = not args.output and sys.stdout.isatty()
        width = _terminal_width(160) if on_terminal else 160
        text = render(found, detail=bool(args.vendor), width=width, color=on_terminal and _color(sys.stdout))
    if args.output:
        files.write_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    return 0


def _calendar(args: argparse.Namespace) -> int:
    from lapse import estate, files, renewals

    if args.days <= 0:
        raise UsageError("--days: expected a positive number of days")
    try:
        reminders = sorted({int(part) for part in args.reminders.split(",") if part.strip()}, reverse=True)
    except ValueError:
        raise UsageError(f"--reminders: expected days as comma-separated numbers, got {args.reminders!r}") from None
    if any(r < 0 for r in reminders):
        raise UsageError("--reminders: days cannot be negative")
    inventory, config, _, _ = _gather(args)
    now = _now(args.now)
    from lapse.engine import window_days

    window = window_days(config.rules)
    found = renewals.upcoming(estate.build(inventory), now=now, days=args.days, window_days=window)
    if args.ics:
        files.write_atomic(args.ics, renewals.ical(found, now=now, reminders=reminders, window_days=window).decode())
        print(f"lapse: {len(found)} renewals written to {args.ics}", file=sys.stderr)
    if args.format == "json":
        document = [
            {
                "domain": r.domain,
                "expires": r.expires.isoformat(),
                "days_left": r.days_left(now),
                "renew_by": r.renew_by.isoformat(),
                "auto_renew": r.auto_renew,
                "registrar": r.registrar,
                "owner": r.owner,
                "criticality": str(r.criticality),
            }
            for r in found
        ]
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        from lapse.report.calendar import render

        sys.stdout.write(render(found, now=now, days=args.days, color=_color(sys.stdout)))
    return 0


def _draw(dot_text: str, output: Path) -> None:
    """Draw a DOT graph with Graphviz's ``dot``, when it is installed."""
    import shutil
    import subprocess

    dot = shutil.which("dot")
    if dot is None:
        raise UsageError(
            f"--output {output}: drawing needs Graphviz's 'dot' (apt install graphviz, brew install graphviz); "
            "or write the graph as .dot"
        )
    done = subprocess.run(
        [dot, f"-T{output.suffix.lower().lstrip('.')}", "-o", str(output)],
        input=dot_text.encode(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        first = (done.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[0]
        raise LapseError(f"Graphviz failed to draw {output}: {first}")
    print(f"lapse: blast radius drawn to {output}", file=sys.stderr)


def _scan(args: argparse.Namespace) -> int:
    import time

    from lapse import config as config_mod
    from lapse import scan, snapshot

    config_path = args.config or config_mod.discover(Path.cwd())
    config = _load_config(config_path)
    now = _now(args.now)
    if args.deadline is not None and args.deadline <= 0:
        raise UsageError("--deadline: expected a positive number of seconds")
    deadline = time.monotonic() + args.deadline if args.deadline else None
    since = snapshot.load(args.since) if args.since else None
    if args.max_age <= 0:
        raise UsageError("--max-age: expected a positive number of hours")
    with _progress() as say:
        result = scan.scan(
            config,
            now=now,
            only=args.provider,
            deadline=deadline,
            since=since,
            max_age=timedelta(hours=args.max_age),
            progress=say,
        )
    counts = ", ".join(f"{name} {n}" for name, n in sorted(result.requests.items()))
    print(f"lapse: requests: {counts or 'none'}", file=sys.stderr)
    inputs: list[Path] = []
    inventory = result.inventory
    if args.snapshot:
        snapshot.write(args.snapshot, result.inventory, generated_at=now)
        print(f"lapse: snapshot written to {args.snapshot}", file=sys.stderr)
        inputs.append(args.snapshot)
    return _lint(inventory, config, args, config_path, inputs)


def _lint(
    inventory: Inventory, config: Config, args: argparse.Namespace, config_path: Path | None, inputs: list[Path]
) -> int:
    from lapse import baseline as baseline_mod
    from lapse import engine
    from lapse.findings import Severity

    if args.write_baseline and not args.baseline:
        raise UsageError("--write-baseline needs --baseline FILE to write to")
    known = frozenset() if args.write_baseline or not args.baseline else baseline_mod.load(args.baseline)
    now = _now(args.now)
    result = engine.run(
        inventory,
        config,
        now=now,
        select=_selectors(args.select),
        ignore=_selectors(args.ignore),
        fail_on=Severity(args.fail_on) if args.fail_on else None,
        baseline=known,
        inputs=[str(p) for p in inputs],
    )
    if args.write_baseline:
        from lapse import files

        files.write_atomic(args.baseline, baseline_mod.dumps(result.findings, generated_at=now))
        print(f"lapse: wrote {len(result.findings)} findings to {args.baseline}", file=sys.stderr)
        return engine.EXIT_CLEAN
    _emit(result, args, config_path, inputs)
    return result.exit_code


def _merge(args: argparse.Namespace) -> int:
    from lapse import snapshot
    from lapse.merge import merge

    inventories = [_load_input(path) for path in args.files]
    joined = merge(inventories)
    snapshot.write(args.output, joined, generated_at=datetime.now(UTC))
    print(
        f"lapse: merged {len(args.files)} files: {len(joined.registrations)} registrations, {len(joined.zones)} zones, "
        f"{len(joined.monitors)} monitors, {len(joined.errors)} errors -> {args.output}",
        file=sys.stderr,
    )
    return 0


def _rules(args: argparse.Namespace) -> int:
    from lapse.policies import RULES

    if args.format == "json":
        listing = [
            {"code": r.code, "name": r.name, "severity": str(r.severity), "title": r.title(), "options": r.options}
            for r in RULES
        ]
        print(json.dumps(listing, indent=2))
        return 0
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for column in ("Code", "Name", "Severity", "What it flags"):
        table.add_column(column, overflow="fold")
    for rule in RULES:
        table.add_row(rule.code, rule.name, str(rule.severity), rule.title())
    _console().print(table)
    return 0


def _explain(args: argparse.Namespace) -> int:
    from lapse import policies

    rule = policies.find(args.rule)
    if rule is None:
        hint = policies.did_you_mean(args.rule) or "; 'lapse rules' lists them"
        raise UsageError(f"no rule '{args.rule}'{hint}")
    print(f"{rule.code} {rule.name} (default severity: {rule.severity})\n")
    print(rule.doc())
    defaults = rule.defaults()
    if defaults:
        print(f"\nDefaults, as [rules.{rule.name}] in lapse.toml:")
        for key, value in defaults.items():
            print(f"  {key} = {_toml_value(value)}")
    return 0


def _permissions(args: argparse.Namespace) -> int:
    from lapse.providers import PROVIDERS, info
    from lapse.providers.permissions import PERMISSIONS

    names = [info(args.provider).name] if args.provider else [p.name for p in PROVIDERS]
    for i, name in enumerate(names):
        if len(names) > 1:
            print(("\n" if i else "") + f"# {name}")
        print(PERMISSIONS[name])
    return 0


def _schema(args: argparse.Namespace) -> int:
    from lapse.validation import packaged_schema

    if args.which == "config":
        from lapse import config_schema

        document = config_schema.build()
    else:
        document = dict(packaged_schema(f"{args.which}-v1.schema.json"))
    print(json.dumps(document, indent=2))
    return 0


# -- helpers -------------------------------------------------------------------------------------


def _split_inputs(files: Sequence[Path], config: Path | None) -> tuple[Path | None, list[Path]]:
    """Config files may be passed as inputs (pre-commit passes every changed file)."""
    from lapse import config as config_mod

    tomls = [f for f in files if f.suffix == ".toml"]
    inputs = [f for f in files if f.suffix != ".toml"]
    configs = [
        f for f in tomls if f.name == "lapse.toml" or (f.name == "pyproject.toml" and config_mod.has_tool_lapse(f))
    ]
    others = [f for f in tomls if f not in configs and f.name != "pyproject.toml"]
    if others:
        raise UsageError(f"{others[0]}: not a lapse config (expected lapse.toml or pyproject.toml)")
    if config is None and len(configs) > 1:
        raise UsageError(f"several config files given ({', '.join(map(str, configs))}); pick one with --config")
    chosen = config or (configs[0] if configs else None) or config_mod.discover(Path.cwd())
    return chosen, inputs


def _relative(path: Path) -> Path:
    """Paths under the working directory are shown relative to it, as a repository's files are."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _load_config(path: Path | None) -> Config:
    from lapse import config as config_mod

    return config_mod.load(path) if path else config_mod.Config()


def _load_input(path: Path) -> Inventory:
    from lapse import files, snapshot

    data = files.read_bytes(path)
    found = snapshot.read_fast(data, where=str(path))
    if found is not None:
        return found
    document = files.parse_json(data, where=str(path))  # not a valid snapshot: find out what it is
    if snapshot.looks_like_snapshot(document):
        return snapshot.from_document(document, where=str(path))
    if not isinstance(document, dict):
        from lapse.validation import json_kind

        raise InputError(f"{path}: expected a JSON object (a lapse snapshot), got {json_kind(document)}")
    from lapse import stack_export

    if stack_export.looks_like_stack_export(document):
        return stack_export.from_document(document, where=str(path))
    raise InputError(f"{path}: not a lapse snapshot (no schema_version member)")


def _selectors(text: str | None) -> list[str] | None:
    from lapse.config import parse_selector

    if text is None:
        return None
    selectors = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            selectors.append(parse_selector(part))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    return selectors


def _now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    from lapse.timeutil import parse_instant

    try:
        return parse_instant(text)
    except ValueError:
        raise UsageError(f"--now: expected a date (2026-11-22) or date-time, got {text!r}") from None


def _terminal_width(fallback: int) -> int:
    import shutil

    return shutil.get_terminal_size((fallback, 24)).columns


def _color(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")


def _console() -> Console:
    from rich.console import Console

    color = _color(sys.stdout)
    width = None if sys.stdout.isatty() else 120
    return Console(no_color=not color, force_terminal=color, highlight=False, width=width)


def _emit(result: Result, args: argparse.Namespace, config_path: Path | None, inputs: Sequence[Path]) -> None:
    from lapse import files
    from lapse.report import Format, RenderOptions, stream
    from lapse.report.summary import headline

    fmt = Format(args.format)
    to_file = args.output is not None
    sources = {}
    if fmt is Format.SARIF:
        for path in (*inputs, *([config_path] if config_path else [])):
            sources[str(path)] = files.read_text(path)
    options = RenderOptions(
        color=not to_file and _color(sys.stdout),
        width=_terminal_width(120) if not to_file and sys.stdout.isatty() else 120,
        verbose=args.verbose,
        sources=sources,
        default_file=str(config_path) if config_path else (str(inputs[0]) if inputs else None),
    )
    pieces = stream(result, fmt, options)
    if to_file:
        files.write_atomic(args.output, pieces)
        print(f"lapse: {headline(result)} · report written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.writelines(pieces)
        sys.stdout.flush()


@contextlib.contextmanager
def _progress() -> Iterator[Callable[[str], None]]:
    """A live status line on stderr when it is a terminal; silence otherwise (CI logs stay clean)."""
    if not (sys.stderr.isatty() and not os.environ.get("NO_COLOR") and not os.environ.get("CI")):
        yield lambda _: None
        return
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("scanning…") as status:
        yield lambda text: status.update(f"scanning: {text}")


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

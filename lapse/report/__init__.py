"""Reporters: pure functions from a Result to text, one module per format."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lapse.engine import Result


class Format(enum.StrEnum):
    TERMINAL = "terminal"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    MARKDOWN = "markdown"
    HTML = "html"


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderOptions:
    color: bool = False
    width: int = 120
    verbose: bool = False
    #: text of the input files, so SARIF can point at the line that names a domain
    sources: Mapping[str, str] = field(default_factory=dict)
    #: the file to point at when a finding has no file of its own (the config, or the first input)
    default_file: str | None = None


def stream(result: Result, fmt: Format, options: RenderOptions) -> Iterator[str]:
    """The report in pieces, for writing: JSON comes a line at a time, the rest whole."""
    if fmt is Format.JSON:
        from lapse.report import json_report

        return json_report.chunks(result)
    return iter((render(result, fmt, options),))


def render(result: Result, fmt: Format, options: RenderOptions) -> str:
    """Import only the reporter asked for: the JSON path never pays for rich."""
    match fmt:
        case Format.TERMINAL:
            from lapse.report import terminal

            return terminal.render(result, options)
        case Format.JSON:
            from lapse.report import json_report

            return json_report.render(result, options)
        case Format.SARIF:
            from lapse.report import sarif

            return sarif.render(result, options)
        case Format.JUNIT:
            from lapse.report import junit

            return junit.render(result, options)
        case Format.MARKDOWN:
            from lapse.report import markdown

            return markdown.render(result, options)
        case Format.HTML:
            from lapse.report import html

            return html.render(result, options)

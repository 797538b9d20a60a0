"""--format html: one self-contained page, checked in a real headless browser (Debian's chromium).

The browser loads the page from a file with its network features off, runs its script, and dumps the
DOM it built; the tests read that DOM. Without chromium the browser tests skip, unless
LAPSE_REQUIRE_TOOLS is set (CI sets it, so a missing browser fails there instead of passing).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from factories import REPO

ESTATE = REPO / "examples" / "estate"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

browser = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("LAPSE_REQUIRE_TOOLS"),
    reason="chromium is not installed (apt install chromium); CI sets LAPSE_REQUIRE_TOOLS",
)


class _Elements(HTMLParser):
    """Every element as (tag, attributes), and the text of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None, "LAPSE_REQUIRE_TOOLS is set but chromium is not installed"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def _dom(tmp_path: Path, page: Path, query: str = "") -> _Elements:
    done = _chromium(tmp_path, "--dump-dom", page.as_uri() + query)
    assert done.returncode == 0, done.stderr[-2000:]
    return _parse(done.stdout)


@pytest.fixture
def report(cli: Any, tmp_path: Path) -> Path:
    page = tmp_path / "report.html"
    run = cli("check", "--config", ESTATE / "lapse.toml", "--now", "2026-11-22", "--format", "html", "--output", page)
    assert run.code == 3, run.err
    return page


def test_the_page_is_self_contained(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, flags=re.IGNORECASE)
    assert "url(" not in html and "@import" not in html
    elements = _parse(html).elements
    assert not [a for tag, a in elements if tag in ("link", "img", "iframe") or (tag == "script" and "src" in a)]


def test_text_from_inputs_is_escaped(cli: Any, tmp_path: Path) -> None:
    config = tmp_path / "lapse.toml"
    config.write_text(
        (ESTATE / "lapse.toml").read_text().replace('"snapshot.json"', f'"{ESTATE / "snapshot.json"}"')
        + '\n[[waivers]]\nrule = "LAP201"\ndomain = "pp-cdn.example"\nreason = "<img src=x onerror=alert(1)>"\n'
    )
    page = tmp_path / "r.html"
    cli("check", "--config", config, "--now", "2026-11-22", "--format", "html", "--output", page)
    html = page.read_text()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert not [a for tag, a in _parse(html).elements if tag == "img"]


@browser
def test_chromium_renders_every_section_and_runs_the_script(report: Path, tmp_path: Path) -> None:
    dom = _dom(tmp_path, report)
    body = next(a for tag, a in dom.elements if tag == "body")
    assert body["data-ready"] == "yes"  # the script ran to its end without an error
    ids = {a.get("id") for _, a in dom.elements}
    assert {"verdict", "summary", "findings", "blast-radius", "calendar"} <= ids
    rows = [a for tag, a in dom.elements if tag == "tr" and "finding" in a.get("class", "").split()]
    assert len(rows) == 42
    vendors = {a["data-vendor"] for tag, a in dom.elements if tag == "tr" and "data-vendor" in a}
    assert {"aws", "cloudflare", "azure", "godaddy", "ns1"} <= vendors
    text = " ".join(dom.text)
    assert "Incomplete" in text
    assert "paperplane-status.example" in text and "OFF" in text  # the calendar's auto-renew column


@browser
def test_the_severity_filter_hides_other_rows_in_the_browser(report: Path, tmp_path: Path) -> None:
    dom = _dom(tmp_path, report, "?severity=critical")
    body = next(a for tag, a in dom.elements if tag == "body")
    assert body["data-filter"] == "critical"
    rows = [a for tag, a in dom.elements if tag == "tr" and "finding" in a.get("class", "").split()]
    shown = [a for a in rows if "hidden" not in a["class"].split()]
    assert len(shown) == 10
    assert all(a["data-severity"] == "critical" for a in shown)
    groups = [a for tag, a in dom.elements if tag == "details" and "domain" in a.get("class", "").split()]
    hidden_groups = {a["data-domain"] for a in groups if "hidden" in a["class"].split()}
    assert "estate-wide" in hidden_groups  # only info findings there


@browser
def test_a_screenshot_has_content(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "page.png"
    done = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1600", report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG")
    assert len(data) > 50_000  # a blank page of that size compresses to a few kilobytes

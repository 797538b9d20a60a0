"""--deadline bounds a whole scan; snapshot writes are atomic even when the process is killed mid-write."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from servers import Reply, serve
from test_rdap_scan import minimal

from lapse import snapshot
from lapse.model import Inventory


def test_deadline_bounds_the_scan_and_reports_what_was_read(cli: Any, tmp_path: Path) -> None:
    domains = [f"d{i}.slow" for i in range(12)]

    def route(path: str, headers: dict[str, str]) -> Reply | None:
        if path == "/bootstrap.json":
            return Reply.json({"services": [[["slow"], [f"{url}/rdap/"]]]})
        name = path.rsplit("/", 1)[-1]
        return Reply(200, json.dumps(minimal(name)).encode(), {"Content-Type": "application/json"}, delay=1.5)

    with serve(route) as server:
        url = server.url
        cfg = tmp_path / "lapse.toml"
        cfg.write_text(
            f'[providers.rdap]\nbootstrap-url = "{url}/bootstrap.json"\ncache-dir = "{tmp_path}/c"\ntimeout = 5\nconcurrency = 4\n'
            + "".join(f'[[domains]]\nname = "{d}"\n' for d in domains),
            encoding="utf-8",
        )
        started = time.monotonic()
        run = cli("scan", "--config", cfg, "--deadline", "3", "--format", "json", "-o", tmp_path / "s.json")
        elapsed = time.monotonic() - started
    assert elapsed < 3 + 5 + 1, f"took {elapsed:.1f} s"
    assert run.code == 3
    report = json.loads(run.out)
    assert any("deadline" in e["message"] for e in report["errors"]), report["errors"]
    read = json.loads((tmp_path / "s.json").read_text())["registrations"]
    assert 0 < len(read) < len(domains)  # what was read by then is kept and reported


def test_killing_a_write_leaves_the_previous_snapshot_intact(tmp_path: Path) -> None:
    from factories import NOW, registration

    target = tmp_path / "estate.json"
    snapshot.write(target, Inventory(registrations=(registration("old.example"),)), generated_at=NOW)
    before = target.read_bytes()
    big = tmp_path / "big.json"
    regs = tuple(registration(f"d{i}.example") for i in range(60_000))
    snapshot.write(big, Inventory(registrations=regs), generated_at=NOW)
    exe = Path(sys.executable).with_name("lapse")
    stat = target.stat()
    proc = subprocess.Popen([str(exe), "merge", str(big), "-o", str(target)], stderr=subprocess.DEVNULL)
    # kill the moment writing starts: a temporary file appears, or the snapshot itself changes
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        writing = any(p.name.startswith(".estate.json.") for p in tmp_path.iterdir())
        changed = target.stat().st_mtime_ns != stat.st_mtime_ns or target.stat().st_size != stat.st_size
        if writing or changed:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.0005)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the writer finished before it could be interrupted"
    assert target.read_bytes() == before  # the previous snapshot, untouched
    assert snapshot.load(target).registrations[0].domain == "old.example"


def test_a_report_written_in_pieces_is_all_or_nothing(tmp_path: Path) -> None:
    from lapse import files

    target = tmp_path / "report.json"
    files.write_atomic(target, iter(["{", '"a": 1', "}\n"]))
    assert target.read_text() == '{"a": 1}\n'

    def broken() -> Iterator[str]:
        yield '{"half": '
        raise RuntimeError("the reporter failed mid-way")

    with pytest.raises(RuntimeError):
        files.write_atomic(target, broken())
    assert target.read_text() == '{"a": 1}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left behind


def test_the_streamed_json_report_is_the_rendered_one(cli: Any, tmp_path: Path) -> None:
    from lapse import engine
    from lapse.config import Config
    from lapse.report import json_report

    estate = Path(__file__).parent.parent / "examples" / "estate" / "snapshot.json"
    out = tmp_path / "r.json"
    cli("check", str(estate), "--format", "json", "--output", str(out), "--now", "2026-11-22")
    result = engine.run(snapshot.load(estate), Config(), now=datetime(2026, 11, 22, tzinfo=UTC), inputs=[str(estate)])
    written = json.loads(out.read_text())
    assert written["findings"] == json.loads(json_report.render(result, None))["findings"]  # type: ignore[arg-type]
    assert len(written["findings"]) > 10

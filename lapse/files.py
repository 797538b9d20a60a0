"""Reading input files defensively and writing output files atomically.

Every input is something a person or another tool wrote; it can be empty, binary, truncated, not
UTF-8 or absurdly nested. Each of those becomes one line naming the file, never a traceback.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lapse.errors import InputError, LapseError

_MAX_BYTES = 512 * 1024 * 1024


def read_bytes(path: Path, *, error: type[LapseError] = InputError) -> bytes:
    """Return a file's bytes, or raise ``error`` saying plainly why it cannot be read as text."""
    try:
        with path.open("rb") as handle:
            data = handle.read(_MAX_BYTES + 1)
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, expected a file") from None
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > _MAX_BYTES:
        raise error(f"{path}: larger than {_MAX_BYTES // (1024 * 1024)} MiB, refusing to read it")
    if not data.strip():
        raise error(f"{path}: file is empty")
    if b"\x00" in data[:8192]:
        raise error(f"{path}: is a binary file, expected text")
    return data


def decode_text(data: bytes, *, where: str, error: type[LapseError] = InputError) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{where}: is not UTF-8 text (bad byte at offset {exc.start})") from None


def read_text(path: Path, *, error: type[LapseError] = InputError) -> str:
    """Return a file's text, or raise ``error`` saying plainly why it cannot be read."""
    return decode_text(read_bytes(path, error=error), where=str(path), error=error)


def parse_json(data: bytes, *, where: str, error: type[LapseError] = InputError) -> Any:
    """Parse JSON text; syntax errors name the line and column."""
    text = decode_text(data, where=where, error=error)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{where}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise error(f"{where}: JSON is nested too deeply to be a lapse document") from None


def load_json(path: Path, *, error: type[LapseError] = InputError) -> Any:
    """Parse a JSON file; syntax errors name the line and column."""
    return parse_json(read_bytes(path, error=error), where=str(path), error=error)


def _mode_for(path: Path) -> int:
    """The file's current permissions, or what the umask gives a new file."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, text: str | Iterable[str]) -> None:
    """Write ``text`` (or its pieces, in order) so that readers see the old file or the new one,
    never half of either."""
    directory = path.parent if str(path.parent) else Path(".")
    import tempfile

    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.writelines((text,) if isinstance(text, str) else text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, _mode_for(path))  # mkstemp makes 0600; keep what a plain write would give
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise

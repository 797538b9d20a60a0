"""lapse: catch the domain and DNS failures that take companies offline, before they happen."""

from __future__ import annotations

__version__ = "0.1.0"

"""Allow ``python -m lapse``."""

from __future__ import annotations

from lapse.cli import main

raise SystemExit(main())

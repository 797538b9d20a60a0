"""JSON that is pretty at the top and one line per item in long arrays.

``json.dumps(indent=...)`` falls back to the pure-Python encoder, which dominated the time to write
a report or snapshot for a large estate. Encoding each array item with the C encoder keeps the
output readable and diff-friendly (one finding or registration per line) at a fraction of the cost.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any


def dumps(document: Mapping[str, Any]) -> str:
    return "".join(chunks(document))


def chunks(document: Mapping[str, Any]) -> Iterator[str]:
    """The document as text, a line at a time. A member's value may be an iterator (written as an
    array), so a long report is written as it is produced and never held whole in memory."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    yield "{"
    for number, (key, value) in enumerate(document.items()):
        yield f"{',' if number else ''}\n  {encode(key)}: "
        if isinstance(value, list | Iterator):
            empty = True
            for item in value:
                yield f"{'[' if empty else ','}\n    {encode(item)}"
                empty = False
            yield "[]" if empty else "\n  ]"
        else:
            yield encode(value)
    yield "\n}\n"

"""Any value as strict JSON: what `--json` prints and `Inspection.to_json` returns.

Lives outside cli/ because the read side (drives/inspection) needs it too, and a stage must
not import the command line.
"""

from __future__ import annotations

import base64
import datetime
import json
import math
from typing import Any


def json_safe(value: Any) -> Any:
    """`value` as strict JSON can hold it: no NaN or infinity, no types JSON lacks.

    JSON has no NaN or Infinity (Python's json writes them anyway, and strict parsers
    refuse the document), yet Python's json and YAML read them from a drive. They are
    written as the strings "NaN", "Infinity" and "-Infinity"; YAML's dates as ISO 8601
    text, binary as base64, sets as lists, keys that are no strings as their JSON text.
    """
    if isinstance(value, str | bool | int) or value is None:
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {_json_key(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [json_safe(item) for item in items]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    safe = json_safe(key)
    return safe if isinstance(safe, str) else json.dumps(safe)


def dumps(document: Any, *, indent: int | None = None) -> str:
    """Strict JSON text of `document`: what every --json output is made of."""
    return json.dumps(json_safe(document), indent=indent, allow_nan=False)

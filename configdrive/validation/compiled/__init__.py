"""Validators compiled ahead of time from the JSON Schemas, one module per schema.

The modules beside this one (cloud_config, meta_data, network_data, network_config,
machine, ignition_<version>) are written by scripts/compile_schemas.py; tests check that
they are what it writes. Each has `clean(data)`: True exactly when jsonschema, with
json_schemas' extensions, finds nothing at all, neither an error nor an `x-warning`.
A clean document, the common case, is then accepted without importing jsonschema (tens
of milliseconds of every run's start-up); only a document with findings is explained by
it. Each also has `TYPOS`: the part of the schema json_schemas' "did you mean" walk reads.

This module holds what the generated code shares: jsonschema's own notion of equality
(`enum`, `const`, `uniqueItems`), its "number" type, and patterns compiled on first use,
since a run evaluates a handful of the hundreds a schema holds.
"""

from __future__ import annotations

import itertools
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def is_number(value: Any) -> bool:
    """jsonschema's "number": any numbers.Number but a bool (YAML gives no others)."""
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def is_integer(value: Any) -> bool:
    """jsonschema's "integer" (draft 6 on): an int but a bool, or a float like 1.0."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


# jsonschema._utils.equal, unbool and uniq, restated: True is not 1, 1 is 1.0, and lists and
# mappings compare item by item under the same rules.
_TRUE = object()
_FALSE = object()


def _unbool(value: Any) -> Any:
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    return value


def equal(one: Any, two: Any) -> bool:
    """Whether two values are equal as jsonschema 4.26 decides it."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(equal(i, j) for i, j in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(
            key in two and equal(value, two[key]) for key, value in one.items()
        )
    return bool(_unbool(one) == _unbool(two))


def in_enum(value: Any, choices: tuple[Any, ...]) -> bool:
    """`enum`: whether any choice equals the value."""
    return any(equal(choice, value) for choice in choices)


def unique(items: list[Any]) -> bool:
    """`uniqueItems`: whether no two items are equal (jsonschema's uniq, step by step)."""
    try:
        ordered = sorted(_unbool(item) for item in items)
        for one, two in zip(ordered, itertools.islice(ordered, 1, None), strict=False):
            if equal(one, two):
                return False
    except (NotImplementedError, TypeError):
        seen: list[Any] = []
        for item in items:
            unbooled = _unbool(item)
            if any(equal(other, unbooled) for other in seen):
                return False
            seen.append(unbooled)
    return True


def searcher(*sources: str) -> Callable[[int, Any], bool]:
    """`search(index, text)`: re.search with pattern `index`, compiled on its first use."""
    compiled: list[re.Pattern[str] | None] = [None] * len(sources)

    def search(index: int, text: Any) -> bool:
        pattern = compiled[index]
        if pattern is None:
            pattern = compiled[index] = re.compile(sources[index])
        return pattern.search(text) is not None

    return search

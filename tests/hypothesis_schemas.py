"""hypothesis-jsonschema on our draft 2020-12 schemas, for the tests that generate documents.

Importing this module fixes hypothesis-jsonschema 0.23.1 for current Hypothesis
(`restore_many_more`); `for_hypothesis` translates a schema into the drafts it reads.
"""

from __future__ import annotations

import types
from collections.abc import Set
from typing import Any

import hypothesis.internal.conjecture.utils as conjecture_utils
import hypothesis_jsonschema._from_schema as hypothesis_jsonschema_internals


def restore_many_more() -> None:
    """Let hypothesis-jsonschema 0.23.1 draw objects with current Hypothesis.

    It drives Hypothesis's internal `many` helper with `while elements.more()`; newer
    Hypothesis (6.170 here) replaced that with `with many(...) as elements: for _ in elements`.
    This adapter gives it the old interface on top of the new one, and does nothing where
    Hypothesis still has `more()`.
    """
    if hasattr(conjecture_utils.many, "more"):
        return

    class ManyWithMore:
        _STOP = object()

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._many = conjecture_utils.many(*args, **kwargs)
            self._many.__enter__()
            self._elements = iter(self._many)

        def more(self) -> bool:
            if next(self._elements, self._STOP) is self._STOP:
                self._many.__exit__(None, None, None)
                return False
            return True

        def reject(self, why: str | None = None) -> None:
            self._many.reject(why)

    hypothesis_jsonschema_internals.cu = types.SimpleNamespace(  # type: ignore[attr-defined,assignment]
        many=ManyWithMore
    )


restore_many_more()


def for_hypothesis(node: Any, *, dropped: Set[str] = frozenset()) -> Any:
    """A draft 2020-12 schema in the form hypothesis-jsonschema (drafts 4 to 7) builds from.

    `$schema` and `$id` constrain nothing and are dropped, as is every keyword in `dropped`.
    `prefixItems` (2020-12) becomes draft 7's list form of `items`, and 2020-12's `items`
    beside it `additionalItems`, so that such arrays are built item by item instead of
    filtered. Every other keyword our schemas use means the same in draft 7
    (test_interop_fuzz's test_schemas_keywords_survive_the_translation).
    """
    if isinstance(node, list):
        return [for_hypothesis(item, dropped=dropped) for item in node]
    if not isinstance(node, dict):
        return node
    adapted = {
        key: for_hypothesis(value, dropped=dropped)
        for key, value in node.items()
        if key not in {"$schema", "$id", *dropped}
    }
    if "prefixItems" in adapted:
        rest = adapted.pop("items", None)
        adapted["items"] = adapted.pop("prefixItems")
        if rest is not None:
            adapted["additionalItems"] = rest
    return adapted

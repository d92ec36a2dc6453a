#!/usr/bin/env python3
"""Write configdrive/validation/compiled/<schema>.py: each schema as plain Python.

Validating with jsonschema means importing it (jsonschema, referencing, rpds, attrs:
tens of milliseconds of every run) even when the document is fine, as most are. Like
validate-pyproject, which ships code fastjsonschema generates, we ship each schema
compiled to Python; fastjsonschema knows no draft 2020-12 (`prefixItems`) and none of our
extensions, so this small compiler is our own. The compiled `clean(data)` answers one
question: would jsonschema, extended as configdrive/validation/json_schemas.py extends
it, find nothing at all? Only when it would find something is jsonschema imported to
explain each finding.

Every keyword is compiled as jsonschema 4.26's function for it decides (its _keywords.py),
with json_schemas' two extensions: `pattern` is ECMA-262's (`$` ends the string) and
`x-warning` is a finding wherever its subschema is evaluated. A keyword the compiler does
not know is refused, so that a schema change can never be silently ignored.

Run it after changing a schema; tests/test_compiled_schemas.py checks that the files in
configdrive/validation/compiled/ are what it writes.
"""

from __future__ import annotations

import json
import pprint
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "configdrive" / "validation" / "schemas"
OUT = ROOT / "configdrive" / "validation" / "compiled"

# Keywords that only annotate: they never change a verdict.
ANNOTATIONS = frozenset(
    {"description", "title", "$comment", "examples", "default", "x-reader", "$schema", "$id"}
)
# Keywords compiled below; `then` and `else` are read with `if`, `$defs` only through the
# `$ref`s inlined before compiling.
KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "additionalProperties",
        "patternProperties",
        "items",
        "prefixItems",
        "enum",
        "const",
        "required",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "pattern",
        "if",
        "then",
        "else",
        "oneOf",
        "anyOf",
        "allOf",
        "not",
        "propertyNames",
        "x-warning",
        "$defs",
    }
)

# jsonschema's draft 2020-12 type checker, as expressions on `d`.
TYPE_TESTS = {
    "object": "isinstance(d, dict)",
    "array": "isinstance(d, list)",
    "string": "isinstance(d, str)",
    "null": "d is None",
    "boolean": "isinstance(d, bool)",
    "integer": "is_integer(d)",
    "number": "is_number(d)",
}


class UnknownKeywordError(ValueError):
    """A schema uses a keyword this compiler does not know how to check."""


def ecma_pattern(pattern: str) -> str:
    """json_schemas._pattern's rewrite: every unescaped `$` is the end of the string."""
    return re.sub(r"(?<!\\)\$", r"\\Z", pattern)


def module_name(schema_name: str) -> str:
    """The module for a schema: cloud-config -> cloud_config, ignition/3.4.0 -> ignition_3_4_0."""
    return re.sub(r"[^a-z0-9]", "_", schema_name)


class Compiler:
    """Compiles one schema into functions `_s<n>(d) -> bool`, one per distinct subschema."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.functions: dict[str, str] = {}  # JSON of a subschema -> its function's name
        self.bodies: list[str] = []
        self.constants: dict[str, str] = {}  # Python literal -> its name
        self.patterns: dict[str, int] = {}  # regular expression -> its index

    def constant(self, literal: str) -> str:
        if literal not in self.constants:
            self.constants[literal] = f"_C{len(self.constants)}"
        return self.constants[literal]

    def pattern(self, source: str) -> int:
        return self.patterns.setdefault(source, len(self.patterns))

    def function(self, schema: Any) -> str:
        """The name of the function that checks `schema` (compiling it the first time)."""
        if schema is True:
            return "_anything"
        if schema is False:
            return "_nothing"
        if not isinstance(schema, dict):
            raise UnknownKeywordError(f"{self.where}: {schema!r} is not a schema")
        unknown = set(schema) - KEYWORDS - ANNOTATIONS
        if unknown:
            raise UnknownKeywordError(
                f"{self.where}: {Path(__file__).name} compiles no {', '.join(sorted(unknown))}"
            )
        key = json.dumps({k: v for k, v in schema.items() if k not in ANNOTATIONS})
        if key in self.functions:
            return self.functions[key]
        name = f"_s{len(self.functions)}"
        self.functions[key] = name
        lines = self.body(schema)
        self.bodies.append(
            "\n".join([f"def {name}(d: Any) -> bool:", *lines, "    return True", ""])
        )
        return name

    def body(self, schema: dict[str, Any]) -> list[str]:
        if "x-warning" in schema:
            # A finding wherever this subschema is evaluated: nothing here can be clean.
            return ["    return False"]
        lines: list[str] = []
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            test = " or ".join(TYPE_TESTS[kind] for kind in types)
            lines.append(f"    if not ({test}):\n        return False")
        if "enum" in schema:
            lines.append(f"    if not {self.enum(schema['enum'])}:\n        return False")
        if "const" in schema:
            lines.append(f"    if not {self.const(schema['const'])}:\n        return False")
        for part in schema.get("allOf", []):
            lines.append(f"    if not {self.function(part)}(d):\n        return False")
        if "anyOf" in schema:
            calls = " or ".join(f"{self.function(part)}(d)" for part in schema["anyOf"])
            lines.append(f"    if not ({calls}):\n        return False")
        if "oneOf" in schema:
            calls = " + ".join(f"{self.function(part)}(d)" for part in schema["oneOf"])
            lines.append(f"    if ({calls}) != 1:\n        return False")
        if "not" in schema:
            lines.append(f"    if {self.function(schema['not'])}(d):\n        return False")
        if "if" in schema:
            lines += self.conditional(schema)
        lines += self.typed("isinstance(d, dict)", self.object_lines(schema))
        lines += self.typed("isinstance(d, list)", self.array_lines(schema))
        lines += self.typed("isinstance(d, str)", self.string_lines(schema))
        lines += self.typed("is_number(d)", self.number_lines(schema))
        return lines

    @staticmethod
    def typed(test: str, lines: list[str]) -> list[str]:
        """Lines that apply to one type only, as jsonschema's keywords skip other types."""
        if not lines:
            return []
        return [f"    if {test}:", *("    " + line for line in "\n".join(lines).split("\n"))]

    def enum(self, choices: list[Any]) -> str:
        if all(isinstance(choice, str) for choice in choices):
            # equal() compares a string with ==: only a string can equal one.
            names = self.constant(f"frozenset({sorted(choices)!r})")
            return f"(isinstance(d, str) and d in {names})"
        return f"in_enum(d, {self.constant(repr(tuple(choices)))})"

    def const(self, value: Any) -> str:
        if isinstance(value, str):
            return f"d == {value!r}"
        return f"equal(d, {self.constant(repr(value))})"

    def conditional(self, schema: dict[str, Any]) -> list[str]:
        test = self.function(schema["if"])
        then, otherwise = schema.get("then"), schema.get("else")
        if then is not None and otherwise is not None:
            return [
                f"    if {test}(d):",
                f"        if not {self.function(then)}(d):\n            return False",
                f"    elif not {self.function(otherwise)}(d):\n        return False",
            ]
        if then is not None:
            return [f"    if {test}(d) and not {self.function(then)}(d):\n        return False"]
        if otherwise is not None:
            check = self.function(otherwise)
            return [f"    if not {test}(d) and not {check}(d):\n        return False"]
        return []  # evaluated by jsonschema, but with nothing to decide

    def object_lines(self, schema: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        properties: dict[str, Any] = schema.get("properties", {})
        for key, subschema in properties.items():
            lines.append(
                f"    if {key!r} in d and not {self.function(subschema)}(d[{key!r}]):\n"
                "        return False"
            )
        for pattern, subschema in schema.get("patternProperties", {}).items():
            # patternProperties and additionalProperties use Python's re, not ECMA's rules.
            index = self.pattern(pattern)
            lines.append(
                "    for k, v in d.items():\n"
                f"        if search({index}, k) and not {self.function(subschema)}(v):\n"
                "            return False"
            )
        extra = schema.get("additionalProperties", True)
        if extra is not True:
            names = f"frozenset({sorted(properties)!r})" if properties else "frozenset[str]()"
            known = self.constant(names)
            test = f"k not in {known}"
            if schema.get("patternProperties"):
                joined = self.pattern("|".join(schema["patternProperties"]))
                test += f" and not search({joined}, k)"
            if extra is False:
                lines.append(f"    for k in d:\n        if {test}:\n            return False")
            else:
                check = self.function(extra)
                lines.append(
                    f"    for k in d:\n        if {test} and not {check}(d[k]):\n"
                    "            return False"
                )
        if "propertyNames" in schema:
            check = self.function(schema["propertyNames"])
            lines.append(f"    for k in d:\n        if not {check}(k):\n            return False")
        for key in schema.get("required", []):
            lines.append(f"    if {key!r} not in d:\n        return False")
        if "minProperties" in schema:
            lines.append(f"    if len(d) < {schema['minProperties']!r}:\n        return False")
        return lines

    def array_lines(self, schema: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        prefix = schema.get("prefixItems", [])
        for index, subschema in enumerate(prefix):
            lines.append(
                f"    if len(d) > {index} and not {self.function(subschema)}(d[{index}]):\n"
                "        return False"
            )
        if "items" in schema:
            items = schema["items"]
            if items is False:
                lines.append(f"    if len(d) > {len(prefix)}:\n        return False")
            elif items is not True:
                rest = f"d[{len(prefix)}:]" if prefix else "d"
                lines.append(
                    f"    for item in {rest}:\n"
                    f"        if not {self.function(items)}(item):\n"
                    "            return False"
                )
        if "minItems" in schema:
            lines.append(f"    if len(d) < {schema['minItems']!r}:\n        return False")
        if "maxItems" in schema:
            lines.append(f"    if len(d) > {schema['maxItems']!r}:\n        return False")
        if schema.get("uniqueItems"):
            lines.append("    if not unique(d):\n        return False")
        return lines

    def string_lines(self, schema: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        if "minLength" in schema:
            lines.append(f"    if len(d) < {schema['minLength']!r}:\n        return False")
        if "maxLength" in schema:
            lines.append(f"    if len(d) > {schema['maxLength']!r}:\n        return False")
        if "pattern" in schema:
            index = self.pattern(ecma_pattern(schema["pattern"]))
            lines.append(f"    if not search({index}, d):\n        return False")
        return lines

    @staticmethod
    def number_lines(schema: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        if "minimum" in schema:
            lines.append(f"    if d < {schema['minimum']!r}:\n        return False")
        if "maximum" in schema:
            lines.append(f"    if d > {schema['maximum']!r}:\n        return False")
        return lines


def typo_schema(schema: Any) -> dict[str, Any]:
    """What json_schemas._typos reads of `schema`, and nothing it would find nothing in.

    It reads `allOf`, `properties` (all their names: a key close to one is a typo),
    whether `additionalProperties` is false, and `items` when it is a schema.
    """
    if not isinstance(schema, dict):
        return {}
    trimmed: dict[str, Any] = {}
    parts = [typo_schema(part) for part in schema.get("allOf", [])]
    if any(parts):
        trimmed["allOf"] = [part for part in parts if part]
    properties = {key: typo_schema(value) for key, value in schema.get("properties", {}).items()}
    if schema.get("additionalProperties", True) is False:
        trimmed["additionalProperties"] = False
        properties = {key: value for key, value in properties.items() if value}
    if properties:
        trimmed["properties"] = properties
    if isinstance(schema.get("items"), dict) and (items := typo_schema(schema["items"])):
        trimmed["items"] = items
    if set(trimmed) == {"additionalProperties"}:
        return {}
    return trimmed


def inline_refs(schema: dict[str, Any]) -> Any:
    """The schema as json_schemas validates it: every local `$ref` replaced by its target."""
    sys.path.insert(0, str(ROOT))
    from configdrive.validation.json_schemas import _inline_refs

    return _inline_refs(schema, schema)


def compile_schema(name: str, schema: dict[str, Any]) -> str:
    """The Python module for schema `name` (already inlined)."""
    compiler = Compiler(name)
    root = compiler.function(schema)
    typos = pprint.pformat(typo_schema(schema), width=100, sort_dicts=False)
    constants = [f"{alias} = {literal}" for literal, alias in compiler.constants.items()]
    code = "\n\n".join(
        [f"def clean(data: Any) -> bool:\n{CLEAN_DOC}\n    return {root}(data)\n", *compiler.bodies]
    )
    used = [name for name in HELPERS if re.search(rf"\b{name}\(", code)]
    imports = ", ".join(sorted(["searcher", *used]))
    return "\n".join(
        [
            f'"""Generated from schemas/{name}.schema.json by scripts/compile_schemas.py.',
            "",
            "Do not edit: change the schema, then run `python scripts/compile_schemas.py`.",
            "",
            '"""',
            "",
            "from typing import Any",
            "",
            f"from configdrive.validation.compiled import {imports}",
            "",
            "search = searcher(",
            *(f"    {source!r}," for source in compiler.patterns),
            ")",
            *constants,
            f"TYPOS: dict[str, Any] = {typos}",
            "",
            "",
            code,
            "",
            "def _anything(d: Any) -> bool:",
            "    return True",
            "",
            "",
            "def _nothing(d: Any) -> bool:",
            "    return False",
            "",
        ]
    )


HELPERS = ("equal", "in_enum", "is_integer", "is_number", "unique")
CLEAN_DOC = '    """Whether jsonschema, extended as json_schemas does, finds nothing in `data`."""'


def schema_names() -> list[str]:
    """Every schema in the package: cloud-config, ..., ignition/3.6.0."""
    return sorted(
        str(path.relative_to(SCHEMAS)).removesuffix(".schema.json")
        for path in SCHEMAS.rglob("*.schema.json")
    )


def write(out: Path) -> list[Path]:
    """Write every compiled module into `out`; the paths written."""
    written = []
    for name in schema_names():
        with (SCHEMAS / f"{name}.schema.json").open(encoding="utf-8") as stream:
            schema = json.load(stream)
        path = out / f"{module_name(name)}.py"
        path.write_text(compile_schema(name, inline_refs(schema)), encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    for path in write(OUT):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()

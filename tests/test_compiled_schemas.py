"""The compiled validators (configdrive/validation/compiled/) agree with jsonschema.

`clean(data)` must be True exactly when jsonschema, extended as json_schemas extends it
(ECMA-262 `pattern`, `x-warning`), finds nothing; `TYPOS` must make the "did you mean"
walk find what it finds in the whole schema. A clean document is accepted without
importing jsonschema, so a disagreement would let a wrong document through unexplained.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from configdrive.inputs.documents import Source, parse_document
from configdrive.problems import Problem
from configdrive.validation import json_schemas
from tests.helpers import FIXTURES, ROOT
from tests.hypothesis_schemas import for_hypothesis

COMPILED = ROOT / "configdrive" / "validation" / "compiled"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "compile_schemas", ROOT / "scripts" / "compile_schemas.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _generator()
SCHEMAS: list[str] = GENERATOR.schema_names()


def _jsonschema_verdict(name: str, data: Any) -> bool | None:
    """Whether jsonschema finds nothing; None when its keywords raise on the value."""
    try:
        return next(json_schemas._validator(name).iter_errors(data), None) is None
    except Exception:
        return None


def assert_agree(name: str, data: Any) -> None:
    expected = _jsonschema_verdict(name, data)
    compiled = json_schemas._compiled(name)
    try:
        clean: bool | None = compiled.clean(data)
    except Exception:
        clean = None  # schema_problems lets jsonschema decide, as for any finding
    if expected is None:
        # jsonschema raises: the compiled code must not call the document clean.
        assert clean is not True, (name, data)
    else:
        assert clean is expected, (name, data)
    whole = list(json_schemas._typos(json_schemas._validator(name).schema, data, ()))
    assert list(json_schemas._typos(compiled.TYPOS, data, ())) == whole, (name, data)


# ----------------------------------------------------------------------- the generator


def test_the_committed_modules_are_what_the_generator_writes(tmp_path: Path) -> None:
    written = GENERATOR.write(tmp_path)
    assert sorted(path.name for path in written) == sorted(
        path.name for path in COMPILED.glob("*.py") if path.name != "__init__.py"
    )
    for path in written:
        assert path.read_bytes() == (COMPILED / path.name).read_bytes(), (
            f"{path.name} is stale: run python scripts/compile_schemas.py"
        )


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "format": "email"},
        {"properties": {"a": {"type": "array", "minContains": 1}}},
        {"anyOf": [{"type": "object", "dependentRequired": {"a": ["b"]}}]},
        {"$ref": "https://example.com/elsewhere.json"},
    ],
)
def test_the_generator_refuses_a_keyword_it_does_not_know(schema: dict[str, Any]) -> None:
    with pytest.raises(GENERATOR.UnknownKeywordError):
        GENERATOR.compile_schema("test", schema)


def test_the_generator_compiles_annotations_to_nothing() -> None:
    # Annotations change no verdict: a schema of annotations alone accepts anything.
    source = GENERATOR.compile_schema(
        "test", {"description": "d", "title": "t", "x-reader": "r", "$comment": "c"}
    )
    namespace: dict[str, Any] = {}
    exec(compile(source, "test", "exec"), namespace)
    assert namespace["clean"]({"anything": [1, None]})


# ------------------------------------------------------------------- every fixture


def _fixture_documents() -> Iterator[tuple[str, Any]]:
    """Every YAML or JSON document under fixtures/ that the parser accepts."""
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix not in {".yml", ".yaml", ".json", ".ign"} or not path.is_file():
            continue
        problems: list[Problem] = []
        # The parser refuses bombs and deep nesting before any schema sees them.
        document = parse_document(Source(path.name, path.read_bytes()), problems)
        if document is not None:
            yield str(path.relative_to(FIXTURES)), document.data


FIXTURE_DOCUMENTS = list(_fixture_documents())


def test_there_are_fixture_documents() -> None:
    assert len(FIXTURE_DOCUMENTS) > 200


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_fixture_gets_the_same_verdict(name: str) -> None:
    # Each document against every schema: a cloud-config under the Ignition schemas
    # exercises the failing paths as much as the passing ones.
    verdicts = set()
    for _, data in FIXTURE_DOCUMENTS:
        assert_agree(name, data)
        verdicts.add(_jsonschema_verdict(name, data))
    assert False in verdicts


@pytest.mark.parametrize(
    "document",
    [
        {"ignition": {"version": "3.4.0"}, "storage": {"files": [{"path": "/a", "mode": 1.0}]}},
        {"ignition": {"version": "3.4.0"}, "storage": {"files": [{"path": "/a", "mode": True}]}},
        {"ignition": {"version": "3.4.0"}, "passwd": {"users": [{"name": "a"}, {"name": "a"}]}},
        {"ignition": {"version": "3.4.0\n"}},
        {"ignition": {"version": "3.4.0"}, "kernelArguments": {"shouldExist": ["a", "a"]}},
        {"ignition": {"version": "3.4.0"}, "kernelArguments": {"shouldExist": [1, 1.0]}},
        {"ignition": {"version": "3.4.0"}, "kernelArguments": {"shouldExist": [True, 1]}},
    ],
)
def test_jsonschemas_own_rules_hold(document: dict[str, Any]) -> None:
    # "integer" takes 1.0, a bool is no number, equality keeps True apart from 1, and an
    # ECMA-262 `$` refuses a trailing newline.
    assert_agree("ignition/3.4.0", document)


def test_cloud_config_warnings_and_typos_agree() -> None:
    for document in (
        {"ssh_authorized_keys": "not a list"},
        {"ssh_authorised_keys": ["ssh-ed25519 AAAA"]},
        {"users": [{"name": "a", "sudo": False, "lock-passwd": True}]},
        {"write_files": [{"path": "/a", "permissions": "0644\n"}]},
        {"runcmd": [["ls", 1]], "bootcmd": [datetime.date(2024, 1, 1)]},
        {"packages": [b"bytes", {1: "int key"}]},
    ):
        assert_agree("cloud-config", document)
    for mac in ("fa:16:3e:00:00:01", "fa:16:3e:00:00:01\n"):
        links = [{"id": "a", "type": "phy", "ethernet_mac_address": mac}]
        assert_agree("network-data", {"links": links})


# ------------------------------------------------------------------ generated documents


def _vocabulary(schema: Any, keys: set[str], values: list[Any]) -> None:
    """Every property name and every enum or const value in `schema`."""
    if isinstance(schema, list):
        for item in schema:
            _vocabulary(item, keys, values)
    elif isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                keys.update(value)
            if key == "enum" and isinstance(value, list):
                values.extend(value)
            elif key == "const":
                values.append(value)
            else:
                _vocabulary(value, keys, values)


def _values(name: str) -> st.SearchStrategy[Any]:
    """JSON-ish and YAML-only values built from the schema's own words."""
    keys: set[str] = set()
    words: list[Any] = []
    _vocabulary(json_schemas.load_schema(name), keys, words)
    scalars = st.one_of(
        st.sampled_from([json.loads(json.dumps(word)) for word in words] or [None]),
        st.none(),
        st.booleans(),
        st.integers(-(2**65), 2**65),
        st.floats(allow_nan=True),
        st.text(max_size=12),
        st.sampled_from(["", "a\n", "0644\n", "3.4.0", "3.4.0\n", "true", "1"]),
        st.dates(),
        st.datetimes(),
        st.binary(max_size=4),
    )
    names = st.one_of(st.sampled_from(sorted(keys)), st.text(max_size=8))
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(names, children, max_size=5),
            st.dictionaries(st.integers(0, 3), children, max_size=2),
        ),
        max_leaves=25,
    )


def _places(node: Any) -> Iterator[tuple[Any, Any]]:
    """Every (container, key or index) in a document."""
    if isinstance(node, dict):
        for key, child in node.items():
            yield node, key
            yield from _places(child)
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield node, index
            yield from _places(child)


def _near(value: Any) -> list[Any]:
    """Values a small slip away from `value`, where jsonschema's rules are subtle."""
    if isinstance(value, bool):
        return [int(value), not value]
    if isinstance(value, int):
        return [float(value), value + 0.5, value == 1, str(value)]
    if isinstance(value, str):
        return [value + "\n", value[:-1], value + value, value.encode()]
    if isinstance(value, list):
        return [[*value, *value[:1]], value[:-1], tuple(value)]
    return [[value], None]


@st.composite
def _mutated(draw: st.DrawFn, documents: st.SearchStrategy[Any], values: Any) -> Any:
    """A document with one value anywhere in it changed, or a key added or dropped."""
    document = draw(documents)
    places = list(_places(document))
    if not places:
        return document
    container, key = draw(st.sampled_from(places))
    action = draw(st.sampled_from(["near", "replace", "drop", "add"]))
    if action == "near":
        container[key] = draw(st.sampled_from(_near(container[key])))
    elif action == "replace":
        container[key] = draw(values)
    elif action == "drop":
        del container[key]
    elif isinstance(container, dict):
        container[draw(st.text(max_size=8))] = draw(values)
    else:
        container.append(draw(values))
    return document


def _guided(schema: Any, values: st.SearchStrategy[Any], depth: int = 0) -> Any:
    """Documents shaped by `schema` (its keys, types, enums, patterns, branches), mostly valid.

    hypothesis-jsonschema needs minutes to canonicalise network-config's if/then/oneOf
    tree; this walk needs none and reaches every branch, and mutation does the rest.
    """
    if not isinstance(schema, dict) or depth > 8:
        return values
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    branches = [*schema.get("oneOf", []), *schema.get("anyOf", []), *schema.get("allOf", [])]
    if "then" in schema:
        branches.append({**schema["then"], "type": schema.get("type", "object")})
    options = [_guided(branch, values, depth + 1) for branch in branches]
    kinds = schema.get("type", [])
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "object" in kinds or "properties" in schema:
        properties = schema.get("properties", {})
        required = [key for key in schema.get("required", []) if key in properties]
        options.append(
            st.fixed_dictionaries(
                {key: _guided(properties[key], values, depth + 1) for key in required},
                optional={
                    key: _guided(value, values, depth + 1)
                    for key, value in properties.items()
                    if key not in required
                },
            )
        )
    if "array" in kinds or "items" in schema or "prefixItems" in schema:
        items = _guided(schema.get("items", True), values, depth + 1)
        prefix = [_guided(item, values, depth + 1) for item in schema.get("prefixItems", [])]
        options.append(
            st.tuples(*prefix, st.lists(items, max_size=3)).map(
                lambda drawn: [*drawn[:-1], *drawn[-1]]
            )
        )
    if "string" in kinds:
        if "pattern" in schema:
            matching: st.SearchStrategy[str] = st.from_regex(str(schema["pattern"]))
            # Python's `$` matches before a final newline, ECMA-262's (and ours) does not.
            options += [matching, matching.map(lambda text: text + "\n")]
        options.append(
            st.text(min_size=schema.get("minLength", 0), max_size=schema.get("maxLength", 12))
        )
    if "integer" in kinds or "number" in kinds:
        options.append(st.integers(schema.get("minimum"), schema.get("maximum")))
        edges = [schema.get("minimum", 0), schema.get("maximum", 1)]
        # What jsonschema's type checker decides in its own way: 1.0 is an integer, True
        # is no number, NaN is beyond no limit.
        options.append(st.sampled_from([*edges, *(edge + 0.5 for edge in edges), 1.0, True]))
        options.append(st.sampled_from([float("nan"), float("inf"), False]))
    if "boolean" in kinds:
        options.append(st.booleans())
    if "null" in kinds:
        options.append(st.none())
    return st.one_of(options) if options else values


# hypothesis-jsonschema takes under a second for these, and minutes for network-config.
QUICK_FOR_HYPOTHESIS_JSONSCHEMA = [name for name in SCHEMAS if name != "network-config"]


def _agree_on(name: str, documents: st.SearchStrategy[Any], examples: int) -> None:
    values = _values(name)

    @settings(
        max_examples=examples,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.one_of(documents, _mutated(documents, values), values))
    def agree(document: Any) -> None:
        assert_agree(name, document)

    agree()


@pytest.mark.parametrize("name", SCHEMAS)
def test_documents_shaped_by_the_schema_get_the_same_verdict(name: str) -> None:
    _agree_on(name, _guided(json_schemas._validator(name).schema, _values(name)), 300)


@pytest.mark.parametrize("name", QUICK_FOR_HYPOTHESIS_JSONSCHEMA)
def test_documents_hypothesis_jsonschema_makes_get_the_same_verdict(name: str) -> None:
    schema = for_hypothesis(json_schemas._validator(name).schema, dropped={"x-warning", "x-reader"})
    _agree_on(name, from_schema(schema), 60)


# --------------------------------------------------------------- what a run imports


def _run(code: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.splitlines()


def test_a_valid_machine_is_validated_without_importing_jsonschema() -> None:
    lines = _run(
        "import sys\n"
        "import configdrive.validation.json_schemas\n"
        "from configdrive import api\n"
        "d = 'fixtures/valid/container-linux/'\n"
        "api.validate_machine(api.machine_spec("
        "d + 'user.yml', meta_data=d + 'machine.yml', network_data=d + 'network.json'))\n"
        "print('jsonschema' in sys.modules)\n"
    )
    assert lines == ["False"]


def test_a_wrong_document_imports_jsonschema_to_explain_it(tmp_path: Path) -> None:
    user_data = tmp_path / "user.yml"
    user_data.write_text("#cloud-config\nhostname: web\nruncmd:\n  - ls\n  - 5\n")
    lines = _run(
        "import sys\n"
        "from configdrive import api\n"
        "try:\n"
        f"    api.validate_machine(api.machine_spec({str(user_data)!r}))\n"
        "except api.InvalidInputError as error:\n"
        "    print(*error.problems, sep='\\n')\n"
        "print('jsonschema' in sys.modules)\n"
    )
    assert lines[-1] == "True"
    assert any(line.startswith(f"{user_data}:5:5: runcmd[1]: ") for line in lines[:-1]), lines

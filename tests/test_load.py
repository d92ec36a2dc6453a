"""Loading YAML and JSON with positions, and refusing documents no reader could survive."""

from __future__ import annotations

from pathlib import Path

from configdrive.inputs.documents import Source, parse_document
from configdrive.problems import Problem


def parse(text: str, name: str = "doc.yml") -> tuple[object, list[Problem]]:
    problems: list[Problem] = []
    document = parse_document(Source(name, text.encode(), Path(name)), problems)
    return (document.data if document else None), problems


def test_positions_point_at_values_and_keys() -> None:
    problems: list[Problem] = []
    document = parse_document(Source("u.yml", b"a:\n  b:\n    - x\n    - yy\n"), problems)
    assert document is not None
    assert document.locate(("a", "b", 1)) == (4, 7)
    assert document.locate(("a", "b"), key=True) == (2, 3)
    assert document.locate(("missing",)) == (1, 1)


def test_merge_keys_are_followed_for_positions() -> None:
    problems: list[Problem] = []
    text = b"base: &b\n  x: 1\nchild:\n  <<: *b\n  y: 2\n"
    document = parse_document(Source("u.yml", text), problems)
    assert document is not None
    assert document.data["child"] == {"x": 1, "y": 2}
    assert document.locate(("child", "x")) == (2, 6)
    assert problems == []


def test_duplicate_keys_are_errors_with_positions() -> None:
    _, problems = parse("a: 1\nb: 2\na: 3\n")
    assert [(p.line, p.column, p.message) for p in problems] == [(3, 1, "duplicate key 'a'")]


def test_duplicate_keys_in_json() -> None:
    _, problems = parse('{"a": 1, "a": 2}', "doc.json")
    assert [p.message for p in problems] == ["duplicate key 'a'"]


def test_json_syntax_error_has_line_and_column() -> None:
    _, problems = parse('{\n  "a": 1,\n}\n', "doc.json")
    assert [(p.line, p.column) for p in problems] == [(3, 1)]
    assert problems[0].message.startswith("invalid JSON")


def test_flow_yaml_that_looks_like_json_still_parses() -> None:
    data, problems = parse("{a: 1, b: [x]}", "doc")
    assert data == {"a": 1, "b": ["x"]}
    assert problems == []


def test_alias_bomb_is_refused_without_expanding() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    data, problems = parse("\n".join(lines))
    assert data is None
    assert "expands to more than" in problems[0].message


def test_deep_nesting_is_refused() -> None:
    data, problems = parse("a: " + "[" * 500 + "]" * 500)
    assert data is None
    assert "nests more than" in problems[0].message


def test_non_utf8_is_located() -> None:
    _, problems = parse_bytes(b"a: 1\nb: caf\xe9\n")
    assert [(p.line, p.column) for p in problems] == [(2, 7)]


def parse_bytes(data: bytes) -> tuple[object, list[Problem]]:
    problems: list[Problem] = []
    document = parse_document(Source("b.yml", data), problems)
    return (document.data if document else None), problems


def test_control_characters_are_located() -> None:
    _, problems = parse("a: 1\nb: x\x01y\n")
    assert [(p.line, p.column, p.message) for p in problems] == [
        (2, 5, "invalid YAML: control character U+0001 is not allowed")
    ]

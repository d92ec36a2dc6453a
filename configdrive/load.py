"""Stage 1 of the pipeline: read inputs and parse YAML or JSON, keeping positions.

Every parsed value can be traced back to its line and column, so that later
stages can say `user.yml:12:3: users[0].name: ...` about it.
"""

from __future__ import annotations

import json
import math
import os
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from configdrive.problems import DocPath, Problem

# A cloud-config of a few thousand lines has tens of thousands of nodes; YAML aliases
# can make a 1 KiB file expand to billions ("billion laughs"), which no reader survives.
MAX_EXPANDED_NODES = 250_000
# Deeper nesting than this is never configuration, and it would exhaust Python's stack.
MAX_DEPTH = 100

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Source:
    """The raw bytes of one input and the name messages call it by."""

    name: str
    data: bytes
    path: Path | None = None


def read_source(path: str | os.PathLike[str], stdin: BinaryIO | None = None) -> Source:
    """Read one input file (`-` is standard input). Raises OSError with a readable message."""
    if str(path) == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        return Source("<stdin>", stream.read())
    file_path = Path(path)
    regular_file(file_path)
    return Source(str(path), file_path.read_bytes(), file_path)


def regular_file(path: Path) -> os.stat_result:
    """Stat an input file, refusing folders, FIFOs, devices and unreadable files (OSError)."""
    info = path.stat()
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError("is a folder, not a file")
    # Opening a FIFO or a device would block or read forever; only regular files are inputs.
    if not stat.S_ISREG(info.st_mode):
        raise OSError("is not a regular file")
    if not os.access(path, os.R_OK):
        raise PermissionError("is not readable")
    return info


def describe_os_error(error: OSError) -> str:
    """An OSError as a short sentence without Python's decoration."""
    if error.strerror:
        return error.strerror[0].lower() + error.strerror[1:]
    return str(error.args[0]) if error.args else type(error).__name__


@dataclass
class Document:
    """A parsed YAML or JSON document and the node tree that says where each value came from."""

    source: Source
    data: Any
    root: yaml.Node | None = field(default=None, repr=False)

    def _walk(self, path: DocPath) -> tuple[yaml.Node | None, yaml.Node | None, bool]:
        """The deepest key and value nodes along `path`, and whether the whole path was found."""
        node = self.root
        key_node: yaml.Node | None = None
        for element in path:
            found = _child(node, element) if node is not None else None
            if found is None:
                return key_node, node, False
            key_node, node = found
        return key_node, node, True

    def locate(self, path: DocPath, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the value at `path`, or of its key when `key` is set.

        A path that leaves the node tree is located at its deepest existing part.
        """
        key_node, node, _ = self._walk(path)
        target = key_node if key and key_node is not None else node
        if target is None:
            return (None, None)
        return (target.start_mark.line + 1, target.start_mark.column + 1)

    def scalar_text(self, path: DocPath) -> str | None:
        """The scalar at `path` as written in the file (before YAML gave it a type)."""
        _, node, complete = self._walk(path)
        return node.value if complete and isinstance(node, yaml.ScalarNode) else None

    def problem(self, path: DocPath, message: str, *, key: bool = False, **kwargs: Any) -> Problem:
        """A Problem about the value at `path` in this document, located by the node tree."""
        line, column = self.locate(path, key=key)
        return Problem(self.source.name, message, path, line, column, **kwargs)

    def embedded(self, path: DocPath) -> EmbeddedDocument:
        """The value at `path` as a document of its own, still located in this file."""
        _, node, _ = self._walk(path)
        value = self.data
        for element in path:
            value = value[element]
        return EmbeddedDocument(self.source, value, node, prefix=(*self.prefix_path(), *path))

    def prefix_path(self) -> DocPath:
        """Where this document starts within its file: nowhere, for a file of its own."""
        return ()


@dataclass
class EmbeddedDocument(Document):
    """A document written inside another (a machine file's inline meta_data).

    Its paths start at its own root, as a separate file's would; problems name the outer
    file, the full path in it (`meta_data.hostname`) and the line there.
    """

    prefix: DocPath = ()

    def prefix_path(self) -> DocPath:
        return self.prefix

    def problem(self, path: DocPath, message: str, *, key: bool = False, **kwargs: Any) -> Problem:
        line, column = self.locate(path, key=key)
        return Problem(self.source.name, message, (*self.prefix, *path), line, column, **kwargs)


@dataclass(frozen=True)
class EmbeddedSource(Source):
    """An input that was parsed as part of another file: `document` is already located there."""

    document: EmbeddedDocument | None = None


def _child(node: yaml.Node, element: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.SequenceNode) and isinstance(element, int):
        if 0 <= element < len(node.value):
            return (None, node.value[element])
        return None
    if isinstance(node, yaml.MappingNode):
        # The last occurrence wins, as in the constructed document; merged maps (`<<`) come after.
        for key_node, value_node in reversed(node.value):
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(element):
                return (key_node, value_node)
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                for merged in (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                ):
                    found = _child(merged, element)
                    if found is not None:
                        return found
    return None


class _PositionLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """A safe loader that reports duplicate keys instead of silently keeping the last."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[yaml.Node, object]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                if key in seen:
                    self.duplicates.append((key_node, key))
                seen.add(key)
            except TypeError:
                pass  # an unhashable key: the base class reports it with its position
        result: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return result


def _check_size(root: yaml.Node) -> str | None:
    """Refuse documents whose aliases expand beyond reason or that nest too deeply."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise _TooDeep
        known = sizes.get(id(node))
        if known is not None:
            return known
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total += size(child, depth + 1)
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                total += size(key_node, depth + 1) + size(value_node, depth + 1)
        total = min(total, MAX_EXPANDED_NODES + 1)
        sizes[id(node)] = total
        return total

    try:
        if size(root, 0) > MAX_EXPANDED_NODES:
            return (
                f"the document expands to more than {MAX_EXPANDED_NODES} values "
                "(YAML aliases repeating other aliases?)"
            )
    except _TooDeep:
        return f"the document nests more than {MAX_DEPTH} levels deep"
    return None


class _TooDeep(Exception):
    pass


def decode_text(source: Source, problems: list[Problem], *, what: str = "text") -> str | None:
    """Decode UTF-8 (a leading byte order mark is dropped), or report where it is not UTF-8."""
    try:
        return source.data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _position_of_offset(source.data, error.start)
        problems.append(
            Problem(
                source.name,
                f"{what} is not valid UTF-8 (byte 0x{source.data[error.start]:02x})",
                None,
                line,
                column,
            )
        )
        return None


def _position_of_offset(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def parse_document(
    source: Source, problems: list[Problem], *, text: str | None = None
) -> Document | None:
    """Parse a YAML or JSON document; on failure add problems and return None."""
    if text is None:
        text = decode_text(source, problems)
        if text is None:
            return None
    if _looks_like_json(source, text):
        return _parse_json(source, text, problems)
    return _parse_yaml(source, text, problems)


def _looks_like_json(source: Source, text: str) -> bool:
    suffix = source.path.suffix.lower() if source.path else ""
    if suffix == ".json":
        return True
    if suffix in (".yml", ".yaml"):
        return False
    return text.lstrip()[:1] in ("{", "[")


def _parse_json(source: Source, text: str, problems: list[Problem]) -> Document | None:
    duplicates: list[str] = []

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                duplicates.append(key)
            result[key] = value
        return result

    try:
        data = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as error:
        if source.path is None or source.path.suffix.lower() != ".json":
            # Not declared JSON and not JSON: it may well be YAML in flow style.
            fallback: list[Problem] = []
            document = _parse_yaml(source, text, fallback)
            if document is not None:
                problems.extend(fallback)
                return document
        problems.append(
            Problem(source.name, f"invalid JSON: {error.msg}", None, error.lineno, error.colno)
        )
        return None
    except RecursionError:
        problems.append(Problem(source.name, f"the document nests more than {MAX_DEPTH} levels"))
        return None
    root = _compose_quietly(text)
    document = Document(source, data, root)
    if root is not None:
        message = _check_size(root)
        if message:
            problems.append(Problem(source.name, message, None, 1, 1))
            return None
    for key in duplicates:
        problems.append(Problem(source.name, f"duplicate key {key!r}", None, None, None))
    return document


def _compose_quietly(text: str) -> yaml.Node | None:
    """Positions for a JSON document: JSON is nearly always valid YAML flow style."""
    try:
        loader = _BaseLoader(text)
        try:
            node: yaml.Node | None = loader.get_single_node()
            return node
        finally:
            loader.dispose()
    except (yaml.YAMLError, RecursionError):
        return None


def _parse_yaml(source: Source, text: str, problems: list[Problem]) -> Document | None:
    loader = _PositionLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return Document(source, None, None)
        message = _check_size(root)
        if message:
            problems.append(Problem(source.name, message, None, 1, 1))
            return None
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = error.problem or error.context or "syntax error"
        problems.append(
            Problem(
                source.name,
                f"invalid YAML: {reason}",
                None,
                mark.line + 1 if mark else None,
                mark.column + 1 if mark else None,
            )
        )
        return None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        character = error.character if isinstance(error.character, str) else chr(error.character)
        problems.append(
            Problem(
                source.name,
                f"invalid YAML: control character U+{ord(character):04X} is not allowed",
                None,
                line,
                column,
            )
        )
        return None
    except yaml.YAMLError as error:
        problems.append(Problem(source.name, f"invalid YAML: {error}"))
        return None
    except RecursionError:
        problems.append(Problem(source.name, f"the document nests more than {MAX_DEPTH} levels"))
        return None
    finally:
        loader.dispose()
    for key_node, key in loader.duplicates:
        problems.append(
            Problem(
                source.name,
                f"duplicate key {key!r}",
                None,
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
        )
    return Document(source, data, root)


JSON_SCALARS = (str, int, float, bool, type(None))


def check_json_compatible(
    document: Document, report: Callable[[DocPath, str], None], path: DocPath = ()
) -> None:
    """Report values that JSON cannot hold (dates, binary, non-string keys)."""

    def walk(value: Any, at: DocPath) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                if not isinstance(key, str):
                    report(at, f"key {key!r} is not a string; quote it")
                    continue
                walk(child, (*at, key))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, (*at, index))
        elif isinstance(value, float) and math.isnan(value):  # NaN has no JSON form
            report(at, "NaN is not a JSON value")
        elif not isinstance(value, JSON_SCALARS):
            kind = type(value).__name__
            report(at, f"a YAML {kind} is not a JSON value; quote it to make it a string")

    walk(document.data, path)

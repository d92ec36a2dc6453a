"""Stage 1 of the pipeline: read inputs and parse YAML or JSON, keeping positions.

Every parsed value can be traced back to its line and column, so that later
stages can say `user.yml:12:3: users[0].name: ...` about it.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AnyStr, BinaryIO

import yaml

# Re-exported for validation/files.py, inputs/machine_file.py and serve/, which other work
# is rewriting as this moves; new code imports it from configdrive.errors.
from configdrive.problems import DocPath, Problem

# User data, meta data, network data, vendor data and key files are documents: a person
# writes them and every reader holds them whole in memory. Nova's API caps user data at
# 64 KiB and no reader wants megabytes of metadata, so a bigger one is a mistake (or an
# attack on this tool's memory and the VM's); it is refused before it is read. Files
# injected with --file are not documents: they are streamed and have no such limit.
MAX_DOCUMENT_SIZE = 16 * 1024 * 1024
_LIMIT = f"{MAX_DOCUMENT_SIZE // (1024 * 1024)} MiB"
# A cloud-config of a few thousand lines has tens of thousands of nodes; YAML aliases
# can make a 1 KiB file expand to billions ("billion laughs"), which no reader survives.
# Validating 100,000 values takes about a second; a flat document with more (16 MiB of
# `[1,1,1,...]`) would need gigabytes as Python objects, so the parser's events are
# counted before a single node is built.
MAX_EXPANDED_NODES = 100_000
# Deeper nesting than this is never configuration, and it would exhaust Python's stack.
MAX_DEPTH = 100

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Source:
    """The raw bytes of one input and the name messages call it by."""

    name: str
    data: bytes
    path: Path | None = None


class DocumentTooLargeError(OSError):
    """A document over MAX_DOCUMENT_SIZE, refused before it was read."""

    def __init__(self, message: str) -> None:
        super().__init__(errno.EFBIG, message)


def read_source(path: str | os.PathLike[str], stdin: BinaryIO | None = None) -> Source:
    """Read one input document (`-` is standard input), at most MAX_DOCUMENT_SIZE bytes.

    Raises OSError with a readable message; DocumentTooLargeError for a bigger document.
    """
    limit = f"a document may be at most {_LIMIT} ({MAX_DOCUMENT_SIZE:,} bytes)"
    if str(path) == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        # A pipe has no size to look at: read one byte past the limit, and no further.
        data = _read_at_most(stream, MAX_DOCUMENT_SIZE)
        if len(data) > MAX_DOCUMENT_SIZE:
            raise DocumentTooLargeError(
                f"standard input goes on past {MAX_DOCUMENT_SIZE:,} bytes; {limit}"
            )
        return Source("<stdin>", data)
    file_path = Path(path)
    size = regular_file(file_path).st_size
    if size > MAX_DOCUMENT_SIZE:
        raise DocumentTooLargeError(f"the file is {size:,} bytes; {limit}")
    with file_path.open("rb") as stream:
        # A file may grow after stat(), and /proc files say they are empty: read to the limit.
        data = _read_at_most(stream, MAX_DOCUMENT_SIZE)
    if len(data) > MAX_DOCUMENT_SIZE:
        raise DocumentTooLargeError(f"the file goes on past {MAX_DOCUMENT_SIZE:,} bytes; {limit}")
    return Source(str(path), data, file_path)


def _read_at_most(stream: BinaryIO, limit: int) -> bytes:
    """Up to `limit` + 1 bytes (one more than allowed tells a document is too large).

    In chunks: read(n) would set aside all n bytes at once, however short the input.
    """
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = stream.read(min(1024 * 1024, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def document_size_problem(source: Source, label: str) -> Problem | None:
    """A document given as bytes (the API) is held to the limit files are held to."""
    if len(source.data) <= MAX_DOCUMENT_SIZE:
        return None
    return Problem(
        source.name,
        f"{label} is {len(source.data):,} bytes; a document may be at most "
        f"{_LIMIT} ({MAX_DOCUMENT_SIZE:,} bytes)",
    )


def regular_file(path: Path) -> os.stat_result:
    """Stat an input file, refusing folders, FIFOs, devices and unreadable files (OSError)."""
    if "\0" in str(path):
        # No file name holds NUL; Python would raise ValueError, not OSError, at the system call.
        raise OSError(errno.EINVAL, "the name holds a NUL character")
    info = path.stat()
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError("is a folder, not a file")
    # Opening a FIFO or a device would block or read forever; only regular files are inputs.
    if not stat.S_ISREG(info.st_mode):
        raise OSError("is not a regular file")
    if not os.access(path, os.R_OK):
        raise PermissionError("is not readable")
    return info


# The kernel's pseudo files say nothing true about their size: a /proc file reports 0 bytes
# and a /sys attribute one page, whatever they hold. An injected file that reports this
# much or less is read whole when it is checked (a real one costs at most a page); when
# what was read is not what was reported, the drive carries what was read. What such
# files hold beyond what they reported shares one budget, so /proc/self/pagemap (endless)
# is refused, not read for ever.
SMALL_FILE_SIZE = 4096
MAX_UNREPORTED_BYTES = MAX_DOCUMENT_SIZE


@dataclass
class UnreportedBudget:
    """The bytes small files may still hold beyond the size the kernel reported for them."""

    remaining: int = MAX_UNREPORTED_BYTES


def read_small_file(path: Path, reported: int, budget: UnreportedBudget) -> bytes:
    """All of a file whose reported size is at most SMALL_FILE_SIZE (OSError if it goes on).

    Raises DocumentTooLargeError when it holds more than its size plus what is left of
    `budget`.
    """
    limit = reported + budget.remaining
    # O_NONBLOCK: should a FIFO have taken the file's place since it was looked at, opening
    # it does not wait for a writer; fstat then refuses it (regular files ignore the flag).
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("is not a regular file")
        data = _read_at_most(stream, limit)
    if len(data) > limit:
        raise DocumentTooLargeError(
            f"its size is reported as {reported:,} bytes but it goes on past {limit:,} "
            f"(a /proc or /sys file?); such files are read whole, up to {_LIMIT} more than "
            "reported in all: copy what the VM needs to a regular file"
        )
    budget.remaining -= max(0, len(data) - reported)
    return data


def printable(text: str) -> str:
    """`text` with control characters and undecodable bytes escaped (\\n, \\x1b, \\udcff).

    Safe to show on a terminal, and to encode: a name from the command line may hold
    bytes that are not UTF-8, which Python keeps as lone surrogates.
    """
    unsafe = ("Cc", "Cs")
    if not any(unicodedata.category(character) in unsafe for character in text):
        return text
    return "".join(
        repr(character)[1:-1] if unicodedata.category(character) in unsafe else character
        for character in text
    )


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

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            # PyYAML's constructors for explicit tags (!!int, !!bool, !!float, !!timestamp) fail
            # with plain exceptions that quote the value, and the value may be a password.
            tag = str(node.tag).rpartition(":")[2]
            raise yaml.constructor.ConstructorError(
                None, None, f"the value cannot be read as !!{tag}", node.start_mark
            ) from None


# PyYAML quotes the document in a few messages. A value starting with ! is a tag to YAML and
# one starting with * an alias, so the quote may be a password: say what is wrong without it
# (the line and column still point at it).
_QUOTING_REASONS = (
    (
        "could not determine a constructor for the tag",
        "unknown tag (a value starting with '!' is a YAML tag; quote the value if it is text)",
    ),
    (
        "found undefined alias",
        "undefined alias (a value starting with '*' is a YAML alias; "
        "quote the value if it is text)",
    ),
    ("found undefined tag handle", "undefined tag handle"),
    ("found duplicate anchor", "duplicate anchor"),
)


def _unquoted_reason(reason: str) -> str:
    for start, replacement in _QUOTING_REASONS:
        if reason.startswith(start):
            return replacement
    return reason


TOO_DEEP = f"the document nests more than {MAX_DEPTH} levels deep"
TOO_MANY_VALUES = (
    f"the document holds more than {MAX_EXPANDED_NODES} values; configuration needs far fewer"
)


@dataclass
class Budget:
    """What one input may still cost, shared by all its parts (MIME parts, gzip layers).

    The limits hold for a whole input, not for each part: 80 MIME parts of 100,000 values
    each would take a minute to validate, 700 gzip parts of 16 MiB each a quarter of an hour.
    """

    values: int = MAX_EXPANDED_NODES
    decompressed: int = MAX_DOCUMENT_SIZE

    def too_many_values(self, expanded: bool = False) -> str:
        """The message for a document over the values left in this budget."""
        if self.values < MAX_EXPANDED_NODES:
            return f"the input holds more than {MAX_EXPANDED_NODES} values in all its parts"
        if expanded:
            return (
                f"the document expands to more than {MAX_EXPANDED_NODES} values "
                "(YAML aliases repeating other aliases?)"
            )
        return TOO_MANY_VALUES


@dataclass(frozen=True)
class _Refusal:
    """Why a document is refused before it is built, and where (None: the whole document)."""

    message: str
    line: int = 1
    column: int = 1

    @classmethod
    def at(cls, message: str, mark: Any) -> _Refusal:
        """A refusal located at a parser mark (0-based line and column)."""
        return cls(message, mark.line + 1, mark.column + 1)

    def problem(self, source: Source) -> Problem:
        return Problem(source.name, self.message, None, self.line, self.column)


def _scan_yaml(text: str, budget: Budget) -> _Refusal | None:
    """Count nodes and nesting from the parser's events, before any node is built.

    Syntax errors propagate as the composer would raise them, at the same place.
    """
    loader = _BaseLoader(text)
    nodes = depth = 0
    try:
        while True:
            event = loader.get_event()  # type: ignore[no-untyped-call]
            if isinstance(event, yaml.events.NodeEvent):
                nodes += 1
                if nodes > budget.values:
                    return _Refusal.at(budget.too_many_values(), event.start_mark)
            if isinstance(event, yaml.events.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return _Refusal.at(TOO_DEEP, event.start_mark)
            elif isinstance(event, yaml.events.CollectionEndEvent):
                depth -= 1
            elif event is None or isinstance(event, yaml.events.StreamEndEvent):
                return None
    finally:
        loader.dispose()


# A JSON string (escapes included), or one of the characters that open, separate or close.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{,:\]}]')


def _scan_json(text: str, budget: Budget) -> tuple[_Refusal | None, int]:
    """The limits of _scan_yaml for JSON text, before json.loads builds anything.

    Every value or key but the first follows a '[', '{', ',' or ':' outside a string, so
    counting those bounds the values from above; the scan stops at the first limit passed.
    """
    values = 1
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        character = token.group()
        if character[0] == '"':
            continue
        if character in "]}":
            depth -= 1
            continue
        values += 1
        if values > budget.values:
            return _at_offset(budget.too_many_values(), text, token.start()), values
        if character in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return _at_offset(TOO_DEEP, text, token.start()), values
    return None, values


def json_size_problem(source: Source, budget: Budget | None = None) -> Problem | None:
    """The limits parse_document applies, for JSON that is parsed elsewhere (Ignition)."""
    budget = budget if budget is not None else Budget()
    refusal, values = _scan_json(source.data.decode("utf-8", "replace"), budget)
    if refusal is not None:
        return refusal.problem(source)
    budget.values -= values
    return None


def drive_document_refusal(source: Source, *, json_only: bool = False) -> Problem | None:
    """Why a document read from a drive is refused before any parser builds it, or None.

    A drive's documents are held to build's limits (MAX_DOCUMENT_SIZE, MAX_DEPTH,
    MAX_EXPANDED_NODES, no document that contains itself), so that a reader's parser, run
    on them afterwards as the reader runs it, never recurses without end, expands a YAML
    alias bomb or holds millions of values. Syntax is not judged here: what a reader makes
    of broken JSON or YAML is that reader's own verdict. `json_only`: the reader parses
    JSON (config drives), else YAML (NoCloud seeds), which JSON text is too.
    """
    if too_large := document_size_problem(source, "the document"):
        return too_large
    # Undecodable bytes stay undecodable to the reader, which says so itself; U+FFFD keeps
    # the structure around them for the count.
    text = source.data.decode("utf-8", "replace")
    budget = Budget()
    if json_only:
        refusal, _ = _scan_json(text, budget)
        return refusal.problem(source) if refusal is not None else None
    loader = _BaseLoader(text)
    try:
        refusal = _scan_yaml(text, budget)
        if refusal is None:
            root = loader.get_single_node()
            refusal = _check_size(root, budget) if root is not None else None
    except yaml.MarkedYAMLError as error:
        # libyaml's scanner runs ahead of the events and stops at 1000 levels of flow style.
        if (error.problem or "") != "exceeded maximum nesting depth":
            return None
        mark = error.problem_mark or error.context_mark
        refusal = _Refusal.at(TOO_DEEP, mark) if mark is not None else _Refusal(TOO_DEEP)
    except yaml.YAMLError:
        return None
    except RecursionError:  # the scan allows MAX_DEPTH levels; this is a last resort
        refusal = _Refusal(TOO_DEEP)
    finally:
        loader.dispose()
    return refusal.problem(source) if refusal is not None else None


def _at_offset(message: str, text: str, offset: int) -> _Refusal:
    return _Refusal(message, *_line_and_column(text, offset, "\n"))


def _check_size(root: yaml.Node, budget: Budget) -> _Refusal | None:
    """Refuse documents whose aliases expand beyond reason, nest too deeply or hold themselves.

    Aliases are not copies while the document is a node tree, but every consumer (the
    schema, json.dumps, the reader on the VM) sees them expanded, so both the values and
    the text they expand to are counted, each shared node once.
    """
    sizes: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node, depth: int) -> tuple[int, int]:
        if id(node) in open_nodes:
            raise _Refused(
                _Refusal.at(
                    "the document contains itself (an alias inside its own anchor)", node.start_mark
                )
            )
        if depth > MAX_DEPTH:
            raise _Refused(_Refusal.at(TOO_DEEP, node.start_mark))
        known = sizes.get(id(node))
        if known is not None:
            return known
        open_nodes.add(id(node))
        values, characters = 1, 0
        if isinstance(node, yaml.ScalarNode):
            characters = len(node.value)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        for child in children:
            child_values, child_characters = size(child, depth + 1)
            values += child_values
            characters += child_characters
        open_nodes.discard(id(node))
        result = (min(values, budget.values + 1), min(characters, MAX_DOCUMENT_SIZE + 1))
        sizes[id(node)] = result
        return result

    try:
        values, characters = size(root, 0)
    except _Refused as refused:
        return refused.refusal
    if values > budget.values:
        return _Refusal(budget.too_many_values(expanded=True))
    if characters > MAX_DOCUMENT_SIZE:
        return _Refusal(
            f"the document expands to more than {_LIMIT} of text "
            "(YAML aliases repeating a long value?)"
        )
    budget.values -= values
    return None


class _Refused(Exception):
    def __init__(self, refusal: _Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def decode_text(
    source: Source, problems: list[Problem], *, what: str = "the document"
) -> str | None:
    """Decode UTF-8 (a leading byte order mark is dropped), or report where it is not UTF-8."""
    try:
        return source.data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _line_and_column(source.data, error.start, b"\n")
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


def _line_and_column(data: AnyStr, offset: int, newline: AnyStr) -> tuple[int, int]:
    """The 1-based line and column of `offset` in `data` (text, or bytes not yet decoded)."""
    line = data.count(newline, 0, offset) + 1
    column = offset - (data.rfind(newline, 0, offset) + 1) + 1
    return line, column


def parse_document(
    source: Source,
    problems: list[Problem],
    *,
    text: str | None = None,
    budget: Budget | None = None,
) -> Document | None:
    """Parse a YAML or JSON document; on failure add problems and return None.

    `budget` is shared by the parts of one input; each document has its own by default.
    """
    if text is None:
        text = decode_text(source, problems)
        if text is None:
            return None
    budget = budget if budget is not None else Budget()
    if _looks_like_json(source, text):
        return _parse_json(source, text, problems, budget)
    return _parse_yaml(source, text, problems, budget)


def _looks_like_json(source: Source, text: str) -> bool:
    suffix = source.path.suffix.lower() if source.path else ""
    if suffix == ".json":
        return True
    if suffix in (".yml", ".yaml"):
        return False
    return text.lstrip()[:1] in ("{", "[")


def _parse_json(
    source: Source, text: str, problems: list[Problem], budget: Budget
) -> Document | None:
    duplicates: list[str] = []

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                duplicates.append(key)
            result[key] = value
        return result

    declared = source.path is not None and source.path.suffix.lower() == ".json"
    refusal, values = _scan_json(text, budget)
    if refusal is not None:
        # The scan knows JSON only: text that merely looks like JSON gets YAML's exact count.
        if not declared:
            return _parse_yaml(source, text, problems, budget)
        problems.append(refusal.problem(source))
        return None
    try:
        data = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as error:
        if not declared:
            # Not declared JSON and not JSON: it may well be YAML in flow style.
            fallback: list[Problem] = []
            document = _parse_yaml(source, text, fallback, budget)
            if document is not None:
                problems.extend(fallback)
                return document
        problems.append(
            Problem(source.name, f"invalid JSON: {error.msg}", None, error.lineno, error.colno)
        )
        return None
    except RecursionError:  # the scan allows MAX_DEPTH levels; this is a last resort
        problems.append(Problem(source.name, TOO_DEEP, None, 1, 1))
        return None
    except ValueError:  # int() refuses more than 4300 digits (sys.get_int_max_str_digits)
        problems.append(Problem(source.name, "invalid JSON: a number has too many digits to read"))
        return None
    # JSON has no aliases: the scan has bounded the values, so composing is safe.
    budget.values -= values
    root = _compose_quietly(text)
    document = Document(source, data, root)
    located = _duplicate_key_nodes(root) if root is not None else []
    if len(located) == len(duplicates):
        for key_node in located:
            line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            problems.append(
                Problem(source.name, f"duplicate key {key_node.value!r}", None, line, column)
            )
    else:
        for key in duplicates:
            problems.append(Problem(source.name, f"duplicate key {key!r}", None, None, None))
    return document


def _duplicate_key_nodes(root: yaml.Node) -> list[yaml.ScalarNode]:
    """The key nodes that repeat an earlier key of the same mapping, in document order."""
    found: list[yaml.ScalarNode] = []
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in seen:
                        found.append(key_node)
                    seen.add(key_node.value)
                pending.append(value_node)
    return sorted(found, key=lambda node: node.start_mark.index)


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


def _parse_yaml(
    source: Source, text: str, problems: list[Problem], budget: Budget
) -> Document | None:
    loader = _PositionLoader(text)
    try:
        refusal = _scan_yaml(text, budget)
        if refusal is None:
            root = loader.get_single_node()
            if root is None:
                return Document(source, None, None)
            refusal = _check_size(root, budget)
        if refusal is not None:
            problems.append(refusal.problem(source))
            return None
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = _unquoted_reason(error.problem or error.context or "syntax error")
        # libyaml's scanner runs ahead of the events and stops at 1000 levels of flow style.
        too_deep = reason == "exceeded maximum nesting depth"
        problems.append(
            Problem(
                source.name,
                TOO_DEEP if too_deep else f"invalid YAML: {reason}",
                None,
                mark.line + 1 if mark else None,
                mark.column + 1 if mark else None,
            )
        )
        return None
    except yaml.reader.ReaderError as error:
        line, column = _line_and_column(text, error.position, "\n")
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
    except RecursionError:  # the scan allows MAX_DEPTH levels; this is a last resort
        problems.append(Problem(source.name, TOO_DEEP, None, 1, 1))
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
                if message := control_character_problem(key):
                    report((*at, key), message)
                walk(child, (*at, key))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, (*at, index))
        elif isinstance(value, float) and not math.isfinite(value):  # JSON has no form for them
            report(at, f"{'NaN' if math.isnan(value) else 'infinity'} is not a JSON value")
        elif not isinstance(value, JSON_SCALARS):
            kind = type(value).__name__
            report(at, f"a YAML {kind} is not a JSON value; quote it to make it a string")

    walk(document.data, path)


def control_character_problem(key: str) -> str | None:
    """Why a key is no name (it holds a control character), or None.

    YAML refuses raw control characters, but escapes ("\\x07", "\\u0000") put them into
    keys; no reader has such a key, and a terminal showing one can be made to lie.
    """
    for character in key:
        if unicodedata.category(character) == "Cc":
            return f"the key holds control character U+{ord(character):04X}; keys are names"
    return None


def control_character_keys(data: Any, at: DocPath = ()) -> Iterator[tuple[DocPath, str]]:
    """The path of every key in `data` that holds a control character, with the reason."""
    if isinstance(data, dict):
        for key, child in data.items():
            if isinstance(key, str):
                if message := control_character_problem(key):
                    yield (*at, key), message
                yield from control_character_keys(child, (*at, key))
    elif isinstance(data, list):
        for index, child in enumerate(data):
            yield from control_character_keys(child, (*at, index))

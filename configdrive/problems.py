"""Problems found in the inputs: where they are, what is wrong, how bad it is.

A problem is data, not an exception: every stage collects them so that a user
sees everything wrong with the inputs at once, sorted, one a line.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PathElement = str | int
DocPath = tuple[PathElement, ...]

_BARE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class Severity(str, enum.Enum):
    """How bad a problem is: errors stop the build, warnings do not (unless --strict)."""

    ERROR = "error"
    WARNING = "warning"


def format_path(path: Sequence[PathElement]) -> str:
    """Render a path inside a document the way a person reads it: users[0].name."""
    out = ""
    for element in path:
        if isinstance(element, int) and not isinstance(element, bool):
            out += f"[{element}]"
        elif not isinstance(element, str):  # a YAML key that is no string: null, true, 1.5
            out += f"[{json.dumps(element, default=repr)}]"
        elif _BARE_KEY.fullmatch(element):  # fullmatch: `$` would accept a final newline
            out += f".{element}" if out else element
        else:
            # Keys with dots, spaces or control characters are quoted so the path stays unambiguous.
            out += f"[{_quote(element)}]"
    return out or "$"


def _quote(key: str) -> str:
    escaped = key.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    return f'"{escaped}"'


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, located as precisely as the input allows."""

    file: str
    message: str
    path: DocPath | None = None
    line: int | None = None
    column: int | None = None
    severity: Severity = Severity.ERROR

    @property
    def location(self) -> str:
        """`file:line:col`, or as much of it as is known."""
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"

    @property
    def path_text(self) -> str | None:
        """The document path as text, or None when the problem is about the whole input."""
        return None if self.path is None else format_path(self.path)

    def __str__(self) -> str:
        parts = [self.location]
        if self.severity is Severity.WARNING:
            parts.append("warning")
        if self.path is not None:
            parts.append(format_path(self.path))
        parts.append(self.message)
        return ": ".join(parts)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order by file, then position, then path and message."""
        return (self.file, self.line or 0, self.column or 0, self.path_text or "", self.message)

    def as_error(self) -> Problem:
        """The same problem, promoted to an error (for --strict)."""
        return Problem(self.file, self.message, self.path, self.line, self.column, Severity.ERROR)

    def to_json(self) -> dict[str, object]:
        """A JSON-ready form for --json output."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path_text,
            "severity": self.severity.value,
            "message": self.message,
        }


def closest_key(key: object, known: Iterable[str]) -> str | None:
    """The known key that `key` is most likely a typo of, or None when none is close.

    Case and the dash/underscore spelling are ignored first (`SSH-Authorized-Keys`), then
    difflib's ratio must reach 0.8: `ssh_authorised_keys`, `write_file` and `runcmds` match,
    while a key that shares only a word (`packages` and `package_update`) does not.
    """
    if not isinstance(key, str) or not key:
        return None
    import difflib  # only when a key is unknown: most documents never need it

    def normal(name: str) -> str:
        return name.lower().replace("-", "_")

    by_normal: dict[str, str] = {}
    # Where a key has both spellings, suggest the one the user writes (dashes or underscores).
    for name in sorted(known, key=lambda name: ("-" in name) != ("-" in key)):
        by_normal.setdefault(normal(name), name)
    wanted = normal(key)
    if wanted in by_normal and by_normal[wanted] != key:
        return by_normal[wanted]
    matches = difflib.get_close_matches(wanted, list(by_normal), n=1, cutoff=0.8)
    return by_normal[matches[0]] if matches and by_normal[matches[0]] != key else None


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Sort problems and drop exact duplicates (one bad value can fail two checks alike)."""
    unique = {(p.sort_key(), p.severity): p for p in problems}
    return [unique[key] for key in sorted(unique)]


def errors_in(problems: Iterable[Problem]) -> list[Problem]:
    """Only the errors among problems."""
    return [p for p in problems if p.severity is Severity.ERROR]

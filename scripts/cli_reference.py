#!/usr/bin/env python3
"""Write docs/reference/cli.md and docs/man/mkconfigdrive.1 from the commands themselves.

Both are made by walking the Click command tree Typer builds from configdrive/cli/app.py:
every command's usage line, help text, arguments and options, exactly as --help knows
them, so the reference cannot drift from the program. Run it after changing a command,
an option or a help text; tests/test_cli_reference.py checks that the committed files are
what it writes now.

    .venv/bin/python scripts/cli_reference.py
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MARKDOWN = ROOT / "docs" / "reference" / "cli.md"
MAN_PAGE = ROOT / "docs" / "man" / "mkconfigdrive.1"
PROG = "mkconfigdrive"

# The man page's hand-written sections: what the command tree does not know.
EXIT_STATUS = [
    ("0", "Success: the drive was built, the files are valid, the drive is accepted."),
    (
        "1",
        "Invalid input: every problem is listed and nothing was written; for inspect, "
        "a drive no reader accepts; for diff, drives that differ.",
    ),
    ("2", "Usage: an unknown option, a bad value, a bad SOURCE_DATE_EPOCH."),
    (
        "3",
        "I/O failure: the output exists (without --force), its folder is missing or not "
        "writable, writing or reading failed; nothing is left at the output path.",
    ),
    ("70", "Internal error: a bug in mkconfigdrive (run again with --debug and report it)."),
    ("130", "Interrupted (Ctrl-C, SIGTERM or SIGHUP); nothing partial is left."),
]
ENVIRONMENT = [
    (
        "SOURCE_DATE_EPOCH",
        "The timestamp of every date on a drive (seconds since 1970); "
        "otherwise 1980-01-01T00:00:00Z.",
    ),
    (
        "_MKCONFIGDRIVE_COMPLETE",
        "Set by the completion scripts of mkconfigdrive completion; not for people.",
    ),
]


@dataclass(frozen=True)
class Entry:
    """One argument or option as --help shows it."""

    names: str  # "-o, --output FILE" or "USER_DATA"
    help: str  # with Click's extras: "[default: ...]", "[required]"


@dataclass(frozen=True)
class CommandDoc:
    """One command (or group) of the tree, with what its --help says."""

    path: str  # "mkconfigdrive image import"
    usage: str  # "mkconfigdrive image import [OPTIONS] SOURCE"
    help: str  # paragraphs separated by blank lines
    short_help: str
    arguments: list[Entry]
    options: list[Entry]
    subcommands: list[str]


def _root_command() -> Any:
    """The Click command Typer runs for `mkconfigdrive` (its vendored Click classes)."""
    import typer.main

    from configdrive.cli.app import app

    return typer.main.get_command(app)


def walk() -> Iterator[CommandDoc]:
    """Every command of mkconfigdrive, depth first, in --help's order."""
    root = _root_command()
    yield from _walk(root, root.context_class(root, info_name=PROG))


def _walk(command: Any, ctx: Any) -> Iterator[CommandDoc]:
    subcommands = list(command.list_commands(ctx)) if hasattr(command, "list_commands") else []
    yield _describe(command, ctx, subcommands)
    for name in subcommands:
        child = command.get_command(ctx, name)
        if child is None or child.hidden:
            continue
        yield from _walk(child, child.context_class(child, info_name=name, parent=ctx))


def _describe(command: Any, ctx: Any, subcommands: list[str]) -> CommandDoc:
    arguments: list[Entry] = []
    options: list[Entry] = []
    help_names = set(ctx.help_option_names)
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False) or help_names & set(param.opts):
            continue
        record = param.get_help_record(ctx)
        if param.param_type_name == "argument":
            names = record[0] if record else param.make_metavar(ctx)
            text = record[1] if record else ""
            arguments.append(Entry(_unbraced(names), text))
        elif record is not None:
            options.append(Entry(record[0], record[1]))
    usage = " ".join([ctx.command_path, *command.collect_usage_pieces(ctx)])
    return CommandDoc(
        path=ctx.command_path,
        usage=usage,
        help=_paragraphs(command.help or ""),
        short_help=command.get_short_help_str(limit=200),
        arguments=arguments,
        options=options,
        subcommands=subcommands,
    )


def _unbraced(text: str) -> str:
    # Typer writes required arguments as {NAME} in help records; the usage lines say NAME.
    return text[1:-1] if text.startswith("{") and text.endswith("}") else text


def _paragraphs(text: str) -> str:
    """A docstring as paragraphs, each on one line (Click rewraps them for the terminal)."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip() and p != "\b")


# ------------------------------------------------------------------------------ Markdown


def _markdown_text(text: str) -> str:
    """Help text as Markdown: code spans kept, what Markdown would read as markup escaped."""
    pieces = re.split(r"(`[^`]*`)", text)
    out = []
    for piece in pieces:
        if piece.startswith("`") and piece.endswith("`") and len(piece) > 1:
            out.append(piece.replace("|", "\\|"))
        else:
            out.append(re.sub(r"([\\*_\[\]|<>#])", r"\\\1", piece))
    return "".join(out)


def render_markdown() -> str:
    """docs/reference/cli.md."""
    lines = [
        "# Command-line reference",
        "",
        "<!-- Written by scripts/cli_reference.py from the commands; do not edit by hand. -->",
        "",
        "Every command, argument and option, as `--help` shows them (this page is generated",
        "from the commands, and a test fails when it is out of date). Every command also",
        "takes `--help`. The same text is in the man page, `man -l docs/man/mkconfigdrive.1`.",
        "",
    ]
    for doc in walk():
        depth = doc.path.count(" ")
        lines += [f"{'#' * min(depth + 2, 4)} `{doc.path}`", ""]
        lines += ["```text", doc.usage, "```", ""]
        if doc.help:
            lines += [_markdown_text(doc.help), ""]
        if doc.subcommands:
            lines += ["| command | what it does |", "|---|---|"]
            for name in doc.subcommands:
                child = f"{doc.path} {name}"
                lines.append(f"| [`{name}`](#{_anchor(child)}) | {_subcommand_help(child)} |")
            lines.append("")
        entries = [*doc.arguments, *doc.options]
        if entries:
            lines += ["| argument or option | meaning |", "|---|---|"]
            for entry in entries:
                names = entry.names.replace("|", "\\|")
                lines.append(f"| `{names}` | {_markdown_text(entry.help)} |")
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


_SHORT_HELP: dict[str, str] = {}


def _subcommand_help(path: str) -> str:
    if not _SHORT_HELP:
        _SHORT_HELP.update({doc.path: doc.short_help for doc in walk()})
    return _markdown_text(_SHORT_HELP[path])


def _anchor(path: str) -> str:
    """The id Python-Markdown's toc extension gives the heading `` `path` ``."""
    return re.sub(r"[^\w\- ]", "", path).strip().lower().replace(" ", "-")


# ------------------------------------------------------------------------------ man page


def _roff(text: str) -> str:
    """Text safe in roff: backslashes, hyphens, and lines that would read as requests."""
    text = text.replace("\\", "\\e").replace("-", "\\-").replace("`", "")
    return "\n".join(
        "\\&" + line if line.startswith((".", "'")) else line for line in text.split("\n")
    )


def render_man() -> str:
    """docs/man/mkconfigdrive.1 (man(7) macros; no date, so that it is reproducible)."""
    from configdrive import __version__

    docs = list(walk())
    root, commands = docs[0], docs[1:]
    lines = [
        '.\\" Written by scripts/cli_reference.py from the commands; do not edit by hand.',
        f'.TH MKCONFIGDRIVE 1 "" "mkconfigdrive {__version__}" "User Commands"',
        ".SH NAME",
        f"mkconfigdrive \\- {_roff(_first_sentence(root.help))}",
        ".SH SYNOPSIS",
    ]
    for doc in commands:
        if not doc.subcommands:
            lines += [".PP", f".B {_roff(doc.path)}", _roff(doc.usage[len(doc.path) + 1 :])]
    lines += [".SH DESCRIPTION", _roff(root.help), ".SH COMMANDS"]
    for doc in commands:
        lines += [f'.SS "{_roff(doc.path)}"', f".B {_roff(doc.usage)}"]
        for paragraph in doc.help.split("\n\n"):
            lines += [".PP", _roff(paragraph)]
        for entry in [*doc.arguments, *doc.options]:
            lines += [".TP", f".B {_roff(entry.names)}", _roff(entry.help or "")]
    lines += [".SH EXIT STATUS"]
    for code, meaning in EXIT_STATUS:
        lines += [".TP", f".B {code}", _roff(meaning)]
    lines += [".SH ENVIRONMENT"]
    for name, meaning in ENVIRONMENT:
        lines += [".TP", f".B {_roff(name)}", _roff(meaning)]
    lines += [
        ".SH SEE ALSO",
        "The documentation in docs/ (mkdocs build), and docs/reference/cli.md, made from the "
        "same commands as this page.",
    ]
    return "\n".join(lines) + "\n"


def _first_sentence(text: str) -> str:
    """The NAME line's description: lower case and no full stop, as man pages write it."""
    first = text.split("\n\n", maxsplit=1)[0].rstrip(".")
    return first[:1].lower() + first[1:]


def main() -> int:
    """Write both files."""
    MARKDOWN.parent.mkdir(parents=True, exist_ok=True)
    MAN_PAGE.parent.mkdir(parents=True, exist_ok=True)
    MARKDOWN.write_text(render_markdown(), encoding="utf-8")
    MAN_PAGE.write_text(render_man(), encoding="utf-8")
    print(f"wrote {MARKDOWN.relative_to(ROOT)} and {MAN_PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

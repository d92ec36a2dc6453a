"""Every code example in README.md and docs/ runs, as it is written there.

The conventions (docs/contributing.md says them to writers):

- ```` ```console ```` blocks hold `$ ` commands, each followed by the output it prints
  (stdout and stderr together). Each command must exit 0, and print exactly the output
  shown; a line `...` in it stands for any lines, and `...` inside a line for any text.
- ```` ```sh ```` blocks are scripts, run whole by `bash -e`; ```` ```python ```` blocks
  run with the project's Python (with pytest when they define a `test_` function).
- A block whose fence says `title="NAME"` (any language) is written to NAME first, so
  later examples on the page can use it.
- `<!-- exit: N -->` before a console block: its commands must exit N instead.
- `<!-- not-run: reason -->` before a block: it is not run (a VM boot, the network, root).
  Those are listed in NOT_RUN below, so that each one is a decision.

Each page runs in a fresh temporary folder of its own, top to bottom, with `fixtures/` in
it, the project's `mkconfigdrive` first on PATH, and a HOME whose `~/.ssh/id_ed25519.pub`
is the fixture key.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, ROOT

PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
RUN_LANGUAGES = {"console", "sh", "python"}
HANG_GUARD = 600  # seconds; a guard against a hung example, never an assertion on speed

# (page, reason) of every block that is not run, once per block: keep it short.
NOT_RUN = [
    (
        "README.md",
        "the test suite itself, and a PyPI install; test_readme_first_command runs its build",
    ),
    ("README.md", "clones from GitHub and installs from PyPI"),
    (
        "README.md",
        "boots a VM for minutes; tests/boot/test_try.py runs the same command on a real boot",
    ),
    ("README.md", "boots a VM (needs qemu, KVM and a downloaded cloud image)"),
    (
        "README.md",
        "starts a server that runs until stopped (tests/test_serve_http.py runs it)",
    ),
    (
        "README.md",
        "needs PostgreSQL and HAProxy hosts "
        "(tests/interop/test_interop_datacentre.py runs this on loopback)",
    ),
    ("docs/contributing.md", "installs from PyPI and runs this very suite"),
    (
        "docs/contributing.md",
        "writes into the checkout (tests/test_cli_reference.py checks what it writes)",
    ),
    ("docs/tutorial.md", "clones from GitHub and installs from PyPI"),
    (
        "docs/how-to/try.md",
        "boots a VM for minutes; tests/boot/test_try.py runs the same command on a real boot",
    ),
    (
        "docs/how-to/try.md",
        "boots a VM for minutes; tests/boot/test_try_metadata.py runs the same commands",
    ),
    ("docs/tutorial.md", "boots a VM (needs qemu, KVM and a downloaded cloud image)"),
    (
        "docs/how-to/serve.md",
        "each starts a server that runs until stopped (tests/test_serve_http.py runs them)",
    ),
    (
        "docs/how-to/check-drives.md",
        "needs a drive made by Nova's genisoimage command (fixtures/drives/nova-genisoimage)",
    ),
    (
        "docs/how-to/distributors.md",
        "needs a signed release mirror on 127.0.0.1:8000 (tests/test_image.py imports from one)",
    ),
    (
        "docs/how-to/distributors.md",
        "needs a signed release mirror on 127.0.0.1:8000 (tests/test_image.py imports from one)",
    ),
    ("docs/how-to/distributors.md", "needs the signed image of that mirror and its key"),
    ("docs/how-to/distributors.md", "needs the signed release mirror above"),
    (
        "docs/how-to/shell-completion.md",
        "reads the man page from a checkout (tests/test_cli_reference.py renders it with groff)",
    ),
    ("docs/how-to/serve.md", "needs a PostgreSQL server and root on the database host"),
    ("docs/how-to/inject.md", "installs Debian packages"),
    (
        "docs/how-to/inject.md",
        "boots libguestfs's appliance (about a minute); "
        "tests/interop/test_interop_inject.py runs the same",
    ),
    (
        "docs/how-to/inject.md",
        "boots libguestfs's appliance; tests/interop/test_interop_inject.py runs the same",
    ),
]


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    page: Path
    line: int  # of the opening fence, 1-based
    language: str
    title: str | None
    text: str
    not_run: str | None
    exit_code: int

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>```+)(?P<language>[\w+-]*)(?P<rest>.*)$")
_MARK = re.compile(r"^\s*<!--\s*(?P<key>not-run|exit):\s*(?P<value>.*?)\s*-->\s*$")


def blocks(page: Path) -> list[Block]:
    """The page's fenced blocks, with the marks written just before each."""
    found: list[Block] = []
    lines = page.read_text(encoding="utf-8").split("\n")
    marks: dict[str, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        mark = _MARK.match(line)
        fence = _FENCE.match(line)
        if mark:
            marks[mark["key"]] = mark["value"]
        elif fence:
            indent, close = fence["indent"], fence["fence"]
            body: list[str] = []
            index += 1
            while index < len(lines) and lines[index].strip() != close:
                body.append(
                    lines[index][len(indent) :] if lines[index].startswith(indent) else lines[index]
                )
                index += 1
            title = re.search(r'title="([^"]+)"', fence["rest"])
            found.append(
                Block(
                    page=page,
                    line=index - len(body),
                    language=fence["language"],
                    title=title[1] if title else None,
                    text="\n".join(body) + "\n",
                    not_run=marks.get("not-run"),
                    exit_code=int(marks.get("exit", "0")),
                )
            )
            marks = {}
        elif line.strip():
            marks = {}
        index += 1
    return found


def _page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder like a fresh clone's, as far as the examples can tell."""
    (tmp_path / "fixtures").symlink_to(FIXTURES)
    ssh = tmp_path / "home" / ".ssh"
    ssh.mkdir(parents=True)
    shutil.copy(FIXTURES / "keys" / "ed25519.pub", ssh / "id_ed25519.pub")
    return tmp_path


def _environment(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["HOME"] = str(workdir / "home")
    return env


def _run(argv: list[str], workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=workdir,
        env=_environment(workdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )


def console_commands(text: str) -> list[tuple[str, list[str]]]:
    """A console block as (command, the output lines shown after it)."""
    commands: list[tuple[str, list[str]]] = []
    lines = text.rstrip("\n").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith("$ "):
            raise AssertionError(f"output before any command: {line!r}")
        command = line[2:]
        while command.endswith("\\") and index + 1 < len(lines):
            index += 1
            command = command + "\n" + lines[index]
        output: list[str] = []
        while index + 1 < len(lines) and not lines[index + 1].startswith("$ "):
            index += 1
            output.append(lines[index])
        commands.append((command, output))
        index += 1
    return commands


def output_matches(shown: list[str], printed: str) -> bool:
    """Whether the printed text is the shown lines (`...` stands for any lines, or text)."""
    pattern = ""
    for line in shown:
        if line.strip() == "...":
            pattern += r"(?:.*\n)*?"
        else:
            pattern += ".*".join(map(re.escape, line.rstrip().split("..."))) + r"\n"
    actual = "".join(line.rstrip() + "\n" for line in printed.rstrip("\n").split("\n"))
    return re.fullmatch(pattern, actual) is not None


def _run_block(block: Block, workdir: Path, number: int) -> None:
    if block.language == "console":
        for command, shown in console_commands(block.text):
            done = _run(["bash", "-c", command], workdir)
            assert done.returncode == block.exit_code, (
                f"{block.where}: `{command}` exited {done.returncode}, not {block.exit_code}:\n"
                f"{done.stdout}"
            )
            if shown:
                assert output_matches(shown, done.stdout), (
                    f"{block.where}: `{command}` printed:\n{done.stdout}\nthe page shows:\n"
                    + "\n".join(shown)
                )
    elif block.language == "sh":
        done = _run(["bash", "-e", "-c", block.text], workdir)
        assert done.returncode == block.exit_code, (
            f"{block.where}: exit {done.returncode}:\n{done.stdout}"
        )
    elif block.language == "python":
        script = workdir / f"test_example_{number}.py"
        script.write_text(block.text, encoding="utf-8")
        if re.search(r"^def test_", block.text, re.MULTILINE):
            argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", script.name]
        else:
            argv = [sys.executable, script.name]
        done = _run(argv, workdir)
        assert done.returncode == block.exit_code, (
            f"{block.where}: exit {done.returncode}:\n{done.stdout}"
        )


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_page_examples_run(page: Path, workdir: Path) -> None:
    for number, block in enumerate(blocks(page)):
        if block.not_run is not None:
            continue
        if block.title is not None:
            (workdir / block.title).parent.mkdir(parents=True, exist_ok=True)
            (workdir / block.title).write_text(block.text, encoding="utf-8")
        if block.language in RUN_LANGUAGES:
            _run_block(block, workdir, number)


def test_blocks_not_run_are_these() -> None:
    not_run = [
        (_page_id(block.page), block.not_run, block.where)
        for page in PAGES
        for block in blocks(page)
        if block.not_run is not None
    ]
    listing = "\n".join(f"  {where}: {reason}" for _, reason, where in not_run)
    assert sorted((page, reason) for page, reason, _ in not_run) == sorted(NOT_RUN), listing
    assert all(reason for _, reason, _ in not_run)


def test_commands_are_only_in_blocks_that_run() -> None:
    """A `$ ` prompt in a text block would be an example nobody runs: use console."""
    hidden = [
        block.where
        for page in PAGES
        for block in blocks(page)
        if block.language not in RUN_LANGUAGES and re.search(r"^\$ ", block.text, re.MULTILINE)
    ]
    assert hidden == []


def test_every_page_has_examples_or_is_reference() -> None:
    """The runner finds blocks at all: a page that shows commands must yield some."""
    counted = {page.name: sum(b.language in RUN_LANGUAGES for b in blocks(page)) for page in PAGES}
    assert counted["README.md"] >= 3
    assert counted["tutorial.md"] >= 5


def test_readme_first_command_builds_a_drive_no_other_example_touches(workdir: Path) -> None:
    first = next(block for block in blocks(ROOT / "README.md") if "./scripts/test" in block.text)
    assert first.not_run is not None
    assert first.line < 100, "the two commands of a fresh clone stay near the top"
    build_line = next(line for line in first.text.split("\n") if "mkconfigdrive build" in line)
    build = build_line[build_line.index("mkconfigdrive build") :]
    output = re.search(r"-o (\S+)", build)
    assert output is not None
    done = _run(["bash", "-c", build], workdir)
    assert done.returncode == 0, done.stdout
    assert (workdir / output[1]).stat().st_size > 0
    others = [
        block.where
        for page in PAGES
        for block in blocks(page)
        if block is not first and block.where != first.where and output[1] in block.text
    ]
    assert others == [], f"{output[1]} is used again, where it would already exist"


def test_output_matching() -> None:
    assert output_matches(["a", "...", "d"], "a\nb\nc\nd\n")
    assert output_matches(["Built x (... bytes)"], "Built x (1,024 bytes)\n")
    assert not output_matches(["a", "d"], "a\nb\nd\n")
    assert not output_matches(["Built x"], "Built y\n")


def test_limits_page_names_real_constants() -> None:
    """Each limit the reference names is a constant of the module it names."""
    import importlib

    text = (ROOT / "docs" / "reference" / "limits.md").read_text(encoding="utf-8")
    named = 0
    for row in re.findall(r"^\|.*\|\s*(`drives\.[^|]*)\|\s*$", text, re.MULTILINE):
        module = None
        for dotted in re.findall(r"`([\w.]+)`", row):
            module_name, _, name = dotted.rpartition(".")
            if module_name:
                module = importlib.import_module(f"configdrive.{module_name}")
            assert module is not None
            assert isinstance(getattr(module, name), int), f"{module.__name__}.{name}"
            named += 1
    assert named >= 15


def test_readme_links_lead_to_files() -> None:
    """mkdocs checks the site's links; the README is outside it (and is PyPI's page)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme)
    local = [target for target in targets if "://" not in target]
    assert len(local) >= 20
    assert [target for target in local if not (ROOT / target).exists()] == []

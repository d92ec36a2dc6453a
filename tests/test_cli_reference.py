"""The command-line reference, the man page and the completion scripts are made from the commands.

docs/reference/cli.md and docs/man/mkconfigdrive.1 are written by scripts/cli_reference.py;
these tests fail when a command, option or help text changed and they were not written again
(`.venv/bin/python scripts/cli_reference.py`).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from configdrive.cli.app import app
from tests.helpers import ROOT

MKCONFIGDRIVE = Path(sys.executable).parent / "mkconfigdrive"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "cli_reference", ROOT / "scripts" / "cli_reference.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


def _command_paths() -> list[str]:
    return [doc.path for doc in _generator().walk()]


def test_cli_reference_is_what_the_generator_writes() -> None:
    committed = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    assert committed == _generator().render_markdown(), "run scripts/cli_reference.py"


def test_man_page_is_what_the_generator_writes() -> None:
    committed = (ROOT / "docs" / "man" / "mkconfigdrive.1").read_text(encoding="utf-8")
    assert committed == _generator().render_man(), "run scripts/cli_reference.py"


def test_the_tree_has_every_command() -> None:
    paths = _command_paths()
    for command in ("build", "build-many", "validate", "inspect", "extract", "diff", "oem",
                    "serve", "completion", "image import", "image verify"):  # fmt: skip
        assert f"mkconfigdrive {command}" in paths


def test_reference_lists_every_option_help_shows() -> None:
    reference = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    runner = CliRunner()
    for path in _command_paths():
        words = path.split()[1:]
        shown = runner.invoke(app, [*words, "--help"], terminal_width=200).output
        options = {word.rstrip(",") for word in shown.split() if word.startswith("--")}
        for option in options - {"--help"}:
            assert option in reference, f"{path}: {option}"


def test_man_page_renders() -> None:
    page = ROOT / "docs" / "man" / "mkconfigdrive.1"
    source = page.read_text(encoding="utf-8")
    assert source.count(".TH ") == 1
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "EXIT STATUS", "SEE ALSO"):
        assert f".SH {section}" in source
    for path in _command_paths()[1:]:
        assert f'.SS "{path.replace("-", chr(92) + "-")}"' in source
    if shutil.which("groff") is None:
        return  # the structure above is all that can be checked without a formatter
    rendered = subprocess.run(
        ["groff", "-man", "-Tutf8", "-P-cbou"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "MANWIDTH": "80"},
    )
    assert "error" not in rendered.stderr.lower()
    text = " ".join(rendered.stdout.split())
    assert "MKCONFIGDRIVE(1)" in text
    for path in _command_paths()[1:]:
        assert path in text
    assert "--ssh-key KEY" in text


@pytest.mark.parametrize("words", [[], ["build"], ["image"], ["image", "import"], ["completion"]])
def test_no_completion_installer_in_help(words: list[str]) -> None:
    shown = CliRunner().invoke(app, [*words, "--help"]).output
    assert "Usage:" in shown
    assert "--install-completion" not in shown
    assert "--show-completion" not in shown


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_script_for_the_shell(shell: str) -> None:
    result = CliRunner().invoke(app, ["completion", shell])
    assert result.exit_code == 0
    assert f"_MKCONFIGDRIVE_COMPLETE=complete_{shell}" in result.output
    assert "mkconfigdrive" in result.output


def test_completion_refuses_another_shell() -> None:
    result = CliRunner().invoke(app, ["completion", "tcsh"])
    assert result.exit_code == 2


def test_bash_completes_commands_through_the_printed_script(tmp_path: Path) -> None:
    """The script bash sources calls the real console script back, and gets the words."""
    script = (
        f'source <("{MKCONFIGDRIVE}" completion bash)\n'
        "COMP_WORDS=(mkconfigdrive build-m); COMP_CWORD=1\n"
        f'_mkconfigdrive_completion "{MKCONFIGDRIVE}"\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
        "COMP_WORDS=(mkconfigdrive build --net); COMP_CWORD=2\n"
        f'_mkconfigdrive_completion "{MKCONFIGDRIVE}"\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        ["bash", "--norc", "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["build-many", "--network-data"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_requests_are_answered(shell: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "_MKCONFIGDRIVE_COMPLETE": f"complete_{shell}",
        "_TYPER_COMPLETE_ARGS": "mkconfigdrive image ver",
        "_TYPER_COMPLETE_FISH_ACTION": "get-args",
    }
    done = subprocess.run(
        [MKCONFIGDRIVE], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert "verify" in done.stdout
    assert "import" not in done.stdout

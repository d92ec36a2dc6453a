"""The folders of configdrive/ draw the pipeline; these tests keep the drawing true.

A stage imports only stages before it: the command line and serve sit on top, the API
ties the stages together, and nothing below the command line imports it. The few
modules that drive the pipeline themselves (the `validate` command's API, building a
fleet) are named here with the reason, so a new exception is a decision, not an accident.
Every module is also named in its package's docstring and in the architecture page, so a
newcomer finds it from `ls` and the docs alike.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "configdrive"
ARCHITECTURE = ROOT / "docs" / "explanation" / "architecture.md"

# What each stage may import from the others (besides itself and the shared top-level
# modules errors, problems, machine, strict_json).
ALLOWED = {
    "inputs": {"validation"},
    "validation": {"inputs", "layouts"},
    "layouts": {"inputs", "validation"},
    "formats": {"inputs", "layouts"},
    "drives": {"inputs", "validation", "formats"},
    "distro": {"inputs", "validation", "formats"},
    "disks": {"inputs", "validation", "layouts", "formats", "drives"},
    "serve": {"api", "inputs", "validation", "layouts"},
    "trial": {"drives", "disks"},
    "cli": {
        "api",
        "inputs",
        "validation",
        "layouts",
        "formats",
        "drives",
        "distro",
        "serve",
        "disks",
        "trial",
    },
}
SHARED = {"errors", "problems", "machine", "strict_json", "formats"}
# Modules that run the pipeline (and so call the API) although they live in a stage.
ORCHESTRATORS = {
    # `validate` is build without the write: it calls the API's own checks so that the
    # two can never disagree.
    ("validation.files", "api"),
    # build_fleet builds each machine's drive with the API's build_machine.
    ("inputs.fleet", "api"),
    # inject validates and lays out each machine with the API's own checks (check_build,
    # layout_drive), so that inject and build can never disagree.
    ("disks.inject", "api"),
    # build-many injects its `inject:` machines with inject's own driver, in one launch.
    ("inputs.fleet", "disks"),
    # validation reports, before anything is written, what the NoCloud layout's
    # conversion of network data and vendor data would refuse.
    ("validation.machine", "layouts"),
}


def _modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if path.name != "__init__.py")


def _dotted(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE).with_suffix("").parts)


def _imported(path: Path) -> set[str]:
    """Every configdrive module `path` imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("configdrive."):
                names.add(node.module.removeprefix("configdrive."))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("configdrive."):
                    names.add(alias.name.removeprefix("configdrive."))
    return names


def test_no_stage_imports_a_later_one() -> None:
    wrong = []
    for path in _modules():
        module = _dotted(path)
        stage = module.split(".")[0]
        if stage not in ALLOWED:
            continue  # api, errors, problems, machine, ...: the top ties the stages together
        for name in _imported(path):
            target = name.split(".")[0]
            if target == stage or target in SHARED or target in ALLOWED[stage]:
                continue
            if (module, target) in ORCHESTRATORS:
                continue
            wrong.append(f"configdrive.{module} imports configdrive.{name}")
    assert wrong == []


def test_the_rules_catch_a_wrong_import(tmp_path: Path) -> None:
    # The check above would be vacuous if _imported missed imports inside functions.
    source = tmp_path / "x.py"
    source.write_text("def f():\n    from configdrive.cli.report import dumps\n")
    assert _imported(source) == {"cli.report"}


def test_orchestrators_still_need_their_exception() -> None:
    # An exception nobody needs any more is removed, so the list stays the truth.
    for module, target in ORCHESTRATORS:
        path = PACKAGE / (module.replace(".", "/") + ".py")
        assert any(name.split(".")[0] == target for name in _imported(path)), module


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_every_module_is_named_in_its_package_docstring(package: str) -> None:
    folder = PACKAGE / package
    docstring = ast.get_docstring(ast.parse((folder / "__init__.py").read_text())) or ""
    missing = [p.stem for p in folder.glob("*.py") if p.stem != "__init__"]
    missing = [name for name in missing if name not in docstring]
    assert missing == []


def test_every_module_is_in_the_architecture_page() -> None:
    page = ARCHITECTURE.read_text(encoding="utf-8")
    missing = [_dotted(path) for path in _modules() if not re.search(rf"\b{path.name}\b", page)]
    assert missing == []


def test_the_top_level_stays_small() -> None:
    # The public API is `configdrive` itself; everything else lives in a stage's folder.
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert top == [
        "__init__.py",
        "__main__.py",
        "api.py",
        "errors.py",
        "machine.py",
        "problems.py",
        "strict_json.py",
    ]

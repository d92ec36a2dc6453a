"""Ignition configs: every fixture's exact problems, the schemas, and the real ignition-validate.

fixtures/ignition/<case>/ holds config.ign, a README citing the rule's source line in
coreos/ignition, and `expected`: the verdict of Debian's ignition-validate on its first
line, then our problems, one a line, exactly as mkconfigdrive prints them.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest
from jsonschema.validators import validator_for

from configdrive.inputs.documents import Source
from configdrive.problems import Problem, Severity, errors_in, sorted_problems
from configdrive.validation.ignition import STABLE_VERSIONS, config_problems
from configdrive.validation.user_data import inspect_user_data

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "ignition"
CASES = sorted(path.name for path in FIXTURES.iterdir() if path.is_dir())
SCHEMAS = ROOT / "configdrive" / "validation" / "schemas" / "ignition"
IGNITION_VALIDATE = "/usr/bin/ignition-validate"
# The spec versions Debian's ignition 2.14 reads; it says "unsupported config version" to
# every other (spec 2, 3.4.0 and later), so for those it judges nothing about the content.
JUDGED_VERSIONS = ("3.0.0", "3.1.0", "3.2.0", "3.3.0")
# Where current Ignition and Debian's 2.14 differ, we follow current Ignition (the README
# of each case says why); ignition-validate's own verdict is still asserted.
NEWER_THAN_DEBIAN = {
    "v3-systemd-conflict": "the check came with Ignition 2.15.0",
    "v3-experimental": "2.14 still reads 3.4.0-experimental",
}


def expected(case: str) -> tuple[str, list[str]]:
    """ignition-validate's verdict and our problem lines, from the case's `expected` file."""
    first, *lines = (FIXTURES / case / "expected").read_text(encoding="utf-8").splitlines()
    verdict = first.removeprefix("ignition-validate: ")
    assert verdict in ("valid", "invalid"), first
    return verdict, lines


def problems_of(case: str) -> list[str]:
    """Our problems with the case's config, as printed."""
    data = (FIXTURES / case / "config.ign").read_bytes()
    source = Source("config.ign", data, Path("config.ign"))
    return [str(problem) for problem in sorted_problems(config_problems(source))]


def declared_version(case: str) -> object:
    """The ignition.version the case's config declares (None when it has none)."""
    config = json.loads((FIXTURES / case / "config.ign").read_text(encoding="utf-8"))
    ignition = config.get("ignition") if isinstance(config, dict) else None
    return ignition.get("version") if isinstance(ignition, dict) else None


@pytest.mark.parametrize("case", CASES)
def test_problems_are_exactly_the_expected_ones(case: str) -> None:
    assert problems_of(case) == expected(case)[1]


@pytest.mark.parametrize("case", CASES)
def test_every_case_cites_its_source(case: str) -> None:
    readme = (FIXTURES / case / "README").read_text(encoding="utf-8")
    assert readme.strip()
    assert "config/" in readme or "spec" in readme


def test_cases_cover_every_stable_version_valid_and_invalid() -> None:
    def refused(case: str) -> bool:
        return any(": warning: " not in line for line in expected(case)[1])

    valid = {declared_version(case) for case in CASES if not refused(case)}
    invalid = {declared_version(case) for case in CASES if refused(case)}
    assert set(STABLE_VERSIONS) <= valid
    assert {"2.2.0", "2.3.0", "3.3.0", "2.5.0-experimental", "3.4.0-experimental"} <= invalid
    assert len(CASES) >= 25


def test_secrets_never_appear_in_messages() -> None:
    for case in CASES:
        text = "\n".join(problems_of(case))
        for secret in ("SECRET", "secret", "$6$", "c2VjcmV0"):
            assert secret not in text, case


def test_a_spec_2_config_names_the_readers_that_differ() -> None:
    lines = problems_of("v2_3-valid")
    assert any("Fedora CoreOS's Ignition reads spec 3 only" in line for line in lines)
    assert any("Flatcar's Ignition translates it" in line for line in lines)
    assert all(": warning: " in line for line in lines)


def test_the_build_checks_ignition_user_data_with_the_same_rules() -> None:
    problems: list[Problem] = []
    data = (FIXTURES / "v3-path-relative" / "config.ign").read_bytes()
    inspect_user_data(Source("user.ign", gzip.compress(data, mtime=0)), problems)
    assert [p.message for p in errors_in(problems)] == ["path not absolute"]
    assert problems[0].file == "user.ign (gunzipped)"
    assert (problems[0].line, problems[0].column) == (8, 17)


def test_unknown_keys_warn_as_ignition_does() -> None:
    source = Source("c.ign", b'{"ignition": {"version": "3.3.0"}, "storgae": {}}')
    problems = config_problems(source)
    assert [(p.severity, p.path) for p in problems] == [(Severity.WARNING, ("storgae",))]


# ----------------------------------------------------------------------- the schemas


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "ignition_schemas", ROOT / "scripts" / "ignition_schemas.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("version", STABLE_VERSIONS)
def test_schema_is_valid_and_named(version: str) -> None:
    path = SCHEMAS / f"{version}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    validator_for(schema).check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://mkconfigdrive.github.io/schemas/ignition/{path.name}"
    assert version in schema["title"]
    assert schema["description"]


@pytest.mark.parametrize("version", STABLE_VERSIONS)
def test_schema_file_is_what_the_generator_writes(version: str) -> None:
    text = (SCHEMAS / f"{version}.schema.json").read_text(encoding="utf-8")
    assert text == _generator().render(version)


def test_schema_files_are_exactly_the_stable_versions() -> None:
    names = sorted(path.name for path in SCHEMAS.glob("*.schema.json"))
    assert names == sorted(f"{version}.schema.json" for version in STABLE_VERSIONS)


# ----------------------------------------------------------------------- the real judge


def ignition_validate(case: str) -> tuple[str, str]:
    """Debian's ignition-validate on the case's config: its verdict and what it said."""
    program = shutil.which(IGNITION_VALIDATE)
    if program is None:
        pytest.fail(
            f"{IGNITION_VALIDATE} is missing: install Debian's ignition (scripts/test does)"
        )
    result = subprocess.run(
        [program, str(FIXTURES / case / "config.ign")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return ("valid" if result.returncode == 0 else "invalid"), result.stdout + result.stderr


@pytest.mark.interop
@pytest.mark.parametrize("case", CASES)
def test_ignition_validate_agrees(case: str) -> None:
    theirs, said = ignition_validate(case)
    recorded, lines = expected(case)
    assert theirs == recorded, said
    ours = "invalid" if any(": warning: " not in line for line in lines) else "valid"
    version = declared_version(case)
    if version in JUDGED_VERSIONS and case not in NEWER_THAN_DEBIAN:
        assert ours == theirs, said
    elif case in NEWER_THAN_DEBIAN:
        assert ours != theirs, f"{case}: {NEWER_THAN_DEBIAN[case]}; update the case"
    elif version in STABLE_VERSIONS:
        # A version 2.14 does not read: it refuses it, whatever the content.
        assert "unsupported config version" in said


@pytest.mark.interop
def test_ignition_validate_reads_the_valid_fixture_version_as_we_document() -> None:
    # fixtures/valid/ignition is spec 3.4.0: we accept it, Debian's 2.14 is too old for it.
    path = ROOT / "fixtures" / "valid" / "ignition" / "config.ign"
    assert config_problems(Source("config.ign", path.read_bytes())) == []
    result = subprocess.run(
        [IGNITION_VALIDATE, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 1
    assert "unsupported config version" in result.stdout + result.stderr

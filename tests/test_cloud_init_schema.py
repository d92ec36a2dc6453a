"""cloud-init's own schema is the judge of what we say about cloud-init's keys (issue 11).

cloud-init 22.4 ships its cloud-config schema and validator (cloudinit/config/schema.py);
`cloud-init schema -c FILE` prints what they find. tests/cloud_init_schema_server.py runs
exactly that in Debian's python, one process for the session, and this module compares its
verdict with ours on every cloud-config fixture in the repository:

- every path cloud-init's schema calls invalid (or deprecated) is a problem we report at
  that path or under it (an error or a warning, as our policy decides);
- every error we report under a key only cloud-init reads is at a path cloud-init's schema
  also refuses, and its message names cloud-init.

A legitimate difference (a rule from cloud-init's module code, a form only newer cloud-init
reads, a key coreos-cloudinit reads too) is listed in the fixture's `differences` file,
one `PATH: why, with the source` a line; a listed path that no longer differs fails, so the
list stays true.

fixtures/cloud-config/<case>/ holds `user.yml`, `expected` (our problem lines, exactly) and
`cloud-init` (cloud-init's verdict: `error PATH` and `deprecated PATH` lines, exactly).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from configdrive.inputs.documents import Source
from configdrive.problems import Problem, Severity, sorted_problems
from configdrive.validation.json_schemas import CLOUD_CONFIG, load_schema
from configdrive.validation.user_data import inspect_user_data
from tests.helpers import FIXTURES, INVALID, VALID
from tests.interop.conftest import DebianPythonServer

pytestmark = pytest.mark.interop

SERVER = Path(__file__).resolve().parent / "cloud_init_schema_server.py"
CASES_DIR = FIXTURES / "cloud-config"
CASES = sorted(path.name for path in CASES_DIR.iterdir() if path.is_dir())
# A verdict takes milliseconds; this only stops a hung validator from hanging the session.
TIMEOUT = 60


def _cloud_configs(folder: Path) -> list[Path]:
    """Every cloud-config in the fixture cases of `folder` that gets as far as a schema.

    A document we refuse before any schema (an alias bomb, bad YAML, a huge file) has no
    schema verdict to compare, and cloud-init's own YAML loader would spend minutes and
    gigabytes expanding the bombs: those fixtures are judged by their own tests.
    """
    found = []
    for path in sorted(folder.glob("*/*")):
        if not path.is_file() or path.stat().st_size > 65536:
            continue
        data = path.read_bytes()
        if data.startswith(b"#cloud-config\n") and all(
            problem.path is not None for problem in our_problems(path)
        ):
            found.append(path)
    return found


class CloudInitSchema(DebianPythonServer):
    """cloud_init_schema_server.py, one Debian python for the session."""

    def __init__(self, log: Path) -> None:
        super().__init__(SERVER, log, TIMEOUT)

    def verdict(self, path: Path) -> dict[str, Any]:
        """cloud-init's schema verdict on one cloud-config file."""
        return self.ask(str(path))


@pytest.fixture(scope="module")
def cloud_init_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CloudInitSchema]:
    server = CloudInitSchema(tmp_path_factory.mktemp("cloud-init-schema") / "stderr.log")
    try:
        yield server
    finally:
        server.close()


@dataclass(frozen=True)
class Finding:
    """One thing cloud-init's schema reports: an error or a deprecation, at a path."""

    kind: str  # "error" or "deprecated"
    path: tuple[str | int, ...]
    dotted: str  # the path as cloud-init prints it: users.0.groups
    message: str


def findings(answer: dict[str, Any]) -> list[Finding]:
    assert "failure" not in answer, f"cloud-init did not get to its schema: {answer}"
    return [
        Finding(kind, _path(dotted), dotted, message)
        for kind, key in (("error", "errors"), ("deprecated", "deprecations"))
        for dotted, message in answer[key]
    ]


def _path(dotted: str) -> tuple[str | int, ...]:
    # cloud-init joins keys and indexes with "." (schema.py:417); our keys have no dots.
    return tuple(int(part) if part.isdigit() else part for part in dotted.split(".") if part)


def our_problems(path: Path) -> list[Problem]:
    problems: list[Problem] = []
    inspect_user_data(Source(path.name, path.read_bytes()), problems)
    return sorted_problems(problems)


def _under(path: tuple[Any, ...], prefix: tuple[Any, ...]) -> bool:
    return path[: len(prefix)] == prefix


def cloud_init_only_keys() -> frozenset[str]:
    """Top-level keys coreos-cloudinit does not read: the schema marks them x-reader."""
    properties = load_schema(CLOUD_CONFIG)["properties"]
    return frozenset(key for key, sub in properties.items() if sub.get("x-reader") == "cloud-init")


def differences(path: Path) -> dict[str, str]:
    """A case's documented differences: cloud-init path -> why."""
    listed = path.parent / "differences"
    if not listed.is_file():
        return {}
    found: dict[str, str] = {}
    for line in listed.read_text(encoding="utf-8").splitlines():
        where, colon, why = line.partition(": ")
        assert colon, f"{listed}: {line!r} is not 'PATH: why'"
        assert why.strip(), f"{listed}: {line!r} gives no reason"
        found[where] = why
    return found


def disagreements(path: Path, answer: dict[str, Any]) -> list[str]:
    """Where our verdict and cloud-init's schema's differ on `path`, described."""
    ours = [problem for problem in our_problems(path) if problem.path is not None]
    theirs = findings(answer)
    only_cloud_init = cloud_init_only_keys()
    found: list[str] = []
    for finding in theirs:
        if not any(_under(tuple(problem.path or ()), finding.path) for problem in ours):
            found.append(f"{finding.dotted}: cloud-init: {finding.kind}: {finding.message}")
    for problem in ours:
        where = tuple(problem.path or ())
        if problem.severity is not Severity.ERROR or not where or where[0] not in only_cloud_init:
            continue
        refused = any(
            finding.kind == "error" and (_under(where, finding.path) or _under(finding.path, where))
            for finding in theirs
        )
        dotted = ".".join(str(part) for part in where)
        if not refused:
            found.append(f"{dotted}: ours only: {problem.message}")
        elif "cloud-init" not in problem.message:
            found.append(f"{dotted}: our message does not name cloud-init: {problem.message}")
    return found


def _check(path: Path, answer: dict[str, Any], documented: dict[str, str] | None = None) -> None:
    documented = differences(path) if documented is None else documented
    found = disagreements(path, answer)
    unexplained = [line for line in found if line.split(": ", 1)[0] not in documented]
    assert not unexplained, f"{path}: our verdict and cloud-init's schema differ:\n" + "\n".join(
        unexplained
    )
    stale = set(documented) - {line.split(": ", 1)[0] for line in found}
    assert not stale, f"{path}: documented differences that no longer differ: {sorted(stale)}"


@pytest.mark.parametrize("case", CASES)
def test_fixture_case(case: str, cloud_init_schema: CloudInitSchema) -> None:
    """Both verdicts are the fixture's, exactly, and they agree (or the difference is cited)."""
    folder = CASES_DIR / case
    user = folder / "user.yml"
    answer = cloud_init_schema.verdict(user)
    verdict = [f"{finding.kind} {finding.dotted}" for finding in findings(answer)]
    assert verdict == (folder / "cloud-init").read_text(encoding="utf-8").splitlines()
    ours = [str(problem) for problem in our_problems(user)]
    assert ours == (folder / "expected").read_text(encoding="utf-8").splitlines()
    _check(user, answer)


REPO_CLOUD_CONFIGS = [
    *_cloud_configs(VALID),
    *_cloud_configs(INVALID),
    *_cloud_configs(FIXTURES / "coreos-cloudinit"),
]

# The documented differences of the fixtures other tests own (their folders have no
# `differences` file): cloud-init path -> why, with the source.
REPO_DIFFERENCES = {
    "valid/cloud-init/user.yml": {
        "write_files.0.permissions": "unquoted 0644 is YAML 1.1 octal, the int 420, to cloud-init; "
        "its schema wants a string but cc_write_files.py:180 (decode_perms) takes the int as "
        "mode 0644, the mode coreos-cloudinit reads too",
    },
}


@pytest.mark.parametrize(
    "path", REPO_CLOUD_CONFIGS, ids=[str(p.relative_to(FIXTURES)) for p in REPO_CLOUD_CONFIGS]
)
def test_repo_cloud_config(path: Path, cloud_init_schema: CloudInitSchema) -> None:
    """Every other cloud-config fixture: the two verdicts agree on cloud-init's keys."""
    answer = cloud_init_schema.verdict(path)
    if "failure" in answer:  # cloud-init gives up before its schema (not a mapping)
        if yaml.safe_load(path.read_bytes()) is None:
            return  # only comments: both readers configure nothing, and we say nothing
        assert any(problem.severity is Severity.ERROR for problem in our_problems(path)), answer
        return
    _check(path, answer, REPO_DIFFERENCES.get(str(path.relative_to(FIXTURES)), {}))


def test_cases_are_cloud_init_cases() -> None:
    """The issue asks for at least 20 cases; a case folder without its files fails loudly."""
    assert len(CASES) >= 20
    for case in CASES:
        for name in ("user.yml", "expected", "cloud-init"):
            assert (CASES_DIR / case / name).is_file(), f"{case} has no {name}"


def test_disagreement_is_detected(tmp_path: Path, cloud_init_schema: CloudInitSchema) -> None:
    """The comparison can fail: a verdict of cloud-init's we do not share is reported."""
    user = tmp_path / "user.yml"
    user.write_text("#cloud-config\nruncmd: [ls]\n")
    answer = cloud_init_schema.verdict(user)
    assert disagreements(user, answer) == []
    invented = {"errors": [["runcmd.0", "made up"]], "deprecations": [["timezone", "made up"]]}
    assert disagreements(user, invented) == [
        "runcmd.0: cloud-init: error: made up",
        "timezone: cloud-init: deprecated: made up",
    ]
    user.write_text("#cloud-config\ntimezone: 3\n")
    assert disagreements(user, {"errors": [], "deprecations": []}) == [
        "timezone: ours only: 3 is not of type 'string' (read by cloud-init)"
    ]

"""coreos-cloudinit's rules, case by case from fixtures/coreos-cloudinit.

Each case is a cloud-config (`user.yml`), what coreos-cloudinit v1.14.0 does with it at
boot and the lines of its source that say so (`case.yml`), and the exact lines `validate`
prints for it (`expected`). Where Flatcar's fork (github.com/flatcar/coreos-cloudinit at
1c1d7f4) does otherwise, `flatcar:` says what it does and `flatcar-source:` the fork's
lines; a case without them is one where the two agree. The readers cannot run here (they
need the OS's systemd, useradd and update-ssh-keys), so their source is the judge: every
case cites it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from configdrive.drives.inspection import inspect_drive
from configdrive.drives.verdicts import Verdict, _coreos_apply_verdict
from configdrive.errors import InvalidInputError
from configdrive.inputs.documents import Source, parse_document
from configdrive.problems import Problem
from configdrive.validation.coreos_cloudinit import (
    COREOS,
    FLATCAR,
    UPSTREAM_ONLY,
    boot_outcome,
    coreos_findings,
    fork_only,
    go_resolve,
    go_resolve_v3,
)
from configdrive.validation.files import validate_files
from configdrive.validation.user_data import Target, inspect_user_data
from tests.drive_images import iso_image, openstack_files, write

CASES = Path(__file__).resolve().parent.parent / "fixtures" / "coreos-cloudinit"
CASE_NAMES = sorted(path.name for path in CASES.iterdir() if path.is_dir())
OUTCOMES = {"accepts", "changes", "ignores", "rejects", "stops", "drops-config"}


def _case(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CASES / name / "case.yml").read_text())
    return loaded


def _validate_lines(name: str, target: str) -> list[str]:
    """What `mkconfigdrive validate --target TARGET user.yml` prints for its problems."""
    path = CASES / name / "user.yml"
    problems: tuple[Problem, ...] | list[Problem]
    try:
        problems = validate_files([path], target=target).warnings
    except InvalidInputError as error:
        problems = error.problems
    return [str(problem).replace(str(CASES / name) + "/", "") for problem in problems]


def test_every_case_is_complete() -> None:
    assert len(CASE_NAMES) >= 30
    for name in CASE_NAMES:
        case = _case(name)
        assert case["coreos-cloudinit"] in OUTCOMES, name
        assert case["target"] in ("auto", "container-linux"), name
        assert case["source"], f"{name} cites no source line"
        for citation in case["source"]:
            assert ".go:" in citation, f"{name}: {citation!r} names no file and line"
        assert (CASES / name / "expected").is_file(), name
        if "flatcar" in case:
            assert case["flatcar"] in OUTCOMES, name
            assert case["flatcar"] != case["coreos-cloudinit"], f"{name}: the readers agree"
            assert case["flatcar-source"], f"{name} cites none of the fork's lines"
            for citation in case["flatcar-source"]:
                assert ".go:" in citation, f"{name}: {citation!r} names no file and line"


def test_every_difference_of_the_fork_has_a_case() -> None:
    """Dashed keys, type errors, YAML 1.1 booleans, 0o integers, host names."""
    differing = [name for name in CASE_NAMES if "flatcar" in _case(name)]
    assert len(differing) >= 10
    outcomes = {_case(name)["flatcar"] for name in differing}
    assert {"accepts", "ignores", "drops-config", "changes"} <= outcomes


@pytest.mark.parametrize("name", CASE_NAMES)
def test_validate_prints_the_expected_lines(name: str) -> None:
    case = _case(name)
    expected = (CASES / name / "expected").read_text().splitlines()
    assert _validate_lines(name, case["target"]) == expected


@pytest.mark.parametrize("name", CASE_NAMES)
def test_the_boot_outcome_is_the_readers(name: str) -> None:
    case = _case(name)
    data = (CASES / name / "user.yml").read_bytes()
    document = parse_document(Source("user.yml", data), [])
    assert document is not None
    assert boot_outcome(document) == case["coreos-cloudinit"]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_the_boot_outcome_is_the_forks(name: str) -> None:
    """Flatcar's fork: its own outcome where the case says so, else v1.14.0's."""
    case = _case(name)
    data = (CASES / name / "user.yml").read_bytes()
    document = parse_document(Source("user.yml", data), [])
    assert document is not None
    assert boot_outcome(document, FLATCAR) == case.get("flatcar", case["coreos-cloudinit"])
    # validate names each reader on a line of its own exactly when they differ.
    lines = _validate_lines(name, case["target"])
    named = [line for line in lines if FLATCAR.name in line or UPSTREAM_ONLY in line]
    assert bool(named) == ("flatcar" in case), name


@pytest.mark.parametrize("name", CASE_NAMES)
def test_inspect_never_says_accepts_when_the_boot_stops(name: str) -> None:
    """inspect's verdict on a drive holding this user data follows the same rules."""
    case = _case(name)
    verdict = _coreos_apply_verdict((CASES / name / "user.yml").read_bytes(), "openstack/latest")
    stops = case["coreos-cloudinit"] in ("stops", "drops-config")
    assert (verdict.verdict is Verdict.REJECTS) == stops
    assert bool(verdict.reasons) == stops


@pytest.mark.parametrize("name", CASE_NAMES)
@pytest.mark.parametrize("reader", ["coreos-cloudinit", "flatcar"])
def test_an_error_for_container_linux_whenever_the_machine_ends_up_otherwise(
    name: str, reader: str
) -> None:
    """Targeted at Container Linux, what stops, drops or is refused is an error, and what is
    ignored is too, but for an unknown key close to no known one (a warning, as anywhere).
    Each reader is judged by the lines that speak for it."""
    case = _case(name)
    outcome = case.get(reader, case["coreos-cloudinit"])
    other = UPSTREAM_ONLY if reader == "flatcar" else FLATCAR.name
    lines = [line for line in _validate_lines(name, "container-linux") if other not in line]
    errors = [line for line in lines if ": warning: " not in line]
    if outcome in ("stops", "drops-config", "rejects"):
        assert errors, name
    if outcome == "ignores":
        assert errors or lines == [
            "user.yml:3:3: warning: coreos.fleet: coreos-cloudinit: fleet is no longer shipped "
            "in Container Linux",
            "user.yml:4:5: warning: coreos.fleet.zzz_options: coreos-cloudinit ignores this key",
        ], name
    if outcome == "accepts":
        assert not [line for line in errors if "coreos-cloudinit" in line], name


def test_cloud_init_only_targets_drop_the_readers_view() -> None:
    path = CASES / "manage-etc-hosts-true" / "user.yml"
    assert validate_files([path], target="cloud-init").warnings == ()
    assert validate_files([path], target="auto").warnings  # a warning naming the reader
    # Neither a first line coreos-cloudinit misses nor a kind only cloud-init runs is news.
    for text in (b"#cloud-config  trailing words\nruncmd: [ls]\n", b"#cloud-boothook\necho hi\n"):
        problems: list[Problem] = []
        inspect_user_data(Source("u", text), problems, Target.CLOUD_INIT)
        assert problems == []
        inspect_user_data(Source("u", text), problems, Target.AUTO)
        assert [p.severity.value for p in problems] == ["warning"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # vendor/github.com/coreos/yaml/resolve.go:39-50 and the hints at :115-151
        ("yes", "bool"), ("y", "bool"), ("N", "bool"), ("off", "bool"), ("TRUE", "bool"),
        ("~", "null"), ("", "null"), ("Null", "null"),
        ("0644", "int"), ("0x1F", "int"), ("-12", "int"), ("1_000", "int"), ("0b101", "int"),
        ("08", "float"), ("1.5", "float"), (".5", "float"), ("1e3", "float"), (".inf", "float"),
        ("9223372036854775808", "float"),
        ("0o644", "str"), ("Yes please", "str"), ("best-effort", "str"), ("+", "str"),
    ],
)  # fmt: skip
def test_scalars_resolve_as_go_yaml_resolves_them(text: str, kind: str) -> None:
    node = yaml.compose(f"key: {text}\n")
    assert isinstance(node, yaml.MappingNode)
    assert go_resolve(node.value[0][1]) == kind


def test_quoted_scalars_are_always_text() -> None:
    node = yaml.compose("key: 'yes'\n")
    assert isinstance(node, yaml.MappingNode)
    assert go_resolve(node.value[0][1]) == "str"


def test_merge_keys_are_followed() -> None:
    text = b"#cloud-config\nbase: &b\n  reboot-strategy: best-effort\n"
    text += b"coreos:\n  update:\n    <<: *b\n"
    document = parse_document(Source("user.yml", text), [])
    assert document is not None
    findings = coreos_findings(document)
    assert [finding.outcome.value for finding in findings if finding.path[:1] == ("coreos",)] == [
        "stops"
    ]


def test_a_machine_file_names_its_target(tmp_path: Path) -> None:
    """`target: container-linux` in a machine file is --target container-linux."""
    from configdrive.api import build_machine

    machine = tmp_path / "web.yml"
    machine.write_text(
        "name: web-1\ntarget: container-linux\nuser_data: |\n"
        "  #cloud-config\n  runcmd:\n    - [touch, /tmp/ran]\n"
    )
    with pytest.raises(InvalidInputError) as caught:
        build_machine(machine, tmp_path / "web.iso")
    (problem,) = caught.value.problems
    assert problem.path == ("runcmd",)
    assert "coreos-cloudinit ignores this key (only cloud-init reads it)" in problem.message
    assert not (tmp_path / "web.iso").exists()
    machine.write_text(machine.read_text().replace("container-linux", "cloud-init"))
    assert build_machine(machine, tmp_path / "web.iso").warnings == ()
    machine.write_text(machine.read_text().replace("cloud-init", "flatcar"))
    with pytest.raises(InvalidInputError) as caught:
        build_machine(machine, tmp_path / "other.iso")
    assert [p.path for p in caught.value.problems] == [("target",)]


def test_the_cli_takes_a_target(tmp_path: Path) -> None:
    from tests.helpers import run_cli

    path = CASES / "manage-etc-hosts-true" / "user.yml"
    auto = run_cli("build", str(path), "-o", str(tmp_path / "a.iso"))
    assert auto.returncode == 0
    assert "warning: manage_etc_hosts: coreos-cloudinit stops at boot" in auto.stderr
    strict = run_cli(
        "build", str(path), "--target", "container-linux", "-o", str(tmp_path / "b.iso")
    )
    assert strict.returncode == 1
    assert not (tmp_path / "b.iso").exists()
    quiet = run_cli("build", str(path), "--target", "cloud-init", "-o", str(tmp_path / "c.iso"))
    assert (quiet.returncode, quiet.stderr) == (0, "")
    wrong = run_cli("build", str(path), "--target", "coreos", "-o", str(tmp_path / "d.iso"))
    assert wrong.returncode == 2
    assert "target 'coreos' is not one of auto, container-linux, cloud-init" in wrong.stderr


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # vendor/gopkg.in/yaml.v3/resolve.go:52-59 and :126-265 (Flatcar's fork at 1c1d7f4)
        ("true", "bool"), ("FALSE", "bool"), ("yes", "str"), ("y", "str"), ("off", "str"),
        ("~", "null"), ("", "null"),
        ("0644", "int"), ("0o644", "int"), ("0x1F", "int"), ("-0b101", "int"), ("1_000", "int"),
        ("08", "float"), (".5", "float"), ("1e3", "float"), ("18446744073709551615", "int"),
        ("18446744073709551616", "float"), ("2001-12-14", "timestamp"), ("+", "str"),
    ],
)  # fmt: skip
def test_scalars_resolve_as_yaml_v3_resolves_them(text: str, kind: str) -> None:
    node = yaml.compose(f"key: {text}\n")
    assert isinstance(node, yaml.MappingNode)
    assert go_resolve_v3(node.value[0][1]) == kind


def test_the_fork_keeps_what_it_shares_with_v1_14_0_in_one_line() -> None:
    """A rule both readers follow is said once, naming coreos-cloudinit; the fork's
    findings carry its own name."""
    text = b"#cloud-config\nmanage_etc_hosts: true\nhostname: a.example\n"
    document = parse_document(Source("user.yml", text), [])
    assert document is not None
    upstream = coreos_findings(document, COREOS)
    fork = coreos_findings(document, FLATCAR)
    assert [f.outcome.value for f in upstream] == ["stops"]
    assert [f.outcome.value for f in fork] == ["stops", "changes"]
    assert all(f.message.startswith(FLATCAR.name) for f in fork)
    assert [f.path for f in fork_only(document)] == [("hostname",)]
    assert "'a'" in fork_only(document)[0].message


@pytest.mark.parametrize("name", CASE_NAMES)
def test_inspect_follows_the_fork(name: str) -> None:
    """The fork's drive verdict rejects exactly when its boot stops or drops the config."""
    case = _case(name)
    data = (CASES / name / "user.yml").read_bytes()
    verdict = _coreos_apply_verdict(data, "openstack/latest", flatcar=True)
    stops = case.get("flatcar", case["coreos-cloudinit"]) in ("stops", "drops-config")
    assert verdict.reader == "flatcar-coreos-cloudinit"
    assert (verdict.verdict is Verdict.REJECTS) == stops


def _drive_verdicts(tmp_path: Path, user_data: bytes, meta: dict[str, Any]) -> dict[str, Any]:
    image = iso_image(openstack_files(meta, user_data))
    inspection = inspect_drive(write(tmp_path / "drive.iso", image))
    return {verdict.reader: verdict for verdict in inspection.verdicts}


META = {"uuid": "2f0e8a4c-0d52-4a43-9d0b-6c3f7b1e5a11", "hostname": "web-1"}


def test_inspect_shows_the_fork_only_where_it_differs(tmp_path: Path) -> None:
    agreed = _drive_verdicts(tmp_path, b"#cloud-config\nhostname: web-1\n", META)
    assert "flatcar-coreos-cloudinit" not in agreed
    dashed = b"#cloud-config\ncoreos:\n  update:\n    reboot-strategy: 'off'\n"
    both = _drive_verdicts(tmp_path, dashed, META)
    assert both["coreos-cloudinit"].verdict is Verdict.ACCEPTS
    fork = both["flatcar-coreos-cloudinit"]
    assert fork.name == "Flatcar's coreos-cloudinit"
    assert fork.verdict is Verdict.ACCEPTS
    assert "write 'reboot_strategy'" in " ".join(fork.warnings)


def test_inspect_says_the_fork_drops_a_config_v1_14_0_reads(tmp_path: Path) -> None:
    text = b"#cloud-config\ncoreos:\n  units:\n    - name: a.service\n      enable: 1\n"
    both = _drive_verdicts(tmp_path, text, META)
    assert both["coreos-cloudinit"].verdict is Verdict.ACCEPTS
    assert both["flatcar-coreos-cloudinit"].verdict is Verdict.REJECTS
    assert "drops the whole cloud-config" in both["flatcar-coreos-cloudinit"].reasons[0]


def test_the_fork_skips_user_data_it_does_not_recognise(tmp_path: Path) -> None:
    """initialize/user_data.go:251-256 and :327-328 at 1c1d7f4, where v1.14.0 fails."""
    both = _drive_verdicts(tmp_path, b"hello\n", META)
    assert both["coreos-cloudinit"].verdict is Verdict.REJECTS
    assert both["flatcar-coreos-cloudinit"].verdict is Verdict.NO_CONFIG


def test_the_fork_cuts_meta_data_host_names(tmp_path: Path) -> None:
    """coreos-cloudinit.go:281-299 at 1c1d7f4: meta_data.json's name too."""
    meta = {**META, "hostname": "web-1.example.com"}
    both = _drive_verdicts(tmp_path, b"#!/bin/sh\ntrue\n", meta)
    assert both["coreos-cloudinit"].verdict is Verdict.ACCEPTS
    warnings = both["flatcar-coreos-cloudinit"].warnings
    assert [w for w in warnings if "'web-1'" in w and "meta_data.json" in w]


def _mime(*parts: tuple[str, bytes]) -> bytes:
    text = b'Content-Type: multipart/mixed; boundary="B"\nMIME-Version: 1.0\n\n'
    for kind, body in parts:
        text += b"--B\nContent-Type: " + kind.encode() + b"\n\n" + body + b"\n"
    return text + b"--B--\n"


def test_the_fork_reads_multipart_mime(tmp_path: Path) -> None:
    """initialize/user_data.go:63-164 and :245-250 at 1c1d7f4; v1.14.0 does not read it
    (its initialize/user_data.go:51-52, 'Unrecognized user-data format')."""
    good = _mime(
        ("text/cloud-config", b"#cloud-config\nhostname: web-1\n"),
        ("text/x-shellscript", b"#!/bin/sh\ntrue"),
    )
    both = _drive_verdicts(tmp_path, good, META)
    assert both["coreos-cloudinit"].verdict is Verdict.REJECTS
    assert both["flatcar-coreos-cloudinit"].verdict is Verdict.ACCEPTS
    bad = _mime(("text/cloud-config", b"coreos:\n  units:\n    - name: a\n      enable: 1\n"))
    fork = _drive_verdicts(tmp_path, bad, META)["flatcar-coreos-cloudinit"]
    assert fork.verdict is Verdict.REJECTS
    assert fork.reasons[0].startswith("MIME part 1: coreos.units[0].enable: ")
    short = _mime(("text/cloud-config", b"a: b"), ("text/x-shellscript", b"echo hi"))
    fork = _drive_verdicts(tmp_path, short, META)["flatcar-coreos-cloudinit"]
    assert [reason.split(":")[0] for reason in fork.reasons] == ["MIME part 1", "MIME part 2"]
    assert "crashes" in fork.reasons[0]
    assert "'#!'" in fork.reasons[1]


def test_cloud_inits_default_user_is_news_only_for_container_linux() -> None:
    """`users: [default]` is cloud-init's idiom: without a `coreos:` section nothing is said,
    though Flatcar's fork would drop the cloud-config (decode.go:718 at 1c1d7f4)."""
    text = b"#cloud-config\nusers:\n  - default\n  - name: alice\n"
    problems: list[Problem] = []
    inspect_user_data(Source("u", text), problems, Target.AUTO)
    assert problems == []
    inspect_user_data(Source("u", text), problems, Target.CONTAINER_LINUX)
    assert [p.severity.value for p in problems if FLATCAR.name in p.message] == ["error"]

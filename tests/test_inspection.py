"""inspect: facts, contents, problems and each reader's verdict, on drives good and broken.

The drives are made in-process (our own build, or pycdlib and the FAT writer for drives we
would never build). tests/interop/test_interop_inspect.py checks the same verdicts against
drives the real tools make and against cloud-init's own reader.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from configdrive import build
from configdrive.cli.report import terminal_safe
from configdrive.drives.inspection import HIDDEN, Inspection, inspect_drive
from configdrive.strict_json import json_safe
from tests.drive_images import UUID, fat_image, iso_image, openstack_files, write
from tests.helpers import VALID, case_args, run_cli

IGNITION = b'{"ignition": {"version": "3.4.0"}}'
KEY = (VALID.parent / "keys" / "ed25519.pub").read_text().strip()


def verdicts(inspection: Inspection) -> dict[str, str]:
    return {verdict.reader: verdict.verdict.value for verdict in inspection.verdicts}


def reasons(inspection: Inspection, reader: str) -> str:
    verdict = next(v for v in inspection.verdicts if v.reader == reader)
    return " ".join((*verdict.reasons, *verdict.warnings))


def inspect_image(tmp_path: Path, image: bytes, **options: Any) -> Inspection:
    return inspect_drive(write(tmp_path / "drive", image), **options)


def test_our_drive_of_the_container_linux_fixture(tmp_path: Path) -> None:
    folder = VALID / "container-linux"
    args = case_args(folder)
    result = run_cli("build", *args, "-o", tmp_path / "d.iso", "-q", cwd=folder)
    assert result.returncode == 0, result.stderr
    inspection = inspect_drive(tmp_path / "d.iso")
    assert inspection.ok
    assert verdicts(inspection) == {
        "cloud-init": "accepts",
        "coreos-cloudinit": "accepts",
        "ignition": "rejects",  # a cloud-config is no Ignition config
        "afterburn": "accepts",
    }
    assert inspection.folders["cloud-init"] == "openstack/2018-08-27"
    assert inspection.folders["afterburn"] == "openstack/latest"
    assert (inspection.layout, inspection.label, inspection.format) == (
        "config-2",
        "config-2",
        "iso9660",
    )
    assert inspection.trees_agree is True
    assert inspection.folders_agree is True
    assert inspection.problems == ()
    contents = inspection.contents
    assert contents.hostname == "core-01.example.com"
    assert contents.user_data is not None
    assert contents.user_data.kind == "cloud-config"
    assert contents.network is not None
    assert "DNS" in contents.network


def test_an_ignition_drive(tmp_path: Path) -> None:
    drive = tmp_path / "d.iso"
    build(IGNITION, drive, hostname="fcos-1", timestamp=0)
    assert verdicts(inspect_drive(drive)) == {
        "cloud-init": "accepts",
        "coreos-cloudinit": "no-config",
        "ignition": "accepts",
        "afterburn": "accepts",
    }


def test_a_drive_without_user_data(tmp_path: Path) -> None:
    drive = tmp_path / "d.iso"
    build(None, drive, meta_data={"uuid": UUID}, ssh_keys=[KEY], timestamp=0)
    inspection = inspect_drive(drive)
    assert verdicts(inspection) == {
        "cloud-init": "accepts",
        "coreos-cloudinit": "no-config",
        "ignition": "no-config",
        "afterburn": "accepts",
    }
    (key,) = inspection.contents.keys
    assert key["type"] == "ssh-ed25519"
    assert key["fingerprint"].startswith("SHA256:")


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("CONFIG-2", {"cloud-init": "accepts", "coreos-cloudinit": "not-found",
                      "ignition": "rejects", "afterburn": "not-found"}),
        ("Config-2", {"cloud-init": "not-found", "coreos-cloudinit": "not-found",
                      "ignition": "not-found", "afterburn": "not-found"}),
    ],
)  # fmt: skip
def test_label_case(tmp_path: Path, label: str, expected: dict[str, str]) -> None:
    inspection = inspect_image(tmp_path, iso_image(openstack_files(), label=label))
    assert verdicts(inspection) == expected
    assert inspection.ok is (label == "CONFIG-2")
    # What it holds is shown all the same.
    assert inspection.contents.uuid == UUID


def test_missing_uuid(tmp_path: Path) -> None:
    inspection = inspect_image(tmp_path, iso_image(openstack_files(meta={"hostname": "h"})))
    assert verdicts(inspection)["cloud-init"] == "rejects"
    assert "openstack/2018-08-27/meta_data.json has no 'uuid'" in reasons(inspection, "cloud-init")
    assert "Broken config drive" in reasons(inspection, "cloud-init")
    assert verdicts(inspection)["afterburn"] == "accepts"
    assert verdicts(inspection)["coreos-cloudinit"] == "accepts"
    assert inspection.failure is not None
    assert inspection.failure.kind == "broken"


def test_invalid_json(tmp_path: Path) -> None:
    files = openstack_files(meta=b'{"uuid": "x",}', user_data=IGNITION)
    inspection = inspect_image(tmp_path, iso_image(files))
    assert verdicts(inspection) == {
        "cloud-init": "rejects",
        "coreos-cloudinit": "rejects",
        "ignition": "accepts",  # it reads user_data only
        "afterburn": "rejects",
    }
    assert "invalid JSON" in reasons(inspection, "cloud-init")
    assert any(
        p.file == "openstack/2018-08-27/meta_data.json" and "invalid JSON" in p.message
        for p in inspection.problems
    )
    assert not inspection.ok


def test_content_at_the_root_instead_of_under_openstack(tmp_path: Path) -> None:
    meta = {"uuid": UUID, "files": [{"path": "/etc/motd", "content_path": "/content/0000"}]}
    files = openstack_files(meta=meta, extra={"content/0000": b"hello\n"})
    inspection = inspect_image(tmp_path, iso_image(files))
    assert verdicts(inspection)["cloud-init"] == "rejects"
    assert "the drive has it at /content/0000, outside openstack/" in reasons(
        inspection, "cloud-init"
    )
    assert verdicts(inspection)["coreos-cloudinit"] == "accepts"
    assert inspection.contents.files[0]["size"] is None


def test_content_where_it_belongs(tmp_path: Path) -> None:
    meta = {"uuid": UUID, "files": [{"path": "/etc/motd", "content_path": "/content/0000"}]}
    files = openstack_files(meta=meta, extra={"openstack/content/0000": b"hello\n"})
    inspection = inspect_image(tmp_path, iso_image(files))
    assert verdicts(inspection)["cloud-init"] == "accepts"
    assert inspection.reading is not None
    assert inspection.reading.files == {"/etc/motd": b"hello\n"}
    assert inspection.problems == ()  # `files` on a drive is no problem (as an input it is)


def test_dated_folder_differing_from_latest(tmp_path: Path) -> None:
    files = openstack_files()
    files["openstack/2018-08-27/user_data"] = b"#cloud-config\nhostname: other\n"
    inspection = inspect_image(tmp_path, iso_image(files))
    assert set(verdicts(inspection).values()) == {"accepts", "rejects"}
    assert inspection.folders_agree is False
    assert "openstack/latest differ in user_data" in reasons(inspection, "cloud-init")
    assert "openstack/2018-08-27 differ in user_data" in reasons(inspection, "afterburn")
    (problem,) = inspection.problems
    assert problem.file == "openstack/2018-08-27/user_data"
    assert problem.message == "differs from openstack/latest/user_data"
    assert problem.severity.value == "warning"
    assert inspection.ok  # a warning: every reader still reads a config


def test_only_latest_is_read_by_everyone(tmp_path: Path) -> None:
    inspection = inspect_image(tmp_path, iso_image(openstack_files(versions=("latest",))))
    assert inspection.folders["cloud-init"] == "openstack/latest"
    assert verdicts(inspection)["cloud-init"] == "accepts"


def test_vfat_config_drive(tmp_path: Path) -> None:
    inspection = inspect_image(tmp_path, fat_image(openstack_files()))
    assert inspection.format == "vfat"
    assert verdicts(inspection) == {
        "cloud-init": "accepts",
        "coreos-cloudinit": "accepts",
        "ignition": "rejects",
        "afterburn": "not-found",
    }
    assert "iso9660 only" in reasons(inspection, "afterburn")


@pytest.mark.parametrize("level", [1, 3])
def test_iso9660_names_only(tmp_path: Path, level: int) -> None:
    image = iso_image(openstack_files(), rock_ridge=False, joliet=False, level=level)
    inspection = inspect_image(tmp_path, image)
    assert inspection.names_from == "iso9660"
    if level == 1:
        # 8.3: meta_dat.jso is no meta_data.json.
        assert verdicts(inspection)["cloud-init"] == "rejects"
        assert "cut to 8.3" in reasons(inspection, "cloud-init")
        assert verdicts(inspection)["afterburn"] == "rejects"
    else:
        # Long names survive, but 2018-08-27 becomes 2018_08_27: cloud-init reads latest.
        assert verdicts(inspection)["cloud-init"] == "accepts"
        assert inspection.folders["cloud-init"] == "openstack/latest"


def test_joliet_only(tmp_path: Path) -> None:
    inspection = inspect_image(tmp_path, iso_image(openstack_files(), rock_ridge=False))
    assert inspection.names_from == "joliet"
    assert verdicts(inspection)["cloud-init"] == "accepts"
    assert inspection.folders["cloud-init"] == "openstack/2018-08-27"
    assert inspection.trees_agree is None


def test_rock_ridge_and_joliet_disagreeing(tmp_path: Path) -> None:
    files = {**openstack_files(versions=("latest",)), "openstack/latest/vendor_data.json": b"{}"}
    image = iso_image(
        files,
        patches={"vendor_data.json".encode("utf-16-be"): "vendor_dat2.json".encode("utf-16-be")},
    )
    inspection = inspect_image(tmp_path, image)
    assert inspection.trees_agree is False
    messages = {p.file: p.message for p in inspection.problems}
    assert messages["openstack/latest/vendor_data.json"].startswith("only in the Rock Ridge tree")
    assert messages["openstack/latest/vendor_dat2.json"].startswith("only in the Joliet tree")


@pytest.mark.parametrize("fat", [False, True])
def test_nocloud_seed(tmp_path: Path, fat: bool) -> None:
    files = {
        "user-data": b"#cloud-config\nhostname: seed-1\n",
        "meta-data": b"instance-id: iid-1\nlocal-hostname: seed-1\n",
        "network-config": b"version: 2\nethernets: {}\n",
    }
    image = fat_image(files, label="cidata") if fat else iso_image(files, label="cidata")
    inspection = inspect_image(tmp_path, image)
    assert inspection.layout == "nocloud"
    assert verdicts(inspection) == {
        "cloud-init": "accepts",
        "coreos-cloudinit": "not-found",
        "ignition": "not-found",
        "afterburn": "not-found",
    }
    assert inspection.contents.uuid == "iid-1"
    assert inspection.contents.network == "network-config version 2"
    assert inspection.problems == ()


def test_nocloud_seed_without_meta_data(tmp_path: Path) -> None:
    image = iso_image({"user-data": b"#cloud-config\n"}, label="CIDATA")
    inspection = inspect_image(tmp_path, image)
    assert verdicts(inspection)["cloud-init"] == "rejects"
    assert "meta-data missing" in reasons(inspection, "cloud-init")


def test_random_seed_cloud_init_cannot_decode(tmp_path: Path) -> None:
    meta = {"uuid": UUID, "random_seed": "not base64 é"}
    inspection = inspect_image(tmp_path, iso_image(openstack_files(meta=meta)))
    assert verdicts(inspection)["cloud-init"] == "rejects"
    assert "random_seed is not base64" in reasons(inspection, "cloud-init")


def test_secrets_stay_hidden_unless_asked(tmp_path: Path) -> None:
    meta = {"uuid": UUID, "admin_pass": "hunter2-secret", "meta": {"token": "tok-secret"}}
    user_data = b"#cloud-config\npassword: pw-secret\n"
    drive = write(tmp_path / "d.iso", iso_image(openstack_files(meta=meta, user_data=user_data)))
    hidden = json.dumps(inspect_drive(drive).to_json())
    for secret in ("hunter2-secret", "tok-secret", "pw-secret"):
        assert secret not in hidden
    assert HIDDEN in hidden
    shown = inspect_drive(drive, show=["secrets"]).to_json()
    assert shown["cloud_init"]["metadata"]["admin_pass"] == "hunter2-secret"
    assert "pw-secret" not in json.dumps(shown)
    with_user_data = inspect_drive(drive, show=["user-data"]).to_json()
    assert with_user_data["user_data"] == {"encoding": "utf-8", "data": user_data.decode()}
    assert "hunter2-secret" not in json.dumps(with_user_data)


def test_the_command_line(tmp_path: Path) -> None:
    good = tmp_path / "good.iso"
    build(b"#cloud-config\nhostname: web-1\n", good, timestamp=0)
    result = run_cli("inspect", good)
    assert result.returncode == 0, result.stderr
    assert "readers" in result.stdout
    assert "  cloud-init        accepts" in result.stdout
    document = json.loads(run_cli("inspect", good, "--json").stdout)
    assert document["ok"] is True
    assert [reader["reader"] for reader in document["readers"]] == [
        "cloud-init", "coreos-cloudinit", "ignition", "afterburn",
    ]  # fmt: skip
    shown = run_cli("inspect", good, "--show", "user-data")
    assert shown.stdout.rstrip().endswith("#cloud-config\nhostname: web-1")
    bad = write(tmp_path / "bad.iso", iso_image(openstack_files(), label="nope"))
    result = run_cli("inspect", bad, "-q")
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "")
    assert run_cli("inspect", tmp_path / "missing.iso").returncode == 3
    assert run_cli("inspect", good, "--show", "everything").returncode == 2
    not_a_drive = write(tmp_path / "x", b"x" * 100_000)
    result = run_cli("inspect", not_a_drive)
    assert result.returncode == 1
    assert "not an ISO9660 or FAT image" in result.stderr


@pytest.mark.parametrize(
    ("options", "format_", "packing", "layout"),
    [
        ([], "iso9660", None, "config-2"),
        (["--format", "vfat"], "vfat", None, "config-2"),
        (["--format", "ironic"], "iso9660", "gzip+base64", "config-2"),
        (["--layout", "nocloud"], "iso9660", None, "nocloud"),
        (["--layout", "nocloud", "--format", "vfat"], "vfat", None, "nocloud"),
    ],
)
def test_every_drive_we_build_inspects_clean(
    tmp_path: Path, options: list[str], format_: str, packing: str | None, layout: str
) -> None:
    folder = VALID / "container-linux"
    drive = tmp_path / "drive"
    result = run_cli("build", *case_args(folder), *options, "-o", drive, "-q", cwd=folder)
    assert result.returncode == 0, result.stderr
    inspection = inspect_drive(drive)
    assert (inspection.format, inspection.packing, inspection.layout) == (format_, packing, layout)
    assert inspection.ok
    assert inspection.problems == ()
    assert verdicts(inspection)["cloud-init"] == "accepts"
    assert inspection.contents.hostname == "core-01.example.com"


# --------------------------------------------------------------------------- hostile contents

DEEP = b"[" * 10_000 + b"]" * 10_000
# Ten aliases of ten aliases, nine times over: a billion values once expanded.
ALIAS_BOMB = b"l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + b"".join(
    b"l%d: &l%d [%s]\n" % (level, level, b", ".join([b"*l%d" % (level - 1)] * 10))
    for level in range(1, 10)
)
TOO_DEEP = "the document nests more than 100 levels deep"
EXPANDS = "the document expands to more than 100000 values"
REFUSED = "a document build refuses, so inspect reads no further"


def nocloud_seed(**files: bytes) -> bytes:
    seed = {"user-data": b"#cloud-config\n", "meta-data": b"instance-id: iid-1\n"}
    seed.update({name.replace("_", "-"): data for name, data in files.items()})
    return iso_image(seed, label="cidata")


def problem_texts(inspection: Inspection) -> list[str]:
    return [str(problem) for problem in inspection.problems]


@pytest.mark.parametrize(
    ("files", "path", "readers_refusing"),
    [
        (
            openstack_files(
                b'{"uuid": "%s", "x": %s}' % (UUID.encode(), DEEP), versions=("latest",)
            ),
            "openstack/latest/meta_data.json",
            ["cloud-init", "coreos-cloudinit", "afterburn"],
        ),
        (
            openstack_files(
                extra={"openstack/latest/network_data.json": DEEP}, versions=("latest",)
            ),
            "openstack/latest/network_data.json",
            ["cloud-init"],
        ),
        (
            openstack_files(extra={"ec2/latest/meta-data.json": DEEP}, versions=("latest",)),
            "ec2/latest/meta-data.json",
            ["cloud-init"],
        ),
        (
            openstack_files(
                user_data=b'{"ignition": {"version": "3.4.0"}, "x": ' + DEEP + b"}",
                versions=("latest",),
            ),
            "openstack/latest/user_data",
            ["ignition"],
        ),
    ],
    ids=["meta-data", "network-data", "ec2", "ignition"],
)
def test_json_nested_too_deep_is_refused_not_parsed(
    tmp_path: Path, files: dict[str, bytes], path: str, readers_refusing: list[str]
) -> None:
    """10,000 levels would exhaust Python's stack in every JSON parser: refused unparsed."""
    inspection = inspect_image(tmp_path, iso_image(files))
    assert any(
        text.startswith(f"{path}:1:") and TOO_DEEP in text for text in problem_texts(inspection)
    )
    for reader in readers_refusing:
        assert verdicts(inspection)[reader] == "rejects"
        assert f"{path}: {TOO_DEEP}: {REFUSED}" in reasons(inspection, reader)
    assert not inspection.ok
    json.dumps(inspection.to_json())


def test_cloud_init_refuses_its_own_folder_too_deep(tmp_path: Path) -> None:
    meta = b'{"uuid": "%s", "x": %s}' % (UUID.encode(), DEEP)
    inspection = inspect_image(tmp_path, iso_image(openstack_files(meta)))
    assert verdicts(inspection)["cloud-init"] == "rejects"
    assert inspection.failure is not None
    assert inspection.failure.kind == "refused"
    assert f"openstack/2018-08-27/meta_data.json: {TOO_DEEP}" in reasons(inspection, "cloud-init")
    # The contents are read leniently, and the refused document gives none.
    assert inspection.contents.uuid is None


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        ({"meta_data": b"instance-id: iid-1\nx: " + DEEP + b"\n"}, f"meta-data:2:1003: {TOO_DEEP}"),
        ({"meta_data": b"instance-id: iid-1\n" + ALIAS_BOMB}, f"meta-data:1:1: {EXPANDS}"),
        (
            {"meta_data": b"instance-id: iid-1\nx: &a [*a]\n"},
            "meta-data:2:4: the document contains itself (an alias inside its own anchor)",
        ),
        ({"network_config": b"version: 2\n" + ALIAS_BOMB}, f"network-config:1:1: {EXPANDS}"),
    ],
    ids=["deep", "alias-bomb", "self-alias", "network-config-alias-bomb"],
)
def test_nocloud_documents_over_the_limits_are_refused(
    tmp_path: Path, seed: dict[str, bytes], expected: str
) -> None:
    inspection = inspect_image(tmp_path, nocloud_seed(**seed))
    assert any(text.startswith(expected) for text in problem_texts(inspection)), inspection.problems
    assert verdicts(inspection)["cloud-init"] == "rejects"
    assert REFUSED in reasons(inspection, "cloud-init")
    assert inspection.failure is not None
    assert inspection.failure.kind == "refused"
    json.dumps(inspection.to_json())


def test_a_refused_network_config_leaves_the_meta_data_shown(tmp_path: Path) -> None:
    inspection = inspect_image(tmp_path, nocloud_seed(network_config=ALIAS_BOMB))
    assert inspection.contents.uuid == "iid-1"


@pytest.mark.parametrize(
    ("meta", "reader", "reason"),
    [
        ({"keys": 5}, None, "keys: 5 is not of type 'array'"),
        ({"keys": True}, None, "keys: true is not of type 'array'"),
        (
            {"files": [{"path": ["a"], "content_path": "/content/0000"}]},
            "cloud-init",
            "files[0]: path is a list, not a name (cloud-init logs 'Broken config drive'",
        ),
        (
            {"files": [{"path": {"a": 1}, "content_path": "/content/0000"}]},
            "cloud-init",
            "files[0]: path is a mapping, not a name",
        ),
    ],
    ids=["keys-number", "keys-boolean", "files-path-list", "files-path-mapping"],
)
def test_wrong_types_in_meta_data_are_problems(
    tmp_path: Path, meta: dict[str, Any], reader: str | None, reason: str
) -> None:
    files = openstack_files({"uuid": UUID, **meta}, extra={"openstack/content/0000": b"hi"})
    inspection = inspect_image(tmp_path, iso_image(files))
    assert not inspection.ok
    if reader is None:
        assert any(reason in text for text in problem_texts(inspection)), inspection.problems
    else:
        assert verdicts(inspection)[reader] == "rejects"
        assert reason in reasons(inspection, reader)


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ([1, None], "meta-data:1:42: public-keys[0]: a key must be a string"),
        ({"a": [[KEY]]}, "public-keys.a: a key must be a string or a list of them"),
    ],
)
def test_nocloud_public_keys_of_the_wrong_type(tmp_path: Path, keys: Any, expected: str) -> None:
    meta = json.dumps({"instance-id": "iid-1", "public-keys": keys}).encode()
    inspection = inspect_image(tmp_path, nocloud_seed(meta_data=meta))
    assert any(expected in text for text in problem_texts(inspection)), inspection.problems
    assert not inspection.ok
    assert inspection.contents.keys[0]["type"] is None


# --------------------------------------------------------------------------- safe to print


def _strict(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_json_output_is_strict_json_whatever_the_drive_holds(tmp_path: Path) -> None:
    """Python's json reads NaN and Infinity, YAML dates, sets and binary: none is JSON."""
    meta = b'{"uuid": "%s", "meta": {"load": NaN, "max": Infinity, "min": -Infinity}}' % (
        UUID.encode()
    )
    drive = write(tmp_path / "nan.iso", iso_image(openstack_files(meta, versions=("latest",))))
    result = run_cli("inspect", drive, "--json")
    assert result.returncode == 1, result.stderr  # Go and Rust readers refuse NaN
    document = _strict(result.stdout)
    assert document["cloud_init"]["metadata"]["meta"] == {
        "load": "NaN",
        "max": "Infinity",
        "min": "-Infinity",
    }
    seed = nocloud_seed(
        meta_data=b"instance-id: iid-1\nnan: .nan\nday: 2020-01-02\nset: !!set {a, b}\n"
        b"blob: !!binary aGk=\n1: one\n"
    )
    result = run_cli("inspect", write(tmp_path / "seed.iso", seed), "--json")
    assert result.returncode == 0, result.stderr
    metadata = _strict(result.stdout)["cloud_init"]["metadata"]
    assert metadata | {"instance-id": None} == {
        "instance-id": None,
        "nan": "NaN",
        "day": "2020-01-02",
        "set": ["a", "b"],
        "blob": "aGk=",
        "1": "one",
    }


ESCAPES = "\x1b]0;owned\x07\x1b[2J"


def test_escape_sequences_in_names_and_values_are_printed_escaped(tmp_path: Path) -> None:
    name = f"web{ESCAPES}"
    meta = {
        "uuid": UUID,
        "hostname": name,
        "name": name,
        "public_keys": {name: f"{KEY} {name}"},
        "files": [{"path": f"/etc/{name}", "content_path": "/content/0000"}],
    }
    files = openstack_files(meta, versions=("latest",), extra={"openstack/content/0000": b"x"})
    image = iso_image(files, symlinks={"openstack/link": f"/{name}"})
    drive = write(tmp_path / "d.iso", image)
    for extra in ([], ["--json"], ["--show", "user-data"]):
        result = run_cli("inspect", drive, *extra)
        printed = result.stdout + result.stderr
        assert "\x1b" not in printed, extra
        assert "\x07" not in printed, extra
    text = run_cli("inspect", drive).stdout
    assert "  hostname     web\\x1b]0;owned\\x07\\x1b[2J\n" in text
    assert "openstack/link -> /web\\x1b]0;owned\\x07\\x1b[2J" in text
    assert _strict(run_cli("inspect", drive, "--json").stdout)["contents"]["hostname"] == name


def test_terminal_safe_escapes_what_a_terminal_acts_on() -> None:
    assert terminal_safe("a\tb\nc") == "a\tb\nc"
    assert terminal_safe("\x1b[2J\r\x00\x7f\x9b") == "\\x1b[2J\\r\\x00\\x7f\\x9b"
    assert terminal_safe("abc\u202edef") == "abc\\u202edef"  # a right-to-left override
    assert terminal_safe("caf\udce9") == "caf\\xe9"  # a byte that was not UTF-8
    assert terminal_safe("héllo ✓") == "héllo ✓"


def test_json_safe_keeps_json_and_converts_the_rest() -> None:
    value = {"a": [1, 2.5, None, True, "x"], 3: float("nan"), None: b"hi", False: {2, 1}}
    assert json_safe(value) == {"a": [1, 2.5, None, True, "x"], "3": "NaN", "null": "aGk=",
                                "false": [1, 2]}  # fmt: skip

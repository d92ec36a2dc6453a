"""mkconfigdrive oem -o DIR: the files of a Flatcar OEM partition, judged by their readers.

Each file is read the way Flatcar reads it: base/base.ign by Debian's ignition-validate
(Ignition's own parser and validator), grub.cfg by GRUB's own parser (grub-script-check),
oem-release by bash as flatcar-install evals it (flatcar/init@3298243 bin/flatcar-install
lines 77-81) and by the initrd's `grep ^ID= | cut` (flatcar/bootengine@6c2fba4
dracut/99setup-root/initrd-setup-root-after-ignition line 51). The rules themselves, and
where each comes from, are in configdrive/distro/oem_kit.py's docstring.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configdrive.distro.oem import PLATFORMS, oem_config
from configdrive.distro.oem_kit import (
    BASE_CONFIG,
    FLATCAR_OEM_IDS,
    IGNITION_SPEC_VERSION,
    KIT_FILES,
    oem_tree,
    write_oem_tree,
)
from configdrive.errors import OutputError, UsageError
from tests.helpers import run_cli

IGNITION_VALIDATE = "/usr/bin/ignition-validate"
GRUB_SCRIPT_CHECK = "/usr/bin/grub-script-check"
# Options that reach every file: the identity (cloud-config, oem-release) and grub's oem_id.
CUSTOM = {
    "oem_id": "example-cloud",
    "oem_name": 'Example "Cloud": $HOME `id` \\ café',
    "version_id": "2024.1",
    "home_url": "https://cloud.example/",
    "bug_report_url": "https://cloud.example/bugs?a=$x",
    "flatcar_oem_id": "qemu",
}


def program(path: str) -> str:
    found = shutil.which(path)
    if found is None:
        pytest.fail(f"{path} is missing: install Debian's ignition and grub-common (scripts/test)")
    return found


def ignition_validate(config: Path) -> tuple[int, str]:
    """Debian's ignition-validate (2.14) on a file: its exit code and all it said."""
    result = subprocess.run(
        [program(IGNITION_VALIDATE), str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def sourced(oem_release: Path) -> dict[str, str]:
    """The variables flatcar-install gets from oem-release: `eval "$(sed 's/^/OEM_/' f)"`.

    Under `set -eu`, so a line that is no assignment (a comment, a blank line) fails.
    """
    script = (
        "set -eu\n"
        'eval "$(sed -e \'s/^/OEM_/\' "$1")"\n'
        "for name in ID VERSION_ID NAME HOME_URL BUG_REPORT_URL; do\n"
        '  variable="OEM_$name"\n'
        '  if [ -n "${!variable+set}" ]; then printf "%s=%s\\0" "$name" "${!variable}"; fi\n'
        "done\n"
    )
    result = subprocess.run(
        ["/bin/bash", "-c", script, "bash", str(oem_release)],
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    pairs = [item.decode() for item in result.stdout.split(b"\0") if item]
    return dict(pair.split("=", 1) for pair in pairs)


def initrd_oem_id(oem_release: Path) -> str:
    """The ID as Flatcar's initrd reads it (initrd-setup-root-after-ignition line 51)."""
    script = '{ grep -m 1 -o "^ID=.*" "$1" || true ; } | cut -d = -f 2'
    result = subprocess.run(
        ["/bin/bash", "-c", script, "bash", str(oem_release)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout.rstrip("\n")


def written(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def siblings(folder: Path) -> list[str]:
    """Every name beside `folder` (a temporary or retired tree left behind would show)."""
    return sorted(path.name for path in folder.parent.iterdir())


# --------------------------------------------------------------- every file, by its reader


@pytest.mark.interop
@pytest.mark.parametrize("options", [{}, CUSTOM], ids=["defaults", "custom"])
@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_every_file_passes_its_reader(
    platform: str, options: dict[str, str], tmp_path: Path
) -> None:
    tree = oem_tree(platform, **options)
    assert set(tree) == KIT_FILES
    folder = tmp_path / "oem"
    write_oem_tree(tree, folder)
    assert written(folder) == tree

    # Ignition: every .ign the kit writes, judged by the real validator.
    configs = sorted(folder.rglob("*.ign"))
    assert [path.relative_to(folder).as_posix() for path in configs] == [BASE_CONFIG]
    for config in configs:
        assert ignition_validate(config) == (0, "")

    # GRUB's own parser accepts grub.cfg.
    grub = subprocess.run(
        [program(GRUB_SCRIPT_CHECK), str(folder / "grub.cfg")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (grub.returncode, grub.stdout, grub.stderr) == (0, "", "")

    # oem-release, as flatcar-install and the initrd read it.
    identity = sourced(folder / "oem-release")
    platform_defaults = PLATFORMS[platform]
    expected = {
        "ID": options.get("oem_id", platform_defaults.oem_id),
        "NAME": options.get("oem_name", platform_defaults.oem_name),
        "HOME_URL": options.get("home_url", platform_defaults.home_url),
    }
    for field, option in (("VERSION_ID", "version_id"), ("BUG_REPORT_URL", "bug_report_url")):
        if option in options:
            expected[field] = options[option]
    assert identity == expected
    assert initrd_oem_id(folder / "oem-release") == expected["ID"]

    # The cloud-config is oem's own, for the same options.
    cloud_options = {key: value for key, value in options.items() if key != "flatcar_oem_id"}
    assert tree["cloud-config.yml"] == oem_config(platform, **cloud_options).encode()


@pytest.mark.interop
def test_ignition_validate_is_a_real_judge(tmp_path: Path) -> None:
    """The validator refuses what Flatcar's base.d would refuse: the test above can fail."""
    config = json.loads(oem_tree("openstack")[BASE_CONFIG])
    newer = tmp_path / "newer.ign"
    newer.write_text(json.dumps({**config, "ignition": {"version": "3.4.0"}}))
    assert ignition_validate(newer) == (1, "couldn't parse config: unsupported config version\n")
    unnamed = tmp_path / "unnamed.ign"
    unnamed.write_text(json.dumps({**config, "systemd": {"units": [{"enabled": True}]}}))
    code, said = ignition_validate(unnamed)
    assert code == 1
    assert "name" in said
    broken = tmp_path / "grub.cfg"
    broken.write_text('set oem_id="openstack\n')
    assert subprocess.run([program(GRUB_SCRIPT_CHECK), str(broken)], check=False).returncode


def test_base_config_is_flatcars_openstack_one() -> None:
    """flatcar/coreos-overlay@71845bd coreos-base/oem-ec2-compat/files/base/openstack.ign
    lines 1-13: spec 3.3.0, coreos-metadata-sshkeys@.service enabled, nothing else."""
    for platform in PLATFORMS:
        assert json.loads(oem_tree(platform)[BASE_CONFIG]) == {
            "ignition": {"version": "3.3.0"},
            "systemd": {"units": [{"enabled": True, "name": "coreos-metadata-sshkeys@.service"}]},
        }
    # The newest spec both read: Debian's Ignition 2.14 (coreos/ignition v2.14.0 config/v3_3;
    # v3_4 is still experimental there) and Flatcar's 2.26 (flatcar/scripts@ab6d76d
    # coreos-overlay/sys-apps/ignition/ignition-2.26.0.ebuild; v2.26.0 config/v3_0 to v3_6).
    assert IGNITION_SPEC_VERSION == "3.3.0"


def test_no_default_ign() -> None:
    """Ignition v3 has no default config; Flatcar stopped copying it (flatcar/bootengine@e4027c6)
    and removed its OEMs' (flatcar/coreos-overlay@303b7ce): nothing would read one."""
    assert all("default.ign" not in path for path in oem_tree("openstack"))


def test_grub_cfg_sets_oem_id_and_nothing_else() -> None:
    """Flatcar's GRUB sources the OEM grub.cfg and passes flatcar.oem.id=$oem_id
    (flatcar/scripts@ab6d76d build_library/grub.cfg lines 51-57 and 67-70)."""
    for platform, oem_id in (("openstack", "openstack"), ("ec2-metadata", "ec2")):
        text = oem_tree(platform)["grub.cfg"].decode()
        commands = [line for line in text.splitlines() if line and not line.startswith("#")]
        assert commands == [f'set oem_id="{oem_id}"']
        # Flatcar's own (build_library/oem/openstack/grub.cfg line 1) start the same way.
        assert text.startswith("# Flatcar GRUB settings")
    custom = oem_tree("openstack", flatcar_oem_id="vmware")["grub.cfg"].decode()
    assert custom.splitlines()[-1] == 'set oem_id="vmware"'


def test_oem_release_is_assignments_only_with_a_bare_id() -> None:
    """Every line an assignment (flatcar-install evals it), ID and VERSION_ID bare (the
    initrd cuts ID at '='), in the order of Flatcar's template
    (flatcar/coreos-overlay@71845bd coreos-base/oem-ec2-compat/files/oem-release lines 1-5)."""
    tree = oem_tree("openstack", version_id="7", bug_report_url="https://b.example/")
    lines = tree["oem-release"].decode().splitlines()
    assert lines == [
        "ID=openstack",
        "VERSION_ID=7",
        'NAME="OpenStack"',
        'HOME_URL="https://www.openstack.org/"',
        'BUG_REPORT_URL="https://b.example/"',
    ]


_PRINTABLE = st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"])


@given(st.text(_PRINTABLE, min_size=1, max_size=60).filter(str.isprintable))
@settings(max_examples=40, deadline=None)
def test_any_printable_oem_name_reaches_flatcar_install_unchanged(name: str) -> None:
    """os-release(5) quoting: \\ " $ and ` escaped inside double quotes, nothing else runs."""
    with tempfile.TemporaryDirectory() as folder:
        release = Path(folder) / "oem-release"
        release.write_bytes(oem_tree("openstack", oem_name=name)["oem-release"])
        assert sourced(release)["NAME"] == name


def test_the_same_bytes_every_time(tmp_path: Path) -> None:
    for platform in PLATFORMS:
        assert oem_tree(platform, **CUSTOM) == oem_tree(platform, **CUSTOM)
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        assert run_cli("oem", "--platform", "openstack", "-o", folder).returncode == 0
    assert written(first) == written(second) == oem_tree("openstack")


# ---------------------------------------------------------------------- the command line


def test_the_command_line_writes_the_tree_and_reports_it(tmp_path: Path) -> None:
    folder = tmp_path / "oem"
    done = run_cli(
        "oem", "--platform", "ec2-metadata", "-o", folder, "--oem-version", "3", "--json"
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    files = written(folder)
    assert report == {
        "ok": True,
        "platform": "ec2-metadata",
        "path": str(folder),
        "files": [
            {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for path, data in files.items()
        ],
    }
    assert b"VERSION_ID=3\n" in files["oem-release"]
    assert b'version_id: "3"' in files["cloud-config.yml"]
    assert files["grub.cfg"].endswith(b'set oem_id="ec2"\n')
    assert {path.stat().st_mode & 0o777 for path in folder.rglob("*")} == {0o644, 0o755}

    text = run_cli("oem", "--platform", "openstack", "-o", tmp_path / "text")
    lines = text.stdout.splitlines()
    assert lines[0] == (
        f"Wrote {tmp_path / 'text'}: the OEM partition's files for openstack; copy them to "
        "the root of the partition labelled OEM"
    )
    assert [line.split()[0] for line in lines[1:]] == sorted(KIT_FILES)


def test_an_existing_empty_folder_is_filled(tmp_path: Path) -> None:
    folder = tmp_path / "oem"
    folder.mkdir()
    assert run_cli("oem", "--platform", "openstack", "-o", folder).returncode == 0
    assert written(folder) == oem_tree("openstack")
    assert siblings(folder) == ["oem"]


def test_a_yml_name_still_gets_the_cloud_config_alone(tmp_path: Path) -> None:
    for name in ("cloud-config.yml", "OEM.YAML"):
        target = tmp_path / name
        done = run_cli("oem", "--platform", "openstack", "-o", target)
        assert done.returncode == 0, done.stderr
        assert target.read_text() == oem_config("openstack")
    # grub.cfg's oem_id has no place in the cloud-config.
    refused = run_cli(
        "oem", "--platform", "openstack", "-o", tmp_path / "x.yml", "--flatcar-oem-id", "qemu"
    )
    assert (refused.returncode, refused.stderr) == (
        2,
        "mkconfigdrive: --flatcar-oem-id goes into grub.cfg: give -o DIR for the tree\n",
    )
    assert not (tmp_path / "x.yml").exists()


def test_force_replaces_a_kit_and_only_a_kit(tmp_path: Path) -> None:
    folder = tmp_path / "oem"
    assert run_cli("oem", "--platform", "openstack", "-o", folder).returncode == 0
    replaced = run_cli("oem", "--platform", "ec2-metadata", "-o", folder, "--force")
    assert replaced.returncode == 0, replaced.stderr
    assert written(folder) == oem_tree("ec2-metadata")
    assert siblings(folder) == ["oem"]

    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("mine")
    refused = run_cli("oem", "--platform", "openstack", "-o", home, "--force")
    assert refused.returncode == 3
    assert refused.stderr.startswith(f"mkconfigdrive: {home}: holds files the OEM kit does not ")
    assert refused.stderr.count("\n") == 1
    assert written(home) == {"notes.txt": b"mine"}


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        # A folder that holds something: only --force replaces it.
        (
            ["-o", "{tmp}/full"],
            3,
            "{tmp}/full: is a folder and not empty; use --force to replace it",
        ),
        # One missing level is the folder itself; two is a mistyped path.
        (
            ["-o", "{tmp}/missing/deeper/oem"],
            3,
            "{tmp}/missing/deeper: the folder does not exist (create it with: mkdir -p "
            "{tmp}/missing/deeper)",
        ),
        (
            ["-o", "{tmp}/oem", "--oem-id", "Example Cloud"],
            2,
            "--oem-id 'Example Cloud': use lower-case letters, digits, '.', '_' and '-' "
            "(an os-release ID)",
        ),
        # Not an oem_id Flatcar's images boot with (flatcar/scripts@ab6d76d
        # build_library/oem/*/grub.cfg line 3): Ignition's platform.MustGet would panic
        # (coreos/ignition v2.26.0 internal/platform/platform.go lines 126-131).
        (
            ["-o", "{tmp}/oem", "--flatcar-oem-id", "ec2-compat"],
            2,
            "--flatcar-oem-id 'ec2-compat': Flatcar's Ignition would stop at a platform it does "
            "not know; use one of: " + ", ".join(sorted(FLATCAR_OEM_IDS)),
        ),
        # A file without .yml is no place for a tree, and is not overwritten.
        (
            ["-o", "{tmp}/notes", "--force"],
            3,
            "{tmp}/notes: is a file; -o writes the OEM partition's files to a folder, or the "
            "cloud-config alone to a name ending in .yml",
        ),
    ],
    ids=["existing-folder", "missing-parents", "bad-oem-id", "bad-flatcar-oem-id", "a-file"],
)
def test_refusals_say_one_line_and_leave_nothing(
    arguments: list[str], code: int, message: str, tmp_path: Path
) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep").write_text("keep me")
    (tmp_path / "notes").write_text("notes")
    before = sorted(str(path) for path in tmp_path.rglob("*"))
    args = [argument.replace("{tmp}", str(tmp_path)) for argument in arguments]
    refused = run_cli("oem", "--platform", "openstack", *args)
    assert (refused.returncode, refused.stdout) == (code, "")
    assert refused.stderr == f"mkconfigdrive: {message.replace('{tmp}', str(tmp_path))}\n"
    assert sorted(str(path) for path in tmp_path.rglob("*")) == before
    assert (tmp_path / "full" / "keep").read_text() == "keep me"
    assert (tmp_path / "notes").read_text() == "notes"


def test_a_failure_while_writing_leaves_nothing_behind(tmp_path: Path) -> None:
    """A name too long for the file system fails after the other files were written."""
    tree = {**oem_tree("openstack"), "z" * 300: b"too long a name"}
    folder = tmp_path / "oem"
    with pytest.raises(OutputError) as caught:
        write_oem_tree(tree, folder)
    assert str(caught.value) == f"{folder}: file name too long"
    assert list(tmp_path.iterdir()) == []

    # An existing kit survives a failed --force replacement whole.
    write_oem_tree(oem_tree("openstack"), folder)
    with pytest.raises(OutputError):
        write_oem_tree(tree, folder, force=True)
    assert written(folder) == oem_tree("openstack")
    assert siblings(folder) == ["oem"]


@pytest.mark.parametrize("key", ["/etc/passwd", "../escape", "base/../../x", "", "a//b"])
def test_tree_paths_stay_inside_the_folder(key: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        write_oem_tree({key: b"x"}, tmp_path / "oem")
    assert list(tmp_path.iterdir()) == []

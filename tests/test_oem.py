"""mkconfigdrive oem: the OEM cloud-config a distributor bakes into the image.

Every platform's output must pass our own validation, the one `build` applies to user
data (schemas/cloud-config.schema.json and the checks), with no warning at all; the tests
also read the units back and check they do what the platform needs at boot.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from configdrive.api import machine_spec, validate_machine
from configdrive.cli import distro_commands as cli
from configdrive.distro.oem import METADATA_URL, PLATFORMS, oem_config
from configdrive.errors import UsageError
from tests.helpers import run_cli


def units_of(text: str) -> dict[str, dict[str, Any]]:
    """The coreos.units of a cloud-config, by name."""
    document = yaml.safe_load(text)
    return {unit["name"]: unit for unit in document["coreos"]["units"]}


def unit_lines(unit: dict[str, Any]) -> list[str]:
    content: str = unit["content"]
    return content.splitlines()


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_every_platform_passes_our_validation_without_a_warning(platform: str) -> None:
    text = oem_config(platform)
    assert text.startswith("#cloud-config\n")
    machine = validate_machine(machine_spec(text.encode()), strict=True)
    assert machine.warnings == ()
    assert machine.user_data_info is not None
    assert machine.user_data_info.kind.value == "cloud-config"


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_build_accepts_it_strictly(platform: str, tmp_path: Path) -> None:
    config = tmp_path / "cloud-config.yml"
    written = run_cli("oem", "--platform", platform, "-o", config)
    assert written.returncode == 0, written.stderr
    assert written.stdout == (
        f"Wrote {config}: the OEM cloud-config for {platform}; install it in the image as "
        "/usr/share/oem/cloud-config.yml\n"
    )
    assert config.stat().st_mode & 0o777 == 0o644
    built = run_cli("build", config, "-o", tmp_path / "drive.iso", "--strict", "--json")
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["warnings"] == []


def test_config_drive_units_mount_the_drive_and_run_coreos_cloudinit_on_it() -> None:
    units = units_of(oem_config("openstack-configdrive"))
    assert units["user-configdrive.service"] == {"name": "user-configdrive.service", "mask": True}
    assert units["user-configvirtfs.service"]["mask"] is True
    mount = units["media-configdrive.mount"]
    assert mount["runtime"] is True
    assert "command" not in mount  # started as oem-cloudinit.service's dependency
    assert unit_lines(mount)[-4:] == [
        "[Mount]",
        "What=/dev/disk/by-label/config-2",
        "Where=/media/configdrive",
        "Options=ro",
    ]
    # The drive is expected here: wait for the device rather than skip the mount.
    assert not any(line.startswith("Condition") for line in unit_lines(mount))
    service = units["oem-cloudinit.service"]
    assert (service["command"], service["runtime"]) == ("restart", True)
    lines = unit_lines(service)
    assert "Wants=media-configdrive.mount" in lines
    assert "After=media-configdrive.mount" in lines
    assert lines[-2:] == [
        "Type=oneshot",
        "ExecStart=/usr/bin/coreos-cloudinit --from-configdrive=/media/configdrive",
    ]


def test_metadata_units_fetch_from_the_link_local_service() -> None:
    units = units_of(oem_config("ec2-metadata"))
    assert "media-configdrive.mount" not in units
    service = unit_lines(units["oem-cloudinit.service"])
    assert service[-1] == (
        "ExecStart=/usr/bin/coreos-cloudinit --from-ec2-metadata=http://169.254.169.254/"
    )
    assert not any("configdrive" in line for line in service)


def test_openstack_uses_either_source_and_never_waits_for_a_missing_drive() -> None:
    units = units_of(oem_config("openstack"))
    mount = unit_lines(units["media-configdrive.mount"])
    assert "ConditionPathExists=/dev/disk/by-label/config-2" in mount
    assert unit_lines(units["oem-cloudinit.service"])[-1] == (
        "ExecStart=/usr/bin/coreos-cloudinit --from-configdrive=/media/configdrive "
        "--from-ec2-metadata=http://169.254.169.254/"
    )


def test_the_oem_identity_and_its_options() -> None:
    default = yaml.safe_load(oem_config("openstack-configdrive"))["coreos"]["oem"]
    assert default == {
        "id": "openstack",
        "name": "OpenStack",
        "home_url": "https://www.openstack.org/",
    }
    text = oem_config(
        "ec2-metadata",
        oem_id="example-cloud",
        oem_name="Example Cloud: Compute",
        version_id="2024.1",
        home_url="https://cloud.example/",
        bug_report_url="https://cloud.example/bugs",
        metadata_url="http://[fd00:ec2::254]/",
    )
    assert yaml.safe_load(text)["coreos"]["oem"] == {
        "id": "example-cloud",
        "name": "Example Cloud: Compute",
        "version_id": "2024.1",
        "home_url": "https://cloud.example/",
        "bug_report_url": "https://cloud.example/bugs",
    }
    assert "--from-ec2-metadata=http://[fd00:ec2::254]/" in text
    validate_machine(machine_spec(text.encode()), strict=True)


_PRINTABLE = st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"])


@given(st.text(_PRINTABLE, min_size=1, max_size=80).filter(str.isprintable))
@settings(max_examples=60, deadline=None)
def test_any_printable_oem_name_stays_one_valid_value(name: str) -> None:
    text = oem_config("openstack", oem_name=name)
    assert yaml.safe_load(text)["coreos"]["oem"]["name"] == name
    assert validate_machine(machine_spec(text.encode()), strict=True).warnings == ()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"oem_id": "Example Cloud"}, "--oem-id 'Example Cloud': use lower-case letters"),
        ({"oem_name": "two\nlines"}, "--oem-name: give a one-line name"),
        ({"version_id": "1 2"}, "--oem-version '1 2': use lower-case letters"),
        ({"home_url": "javascript:alert(1)"}, "--home-url 'javascript:alert(1)': give an http"),
        # Each would mean something on the ExecStart= line: a space, a %specifier, a $variable.
        ({"metadata_url": "http://169.254.169.254/ --from-file=/x"}, "--metadata-url "),
        ({"metadata_url": "http://169.254.169.254/%n"}, "--metadata-url "),
        ({"metadata_url": "http://$HOST/"}, "--metadata-url "),
    ],
)
def test_options_that_would_break_the_config_are_usage_errors(
    options: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        oem_config("ec2-metadata", **options)
    assert str(caught.value).startswith(message)


def test_the_command_line(tmp_path: Path) -> None:
    listed = run_cli("oem", "--list")
    assert listed.returncode == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()] == list(PLATFORMS)
    as_json = json.loads(run_cli("oem", "--list", "--json").stdout)
    assert [item["name"] for item in as_json["platforms"]] == list(PLATFORMS)

    printed = run_cli("oem", "--platform", "openstack")
    assert (printed.returncode, printed.stdout) == (0, oem_config("openstack"))
    assert oem_config("openstack") == oem_config("openstack")  # the same bytes every time

    unknown = run_cli("oem", "--platform", "azure")
    assert (unknown.returncode, unknown.stderr) == (
        2,
        "mkconfigdrive: --platform 'azure' is not one of: openstack-configdrive, ec2-metadata, "
        "openstack (see oem --list)\n",
    )
    missing = run_cli("oem")
    assert (missing.returncode, missing.stderr) == (
        2,
        "mkconfigdrive: give --platform (oem --list names them)\n",
    )
    target = tmp_path / "cloud-config.yml"
    target.write_text("keep me")
    kept = run_cli("oem", "--platform", "openstack", "-o", target)
    assert kept.returncode == 3
    assert target.read_text() == "keep me"
    assert run_cli("oem", "--platform", "openstack", "-o", target, "--force").returncode == 0
    assert target.read_text() == oem_config("openstack")


def test_the_command_lines_default_url_is_the_librarys() -> None:
    assert inspect.signature(cli.oem).parameters["metadata_url"].default == METADATA_URL

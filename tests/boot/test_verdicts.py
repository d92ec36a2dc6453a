"""The verdict loop: what `inspect` predicts cloud-init does with a drive, against a boot.

Each case is a peer drive from fixtures/drives (made with the real tool: Nova's genisoimage
flags, as tests/interop/peers.py does) on which inspect's cloud-init verdict says something
a boot can refute: which folder cloud-init reads, that it logs "Broken config drive" and boots
without the drive, that it never looks at it. The guest boots with the drive attached and its
report is held to the verdict inspect printed (not to the fixture: the fixture's own verdict is
checked first, by the interop tests as well). A disagreement is a bug in our rules.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.boot import vm
from tests.boot.conftest import boot
from tests.boot.expect import inspect_for_cloud_init
from tests.boot.guest import Guest
from tests.interop import peers

pytestmark = [pytest.mark.boot]

# The datasource `cloud-init status --format json` names for each of inspect's "reads".
DATASOURCES = {"ConfigDrive": "configdrive", "NoCloud": "nocloud"}
CASES = (
    # accepts, reading openstack/2018-08-27, whose user data names another host name than
    # latest's: the boot shows which folder cloud-init took
    # (cloudinit/sources/helpers/openstack.py:_find_working_version, :233-252)
    "dated-differs",
    # rejects: meta_data.json has no uuid; cloud-init logs "Broken config drive" and boots
    # with no datasource (helpers/openstack.py:318-321; DataSourceConfigDrive.py:96-97)
    "missing-uuid",
    # rejects: a content_path outside openstack/ (helpers/openstack.py:_read_content_path
    # reads it under openstack/; the missing file is a BrokenMetadata)
    "content-at-root",
    # not-found: the label is not one cloud-init looks for (ds-identify's dscheck_ConfigDrive
    # and DataSourceConfigDrive.find_candidate_devs: config-2 and CONFIG-2 only)
    "label-wrong",
)
HOSTNAME = re.compile(rb"^hostname: *(\S+)", re.MULTILINE)


def _host_names_on(spec: peers.PeerSpec) -> set[str]:
    """Every host name the drive's files name: none may reach a machine that ignores it."""
    names = {match.decode() for data in spec.files.values() for match in HOSTNAME.findall(data)}
    assert names, f"{spec.name}: the case names no host name, so a boot cannot tell"
    return names


def disagreements(
    verdict: dict[str, Any], reading: dict[str, Any], spec: peers.PeerSpec, report: dict[str, Any]
) -> list[str]:
    """Where the booted guest contradicts inspect's cloud-init verdict, one line each."""
    status = report.get("status", {})
    datasource = status.get("datasource")
    hostname = report.get("hostname")
    instance_id = report.get("instance", {}).get("instance_id")
    broken = [line for line in report.get("warnings", []) if "Broken config drive" in line]
    problems: list[str] = []

    def expect(what: str, holds: bool, detail: object) -> None:
        if not holds:
            problems.append(f"inspect said {verdict['verdict']!r}, but {what}: {detail!r}")

    if verdict["verdict"] == "accepts":
        source = str(verdict["reads"]).split(":", 1)[0]
        user_data = yaml.safe_load(reading["user_data"]["content"]["data"])
        expect("the datasource differs", datasource == DATASOURCES[source], datasource)
        expect("the host name is not the one in the folder it reads",
               hostname == user_data["hostname"], hostname)  # fmt: skip
        expect("the instance-id differs",
               instance_id == reading["metadata"]["instance-id"], instance_id)  # fmt: skip
        expect("cloud-init reports errors", status.get("errors") == [], status.get("errors"))
        expect("cloud-init logged a broken drive", not broken, broken)
        return problems
    # rejects, not-found, no-config: the machine got nothing from the drive.
    expect("cloud-init used a drive datasource", datasource not in DATASOURCES.values(), datasource)
    expect("the drive's host name was applied", hostname not in _host_names_on(spec), hostname)
    says_broken = "Broken config drive" in " ".join(verdict["reasons"])
    expect(
        "cloud-init's log " + ("lacks" if says_broken else "has") + " 'Broken config drive'",
        bool(broken) == says_broken,
        broken,
    )
    return problems


@pytest.mark.parametrize("case", CASES)
def test_the_boot_agrees_with_inspect(booted_guest: Guest, case: str, tmp_path: Path) -> None:
    spec = peers.load(case)
    image = peers.make(spec, tmp_path)
    verdict, reading = inspect_for_cloud_init(image)
    assert verdict["verdict"] == spec.expect["cloud-init"], verdict
    drive = vm.Drive(image, "virtio" if spec.vfat else "cdrom")
    report = boot(f"verdict {verdict['verdict']}: {case}", booted_guest,
                  vm.Machine(drives=(drive,)), tmp_path)  # fmt: skip
    problems = disagreements(verdict, reading, spec, report)
    assert not problems, "\n".join(problems)
    # The loop can fail: the same boot held to the opposite verdict disagrees.
    opposite = {**verdict, "verdict": "rejects" if verdict["verdict"] == "accepts" else "accepts"}
    if opposite["verdict"] == "accepts":
        opposite["reads"] = "ConfigDrive: openstack/latest"
        reading = {"user_data": {"content": {"data": "hostname: any"}},
                   "metadata": {"instance-id": "any"}}  # fmt: skip
    assert disagreements(opposite, reading, spec, report)

"""Read an extracted NoCloud seed with cloud-init's own NoCloud datasource; print it as JSON.

Run by Debian's /usr/bin/python3, the interpreter the cloud-init package is installed for:

    /usr/bin/python3 -I read_nocloud.py DIR
    /usr/bin/python3 -I read_nocloud.py --seedfrom URL


DIR is what a VM mounts from the `cidata` drive. cloud-init reads a mounted seed with
`util.pathprefix2dict` (its `_pp2d_callback` on the mount point); so does its seed folder
/var/lib/cloud/seed/nocloud. This script links DIR in as that folder of a scratch cloud
dir and runs the datasource's real `get_data()`: the same reading, without mounting. The
device scan (blkid for LABEL=cidata) is turned off, and this machine's DMI serial and
kernel command line, which can also configure NoCloud (`ds=nocloud;...`), read as empty:
they are not part of the seed. Bytes are printed as {"$bytes": base64}.

With --seedfrom, the seed is read over HTTP as `ds=nocloud-net;s=URL` makes cloud-init read
it: DataSourceNoCloudNet with `seedfrom: URL` in its datasource config
(DataSourceNoCloud.py:107-109), which fetches URL's meta-data, user-data and vendor-data with
util.read_seeded (DataSourceNoCloud.py:173, util.py:977). "retries" counts the times
cloud-init's url_helper said it would wait and try again (url_helper.py:365).
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

from cloudinit import dmi, helpers, stages, util  # type: ignore[import-not-found]
from cloudinit.net.network_state import parse_net_config_data  # type: ignore[import-not-found]
from cloudinit.sources import DataSourceNoCloud  # type: ignore[import-not-found]


def jsonable(value: Any) -> Any:
    """`value` with bytes, tuples and sets turned into things json.dumps accepts."""
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(item) for item in value]
    return value


def network_state(config: Any) -> Any:
    """The state cloud-init's renderers would write from `config` (interfaces, routes, dns)."""
    parsed = parse_net_config_data(copy.deepcopy(config))
    raw = parsed._network_state
    return copy.deepcopy({key: raw[key] for key in ("interfaces", "routes", "dns")})


class RetryCounter(logging.Handler):
    """Counts url_helper's "Please wait N seconds while we wait to try again"."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.retries = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("Please wait"):
            self.retries += 1


def read(folder: Path | None, scratch: Path, seedfrom: str | None = None) -> dict[str, Any]:
    cloud_dir = scratch / "cloud"
    (cloud_dir / "seed").mkdir(parents=True)
    if folder is not None:
        (cloud_dir / "seed" / "nocloud").symlink_to(folder.resolve())
    paths = helpers.Paths({"cloud_dir": str(cloud_dir), "run_dir": str(scratch / "run")})
    ds_cfg: dict[str, Any] = {"fs_label": None}
    if seedfrom is not None:
        ds_cfg["seedfrom"] = seedfrom
    sys_cfg = {"datasource": {"NoCloud": ds_cfg}}

    dmi.read_dmi_data = lambda key: None
    util.get_cmdline = lambda: ""
    counter = RetryCounter()
    url_log = logging.getLogger("cloudinit.url_helper")
    url_log.setLevel(logging.DEBUG)
    url_log.addHandler(counter)
    kind = DataSourceNoCloud.DataSourceNoCloud
    if seedfrom is not None:
        kind = DataSourceNoCloud.DataSourceNoCloudNet
    source = kind(sys_cfg, None, paths)
    found = source.get_data()
    report: dict[str, Any] = {"found": found, "retries": counter.retries}
    if not found:
        return report

    instance_data = json.loads((scratch / "run" / "instance-data.json").read_text())
    # What stages.Init hands to the renderer: the datasource's config, `network:` unwrapped.
    applied = stages.Init._remove_top_level_network_key(None, source.network_config)
    report.update(
        {
            "seed": source.seed,
            "subplatform": source.subplatform,
            "dsmode": source.dsmode,
            "metadata": source.metadata,
            "instance_id": source.get_instance_id(),
            "hostname": source.get_hostname(metadata_only=True).hostname,
            "fqdn": source.get_hostname(fqdn=True, metadata_only=True).hostname,
            "ssh_keys": source.get_public_ssh_keys(),
            "availability_zone": source.availability_zone,
            "launch_index": source.launch_index,
            "userdata_raw": source.get_userdata_raw(),
            "vendordata_raw": source.get_vendordata_raw(),
            "network_config": source.network_config,
            "applied_network_config": applied,
            # instance-data.json as `cloud-init query` and jinja templates see it.
            "instance_data_v1": instance_data["v1"],
        }
    )
    if applied:
        report["network_state"] = network_state(applied)
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?")
    parser.add_argument("--seedfrom", help="read the seed over HTTP from this URL (ending in /)")
    args = parser.parse_args()
    folder = Path(args.folder) if args.folder is not None else None
    with tempfile.TemporaryDirectory() as scratch:
        report = read(folder, Path(scratch), args.seedfrom)
    json.dump(jsonable(report), sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()

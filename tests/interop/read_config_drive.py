"""Read an extracted config drive with cloud-init's own code and print what it saw, as JSON.

Run by Debian's /usr/bin/python3, the interpreter the cloud-init package is installed for
(the project's virtual environment cannot import it):

    /usr/bin/python3 -I read_config_drive.py DIR

It only reads DIR: cloud-init's datasource itself is not run, because its first-boot step
would write the injected files onto this machine. Bytes are printed as {"$bytes": base64}.
"""

from __future__ import annotations

import base64
import copy
import json
import sys
from typing import Any

from cloudinit.sources import normalize_pubkey_data  # type: ignore[import-not-found]
from cloudinit.sources.DataSourceConfigDrive import (  # type: ignore[import-not-found]
    read_config_drive,
)
from cloudinit.sources.helpers import openstack  # type: ignore[import-not-found]


def jsonable(value: Any) -> Any:
    """`value` with bytes, tuples and sets turned into things json.dumps accepts."""
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(item) for item in value]
    return value


def known_macs(network_data: Any) -> dict[str, str]:
    """MAC -> interface name for the links, as the running system would report them."""
    links = network_data.get("links", []) if isinstance(network_data, dict) else []
    return {
        link["ethernet_mac_address"].lower(): link["id"]
        for link in links
        if isinstance(link, dict) and "ethernet_mac_address" in link and "id" in link
    }


def main(folder: str) -> None:
    result = read_config_drive(folder)
    metadata = result.get("metadata", {})
    # The key list cloud-init installs: SourceMixin.get_public_ssh_keys, as the datasource
    # calls it (public_keys for version 2 drives, public-keys for version 1).
    key_field = "public-keys" if result.get("version") == 1 else "public_keys"
    report: dict[str, Any] = {
        "result": result,
        "selected_version": openstack.ConfigDriveReader(folder)._find_working_version(),
        "known_versions": list(openstack.OS_VERSIONS),
        "ssh_keys": normalize_pubkey_data(metadata.get(key_field)),
    }
    if result.get("networkdata") is not None:
        # What the datasource hands to the network renderer (network config v1). The
        # conversion edits its argument in place: give it a copy.
        network_data = copy.deepcopy(result["networkdata"])
        report["network_config"] = openstack.convert_net_json(
            network_data, known_macs=known_macs(network_data)
        )
    json.dump(jsonable(report), sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])

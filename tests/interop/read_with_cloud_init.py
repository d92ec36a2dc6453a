"""What cloud-init's own code reads from an extracted drive, failures included, as JSON.

Run by Debian's /usr/bin/python3, which has the cloud-init package:

    /usr/bin/python3 -I read_with_cloud_init.py configdrive DIR
    /usr/bin/python3 -I read_with_cloud_init.py nocloud DIR

configdrive: `DataSourceConfigDrive.read_config_drive(DIR)`, as the datasource calls it on a
mounted drive. nocloud: `util.pathprefix2dict` and the datasource's own `_merge_new_seed`,
then its defaults (instance-id `nocloud`). A failure is reported as {"failure": {"type",
"message"}}: NonReadable (skipped quietly), BrokenMetadata (logged as a broken drive) or any
other exception the datasource would let escape. Bytes are printed as {"$bytes": base64}.
"""

from __future__ import annotations

import base64
import json
import sys
from typing import Any

from cloudinit import util  # type: ignore[import-not-found]
from cloudinit.sources import normalize_pubkey_data  # type: ignore[import-not-found]
from cloudinit.sources.DataSourceConfigDrive import (  # type: ignore[import-not-found]
    read_config_drive,
)
from cloudinit.sources.DataSourceNoCloud import (  # type: ignore[import-not-found]
    _merge_new_seed,
)
from cloudinit.sources.helpers import openstack  # type: ignore[import-not-found]


def jsonable(value: Any) -> Any:
    """`value` with bytes, tuples and sets turned into things json.dumps accepts."""
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(item) for item in value]
    return value


def config_drive(folder: str) -> dict[str, Any]:
    result = read_config_drive(folder)
    metadata = result.get("metadata", {})
    key_field = "public-keys" if result.get("version") == 1 else "public_keys"
    return {
        "result": result,
        "selected_version": openstack.ConfigDriveReader(folder)._find_working_version(),
        "ssh_keys": normalize_pubkey_data(metadata.get(key_field)),
    }


def nocloud(folder: str) -> dict[str, Any]:
    seeded = util.pathprefix2dict(
        folder, required=["user-data", "meta-data"], optional=["vendor-data", "network-config"]
    )
    empty: dict[str, Any] = {
        "meta-data": {},
        "user-data": "",
        "vendor-data": "",
        "network-config": None,
    }
    merged = _merge_new_seed(empty, seeded)
    metadata = util.mergemanydict([merged["meta-data"], {"instance-id": "nocloud"}])
    return {
        "result": {
            "metadata": metadata,
            "userdata": merged["user-data"],
            "vendordata": merged["vendor-data"],
            "network_config": merged["network-config"],
        },
        "ssh_keys": normalize_pubkey_data(metadata.get("public-keys")),
    }


def main(mode: str, folder: str) -> None:
    reader = config_drive if mode == "configdrive" else nocloud
    try:
        report = reader(folder)
    except Exception as error:  # every failure the datasource meets is the answer here
        report = {"failure": {"type": type(error).__name__, "message": str(error)}}
    json.dump(jsonable(report), sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

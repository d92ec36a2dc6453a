"""cloud-init's own cloud-config schema verdict, long-lived: a file path a line in, JSON out.

Run by Debian's /usr/bin/python3, which has the cloud-init package (22.4):

    /usr/bin/python3 -I cloud_init_schema_server.py

Each line on stdin is the path of a cloud-config file. Each answer is one line of JSON:
{"errors": [[path, message], ...], "deprecations": [[path, message], ...]}, the two lists
`cloud-init schema -c FILE` reports, or {"failure": message} when cloud-init does not get
as far as the schema (no '#cloud-config' header, bad YAML, not a mapping). End of input
ends it.

It does what `cloud-init schema -c FILE` does (cloudinit/config/schema.py:601-704,
validate_cloudconfig_file): the file must start with b"#cloud-config" (:631), is parsed
with cloud-init's safeyaml.load (:650), must be a dict (:679), and is validated with
validate_cloudconfig_schema(config, get_schema(), strict=True) (:682), whose
SchemaValidationError carries the errors and deprecations (:414-436). Paths are
cloud-init's: the keys and indexes joined with "." (:417). The file is read here, not
sent, so the bytes cloud-init parses are exactly the fixture's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from cloudinit import safeyaml  # type: ignore[import-not-found]
from cloudinit.config.schema import (  # type: ignore[import-not-found]
    CLOUD_CONFIG_HEADER,
    SchemaValidationError,
    get_schema,
    validate_cloudconfig_schema,
)


def verdict(path: str, schema: dict[str, Any]) -> dict[str, Any]:
    """cloud-init's schema verdict on the cloud-config file at `path`."""
    content = Path(path).read_bytes()
    if not content.startswith(CLOUD_CONFIG_HEADER):
        return {"failure": "no #cloud-config header"}
    try:
        config = safeyaml.load(content)
    except Exception as error:  # cloud-init reports any YAML error as the file's problem
        return {"failure": f"not valid YAML: {type(error).__name__}"}
    if not isinstance(config, dict):
        return {"failure": "not a YAML mapping"}
    try:
        validate_cloudconfig_schema(config, schema, strict=True, log_deprecations=False)
    except SchemaValidationError as error:
        return {
            "errors": [list(problem) for problem in error.schema_errors or []],
            "deprecations": [list(problem) for problem in error.schema_deprecations or []],
        }
    return {"errors": [], "deprecations": []}


def serve(requests: TextIO, replies: TextIO) -> None:
    schema = get_schema()  # read once: every file is judged by the same schema
    for line in requests:
        path = line.rstrip("\n")
        if not path:
            continue
        replies.write(json.dumps(verdict(path, schema), sort_keys=True) + "\n")
        replies.flush()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)

"""Crawl a metadata service with cloud-init's own readers and print what they saw, as JSON.

Run by Debian's /usr/bin/python3, the interpreter the cloud-init package is installed for:

    /usr/bin/python3 -I read_metadata_service.py URL [--token] [--retries N]

- "openstack": what cloud-init's OpenStack datasource reads (helpers.openstack.MetadataReader
  read_v2(): the newest known version, meta_data.json, user_data, vendor data, network data,
  injected files, and the EC2 tree), or {"error": ..., "type": ...} when it gives up.
- "ec2": for each EC2 API version cloud-init's Ec2 datasource may use, what
  helpers.ec2.get_instance_metadata and get_instance_userdata return.

MetadataReader reads its EC2 tree from 169.254.169.254, where the OpenStack service also is in
a cloud; here the tree is read from URL, the same service, with the same function. With
--token, the EC2 reads go the way cloud-init's Ec2 datasource goes on AWS (IMDSv2): its own
_get_headers asks for a token with PUT /latest/api/token and sends it with every request,
and its own callbacks handle a refused token. Bytes are printed as {"$bytes": base64}.

- "aws" (with --token): the Ec2 datasource's whole crawl as on AWS: wait_for_metadata_service
  (the token), crawl_metadata (user-data, meta-data, dynamic/instance-identity:
  DataSourceEc2.py:525-578), then what _get_data (:158-163) and get_instance_id (:224-240)
  take from it. "retries" counts url_helper's "Please wait ... try again" (url_helper.py:365).
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import sys
import tempfile
from typing import Any

from cloudinit import helpers  # type: ignore[import-not-found]
from cloudinit.sources import DataSourceEc2  # type: ignore[import-not-found]
from cloudinit.sources.helpers import ec2, openstack  # type: ignore[import-not-found]

EC2_VERSIONS = ("latest", "2009-04-04")


def jsonable(value: Any) -> Any:
    """`value` with bytes, tuples and sets turned into things json.dumps accepts."""
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(item) for item in value]
    return value


class ServiceReader(openstack.MetadataReader):  # type: ignore[misc]
    """cloud-init's OpenStack metadata reader, reading the EC2 tree from the same service."""

    def _read_ec2_metadata(self) -> Any:
        return ec2.get_instance_metadata(
            metadata_address=self.base_path,
            ssl_details=self.ssl_details,
            timeout=self.timeout,
            retries=self.retries,
        )


def aws_datasource(url: str, scratch: str) -> Any:
    """cloud-init's Ec2 datasource, told it is on AWS (so it uses IMDSv2) at `url`."""
    paths = helpers.Paths({"cloud_dir": scratch, "run_dir": scratch})
    datasource = DataSourceEc2.DataSourceEc2(sys_cfg={}, distro=None, paths=paths)
    datasource._cloud_name = DataSourceEc2.CloudNames.AWS
    datasource.metadata_address = url
    return datasource


def read_ec2(url: str, version: str, retries: int, datasource: Any) -> dict[str, Any]:
    """The EC2 meta-data tree and user data, as the Ec2 datasource's crawl reads them."""
    options: dict[str, Any] = {"retries": retries, "timeout": 5}
    metadata_options = dict(options)
    userdata_options = dict(options)
    if datasource is not None:
        common = {
            "headers_cb": datasource._get_headers,
            "headers_redact": DataSourceEc2.AWS_TOKEN_REDACT,
        }
        metadata_options.update(common, exception_cb=datasource._refresh_stale_aws_token_cb)
        userdata_options.update(common, exception_cb=datasource._skip_or_refresh_stale_aws_token_cb)
    return {
        "meta-data": ec2.get_instance_metadata(version, url, **metadata_options),
        "user-data": ec2.get_instance_userdata(version, url, **userdata_options),
    }


class RetryCounter(logging.Handler):
    """Counts url_helper's "Please wait N seconds while we wait to try again"."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.retries = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("Please wait"):
            self.retries += 1


def crawl_aws(url: str, scratch: str) -> dict[str, Any]:
    """cloud-init's Ec2 datasource crawl on AWS (IMDSv2), and the identity it takes from it."""
    counter = RetryCounter()
    url_log = logging.getLogger("cloudinit.url_helper")
    url_log.setLevel(logging.DEBUG)
    url_log.addHandler(counter)
    paths = helpers.Paths({"cloud_dir": scratch, "run_dir": scratch})
    sys_cfg = {"datasource": {"Ec2": {"metadata_urls": [url], "max_wait": 10, "timeout": 5}}}
    datasource = DataSourceEc2.DataSourceEc2(sys_cfg=sys_cfg, distro=None, paths=paths)
    datasource._cloud_name = DataSourceEc2.CloudNames.AWS
    try:
        crawled = datasource.crawl_metadata()
        # What _get_data keeps of the crawl (DataSourceEc2.py:158-163).
        datasource.metadata = crawled.get("meta-data", None)
        datasource.identity = (
            crawled.get("dynamic", {}).get("instance-identity", {}).get("document", {})
        )
        report = {
            "crawl": crawled,
            "instance-id": datasource.get_instance_id(),
            "availability-zone": datasource.availability_zone,
            "region": datasource.region,
        }
    finally:
        url_log.removeHandler(counter)
    report["retries"] = counter.retries
    return report


def read_openstack(url: str, retries: int) -> dict[str, Any]:
    try:
        return {"result": ServiceReader(url, timeout=5, retries=retries).read_v2()}
    except Exception as error:  # cloud-init's reader refused the service: say how
        return {"error": str(error), "type": type(error).__name__}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--token", action="store_true", help="EC2 reads with IMDSv2 tokens")
    parser.add_argument("--retries", type=int, default=0)
    args = parser.parse_args()
    url = args.url.rstrip("/")
    with tempfile.TemporaryDirectory() as scratch:
        datasource = aws_datasource(url, scratch) if args.token else None
        report = {
            "openstack": read_openstack(url, args.retries),
            "ec2": {
                version: read_ec2(url, version, args.retries, datasource)
                for version in EC2_VERSIONS
            },
            "token": None if datasource is None else datasource._api_token,
        }
        if args.token:
            report["aws"] = crawl_aws(url, scratch)
    json.dump(jsonable(report), sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()

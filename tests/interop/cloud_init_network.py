"""cloud-init's own reading of network settings: OpenStack network_data and network-config.

Run by Debian's /usr/bin/python3 (where the cloud-init package lives), one JSON request on
stdin, one JSON answer on stdout:

    {"network_data": {...}, "known_macs": {"mac": "kernel name"}, "v2": {...}}

answers

    {"v1": convert_net_json(network_data), "state_v1": ..., "state_v2": ...,
     "netplan_v1": ..., "eni_v1": ..., "eni_v2": ...}

`state_*` is the network state cloud-init's parser builds (`parse_net_config_data`), which
every renderer writes from; `netplan_v1` is what cloud-init's netplan renderer writes for
the OpenStack data (netplan's format, i.e. network-config v2 by cloud-init's own hand);
`eni_*` are /etc/network/interfaces as cloud-init's ENI renderer writes each state.
`known_macs` stands in for the NICs of the VM, which convert_net_json looks up by MAC.
"""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

from cloudinit.net import eni, netplan  # type: ignore[import-not-found]
from cloudinit.net.network_state import parse_net_config_data  # type: ignore[import-not-found]
from cloudinit.sources.helpers import openstack  # type: ignore[import-not-found]


def state(config: dict[str, Any]) -> Any:
    """The parsed network state (interpreted, not netplan's passthrough)."""
    return parse_net_config_data(copy.deepcopy(config))


def state_dict(parsed: Any) -> dict[str, Any]:
    """The parts of a network state a renderer uses: interfaces, routes, dns."""
    raw = parsed._network_state
    # A copy: the ENI renderer adds its own bookkeeping to the state it renders.
    return copy.deepcopy({key: raw[key] for key in ("interfaces", "routes", "dns", "use_ipv6")})


def main() -> None:
    request = json.load(sys.stdin)
    answer: dict[str, Any] = {}
    if request.get("network_data") is not None:
        # convert_net_json edits its argument in place: give it a copy.
        v1 = openstack.convert_net_json(
            copy.deepcopy(request["network_data"]), known_macs=request.get("known_macs") or {}
        )
        answer["v1"] = v1
        parsed_v1 = state(v1)
        answer["state_v1"] = state_dict(parsed_v1)
        # features=[] keeps the renderer from running `netplan info` on this machine.
        answer["netplan_v1"] = netplan.Renderer({"features": []})._render_content(parsed_v1)
        answer["eni_v1"] = eni.Renderer()._render_interfaces(parsed_v1)
    if request.get("v2") is not None:
        parsed_v2 = state(request["v2"])
        answer["state_v2"] = state_dict(parsed_v2)
        answer["eni_v2"] = eni.Renderer()._render_interfaces(parsed_v2)
    json.dump(answer, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()

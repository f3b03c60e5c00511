"""Validate overlay network definitions, compare them with `docker network inspect`, build commands.

Service discovery (a service's name and tasks.<name> resolving to its tasks) works on
user-defined overlay networks only, never on the routing mesh network `ingress`; services that
should find each other share a network declared here. Encrypted, internal and IPv6 overlays are
refused when the swarm has Windows nodes (Windows does not support them); the overlay MTU can be set. A network cannot be changed in place,
so a managed network that differs from its definition is reported, not silently re-created.
Pure functions, no Ansible.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.ownership import (
    MANAGED_LABEL,
    MANAGED_VALUE,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import (
    DefinitionCheck,
    DefinitionErrors,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.steps import plan_action
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.options import NETWORK_OPTIONS

RESERVED = {
    "ingress": "'ingress' is the routing mesh network; service names do not resolve on it. Declare a "
    "user-defined overlay and attach the services that must find each other",
    "bridge": "a local network of each engine, not a swarm network",
    "host": "a local network of each engine, not a swarm network",
    "none": "a local network of each engine, not a swarm network",
    "docker_gwbridge": "the engine's own bridge to the overlay networks",
}
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
COMPARED = ("driver", "attachable", "encrypted", "internal", "ipv6", "mtu", "subnet", "gateway", "labels")
MTU_OPTION = "com.docker.network.driver.mtu"
# Overlay options Windows nodes do not support: Microsoft, "Windows container networking",
# "Unsupported features and network options" (learn.microsoft.com/virtualization/windowscontainers/
# container-networking/architecture) lists --internal, --ipv6 and encrypted overlays (--opt encrypted).
WINDOWS_REFUSED = {
    "encrypted": "encrypted overlay networks",
    "internal": "internal networks",
    "ipv6": "IPv6 on overlay networks",
}


def normalise_network(definition: dict, node_os: set[str], errors: DefinitionErrors) -> dict | None:
    """The comparable form of one network definition; problems go to errors."""
    check = DefinitionCheck(
        "network",
        definition,
        NETWORK_OPTIONS,
        _NAME_RE,
        "letters, digits, '_', '.', '-', starting with a letter or digit",
        errors,
    )
    name, fail, values = check.name, check.fail, check.values
    if check.name_ok and name in RESERVED:
        fail("name", RESERVED[name])
    network = {"name": name, "state": check.state}
    if check.state == "absent":
        return None if check.failed else network
    driver = values.get("driver", "overlay")
    if driver != "overlay":
        fail("driver", f"{driver!r}; only overlay networks span the swarm")
    network["driver"] = "overlay"
    for key, default in (("attachable", True), ("encrypted", False), ("internal", False), ("ipv6", False)):
        network[key] = values.get(key, default)
    for key, what in WINDOWS_REFUSED.items():
        if network[key] and "windows" in node_os:
            fail(
                key,
                f"the swarm has Windows nodes and Windows does not support {what}; "
                f"set {key}: false (or keep Windows services off this network and nodes)",
            )
    network["mtu"] = values.get("mtu")
    if network["mtu"] is not None and not 68 <= network["mtu"] <= 65535:
        fail("mtu", f"must be an MTU between 68 and 65535, got {network['mtu']}")
    network["subnet"] = network["gateway"] = None
    subnet = values.get("subnet")
    if subnet is not None:
        try:
            network["subnet"] = str(ipaddress.ip_network(str(subnet), strict=True))
            if ipaddress.ip_network(network["subnet"]).version == 6 and "windows" in node_os:
                fail(
                    "subnet",
                    "the swarm has Windows nodes and Windows does not support IPv6 on overlay networks",
                )
        except ValueError as exc:
            fail("subnet", f"{subnet!r} is not a network in CIDR form such as 10.20.0.0/24 ({exc})")
    gateway = values.get("gateway")
    if gateway is not None:
        try:
            address = ipaddress.ip_address(str(gateway))
            if network["subnet"] and address not in ipaddress.ip_network(network["subnet"]):
                fail("gateway", f"{gateway} is outside subnet {network['subnet']}")
            network["gateway"] = str(address)
        except ValueError:
            fail("gateway", f"{gateway!r} is not an IP address")
        if subnet is None:
            fail("gateway", "a gateway needs a subnet")
    labels = values.get("labels") or {}
    network["labels"] = {**{str(k): str(v) for k, v in labels.items()}, MANAGED_LABEL: MANAGED_VALUE}
    return None if check.failed else network


def validate_networks(definitions, node_os: set[str]) -> tuple[list[dict], DefinitionErrors]:
    errors = DefinitionErrors()
    if not isinstance(definitions, list):
        errors.append("networks must be a list of network definitions")
        return [], errors
    networks, seen = [], set()
    for definition in definitions:
        if not isinstance(definition, dict):
            errors.append(f"every network definition must be a dict, got {definition!r}")
            continue
        network = normalise_network(definition, node_os, errors)
        name = definition.get("name")
        if isinstance(name, str):
            if name in seen:
                errors.add("network", name, "name", "declared more than once; network names must be unique")
            seen.add(name)
        if network:
            networks.append(network)
    return networks, errors


def actual_network(inspect: dict) -> dict:
    """The comparable form of an existing network from `docker network inspect`."""
    ipam = (inspect.get("IPAM") or {}).get("Config") or [{}]
    return {
        "name": inspect.get("Name"),
        "state": "present",
        "driver": inspect.get("Driver"),
        "attachable": bool(inspect.get("Attachable")),
        "encrypted": "encrypted" in (inspect.get("Options") or {}),
        "internal": bool(inspect.get("Internal")),
        "ipv6": bool(inspect.get("EnableIPv6")),
        "mtu": int((inspect.get("Options") or {})[MTU_OPTION])
        if MTU_OPTION in (inspect.get("Options") or {})
        else None,
        "subnet": ipam[0].get("Subnet") or None,
        "gateway": ipam[0].get("Gateway") or None,
        "labels": dict(inspect.get("Labels") or {}),
    }


def network_differences(desired: dict, actual: dict) -> list[str]:
    """Fields that differ; subnet and gateway only when the definition sets them (else IPAM picks), the
    MTU too (else the engine's default)."""
    return [
        key
        for key in COMPARED
        if desired.get(key) != actual.get(key)
        and not (key in ("subnet", "gateway", "mtu") and desired.get(key) is None)
    ]


def create_network_argv(network: dict) -> list[str]:
    argv = ["docker", "network", "create", "--driver", "overlay"]
    for key in ("attachable", "internal", "ipv6"):
        if network[key]:
            argv.append(f"--{key}")
    if network["encrypted"]:
        argv += ["--opt", "encrypted"]
    if network["mtu"]:
        argv += ["--opt", f"{MTU_OPTION}={network['mtu']}"]
    if network["subnet"]:
        argv += ["--subnet", network["subnet"]]
    if network["gateway"]:
        argv += ["--gateway", network["gateway"]]
    for key, value in network["labels"].items():
        argv += ["--label", f"{key}={value}"]
    return [*argv, network["name"]]


def plan_networks(networks: list[dict], existing: dict[str, dict]) -> tuple[list[dict], DefinitionErrors]:
    """What to do for each network: create, remove or nothing; drift of a managed one is an error.

    existing: `docker network inspect` documents by name. A network of that name that this
    project did not create is used as it is and never altered.
    """
    errors, actions = DefinitionErrors(), []
    for network in networks:
        name, doc = network["name"], existing.get(network["name"])
        actual = actual_network(doc) if doc else None
        managed = bool(actual) and actual["labels"].get(MANAGED_LABEL) == MANAGED_VALUE
        if network["state"] == "absent":
            if actual and not managed:
                errors.add(
                    "network", name, "state", "exists but was not created by this project; it is left alone"
                )
            elif actual:
                actions.append(plan_action(name, "remove", ["docker", "network", "rm", name], actual, None))
            continue
        if actual is None:
            actions.append(plan_action(name, "create", create_network_argv(network), None, network))
            continue
        differences = network_differences(network, actual) if managed else []
        if differences:
            changes = ", ".join(f"{k}: {actual[k]!r} -> {network[k]!r}" for k in differences)
            errors.add(
                "network",
                name,
                ", ".join(differences),
                f"differs from the existing network ({changes}); docker cannot change a network in place: "
                "detach its services, remove it (state: absent) and declare it again",
            )
        else:
            actions.append(plan_action(name, "none", None, actual, actual))
    return actions, errors


def subnet_problems(
    networks: list[dict],
    node_addresses: dict[str, list[str]],
    existing: list[dict],
    node_routes: dict[str, list[str]] | None = None,
) -> list[str]:
    """Declared subnets that would collide, checked before any network is created: one holding an
    address of a node (its own network, docker0, docker_gwbridge: overlay traffic to that range would
    stay inside the overlay and the nodes lose each other), or overlapping another declared subnet or
    the subnet of an existing network of another name (`docker network inspect` documents).
    `node_addresses` maps a node's name to its addresses, in the order messages name them (an
    address is named by the first node that has it). A subnet still to be created must also stay
    clear of the networks the nodes route to (`node_routes`: node -> routed_networks lines, e.g. the
    company range behind a VPN gateway or a Docker bridge): containers on the overlay would reach
    the overlay instead of those addresses. A network that already exists is not refused for a
    route, which may have come after it. One message per collision."""
    problems = []
    declared = [n for n in networks if n.get("state") == "present" and n.get("subnet")]
    taken = [
        (actual["name"], ipaddress.ip_network(actual["subnet"], strict=False))
        for actual in map(actual_network, existing)
        if actual["subnet"] and actual["name"] not in {n["name"] for n in declared}
    ]
    existing_names = {actual["name"] for actual in map(actual_network, existing)}
    for index, network in enumerate(declared):
        subnet = ipaddress.ip_network(network["subnet"])
        label = f"network {network['name']!r}, field 'subnet'"
        owners: dict[str, str] = {}  # each address once, named by the first node that has it
        for node, addresses in node_addresses.items():
            for address in addresses:
                owners.setdefault(address, node)
        inside = [(a, n) for a, n in owners.items() if _address_in(a, subnet)]
        if inside:
            problems.append(
                f"{label}: {subnet} holds {', '.join(f'{a} ({n})' for a, n in inside)}, address(es) of the nodes; "
                "overlay traffic to them would stay in the overlay and cut the nodes off from each other. "
                "Choose a range no node uses"
            )
        elif network["name"] not in existing_names:
            problems += _route_problems(label, subnet, node_routes or {})
        for other in declared[index + 1 :]:
            if subnet.overlaps(ipaddress.ip_network(other["subnet"])):
                problems.append(f"{label}: {subnet} overlaps {other['subnet']} of network {other['name']!r}")
        for name, other in taken:
            if subnet.version == other.version and subnet.overlaps(other):
                problems.append(f"{label}: {subnet} overlaps {other} of the existing network {name!r}")
    return problems


def _route_problems(label: str, subnet, node_routes: dict[str, list[str]]) -> list[str]:
    """One message per routed network the subnet overlaps, naming the nodes that route to it."""
    routers: dict[str, list[str]] = {}  # route -> nodes, in node order
    for node, routes in node_routes.items():
        for route in routes:
            routed = ipaddress.ip_network(route.split()[0], strict=False)
            if routed.version == subnet.version and routed.overlaps(subnet):
                routers.setdefault(route, []).append(node)
    return [
        f"{label}: {subnet} overlaps {route.split()[0]}, which {', '.join(nodes)} route"
        f"{'s' if len(nodes) == 1 else ''} to ({' '.join(route.split()[1:]) or 'directly'}); containers on the overlay "
        "could not reach that range. Choose a range no node routes to"
        for route, nodes in routers.items()
    ]


def _address_in(address: str, subnet) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]) in subnet
    except ValueError:
        return False

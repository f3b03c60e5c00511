"""Which address a node advertises to the swarm, from the host's own facts.

Pure functions shared by the planner and the `swarm_advertise_addr` filter. Linux facts list
addresses in `ansible_all_ipv4_addresses`/`ansible_all_ipv6_addresses` and the default route in
`ansible_default_ipv4`; Windows facts list every address in `ansible_ip_addresses` and have no
default-route address, so the first usable IPv4 there stands in for it. On Linux the node read
asks `ip` the same questions (network_facts), so the swarm stage needs no fact gathering there.
"""

from __future__ import annotations

import ipaddress

# What Ansible's Linux network facts ask `ip` (ansible-core module_utils/facts/network/linux.py):
# every interface's addresses, and the source address of the route to 8.8.8.8 as the default IPv4.
IP_ADDR_ARGV = ["ip", "-o", "addr", "show"]
IP_ROUTE_ARGV = ["ip", "-4", "route", "get", "8.8.8.8"]
# The main IPv4 routing table, one line per route (`ip -o route show`): the networks the node reaches
# through a gateway or an interface, which an overlay subnet must not shadow.
IP_ROUTES_ARGV = ["ip", "-o", "-4", "route", "show"]
# Route types ip-route(8) prints before the destination; a type other than unicast reaches nothing.
_ROUTE_TYPES = (
    "unicast",
    "blackhole",
    "unreachable",
    "prohibit",
    "throw",
    "local",
    "broadcast",
    "multicast",
    "nat",
)


class AddressError(ValueError):
    """The host's variables or facts do not give a usable advertise address."""


def _fact(facts: dict, name: str, default=None):
    # Facts reach plugins either flat (ansible_default_ipv4) or under ansible_facts (default_ipv4).
    if f"ansible_{name}" in facts:
        return facts[f"ansible_{name}"]
    return (facts.get("ansible_facts") or {}).get(name, default)


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified)


def routed_networks(text: str) -> list[str]:
    """The networks of the routes IP_ROUTES_ARGV printed, each as `NETWORK via GATEWAY dev DEVICE`
    (the parts present), e.g. `10.0.0.0/8 via 172.29.240.1 dev eth0`. The default route is left
    out (it covers every address), and so are routes of a type that reaches nothing (blackhole,
    unreachable, ...); a destination without a prefix length is a host route (/32)."""
    found = []
    for line in text.splitlines():
        words = line.split()
        if words and words[0] in _ROUTE_TYPES:
            if words[0] != "unicast":
                continue
            words = words[1:]
        if not words or words[0] == "default":
            continue
        try:
            network = ipaddress.ip_network(words[0], strict=False)
        except ValueError:
            continue  # an error message, not a route
        how = [f"{key} {words[at + 1]}" for at, key in enumerate(words[:-1]) if key in ("via", "dev")]
        route = " ".join([str(network), *how])
        if route not in found:
            found.append(route)
    return found


def network_facts(addr_text: str, route_text: str, routes_text: str | None = None) -> dict:
    """all_ipv4_addresses, all_ipv6_addresses and default_ipv4 as Ansible's facts name them, from
    what IP_ADDR_ARGV and IP_ROUTE_ARGV printed (`ip -o` prints one line per address:
    `2: eth0    inet 10.0.0.4/24 brd ... scope global eth0`), and with IP_ROUTES_ARGV's output
    `routes` (routed_networks; Ansible's facts have no such list). {} when no address was read."""
    found = {"inet": [], "inet6": []}
    for line in addr_text.splitlines():
        words = line.split()
        for at, family in enumerate(words[:-1]):
            address = words[at + 1].split("/")[0]
            if family in found and address not in ("127.0.0.1", "::1") and address not in found[family]:
                found[family].append(address)
    if not (found["inet"] or found["inet6"]):
        return {}
    route = route_text.split()
    default = route[route.index("src") + 1] if "src" in route[:-1] else None
    facts = {
        "all_ipv4_addresses": found["inet"],
        "all_ipv6_addresses": found["inet6"],
        "default_ipv4": {"address": default} if default else {},
    }
    if routes_text is not None:
        facts["routes"] = routed_networks(routes_text)
    return facts


def host_addresses(facts: dict) -> list[str]:
    """Every usable address the host reports, Linux and Windows facts alike, in fact order."""
    found = []
    for name in ("all_ipv4_addresses", "all_ipv6_addresses", "ip_addresses"):
        for address in _fact(facts, name) or []:
            if _usable(address) and address not in found:
                found.append(address)
    return found


def default_ipv4(facts: dict) -> str | None:
    """The default-route IPv4 (Linux) or the first usable IPv4 the host lists (Windows)."""
    default = (_fact(facts, "default_ipv4") or {}).get("address")
    if default:
        return default
    return next(iter(_ipv4(host_addresses(facts))), None)


def _ipv4(addresses: list[str]) -> list[str]:
    return [a for a in addresses if ipaddress.ip_address(a.split("%")[0]).version == 4]


def choose_advertise_addr(
    facts: dict, explicit: str | None = None, subnet: str | None = None, ansible_host: str | None = None
) -> str:
    """`explicit` if it is one of the host's addresses, else its address on `subnet`, else
    `ansible_host` when it is one of its addresses, else its default IPv4.

    A Windows host has no default route in its facts, and the engine adds adapters of its own
    (`vEthernet (nat)`): with several IPv4 addresses and nothing to choose by, it is refused.
    Raises AddressError naming the field and what would be valid.
    """
    addresses = host_addresses(facts)
    if not addresses and not default_ipv4(facts):
        raise AddressError("no network facts: gather facts (gather_subset network) before planning the swarm")
    if explicit:
        if explicit not in addresses:
            raise AddressError(
                f"swarm_advertise_addr {explicit!r} is not an address of this host; "
                f"valid: {', '.join(addresses) or 'none found'}"
            )
        return explicit
    if subnet:
        try:
            network = ipaddress.ip_network(subnet, strict=False)
        except ValueError as exc:
            raise AddressError(
                f"swarm_advertise_subnet {subnet!r} is not a network in CIDR form: {exc}"
            ) from None
        on_subnet = [a for a in addresses if ipaddress.ip_address(a.split("%")[0]) in network]
        if not on_subnet:
            raise AddressError(
                f"no address on swarm_advertise_subnet {subnet} (host has {', '.join(addresses) or 'none'}); "
                "set swarm_advertise_addr for this host or fix the subnet"
            )
        return on_subnet[0]
    if ansible_host in addresses:
        return ansible_host
    if not (_fact(facts, "default_ipv4") or {}).get("address") and len(_ipv4(addresses)) > 1:
        raise AddressError(
            f"several IPv4 addresses ({', '.join(_ipv4(addresses))}) and no default route in the facts "
            "(Windows facts have none); set swarm_advertise_addr or swarm_advertise_subnet to choose one"
        )
    default = default_ipv4(facts)
    if not default:
        raise AddressError("no default IPv4 address; set swarm_advertise_addr or swarm_advertise_subnet")
    return default


def host_advertise_addr(host_vars: dict, subnet: str | None = None) -> str:
    """choose_advertise_addr for an inventory host, from its hostvars (facts, swarm_advertise_addr,
    ansible_host)."""
    return choose_advertise_addr(
        dict(host_vars), host_vars.get("swarm_advertise_addr"), subnet, host_vars.get("ansible_host")
    )

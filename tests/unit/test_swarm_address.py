"""_swarm.address and the swarm_advertise_addr filter: Linux and Windows facts."""

import pytest
from ansible.errors import AnsibleFilterError
from swarm_fixtures import linux_facts, windows_facts

from ansible_collections.mixedswarm.swarm.plugins.filter.swarm_filters import swarm_advertise_addr
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.address import (
    AddressError,
    choose_advertise_addr,
    host_addresses,
    network_facts,
    routed_networks,
)


def test_linux_default_ipv4_is_the_fallback():
    assert choose_advertise_addr(linux_facts("172.29.223.11", "10.9.0.4")) == "172.29.223.11"


def test_subnet_picks_the_address_on_it():
    assert choose_advertise_addr(linux_facts("172.29.223.11", "10.9.0.4"), subnet="10.9.0.0/16") == "10.9.0.4"


def test_explicit_address_must_belong_to_the_host():
    assert choose_advertise_addr(linux_facts("172.29.223.11", "10.9.0.4"), explicit="10.9.0.4") == "10.9.0.4"
    with pytest.raises(
        AddressError, match=r"swarm_advertise_addr '10.1.1.1' is not an address.*172.29.223.11"
    ):
        choose_advertise_addr(linux_facts("172.29.223.11"), explicit="10.1.1.1")


def test_windows_facts_use_ip_addresses_and_skip_link_local():
    facts = windows_facts()
    assert "fe80::3d4c:9a1b:77e2:1c0d" not in host_addresses(facts)
    assert choose_advertise_addr(facts, ansible_host="192.168.120.194") == "192.168.120.194"
    assert choose_advertise_addr(facts, subnet="172.23.224.0/20") == "172.23.224.1"


def test_windows_host_with_several_ipv4_needs_a_choice():
    """The second address is the engine's vEthernet (nat) adapter: never a silent default."""
    with pytest.raises(AddressError, match=r"several IPv4 addresses \(192.168.120.194, 172.23.224.1\)"):
        choose_advertise_addr(windows_facts())
    with pytest.raises(AddressError, match="several IPv4"):
        choose_advertise_addr(windows_facts(), ansible_host="win1.lab.example")
    linux = linux_facts("172.29.223.11", "10.9.0.4")
    assert choose_advertise_addr(linux, ansible_host="10.9.0.4") == "10.9.0.4"
    assert choose_advertise_addr(linux, ansible_host="ubuntu1") == "172.29.223.11"


def test_subnet_wins_over_ansible_host():
    """The documented order: swarm_advertise_subnet before the address Ansible connects to."""
    facts = linux_facts("172.29.223.11", "10.9.0.4")
    assert choose_advertise_addr(facts, subnet="10.9.0.0/16", ansible_host="172.29.223.11") == "10.9.0.4"


def test_subnet_takes_the_first_address_on_it_and_a_host_address_in_cidr():
    facts = linux_facts("172.29.223.11", "10.9.0.4", "10.9.0.5")
    assert choose_advertise_addr(facts, subnet="10.9.0.0/16") == "10.9.0.4"
    assert choose_advertise_addr(facts, subnet="10.9.7.7/16") == "10.9.0.4"


def test_no_address_on_subnet_and_bad_subnet_are_refused():
    with pytest.raises(AddressError) as refused:
        choose_advertise_addr(windows_facts(), subnet="10.0.0.0/24")
    assert str(refused.value) == (
        "no address on swarm_advertise_subnet 10.0.0.0/24 (host has 192.168.120.194, 172.23.224.1); "
        "set swarm_advertise_addr for this host or fix the subnet"
    )
    with pytest.raises(AddressError, match="not a network in CIDR form"):
        choose_advertise_addr(windows_facts(), subnet="10.0.0/33")


def test_windows_host_with_one_ipv4_needs_no_choice():
    facts = {"ansible_facts": {"ip_addresses": ["192.168.120.194", "fe80::3d4c:9a1b:77e2:1c0d"]}}
    assert choose_advertise_addr(facts) == "192.168.120.194"


def test_ipv6_only_host_advertises_only_an_explicit_address():
    facts = {"ansible_facts": {"ip_addresses": ["2001:db8::5"]}}
    assert choose_advertise_addr(facts, explicit="2001:db8::5") == "2001:db8::5"
    with pytest.raises(AddressError) as refused:
        choose_advertise_addr(facts)
    assert str(refused.value) == "no default IPv4 address; set swarm_advertise_addr or swarm_advertise_subnet"


def test_addresses_with_a_zone_index_are_read_and_what_is_not_an_address_is_skipped():
    facts = {"ansible_facts": {"ip_addresses": ["not-an-address", "2001:db8::5%3", "10.0.0.4"]}}
    assert host_addresses(facts) == ["2001:db8::5%3", "10.0.0.4"]
    assert choose_advertise_addr(facts) == "10.0.0.4"
    assert choose_advertise_addr(facts, subnet="10.0.0.0/24") == "10.0.0.4"


def test_missing_facts_say_to_gather_them():
    with pytest.raises(AddressError, match="gather facts"):
        choose_advertise_addr({})


def test_filter_reads_host_vars_and_names_the_host():
    host_vars = {"inventory_hostname": "ubuntu1", **linux_facts("10.0.1.5")}
    assert swarm_advertise_addr(host_vars) == "10.0.1.5"
    with pytest.raises(AnsibleFilterError, match=r"^ubuntu1: swarm_advertise_addr"):
        swarm_advertise_addr({**host_vars, "swarm_advertise_addr": "10.0.9.9"})


# `ip -o addr show` and `ip -4 route get 8.8.8.8` as a lab node (Debian 12, iproute2 6.1) printed
# them, with an IPv6 address added in the form `ip -o` prints it.
IP_ADDR_OUTPUT = """\
1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
1: lo    inet6 ::1/128 scope host \\       valid_lft forever preferred_lft forever
2: docker0    inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0\\       valid_lft forever preferred_lft forever
7: docker_gwbridge    inet 172.18.0.1/16 brd 172.18.255.255 scope global docker_gwbridge\\       valid_lft forever preferred_lft forever
772: eth0    inet 172.29.242.10/24 brd 172.29.242.255 scope global eth0\\       valid_lft forever preferred_lft forever
772: eth0    inet6 fe80::42:acff:fe1d:f20a/64 scope link \\       valid_lft forever preferred_lft forever
"""
IP_ROUTE_OUTPUT = "8.8.8.8 via 172.29.242.1 dev eth0 src 172.29.242.10 uid 0 \n    cache \n"


def test_network_facts_read_ip_as_ansible_names_the_facts():
    facts = network_facts(IP_ADDR_OUTPUT, IP_ROUTE_OUTPUT)
    assert facts == {
        "all_ipv4_addresses": ["172.17.0.1", "172.18.0.1", "172.29.242.10"],
        "all_ipv6_addresses": ["fe80::42:acff:fe1d:f20a"],
        "default_ipv4": {"address": "172.29.242.10"},
    }
    assert choose_advertise_addr({"ansible_facts": facts}) == "172.29.242.10"
    assert choose_advertise_addr({"ansible_facts": facts}, subnet="172.18.0.0/16") == "172.18.0.1"


def test_network_facts_without_a_route_or_without_ip():
    # No default route: `ip route get` fails and prints nothing the parser uses.
    facts = network_facts(IP_ADDR_OUTPUT, "RTNETLINK answers: Network is unreachable")
    assert facts["default_ipv4"] == {}
    with pytest.raises(AddressError, match=r"several IPv4 addresses .* and no default route"):
        choose_advertise_addr({"ansible_facts": facts}, ansible_host="192.0.2.1")
    assert choose_advertise_addr({"ansible_facts": facts}, ansible_host="172.29.242.10") == "172.29.242.10"
    # `ip` missing (sh: 1: ip: not found): nothing read, so the swarm stage gathers facts.
    assert network_facts("sh: 1: ip: not found", "") == {}


def test_network_facts_of_an_ipv4_only_host_with_the_source_address_last():
    facts = network_facts("2: eth0    inet 10.0.0.4/24", "8.8.8.8 via 10.0.0.1 dev eth0 src 10.0.0.4")
    assert facts == {
        "all_ipv4_addresses": ["10.0.0.4"],
        "all_ipv6_addresses": [],
        "default_ipv4": {"address": "10.0.0.4"},
    }


# `ip -o -4 route show` as a lab manager printed it (Debian 12, iproute2 6.1), with a route behind a
# gateway, a host route, a blackhole and an explicit unicast route added in the forms ip-route(8) prints
# (ip ends each line with a space, left out here).
IP_ROUTES_OUTPUT = """\
default via 172.29.240.1 dev eth0
10.8.0.0/16 via 172.29.240.254 dev eth0 proto static
172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 linkdown
172.18.0.0/16 dev docker_gwbridge proto kernel scope link src 172.18.0.1
172.29.240.0/24 dev eth0 proto kernel scope link src 172.29.240.10
192.0.2.7 via 172.29.240.1 dev eth0
blackhole 198.51.100.0/24 proto static
unicast 203.0.113.0/24 via 172.29.240.1 dev eth0
"""


def test_routed_networks_are_the_main_table_but_the_default_and_routes_that_reach_nothing():
    assert routed_networks(IP_ROUTES_OUTPUT) == [
        "10.8.0.0/16 via 172.29.240.254 dev eth0",
        "172.17.0.0/16 dev docker0",
        "172.18.0.0/16 dev docker_gwbridge",
        "172.29.240.0/24 dev eth0",
        "192.0.2.7/32 via 172.29.240.1 dev eth0",
        "203.0.113.0/24 via 172.29.240.1 dev eth0",
    ]
    assert routed_networks("Error: ipv4: FIB table does not exist.\n") == []
    assert routed_networks("") == []


def test_network_facts_carry_the_routes_only_when_they_were_read():
    facts = network_facts(IP_ADDR_OUTPUT, IP_ROUTE_OUTPUT, IP_ROUTES_OUTPUT)
    assert facts["routes"][1] == "172.17.0.0/16 dev docker0" and len(facts["routes"]) == 6
    assert "routes" not in network_facts(IP_ADDR_OUTPUT, IP_ROUTE_OUTPUT)
    assert network_facts(IP_ADDR_OUTPUT, IP_ROUTE_OUTPUT, "")["routes"] == []

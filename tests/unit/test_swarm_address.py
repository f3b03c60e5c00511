"""swarm_address and the swarm_advertise_addr filter: Linux and Windows facts."""

import pytest
from ansible.errors import AnsibleFilterError
from swarm_fixtures import linux_facts, windows_facts

from ansible_collections.mixedswarm.swarm.plugins.filter.swarm_filters import swarm_advertise_addr
from ansible_collections.mixedswarm.swarm.plugins.module_utils.swarm_address import (
    AddressError,
    choose_advertise_addr,
    host_addresses,
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


def test_no_address_on_subnet_and_bad_subnet_are_refused():
    with pytest.raises(AddressError, match=r"no address on swarm_advertise_subnet 10\.0\.0\.0/24"):
        choose_advertise_addr(windows_facts(), subnet="10.0.0.0/24")
    with pytest.raises(AddressError, match="not a network in CIDR form"):
        choose_advertise_addr(windows_facts(), subnet="10.0.0/33")


def test_missing_facts_say_to_gather_them():
    with pytest.raises(AddressError, match="gather facts"):
        choose_advertise_addr({})


def test_filter_reads_host_vars_and_names_the_host():
    host_vars = {"inventory_hostname": "ubuntu1", **linux_facts("10.0.1.5")}
    assert swarm_advertise_addr(host_vars) == "10.0.1.5"
    with pytest.raises(AnsibleFilterError, match=r"^ubuntu1: swarm_advertise_addr"):
        swarm_advertise_addr({**host_vars, "swarm_advertise_addr": "10.0.9.9"})

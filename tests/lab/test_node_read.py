"""The swarm stage's node read finds the same addresses as Ansible's network facts, on real nodes.

The swarm planner chooses advertise addresses from `swarm_node.network` when no facts were
gathered (playbooks/swarm.yml run on its own). Its parser (swarm_address.network_facts) reads
`ip -o addr show`, `ip -4 route get` and `ip -o -4 route show` (the routes); Ansible's setup module parses `ip addr show` per
interface. Both run here on every node of the shared lab (engines with docker0, docker_gwbridge
and the lab network) and must agree.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.lab


def test_the_node_read_finds_the_addresses_ansible_facts_list(ops_lab):
    run = ops_lab.play("tests/fixtures/lab/node_read_and_facts.yml", label=f"{ops_lab.name}-node-read")
    assert run.rc == 0, run.describe()
    facts = run.results("Gather the network facts")
    reads = run.results("Read the node")
    assert set(reads) == set(facts) == set(ops_lab.hosts)
    for host in ops_lab.hosts:
        gathered = facts[host]["ansible_facts"]
        network = reads[host]["swarm_node"]["network"]
        assert set(network["all_ipv4_addresses"]) == set(gathered["ansible_all_ipv4_addresses"]), host
        assert set(network["all_ipv6_addresses"]) == set(gathered["ansible_all_ipv6_addresses"]), host
        assert network["default_ipv4"]["address"] == gathered["ansible_default_ipv4"]["address"], host
        # The lab network, docker0 and docker_gwbridge at least.
        assert len(network["all_ipv4_addresses"]) >= 3, (host, network)
        # Its routes, which overlay subnets are kept clear of: the lab network's, never the default.
        assert f"{ops_lab.subnet} dev eth0" in network["routes"], (host, network["routes"])
        assert not any(route.startswith("0.0.0.0/0") for route in network["routes"]), (
            host,
            network["routes"],
        )

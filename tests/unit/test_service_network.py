"""_service.network: overlay network definitions against a recorded `docker network inspect`."""

import copy

from service_fixtures import load

from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.network import (
    actual_network,
    create_network_argv,
    network_differences,
    plan_networks,
    validate_networks,
)

EXISTING = {d["Name"]: d for d in load("network_svcnet.jsonl")}


def test_recorded_network_matches_its_definition():
    networks, errors = validate_networks([{"name": "svcnet"}], {"linux"})
    assert errors == []
    actions, errors = plan_networks(networks, EXISTING)
    assert errors == [] and actions[0]["action"] == "none"


def test_new_network_is_an_attachable_labelled_overlay():
    networks, _ = validate_networks([{"name": "appnet", "subnet": "10.20.0.0/24"}], {"linux"})
    (action,), _ = plan_networks(networks, EXISTING)
    assert action["argv"] == create_network_argv(networks[0])
    assert action["argv"] == [
        "docker", "network", "create", "--driver", "overlay", "--attachable",
        "--subnet", "10.20.0.0/24", "--label", "mixedswarm.managed=true", "appnet",
    ]  # fmt: skip


def test_encrypted_overlay_is_refused_with_windows_nodes():
    _, errors = validate_networks([{"name": "sec", "encrypted": True}], {"linux", "windows"})
    assert errors == [
        "network 'sec', field 'encrypted': the swarm has Windows nodes and Windows does not support encrypted "
        "overlay networks; set encrypted: false (or keep Windows services off this network and nodes)"
    ]
    assert validate_networks([{"name": "sec", "encrypted": True}], {"linux"})[1] == []


def test_ingress_cannot_be_declared_and_the_reason_is_discovery():
    _, errors = validate_networks([{"name": "ingress"}], {"linux"})
    assert "service names do not resolve on it" in errors[0]


def test_bad_network_input():
    _, errors = validate_networks(
        [{"name": "a", "subnet": "10.0.0.1/24"}, {"name": "b", "driver": "bridge"}, {"name": "a"}], {"linux"}
    )
    assert any("'a', field 'subnet'" in e for e in errors)
    assert any("'b', field 'driver'" in e for e in errors)
    assert any("'a', field 'name'" in e and "more than once" in e for e in errors)


def test_drift_of_a_managed_network_is_reported_not_recreated():
    networks, _ = validate_networks([{"name": "svcnet", "internal": True}], {"linux"})
    actions, errors = plan_networks(networks, EXISTING)
    assert actions == []
    assert "field 'internal'" in errors[0] and "cannot change a network in place" in errors[0]


def test_foreign_network_is_used_but_never_removed():
    foreign = copy.deepcopy(EXISTING)
    foreign["svcnet"]["Labels"] = {}
    networks, _ = validate_networks([{"name": "svcnet", "internal": True}], {"linux"})
    actions, errors = plan_networks(networks, foreign)
    assert errors == [] and actions[0]["action"] == "none"
    absent, _ = validate_networks([{"name": "svcnet", "state": "absent"}], {"linux"})
    actions, errors = plan_networks(absent, foreign)
    assert actions == [] and "not created by this project" in errors[0]


def test_subnets_colliding_with_the_nodes_each_other_or_existing_networks_are_refused():
    from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.network import subnet_problems

    networks, errors = validate_networks(
        [
            {"name": "labnet", "subnet": "172.29.106.0/24"},
            {"name": "a", "subnet": "10.20.0.0/16"},
            {"name": "b", "subnet": "10.20.5.0/24"},
            {"name": "c", "subnet": "10.0.0.0/28"},
            {"name": "fine", "subnet": "10.99.0.0/24"},
            {"name": "old", "state": "absent"},
        ],
        {"linux"},
    )
    assert errors == []
    nodes = {
        "manager1": ["172.29.106.10", "172.17.0.1"],
        "i26-manager1": ["172.29.106.10"],
        "worker1": ["fe80::1"],
    }
    ingress = {"Name": "ingress", "IPAM": {"Config": [{"Subnet": "10.0.0.0/24", "Gateway": "10.0.0.1"}]}}
    mine = {"Name": "fine", "IPAM": {"Config": [{"Subnet": "10.99.0.0/24"}]}}  # itself: no collision
    assert subnet_problems(networks, nodes, [ingress, mine]) == [
        "network 'labnet', field 'subnet': 172.29.106.0/24 holds 172.29.106.10 (manager1), address(es) of the "
        "nodes; overlay traffic to them would stay in the overlay and cut the nodes off from each other. Choose a "
        "range no node uses",
        "network 'a', field 'subnet': 10.20.0.0/16 overlaps 10.20.5.0/24 of network 'b'",
        "network 'c', field 'subnet': 10.0.0.0/28 overlaps 10.0.0.0/24 of the existing network 'ingress'",
    ]


def test_options_windows_does_not_support_are_refused_with_windows_nodes_before_any_change():
    definition = {"name": "mixed", "internal": True, "ipv6": True, "subnet": "fd00:10::/64"}
    _, errors = validate_networks([definition], {"linux", "windows"})
    assert errors == [
        "network 'mixed', field 'internal': the swarm has Windows nodes and Windows does not support internal "
        "networks; set internal: false (or keep Windows services off this network and nodes)",
        "network 'mixed', field 'ipv6': the swarm has Windows nodes and Windows does not support IPv6 on overlay "
        "networks; set ipv6: false (or keep Windows services off this network and nodes)",
        "network 'mixed', field 'subnet': the swarm has Windows nodes and Windows does not support IPv6 on overlay "
        "networks",
    ]
    assert validate_networks([definition], {"linux"})[1] == []


def test_overlay_mtu_is_set_compared_and_left_to_the_engine_when_unset():
    (network,), errors = validate_networks([{"name": "mixed", "mtu": 1400}], {"linux", "windows"})
    assert errors == []
    argv = create_network_argv(network)
    assert argv[argv.index("--opt") : argv.index("--opt") + 2] == [
        "--opt",
        "com.docker.network.driver.mtu=1400",
    ]
    inspect = {
        "Name": "mixed",
        "Driver": "overlay",
        "Attachable": True,
        "Options": {
            "com.docker.network.driver.overlay.vxlanid_list": "4097",
            "com.docker.network.driver.mtu": "1400",
        },
        "Labels": {"mixedswarm.managed": "true"},
    }
    assert network_differences(network, actual_network(inspect)) == []
    assert network_differences({**network, "mtu": 1300}, actual_network(inspect)) == ["mtu"]
    (default,), _ = validate_networks([{"name": "mixed"}], {"linux"})
    assert network_differences(default, actual_network(inspect)) == []
    _, errors = validate_networks([{"name": "mixed", "mtu": 20}], {"linux"})
    assert errors == ["network 'mixed', field 'mtu': must be an MTU between 68 and 65535, got 20"]


def test_new_subnets_overlapping_a_network_a_node_routes_to_are_refused():
    from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.network import subnet_problems

    networks, errors = validate_networks(
        [
            {"name": "vpn", "subnet": "10.8.4.0/24"},  # inside the range behind the VPN gateway
            {"name": "lan", "subnet": "172.29.240.224/28"},  # inside the LAN, holding no node address
            {"name": "home", "subnet": "192.168.7.0/24"},  # holds an address: that message only
            {"name": "kept", "subnet": "172.17.5.0/24"},  # exists already: a route is not held against it
            {"name": "clear", "subnet": "10.99.0.0/24"},
        ],
        {"linux"},
    )
    assert errors == []
    routes = {
        "manager1": [
            "10.8.0.0/16 via 172.29.240.254 dev eth0",
            "172.17.0.0/16 dev docker0",
            "172.29.240.0/24 dev eth0",
        ],
        "worker1": ["10.8.0.0/16 via 172.29.240.254 dev eth0", "172.29.240.0/24 dev eth0"],
    }
    existing = [{"Name": "kept", "IPAM": {"Config": [{"Subnet": "172.17.5.0/24"}]}}]
    problems = subnet_problems(networks, {"manager1": ["172.29.240.10", "192.168.7.5"]}, existing, routes)
    assert problems == [
        "network 'vpn', field 'subnet': 10.8.4.0/24 overlaps 10.8.0.0/16, which manager1, worker1 route to (via "
        "172.29.240.254 dev eth0); containers on the overlay could not reach that range. Choose a range no node "
        "routes to",
        "network 'lan', field 'subnet': 172.29.240.224/28 overlaps 172.29.240.0/24, which manager1, worker1 route "
        "to (dev eth0); containers on the overlay could not reach that range. Choose a range no node routes to",
        "network 'home', field 'subnet': 192.168.7.0/24 holds 192.168.7.5 (manager1), address(es) of the nodes; "
        "overlay traffic to them would stay in the overlay and cut the nodes off from each other. Choose a range "
        "no node uses",
    ]
    # One node routing there is named alone; an IPv6 subnet is not compared with IPv4 routes.
    (one,) = subnet_problems(networks[:1], {}, [], {"worker1": routes["worker1"]})
    assert "which worker1 routes to (via 172.29.240.254 dev eth0)" in one
    v6, _ = validate_networks([{"name": "six", "ipv6": True, "subnet": "fd00:10::/64"}], {"linux"})
    assert subnet_problems(v6, {}, [], routes) == []
    # Without a read of the routes (services.yml on its own), nothing is held against them.
    assert subnet_problems(networks[:2], {}, []) == []


def test_the_network_plugin_takes_each_hosts_routes_from_this_runs_node_read_in_inventory_order():
    from ansible_collections.mixedswarm.swarm.plugins.action.swarm_network import node_routes

    task_vars = {
        "groups": {"swarm": ["worker1", "manager1", "win1", "old"]},
        "hostvars": {
            "manager1": {"swarm_node": {"network": {"routes": ["172.29.240.0/24 dev eth0"]}}},
            "worker1": {"swarm_node": {"network": {"routes": ["10.8.0.0/16 via 10.0.0.1 dev eth0"]}}},
            "win1": {"ansible_facts": {"ip_addresses": ["10.0.0.9"]}},  # Windows: no routes read
            "old": {"swarm_node": {"network": {}}},  # a read without `ip`
        },
    }
    assert node_routes(task_vars) == {
        "worker1": ["10.8.0.0/16 via 10.0.0.1 dev eth0"],
        "manager1": ["172.29.240.0/24 dev eth0"],
    }
    assert list(node_routes(task_vars)) == ["worker1", "manager1"]

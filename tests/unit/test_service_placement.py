"""Placement predicted before anything is created (module_utils._service.placement): a service the
scheduler could not place is refused naming its field, from the nodes' labels, platform,
resources and the host-mode ports their tasks publish."""

from __future__ import annotations

import pytest

from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.definition import validate_services
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.placement import (
    constraint_holds,
    host_ports_by_node,
    placement_problems,
)

GIB = 1024**3


def node(
    hostname, role="worker", labels=None, os="linux", cpus=2, memory=4, availability="active", status="ready"
):
    return {
        "id": f"id-{hostname}",
        "hostname": hostname,
        "role": role,
        "availability": availability,
        "status": status,
        "labels": labels or {},
        "os": os,
        "architecture": "x86_64",
        "nano_cpus": cpus * 10**9,
        "memory_bytes": memory * GIB,
    }


NODES = [
    node("m1", "manager", {"zone": "earth"}),
    node("w1", labels={"zone": "earth"}),
    node("w2", labels={"zone": "moon"}),
    node("w3", labels={"zone": "moon"}, availability="drain"),  # takes no task
]


def refusals(definition, nodes=NODES, host_ports=None):
    _, errors = validate_services(
        [{"name": "web", "image": "nginx", "os": "linux", **definition}],
        {"linux"},
        set(),
        nodes=nodes,
        host_ports=host_ports or {},
    )
    return list(errors)


def test_constraints_hold_as_swarmkit_compares_them():
    w1 = NODES[1]
    assert constraint_holds(w1, "node.labels.zone==EARTH")  # values compare case-insensitively
    assert not constraint_holds(w1, "node.labels.zone!=earth")
    assert constraint_holds(w1, "node.labels.rack!=a")  # `!=` holds on a missing label
    assert not constraint_holds(w1, "node.labels.rack==a")
    assert constraint_holds(w1, "node.role==worker") and not constraint_holds(w1, "node.role==manager")
    assert constraint_holds(w1, "node.platform.os==linux") and constraint_holds(w1, "node.hostname==w1")
    assert constraint_holds(w1, "engine.labels.ssd==true") is None  # not in the node listing


def test_a_constraint_no_node_satisfies_is_refused_before_the_service_exists():
    assert refusals({"constraints": ["node.labels.zone==mars"]}) == [
        "service 'web', field 'constraints': no Ready, active node of the 3 satisfies node.labels.zone==mars and "
        "node.platform.os==linux, so no task could be placed; give a node the label (swarm_labels) or change the "
        "constraint"
    ]
    # A drained node does not count: w3 is the only other moon node, and w2 is there.
    assert refusals({"constraints": ["node.labels.zone==moon"], "replicas": 3}) == []
    assert refusals({"constraints": ["node.labels.zone==moon", "node.hostname!=w2"]})[0].startswith(
        "service 'web', field 'constraints': no Ready, active node of the 3 satisfies"
    )


def test_a_host_port_taken_on_the_eligible_nodes_is_refused_with_where():
    taken = {"w1": {(8080, "tcp"): "other"}, "m1": {(8080, "tcp"): "other"}}
    definition = {"replicas": 2, "publish": [{"published": 8080, "target": 80, "mode": "host"}]}
    assert refusals(definition, host_ports=taken) == [
        "service 'web', field 'publish': host-mode port 8080/tcp is free on 1 of the 3 eligible nodes (already "
        "published on m1 (service other), w1 (service other)); 2 replicas need 2 (one task per node can publish it)"
    ]
    # One replica fits on w2; its own port does not count against it on an update; udp is another port.
    assert refusals({**definition, "replicas": 1}, host_ports=taken) == []
    assert refusals(definition, host_ports={"w1": {(8080, "tcp"): "web"}, "m1": {(8080, "udp"): "dns"}}) == []
    # Four replicas on three nodes with one host port: one task per node at most.
    assert "free on 3 of the 3 eligible nodes" in refusals({**definition, "replicas": 4})[0]
    glob = {"mode": "global", "publish": [{"published": 8080, "mode": "host"}]}
    assert "a global service needs it on every one" in refusals(glob, host_ports=taken)[0]


def test_reservations_beyond_every_node_and_max_replicas_per_node():
    assert refusals({"reservations": {"memory": "64G"}}) == [
        "service 'web', field 'reservations': reserves 0 CPUs and 68719476736 bytes of memory per task, more than 3 "
        "of the 3 eligible nodes have in all; a task is never placed there"
    ]
    assert refusals({"reservations": {"cpus": 1.5}, "replicas": 3}) == []
    # 1.5 CPUs fit once on each 2-CPU node: 4 replicas have room for 3.
    assert refusals({"reservations": {"cpus": 1.5}, "replicas": 4}) == [
        "service 'web', field 'replicas': the eligible nodes (m1, w1, w2) can take 3 of 4 replicas with these "
        "reservations, host ports and per-node limit"
    ]


@pytest.mark.parametrize(("limit", "replicas", "refused"), [(1, 3, False), (1, 4, True), (2, 6, False)])
def test_max_replicas_per_node_from_the_spec(limit, replicas, refused):
    spec = {
        "name": "web",
        "state": "present",
        "mode": "replicated",
        "replicas": replicas,
        "constraints": ["node.platform.os==linux"],
        "ports": [],
        "reservations": {"cpus": 0, "memory": 0},
        "max_replicas_per_node": limit,
    }
    problems = placement_problems(spec, NODES, {})
    assert bool(problems) is refused
    if refused:
        assert problems == [
            ("max_replicas_per_node", "1 per node on 3 eligible node(s) places at most 3 of 4 replicas")
        ]


def test_host_ports_are_read_from_the_tasks_meant_to_run():
    tasks = [
        {"Name": "web.1", "Node": "w1", "DesiredState": "Running", "Ports": "*:8080->80/tcp,*:53->53/udp"},
        {"Name": "web.2", "Node": "w2", "DesiredState": "Shutdown", "Ports": "*:8080->80/tcp"},
        {
            "Name": "api.1",
            "Node": "w2",
            "DesiredState": "Running",
            "Ports": "",
        },  # ingress ports are not listed
    ]
    assert host_ports_by_node(tasks) == {"w1": {(8080, "tcp"): "web", (53, "udp"): "web"}}


def test_without_nodes_nothing_is_predicted():
    assert refusals({"constraints": ["node.labels.zone==mars"]}, nodes=[]) == []

"""_service.verify and _swarm.cluster_read: the verify stage's checks, probe plans and summary."""

import copy

from service_fixtures import FakeDocker, by_name, load, windows_node

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import Result
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.convergence import group_tasks
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.verify import (
    check_services,
    dns_probe_plan,
    http_targets,
    judge_lookups,
    lookup_addresses,
    node_problems,
    summary_lines,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.cluster_read import (
    ClusterError,
    cluster_os,
    read_cluster,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import node_from_inspect

NODES = {d["ID"]: node_from_inspect(d) for d in load("nodes_linux.jsonl")}
SERVICES = by_name("services_converged.jsonl")
TASKS = group_tasks(SERVICES, load("tasks_converged.jsonl"))
BUSYBOX = """Server:\t\t127.0.0.11
Address:\t127.0.0.11:53

Non-authoritative answer:
Name:\ttasks.web
Address: 10.0.1.3
Name:\ttasks.web
Address: 10.0.1.2
"""
WINDOWS = """Server:  UnKnown
Address:  172.20.0.1

Non-authoritative answer:
Name:    web
Addresses:  10.0.1.3
          10.0.1.2
"""


def test_recorded_lab_passes_every_check():
    assert node_problems(NODES) == []
    rows, problems = check_services(["web", "ssh"], SERVICES, TASKS, NODES)
    assert problems == []
    assert rows[0]["replicas"] == "2/2" and rows[0]["os"] == "linux"
    assert rows[0]["ports"] == ["8081:80/tcp (host)"]


def test_task_on_a_node_of_the_wrong_os_is_a_problem():
    nodes = copy.deepcopy(NODES)
    web_node = TASKS["web"][0]["NodeID"]
    nodes[web_node]["os"] = "windows"
    _, problems = check_services(["web"], SERVICES, TASKS, nodes)
    assert len(problems) == 1 and "expected a linux node" in problems[0]


def test_down_node_and_missing_service_are_problems():
    nodes = copy.deepcopy(NODES)
    next(iter(nodes.values()))["status"] = "down"
    assert "is down, not ready" in node_problems(nodes)[0]
    assert check_services(["api"], SERVICES, TASKS, NODES)[1] == [
        "service api: declared but not found in the swarm"
    ]


def test_dns_probe_crosses_nodes():
    plan, reason = dns_probe_plan("ssh", "web", TASKS, NODES)
    assert reason == ""
    web_nodes = {t["NodeID"] for t in TASKS["web"] if t["DesiredState"] == "running"}
    assert plan["node_id"] not in web_nodes
    assert plan["target_tasks"] == 2


def test_dns_probe_is_skipped_with_a_reason_when_everything_is_on_one_node():
    tasks = copy.deepcopy(TASKS)
    only = next(iter(NODES))
    for task in tasks["web"] + tasks["ssh"]:
        task["NodeID"] = only
    plan, reason = dns_probe_plan("ssh", "web", tasks, NODES)
    assert plan is None and "same single node" in reason


def test_http_target_for_host_mode_is_a_node_with_a_task():
    (target,), problems, skipped = http_targets([{"service": "web", "path": "/"}], SERVICES, TASKS, NODES)
    assert problems == [] and skipped == []
    assert target["port"] == 8081 and target["mode"] == "host"
    assert target["node_id"] in {t["NodeID"] for t in TASKS["web"]}
    assert http_targets([{"service": "ssh"}], SERVICES, TASKS, NODES)[1] == [
        "http check ssh: the service publishes no port"
    ]


def test_http_check_of_a_service_scaled_to_zero_is_skipped_with_the_reason():
    services = copy.deepcopy(SERVICES)
    services["web"]["Spec"]["Mode"]["Replicated"]["Replicas"] = 0
    tasks = {**TASKS, "web": []}
    assert http_targets([{"service": "web"}], services, tasks, NODES) == (
        [],
        [],
        ["web: 0 replicas, nothing to request"],
    )


def test_dns_probe_runs_only_from_inventory_nodes():
    source_nodes = {t["NodeID"] for t in TASKS["ssh"] if t["DesiredState"] == "running"}
    plan, reason = dns_probe_plan("ssh", "web", TASKS, NODES, probe_nodes=set(NODES) - source_nodes)
    assert plan is None and "no running task of ssh is on a node of the inventory" in reason
    plan, _ = dns_probe_plan("ssh", "web", TASKS, NODES, probe_nodes=set(NODES))
    assert plan["node_id"] in source_nodes


def test_nslookup_answers_from_busybox_and_windows():
    assert lookup_addresses(BUSYBOX) == ["10.0.1.3", "10.0.1.2"]
    assert lookup_addresses(WINDOWS) == ["10.0.1.3", "10.0.1.2"]
    assert lookup_addresses("** server can't find web: NXDOMAIN") == []
    assert judge_lookups("web", 2, {"web": ["10.0.0.9"], "tasks.web": ["10.0.1.3", "10.0.1.2"]}) == []
    assert len(judge_lookups("web", 3, {"web": [], "tasks.web": ["10.0.1.3"]})) == 2


def test_summary_lists_nodes_and_services():
    rows, _ = check_services(["web", "ssh"], SERVICES, TASKS, NODES)
    text = "\n".join(summary_lines(NODES, rows))
    assert "svc-manager1" in text and "manager (leader)" in text and "os=linux" in text
    assert "8081:80/tcp (host)" in text and "node.platform.os==linux" in text


def test_read_cluster_is_one_round_trip_and_knows_each_node_os():
    linux = load("nodes_linux.jsonl")
    docker = FakeDocker(
        [Result([], 0, [], "\n".join(d["ID"] for d in linux)), [*linux, windows_node(linux[1], "win1")], []]
    )
    nodes, (extra,) = read_cluster(docker, [["docker", "network", "ls"]])
    assert len(docker.calls) == 1
    assert cluster_os(nodes) == {"linux", "windows"}
    assert extra.ok


def test_read_cluster_on_a_worker_says_it_needs_a_manager():
    docker = FakeDocker(
        [Result([], 1, [], "Error response from daemon: This node is not a swarm manager."), []]
    )
    try:
        read_cluster(docker)
    except ClusterError as exc:
        assert "must run on a swarm manager" in str(exc) and "not a swarm manager" in str(exc)
    else:
        raise AssertionError("a worker must be refused")

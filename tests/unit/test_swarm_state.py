"""_swarm.node_read: recorded docker info / node inspect of Linux and Windows engines, reduced to the plan's fields."""

from swarm_fixtures import load

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import Result
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import (
    ENGINE_UNITS_ARGV,
    INFO_ARGV,
    NODES_ARGV,
    local_state,
    local_state_of,
    node_from_inspect,
    node_read,
    socket_would_start_engine,
    stopped_engine_state,
)


def test_windows_manager_info():
    assert local_state(load("windows_info_manager.json")) == {
        "state": "active",
        "node_id": "yekfp7jy5y82ks65sgmpxcdgb",
        "cluster_id": "cjbn9h403asg60dqrxz3nlnn9",
        "autolock": False,
        "is_manager": True,
        # The recorded Windows engine (19.03) reports every setting: Docker's defaults.
        "settings": {
            "autolock": False,
            "cert_expiry": 90 * 24 * 3600 * 10**9,
            "task_history_limit": 5,
            "snapshot_interval": 10000,
            "dispatcher_heartbeat": 5 * 10**9,
            "default_addr_pools": ["10.0.0.0/8"],
            "default_addr_pool_mask_length": 24,
            "data_path_port": 4789,
        },
        "node_addr": "192.168.120.194",
        "remote_managers": [
            {"node_id": "yekfp7jy5y82ks65sgmpxcdgb", "addr": "192.168.120.194:2377"},
            {"node_id": "q3vbsc1k1k2yqcvd7ywfbaup5", "addr": "192.168.120.196:2377"},
        ],
        "error": "",
        "os_type": "windows",
        "os_build": "17763",
        "architecture": "x86_64",
        "engine_version": "19.03.8",
        "hostname": "swarm1",
    }


def test_a_node_that_failed_to_join_says_why():
    state = local_state({"Swarm": {"LocalNodeState": "error", "Error": "rpc error: code = Unavailable"}})
    assert (state["state"], state["error"]) == ("error", "rpc error: code = Unavailable")


def test_windows_inactive_info_has_no_swarm_identity():
    state = local_state(load("windows_info_inactive.json"))
    assert state["state"] == "inactive"
    assert (state["node_id"], state["cluster_id"], state["is_manager"]) == ("", "", False)
    assert state["remote_managers"] == []


def test_linux_infos():
    manager = local_state(load("linux_info_manager.json"))
    worker = local_state(load("linux_info_worker.json"))
    inactive = local_state(load("linux_info_inactive.json"))
    assert manager["os_type"] == worker["os_type"] == inactive["os_type"] == "linux"
    assert manager["is_manager"] and manager["cluster_id"]
    # Workers do not see the ClusterID: the planner finds their swarm through the managers.
    assert worker["state"] == "active" and not worker["is_manager"] and worker["cluster_id"] == ""
    assert worker["remote_managers"]
    assert inactive["state"] == "inactive"
    # Only a manager knows the swarm's settings.
    assert manager["settings"]["cert_expiry"] == 7776000000000000 and worker["settings"] == {}


def test_node_entries_of_both_oses():
    windows = [node_from_inspect(d) for d in load("windows_node_inspect.jsonl")]
    assert windows[0] == {
        "id": "yekfp7jy5y82ks65sgmpxcdgb",
        "hostname": "swarm1",
        "role": "manager",
        "availability": "active",
        "labels": {},
        "status": "ready",
        "addr": "192.168.120.194",
        "os": "windows",
        "architecture": "x86_64",
        "engine_version": "19.03.8",
        "nano_cpus": 8000000000,
        "memory_bytes": 25769336832,
        "leader": True,
        "reachability": "reachable",
        "manager_addr": "192.168.120.194:2377",
    }
    assert windows[1]["labels"] == {"os": "windows", "mixedswarm.owned-labels": "os"}
    linux = [node_from_inspect(d) for d in load("linux_node_inspect.jsonl")]
    assert {n["os"] for n in linux} == {"linux"}
    assert {n["role"] for n in linux} == {"manager", "worker"}
    assert all(n["status"] == "ready" for n in linux)


def test_read_results_reports_an_engine_that_does_not_answer():
    info = Result(INFO_ARGV, 1, [], "Cannot connect to the Docker daemon at unix:///var/run/docker.sock.")
    nodes = Result(NODES_ARGV, 1, [], "")
    assert node_read(info, nodes) == {
        "state": "unavailable",
        "engine_error": "Cannot connect to the Docker daemon at unix:///var/run/docker.sock.",
    }


def test_read_results_of_a_docker_info_that_printed_nothing():
    assert node_read(Result(INFO_ARGV, 0, [], ""), Result(NODES_ARGV, 1, [], "")) == {
        "state": "unavailable",
        "engine_error": "docker info exited 0",
    }


def test_read_results_ignores_the_node_list_of_a_non_manager():
    info = Result(INFO_ARGV, 0, [load("windows_info_inactive.json")])
    nodes = Result(NODES_ARGV, 1, [], "Error response from daemon: This node is not a swarm manager.")
    assert node_read(info, nodes)["nodes"] == []


def test_read_results_of_a_manager_list_every_node():
    info = Result(INFO_ARGV, 0, [load("linux_info_manager.json")])
    documents = load("linux_node_inspect.jsonl")
    state = node_read(info, Result(NODES_ARGV, 0, documents))
    assert state["nodes"] == [node_from_inspect(d) for d in documents]
    assert {k: v for k, v in state.items() if k != "nodes"} == local_state(load("linux_info_manager.json"))


def test_state_of_a_docker_info_that_answered_or_not():
    info = load("linux_info_worker.json")
    assert local_state_of(Result(INFO_ARGV, 0, [info])) == local_state(info)
    assert local_state_of(Result(INFO_ARGV, 0, [], "")) == {}
    assert local_state_of(Result(INFO_ARGV, 1, [], "Cannot connect to the Docker daemon")) == {}


def test_only_a_stopped_engine_behind_a_listening_socket_would_be_started_by_a_read():
    """`systemctl is-active docker.service docker.socket` as a Debian 12 node prints it (exit 3 when
    a unit is not active), and what a host without systemd or without the socket unit prints."""
    answers = {
        (3, "inactive\nactive"): True,  # systemctl stop docker: the socket still listens
        (3, "failed\nactive"): True,
        (0, "active\nactive"): False,
        (3, "inactive\ninactive"): False,  # socket stopped too: a docker call only fails
        (3, "active\ninactive"): False,
        (127, "sh: 1: systemctl: not found"): False,
    }
    for (rc, text), starts in answers.items():
        assert socket_would_start_engine(Result(ENGINE_UNITS_ARGV, rc, [], text)) is starts, text


def test_the_state_of_an_engine_left_stopped_says_so():
    assert stopped_engine_state() == {
        "state": "unavailable",
        "engine_error": "the engine is stopped and docker.socket would start it; check mode leaves it stopped",
        "engine_stopped": True,
    }

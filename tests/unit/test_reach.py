"""Cross-OS reachability: the pairs' check, which task probes which addresses, the commands, the verdict."""

from powershell_model import grammar_problems, on_node
from test_report import node, task

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import Result
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.reach import (
    connect_argv,
    pair_problems,
    reach_plan,
    reach_verdict,
)

DECLARED = {"web", "console"}


def test_valid_pairs_pass_and_each_bad_entry_names_its_field():
    assert pair_problems([{"from": "console", "to": "web", "port": 80}], DECLARED, set()) == []
    assert pair_problems([{"from": "app_api", "to": "web", "port": 80}], DECLARED, {"app"}) == []
    problems = pair_problems(
        [
            {"from": "console", "to": "wbe", "port": 80, "prot": 1},
            {"from": "web", "to": "web", "port": 0},
            {"to": "web", "port": "80"},
            "web",
        ],
        DECLARED,
        set(),
    )
    assert problems == [
        "swarm_verify_reachability[0].prot: unknown key; valid keys: from, to, port",
        "swarm_verify_reachability[0].to: 'wbe' is no declared service (swarm_services: console, web; a stack's "
        "service is STACK_SERVICE)",
        "swarm_verify_reachability[1].port: 0 is not a TCP port (an integer from 1 to 65535)",
        "swarm_verify_reachability[1]: from and to are the same service; a pair checks one service reaching another",
        "swarm_verify_reachability[2].from: required, the name of a service",
        "swarm_verify_reachability[2].port: '80' is not a TCP port (an integer from 1 to 65535)",
        "swarm_verify_reachability[3]: must be a mapping with keys from, to, port",
    ]
    assert pair_problems({"from": "web"}, DECLARED, set()) == [
        "swarm_verify_reachability: must be a list of {from, to, port}, got dict"
    ]
    assert pair_problems([{"from": "web", "to": "console", "port": True}], DECLARED, set())


NODES = {
    "w1": {**node(1, "windows"), "id": "w1", "hostname": "win1"},
    "w2": {**node(2, "windows"), "id": "w2", "hostname": "win2"},
    "l1": {**node(3, "linux"), "id": "l1", "hostname": "ubuntu1"},
}
TASKS = {
    "console": [task("console", 1, "l1", address="10.0.1.9"), task("console", 2, "w2", address="10.0.1.8")],
    "web": [task("web", 1, "l1", address="10.0.1.3"), task("web", 2, "w1", address="10.0.1.4")],
}


def test_the_probe_runs_from_a_source_task_on_a_node_without_a_target_task_to_every_target_address():
    probes, problems = reach_plan([{"from": "console", "to": "web", "port": 80}], TASKS, NODES)
    assert problems == []
    (probe,) = probes
    assert (probe["task"], probe["node_id"], probe["hostname"], probe["os"]) == (
        "console.2",
        "w2",
        "win2",
        "windows",
    )
    assert [(t["task"], t["node"], t["os"], t["address"], t["network"]) for t in probe["targets"]] == [
        ("web.1", "ubuntu1", "linux", "10.0.1.3", "appnet"),
        ("web.2", "win1", "windows", "10.0.1.4", "appnet"),
    ]
    # Only the Linux node is in the inventory: the probe runs there, next to a target task.
    probes, _ = reach_plan([{"from": "console", "to": "web", "port": 80}], TASKS, NODES, {"l1"})
    assert probes[0]["node_id"] == "l1"


def test_pairs_that_cannot_be_probed_are_problems_naming_the_pair():
    stopped = {**TASKS, "web": [task("web", 1, "l1", state="shutdown", desired="shutdown")]}
    _, problems = reach_plan([{"from": "console", "to": "web", "port": 80}], stopped, NODES)
    assert problems == ["reachability console -> web:80: no running task of web"]
    _, problems = reach_plan([{"from": "console", "to": "web", "port": 80}], TASKS, NODES, {"nowhere"})
    assert problems == [
        "reachability console -> web:80: no running task of console is on a node of the inventory, where the probe runs"
    ]
    apart = {**TASKS, "web": [{**task("web", 1, "l1"), "NetworksAttachments": []}]}
    _, problems = reach_plan([{"from": "console", "to": "web", "port": 80}], apart, NODES)
    assert problems == ["reachability console -> web:80: console and web share no overlay network"]


def test_linux_connect_is_busybox_nc_with_a_timeout():
    assert connect_argv("c1", "linux", "10.0.1.3", 80) == [
        "docker",
        "exec",
        "c1",
        "nc",
        "-w",
        "3",
        "10.0.1.3",
        "80",
    ]


def test_windows_connect_reaches_docker_exe_unchanged_and_parses_as_powershell():
    argv = connect_argv("c1", "windows", "10.0.1.3", 80)
    assert argv[:8] == [
        "docker",
        "exec",
        "c1",
        "powershell",
        "-NoProfile",
        "-NonInteractive",
        "-Command",
        argv[7],
    ]
    ((_, received),) = on_node([argv])
    assert received == argv[1:]
    assert grammar_problems(argv[7]) == []
    assert "ConnectAsync('10.0.1.3',80).Wait(3000)" in argv[7] and "throw" in argv[7]


def test_an_address_that_is_not_an_ip_is_refused():
    import pytest

    with pytest.raises(ValueError):
        connect_argv("c1", "windows", "10.0.1.3');Remove-Item C:\\ -Recurse;('", 80)


def test_the_verdict_names_both_tasks_their_nodes_and_the_error():
    probes, _ = reach_plan([{"from": "console", "to": "web", "port": 80}], TASKS, NODES)
    outcomes = [
        Result(["docker"], 0, [], ""),
        Result(
            ["docker"], 1, [], 'Exception calling "Wait": No connection could be made\r\n because refused'
        ),
    ]
    assert reach_verdict(probes[0], outcomes) == [
        {
            "ok": True,
            "text": "console.2 on win2 (windows) -> web.1 on ubuntu1 (linux) 10.0.1.3:80 over appnet: connected",
        },
        {
            "ok": False,
            "text": "console.2 on win2 (windows) -> web.2 on win1 (windows) 10.0.1.4:80 over appnet: failed: "
            'Exception calling "Wait": No connection could be made because refused',
        },
    ]


def test_the_classic_lab_checks_linux_to_windows_and_windows_to_linux():
    from pathlib import Path

    import yaml

    path = Path(__file__).resolve().parents[2] / "inventory/group_vars/swarm/services.yml"
    classic = yaml.safe_load(path.read_text())
    services = {s["name"]: s for s in classic["swarm_services"]}
    pairs = classic["swarm_verify_reachability"]
    assert pair_problems(pairs, set(services), set()) == []
    directions = {(services[p["from"]]["os"], services[p["to"]]["os"]) for p in pairs}
    assert directions == {("linux", "windows"), ("windows", "linux")}
    # The Linux source runs busybox (nc), the Windows one Server Core (powershell).
    linux_source = next(services[p["from"]] for p in pairs if services[p["from"]]["os"] == "linux")
    windows_source = next(services[p["from"]] for p in pairs if services[p["from"]]["os"] == "windows")
    assert linux_source["image"].startswith("busybox") and "servercore" in windows_source["image"]

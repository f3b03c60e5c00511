"""swarm_node_roll stops a roll with one message naming the node (docs/operations.md): a manager
whose drain would lose quorum, checked again just before it is drained, and a node that does not
come back. Docker's answers are the recorded lab's nodes with the state each case needs."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest
from ansible.errors import AnsibleActionFail
from swarm_fixtures import load

from ansible_collections.mixedswarm.swarm.plugins.action import swarm_node_roll
from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import Result

NODES = load("linux_node_inspect.jsonl")
MANAGER2_ID = "7cd5tna8fv3qq62ppsnfg40lf"
MANAGER3_ID = "i9k9vt04ady6zxzbo6y1aghk5"


def with_down(*node_ids):
    """The recorded nodes, those of node_ids Down (and unreachable, for a manager)."""
    nodes = copy.deepcopy(NODES)
    for node in nodes:
        if node["ID"] in node_ids:
            node["Status"]["State"] = "down"
            if node.get("ManagerStatus"):
                node["ManagerStatus"]["Reachability"] = "unreachable"
    return nodes


def refusal(monkeypatch, args, *batches) -> str:
    """The message swarm_node_roll fails with when docker answers each batch with `batches`."""
    answers = list(batches)

    def docker(_action, invocations, sensitive=False):
        return [
            Result(list(argv), 0, documents)
            for argv, documents in zip(invocations, answers.pop(0), strict=True)
        ]

    monkeypatch.setattr(swarm_node_roll, "run_docker", docker)
    action = object.__new__(swarm_node_roll.ActionModule)
    action._task = SimpleNamespace(check_mode=False)
    with pytest.raises(AnsibleActionFail) as refused:
        action.act({"host": "manager2", "availability": None, "timeout": 0, **args}, {}, {})
    return refused.value.message


def test_a_manager_is_not_drained_when_another_manager_went_down_since_the_plan(monkeypatch):
    message = refusal(monkeypatch, {"node_id": MANAGER2_ID, "step": "drain"}, [with_down(MANAGER3_ID), []])
    assert message == (
        "manager2: the roll stops before this node: stopping its engine would lose quorum: 3 managers need 2 "
        "reachable, and besides it only 1 are (swarm-manager3 (down, unreachable)); bring those managers back first"
    )


def test_a_node_that_does_not_come_back_stops_the_roll_naming_it(monkeypatch):
    message = refusal(monkeypatch, {"node_id": MANAGER2_ID, "step": "restore"}, [with_down(MANAGER2_ID)])
    assert message == (
        "manager2 did not come back into the swarm within 0 s (status down, unreachable); the roll stops here and "
        "the nodes not rolled yet keep their engines unchanged"
    )


def test_a_drain_whose_tasks_have_nowhere_to_go_gives_the_node_back_and_stops_the_roll(monkeypatch):
    """The scheduler has no node for web's moved task: the roll stops before the engine changes, and
    the node gets back the availability it had (its label forgotten), instead of changing anyway."""
    calls = []
    on_node = [{"Name": "web.1", "DesiredState": "Running", "CurrentState": "Running 5 minutes ago"}]
    pending = [
        {
            "Name": "web.1",
            "DesiredState": "Running",
            "Error": "no suitable node (scheduling constraints not satisfied on 3 nodes)",
        }
    ]
    answers = [
        [NODES, on_node],  # the nodes and the node's tasks before the drain
        [[]],  # the drain
        [[], [{"Name": "web", "Replicas": "1/2"}], pending],  # tasks gone, web short, its task pending
        [[]],  # the give back
    ]

    def docker(_action, invocations, sensitive=False):
        calls.extend(invocations)
        return [Result(list(argv), 0, docs) for argv, docs in zip(invocations, answers.pop(0), strict=True)]

    monkeypatch.setattr(swarm_node_roll, "run_docker", docker)
    action = object.__new__(swarm_node_roll.ActionModule)
    action._task = SimpleNamespace(check_mode=False)
    with pytest.raises(AnsibleActionFail) as refused:
        action.act(
            {
                "host": "manager2",
                "availability": None,
                "timeout": 300,
                "node_id": MANAGER2_ID,
                "step": "drain",
            },
            {},
            {},
        )
    assert refused.value.message == (
        "manager2: the drain cannot complete: tasks have nowhere to go (web.1: no suitable node (scheduling "
        "constraints not satisfied on 3 nodes)); it has its availability back, and the roll stops before its "
        "engine changes. Let those services run elsewhere (constraints, resources, replicas per node) or raise "
        "engine_roll_drain_timeout, then run again"
    )
    assert calls[-1] == [
        "docker",
        "node",
        "update",
        "--availability",
        "active",
        "--label-rm",
        "mixedswarm.roll-availability",
        MANAGER2_ID,
    ]
    assert answers == []  # no waiting out the timeout once the scheduler said so

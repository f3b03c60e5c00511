"""engine_roll: which engines change in place and which roll, in which order, keeping quorum."""

import pytest

from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.drain import (
    ROLL_LABEL,
    availability_before_roll,
    back_in_service,
    running_here,
    service_of,
    unconverged,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.roll import (
    IN_PLACE,
    ROLL_LEADER,
    ROLL_MANAGERS,
    ROLL_RESUME,
    ROLL_WORKERS,
    RollRefused,
    plan_engine_roll,
    roll_summary,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.backup import backup_source
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.quorum import manager_stop_problem

CHANGE = ["daemon.json differs"]


def node(host, role="worker", leader=False, status="ready", reachability=None):
    return {
        "id": f"id-{host}",
        "hostname": host,
        "role": role,
        "availability": "active",
        "labels": {},
        "status": status,
        "leader": leader,
        "reachability": reachability or ("reachable" if role == "manager" else ""),
    }


def cluster(managers=3, workers=2, leader=2, down=()):
    """The lab's shape: manager1..N, worker1..M; `leader` is the leader's number; `down` hosts are Down."""
    nodes = [
        node(
            f"manager{i}",
            "manager",
            leader=i == leader,
            reachability="unreachable" if f"manager{i}" in down else None,
        )
        for i in range(1, managers + 1)
    ] + [node(f"worker{i}") for i in range(1, workers + 1)]
    for n in nodes:
        if n["hostname"] in down:
            n["status"] = "down"
    return nodes


def hosts_of(nodes, changes=CHANGE, changing=None, inactive=()):
    """Inventory hosts with each manager's view of the node list; `changing` limits which hosts change."""
    hosts = {}
    for n in nodes:
        state = {
            "state": "inactive" if n["hostname"] in inactive else "active",
            "node_id": n["id"],
            "is_manager": n["role"] == "manager",
            "nodes": nodes if n["role"] == "manager" else [],
        }
        picked = changing is None or n["hostname"] in changing
        hosts[n["hostname"]] = {"state": state, "changes": changes if picked else []}
    return hosts


def restart_schedule(plan, hosts):
    """When each host's engine is down, as the stage would run it: in-place changes all at once,
    then the roll in batches. Old behaviour: everything in place (no plan)."""
    changing = [h for h, spec in hosts.items() if spec["changes"]]
    batches = [[h for h in changing if plan["phase"].get(h, IN_PLACE) == IN_PLACE]]
    workers = [h for h in plan["order"] if plan["phase"][h] == ROLL_WORKERS]
    batches += [workers[i : i + plan["batch"]] for i in range(0, len(workers), plan["batch"])]
    batches += [[h] for h in plan["order"] if plan["phase"][h] != ROLL_WORKERS]
    return [b for b in batches if b]


def managers_left(batch, nodes):
    return sum(1 for n in nodes if n["role"] == "manager" and n["hostname"] not in batch)


def test_roll_order_workers_then_managers_leader_last():
    nodes = cluster(leader=1)
    plan = plan_engine_roll(hosts_of(nodes), 1)
    assert plan["order"] == ["worker1", "worker2", "manager2", "manager3", "manager1"]
    assert plan["phase"]["manager1"] == ROLL_LEADER
    assert plan["phase"]["manager3"] == ROLL_MANAGERS
    assert plan["node_ids"]["worker2"] == "id-worker2"
    # The leader drains the others; another manager drains the leader.
    assert plan["control"] == {
        "worker1": "manager1",
        "worker2": "manager1",
        "manager2": "manager1",
        "manager3": "manager1",
        "manager1": "manager2",
    }
    assert roll_summary(plan, check_mode=True) == (
        "would roll node by node (workers 1 at a time, then managers, the leader last):\n"
        "  1. worker1 (worker): daemon.json differs\n"
        "  2. worker2 (worker): daemon.json differs\n"
        "  3. manager2 (manager): daemon.json differs\n"
        "  4. manager3 (manager): daemon.json differs\n"
        "  5. manager1 (leader): daemon.json differs"
    )
    assert roll_summary(plan).startswith("rolls node by node (workers 1 at a time,")


def test_the_leader_controls_the_roll_wherever_it_is_in_the_list():
    plan = plan_engine_roll(hosts_of(cluster(leader=2)), 1)
    assert plan["control"] == {
        "worker1": "manager2",
        "worker2": "manager2",
        "manager1": "manager2",
        "manager3": "manager2",
        "manager2": "manager1",
    }
    assert plan["resume_from"] == "manager2"


def test_managers_outside_the_inventory_do_not_control_the_roll():
    nodes = cluster(leader=3)
    hosts = hosts_of(nodes)
    del hosts["manager3"]
    plan = plan_engine_roll(hosts, 1)
    assert plan["control"]["worker1"] == "manager1"
    assert plan["control"]["manager1"] == "manager2"


def test_rolling_keeps_quorum_and_service_where_changing_all_at_once_does_not():
    """The same change under the old engines stage (every engine restarted together) and now."""
    nodes = cluster()
    hosts = hosts_of(nodes)
    old = {"phase": dict.fromkeys(hosts, IN_PLACE), "order": [], "batch": 1}
    old_schedule = restart_schedule(old, hosts)
    assert max(len(b) for b in old_schedule) == 5
    assert min(managers_left(b, nodes) for b in old_schedule) == 0  # no quorum: 0 of 3 managers up

    new_schedule = restart_schedule(plan_engine_roll(hosts, 1), hosts)
    assert max(len(b) for b in new_schedule) == 1
    assert min(managers_left(b, nodes) for b in new_schedule) == 2  # 2 of 3: quorum kept
    assert new_schedule[-1] == ["manager2"]  # the leader


def test_first_run_and_unchanged_nodes_stay_in_place():
    nodes = cluster()
    plan = plan_engine_roll(hosts_of(nodes, changing={"worker1", "manager3"}, inactive={"manager3"}), 1)
    assert plan["order"] == ["worker1"]
    assert plan["phase"]["manager3"] == IN_PLACE  # not in the swarm yet: parallel, as a first run
    assert plan["phase"]["manager1"] == IN_PLACE  # nothing changes


def test_nothing_changes_nothing_rolls():
    plan = plan_engine_roll(hosts_of(cluster(), changes=[]), 2)
    assert plan["order"] == [] and set(plan["phase"].values()) == {IN_PLACE}
    assert roll_summary(plan) == "no engine of a swarm member changes: every engine is handled in place"


def test_worker_batches_come_from_the_setting():
    assert plan_engine_roll(hosts_of(cluster(workers=5)), "2")["batch"] == 2


@pytest.mark.parametrize("batch", [0, -1, "two", True, 1.5])
def test_bad_batch_is_refused(batch):
    with pytest.raises(RollRefused) as refused:
        plan_engine_roll(hosts_of(cluster()), batch)
    assert refused.value.problems == [
        f"swarm_rolling_batch={batch!r} is not valid; use a whole number of at least 1"
    ]


def test_manager_roll_refused_when_a_peer_is_down():
    nodes = cluster(down=("manager3",))
    with pytest.raises(RollRefused) as refused:
        plan_engine_roll(hosts_of(nodes, changing={"manager1"}), 1)
    assert refused.value.problems == [
        "host manager1: stopping its engine would lose quorum: 3 managers need 2 reachable, and besides it "
        "only 1 are (manager3 (down, unreachable)); bring those managers back first"
    ]
    # Workers may still roll: they take no vote away.
    assert plan_engine_roll(hosts_of(nodes, changing={"worker1"}), 1)["order"] == ["worker1"]


def test_two_managers_cannot_roll_but_one_can():
    with pytest.raises(RollRefused) as refused:
        plan_engine_roll(hosts_of(cluster(managers=2, leader=1)), 1)
    assert refused.value.problems == [
        f"host manager{i}: stopping its engine would lose quorum: 2 managers need 2 reachable, and besides it there "
        "are only 1; use an odd number of managers (3 or 5)"
        for i in (1, 2)
    ]
    plan = plan_engine_roll(hosts_of(cluster(managers=1, leader=1)), 1)
    assert plan["order"][-1] == "manager1" and plan["control"]["manager1"] == "manager1"


def test_member_without_a_reachable_manager_is_refused():
    hosts = {
        h: {"state": {"state": "active", "node_id": f"id-{h}", "is_manager": False}, "changes": CHANGE}
        for h in ("worker1", "worker2")
    }
    with pytest.raises(RollRefused) as refused:
        plan_engine_roll(hosts, 1)
    assert refused.value.problems == [
        f"host {h}: its engine would restart (daemon.json differs) but no manager of its swarm in this run "
        "answers, so it cannot be drained first; include a manager in the run (--limit) or make one reachable"
        for h in ("worker1", "worker2")
    ]


def test_manager_stop_problem_counts_only_ready_reachable_peers():
    assert manager_stop_problem("id-manager1", cluster()) is None
    assert manager_stop_problem("id-manager1", cluster(managers=5)) is None
    ready_but_unreachable = cluster()
    ready_but_unreachable[1]["reachability"] = "unreachable"
    assert manager_stop_problem("id-manager1", ready_but_unreachable) == (
        "stopping its engine would lose quorum: 3 managers need 2 reachable, and besides it only 1 are "
        "(manager2 (ready, unreachable)); bring those managers back first"
    )
    assert manager_stop_problem("id-manager1", cluster(managers=5, down=("manager5",))) is None
    assert manager_stop_problem("id-manager1", cluster(managers=5, down=("manager4", "manager5"))) == (
        "stopping its engine would lose quorum: 5 managers need 3 reachable, and besides it only 2 are "
        "(manager4 (down, unreachable), manager5 (down, unreachable)); bring those managers back first"
    )


def test_backup_source_prefers_a_ready_non_leader():
    nodes = cluster(leader=1)
    states = {h: spec["state"] for h, spec in hosts_of(nodes).items() if h.startswith("manager")}
    assert backup_source(states) == "manager2"
    assert backup_source({"manager1": states["manager1"]}) == "manager1"  # the only one in the inventory
    single = cluster(managers=1, leader=1)
    assert backup_source({"manager1": hosts_of(single)["manager1"]["state"]}) == "manager1"
    with pytest.raises(RollRefused, match="lose quorum"):
        down = cluster(leader=1, down=("manager3",))
        backup_source({h: s["state"] for h, s in hosts_of(down).items() if h in ("manager1", "manager2")})
    with pytest.raises(RollRefused) as refused:
        backup_source({"manager1": {"state": "inactive"}})
    assert refused.value.problems == [
        "no manager in swarm_managers answers as an active swarm manager; nothing to back up from"
    ]


def test_backup_source_prefers_a_reachable_manager():
    nodes = cluster(managers=5, leader=1)
    nodes[1]["reachability"] = "unreachable"
    states = {h: spec["state"] for h, spec in hosts_of(nodes).items() if h.startswith("manager")}
    assert backup_source(states) == "manager3"


def test_a_manager_host_demoted_by_hand_is_no_backup_source():
    nodes = cluster(leader=1)
    states = {h: spec["state"] for h, spec in hosts_of(nodes).items() if h in ("manager1", "worker1")}
    assert backup_source(states) == "manager1"


def test_service_of_a_task_name():
    assert [service_of(t) for t in ("web.2", "probe.k3y8cq2l1e5x", "my.app.1")] == ["web", "probe", "my.app"]


def test_drain_progress_from_docker_output():
    tasks = [
        {"Name": "web.1", "DesiredState": "Shutdown", "CurrentState": "Running 2 seconds ago"},
        {"Name": "web.2", "DesiredState": "Shutdown", "CurrentState": "Shutdown 1 second ago"},
        {"Name": "probe.abc", "DesiredState": "Running", "CurrentState": "Preparing 1 second ago"},
    ]
    assert running_here(tasks) == ["web.1", "probe.abc"]
    services = [
        {"Name": "web", "Replicas": "1/2"},
        {"Name": "db", "Replicas": "1/1 (max 1 per node)"},
        {"Name": "other", "Replicas": "0/3"},
    ]
    assert unconverged(services, {"web", "db"}) == ["web 1/2"]
    # More running than desired while an update replaces tasks: every desired one runs.
    services = [
        {"Name": "other", "Replicas": "0/1"},
        {"Name": "web", "Replicas": "3/2"},
        {"Name": "db", "Replicas": "?"},
    ]
    assert unconverged(services, {"web", "db"}) == ["db ?"]
    assert unconverged([{"Name": "web", "Replicas": "2"}], {"web"}) == ["web 2"]  # no desired count


def test_back_in_service_needs_ready_and_reachable_manager():
    assert back_in_service(node("worker1"))
    assert not back_in_service(node("worker1", status="down"))
    assert not back_in_service(node("manager1", "manager", reachability="unreachable"))
    assert not back_in_service(None)


def test_an_interrupted_roll_is_finished_by_the_next_run():
    nodes = cluster(leader=1)
    nodes[3]["availability"] = "drain"
    nodes[3]["labels"] = {ROLL_LABEL: "active"}  # worker1, drained by a roll that stopped there
    plan = plan_engine_roll(hosts_of(nodes, changes=[]), 1)
    assert plan["interrupted"] == ["id-worker1"] and plan["resume_from"] == "manager1"
    assert availability_before_roll(nodes[3]) == "active"
    # Rolled again this run, it gets back what it had before the first roll, not "drain".
    plan = plan_engine_roll(hosts_of(nodes, changing={"worker1"}), 1)
    assert plan["interrupted"] == [] and plan["order"] == ["worker1"]
    assert availability_before_roll({"availability": "pause", "labels": {}}) == "pause"


def test_reads_hold_only_where_the_stage_changes_nothing():
    """The swarm stage reuses the engines stage's read of `unchanged` hosts instead of reading again."""
    nodes = cluster()
    quiet = plan_engine_roll(hosts_of(nodes, changing=set()), 1)
    assert quiet["unchanged"] == [n["hostname"] for n in nodes]
    # One node rolls: every node's availability or status may differ afterwards, so nothing holds.
    assert plan_engine_roll(hosts_of(nodes, changing={"worker1"}), 1)["unchanged"] == []
    # A node with a change that rolls nowhere (not in a swarm) changes in place: only its read is stale.
    fresh = plan_engine_roll(hosts_of(nodes, changing={"worker2"}, inactive={"worker2"}), 1)
    assert "worker2" not in fresh["unchanged"] and "worker1" in fresh["unchanged"]


def test_a_node_an_interrupted_roll_left_drained_is_finished_first():
    """worker2 was drained by a killed roll and its engine still changes: it is out of service
    already, so it goes first, alone, before worker1 (first in inventory order) is drained."""
    nodes = cluster(leader=1)
    nodes[4]["availability"] = "drain"
    nodes[4]["labels"] = {ROLL_LABEL: "active"}
    plan = plan_engine_roll(hosts_of(nodes), 1)
    assert plan["order"][:2] == ["worker2", "worker1"] and plan["phase"]["worker2"] == ROLL_RESUME
    assert plan["interrupted"] == []  # finished by its roll, not by the give-back play
    assert "1. worker2 (left drained by an interrupted roll, finished first)" in roll_summary(plan)
    # A manager left drained goes first too, and still only while the others keep quorum.
    nodes = cluster(leader=1, down=("manager3",))
    nodes[1]["labels"] = {ROLL_LABEL: "active"}
    with pytest.raises(RollRefused, match="host manager2: stopping its engine would lose quorum"):
        plan_engine_roll(hosts_of(nodes, changing={"manager2"}), 1)

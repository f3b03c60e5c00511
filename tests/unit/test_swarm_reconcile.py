"""swarm_reconcile: label ownership, quorum-safe role order, prune, and the commands they become."""

import pytest
from swarm_fixtures import load

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.labels import (
    OWNED_LABEL,
    desired_labels,
    label_changes,
    label_problems,
    label_update_argv,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import node_from_inspect
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.quorum import (
    UnsafeChange,
    quorum_warning,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.reconcile import reconcile
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.roles import outside_raft, role_changes
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.superseded import (
    superseded_entries,
    superseded_now,
)


def node(node_id, role="worker", labels=None, reachability=None, status="ready", hostname=None):
    return {
        "id": node_id,
        "hostname": hostname or f"host-{node_id}",
        "role": role,
        "labels": labels or {},
        "status": status,
        "reachability": reachability or ("reachable" if role == "manager" else ""),
    }


def test_desired_labels_merge_os_and_stringify():
    assert desired_labels("windows", {"tier": "web", "gpu": True, "rack": 4}) == {
        "os": "windows",
        "tier": "web",
        "gpu": "true",
        "rack": "4",
    }


def test_first_labelling_records_ownership():
    add, remove = label_changes({}, {"os": "linux", "tier": "web"})
    assert add == {"os": "linux", "tier": "web", OWNED_LABEL: "os,tier"}
    assert remove == []


def test_hand_set_label_survives_and_owned_unwanted_label_goes():
    current = {"os": "linux", "tier": "web", "team": "blue", OWNED_LABEL: "os,tier"}
    add, remove = label_changes(current, {"os": "linux"})
    assert remove == ["tier"]  # owned and no longer wanted; "team" was set by hand
    assert add == {OWNED_LABEL: "os"}


def test_owned_label_removed_by_hand_is_not_removed_again():
    """docker refuses `--label-rm` of a key the node does not have."""
    current = {"os": "linux", OWNED_LABEL: "os,tier"}
    assert label_changes(current, {"os": "linux"}) == ({OWNED_LABEL: "os"}, [])


def test_no_change_when_labels_match():
    current = {"os": "linux", "team": "blue", OWNED_LABEL: "os"}
    assert label_changes(current, {"os": "linux"}) == ({}, [])
    assert label_update_argv("abc", {}, []) is None


def test_label_update_with_only_additions_or_only_removals():
    assert label_update_argv("abc", {"os": "linux"}, []) == [
        "docker",
        "node",
        "update",
        "--label-add",
        "os=linux",
        "abc",
    ]
    assert label_update_argv("abc", {}, ["tier"]) == ["docker", "node", "update", "--label-rm", "tier", "abc"]


def test_label_update_is_one_command_per_node():
    argv = label_update_argv("abc", {"os": "linux", OWNED_LABEL: "os"}, ["tier"])
    assert argv == [
        "docker", "node", "update",
        "--label-rm", "tier",
        "--label-add", f"{OWNED_LABEL}=os",
        "--label-add", "os=linux",
        "abc",
    ]  # fmt: skip


INVALID_KEY = "use lower-case letters, digits, '.', '-' or '_', starting and ending with a letter or digit"


@pytest.mark.parametrize(
    ("labels", "problem"),
    [
        ({"Tier": "web"}, f"swarm_labels key 'Tier' is invalid: {INVALID_KEY}"),
        ({"tier-": "web"}, f"swarm_labels key 'tier-' is invalid: {INVALID_KEY}"),
        ({"a..b": "x"}, f"swarm_labels key 'a..b' is invalid: {INVALID_KEY}"),
        ({"a--b": "x"}, f"swarm_labels key 'a--b' is invalid: {INVALID_KEY}"),
        ({3: "x"}, f"swarm_labels key 3 is invalid: {INVALID_KEY}"),
        ({"com.docker.x": "1"}, "swarm_labels key 'com.docker.x' is in a namespace reserved for Docker"),
        ({"os": "linux"}, "swarm_labels key 'os' is set by the project itself; choose another key"),
        ({"os.build": "1"}, "swarm_labels key 'os.build' is set by the project itself; choose another key"),
        (
            {OWNED_LABEL: "x"},
            f"swarm_labels key '{OWNED_LABEL}' is set by the project itself; choose another key",
        ),
        (
            {"tier": ["a"]},
            "swarm_labels value of 'tier' must be a string, number or boolean, got a list [\"a\"]",
        ),
        (
            {"tier": None},
            "swarm_labels value of 'tier' must be a string, number or boolean, got nothing (null)",
        ),
        ({"tier": "a\nb"}, "swarm_labels value of 'tier' must be one line"),
        ({"tier": "a\rb"}, "swarm_labels value of 'tier' must be one line"),
        (["tier=web"], 'swarm_labels must be a mapping of label key to value, got a list ["tier=web"]'),
    ],
)
def test_invalid_labels_are_named(labels, problem):
    assert label_problems(labels) == [problem]


def test_a_bad_key_and_its_bad_value_are_both_named():
    assert label_problems({"Tier": {}}) == [
        f"swarm_labels key 'Tier' is invalid: {INVALID_KEY}",
        "swarm_labels value of 'Tier' must be a string, number or boolean, got a mapping {}",
    ]


def test_valid_labels_pass():
    assert label_problems({"tier": "web", "zone.a_1": 3, "gpu": False}) == []
    assert label_problems(None) == []


def test_promotions_come_before_demotions():
    nodes = [node("m1", "manager"), node("m2", "manager"), node("w1"), node("w2")]
    steps = role_changes(nodes, {"m1": "manager", "m2": "worker", "w1": "manager", "w2": "manager"})
    assert steps == [("w1", "promote"), ("w2", "promote"), ("m2", "demote")]


def test_demotion_that_loses_quorum_is_refused():
    # Three managers, one unreachable: demoting a reachable one leaves 1 reachable of 2.
    nodes = [node("m1", "manager"), node("m2", "manager"), node("m3", "manager", reachability="unreachable")]
    with pytest.raises(UnsafeChange) as refused:
        role_changes(nodes, {"m1": "manager", "m2": "worker", "m3": "manager"})
    assert str(refused.value) == (
        "demoting host-m2 (m2) would leave 1 reachable of 2 managers, losing quorum; "
        "bring the unreachable managers back or demote fewer at once"
    )


def test_demoting_an_unreachable_manager_takes_no_reachable_one_away():
    nodes = [node("m1", "manager"), node("m2", "manager"), node("m3", "manager", reachability="unreachable")]
    assert role_changes(nodes, {"m3": "worker"}) == [("m3", "demote")]
    nodes += [node("m4", "manager", reachability="unreachable")]
    nodes[1]["reachability"] = "unreachable"
    with pytest.raises(UnsafeChange, match=r"^demoting host-m4 \(m4\) would leave 1 reachable of 3 managers"):
        role_changes(nodes, {"m4": "worker"})


def test_last_manager_is_never_demoted():
    with pytest.raises(UnsafeChange, match=r"^demoting host-m1 \(m1\) would leave 0 reachable of 0 managers"):
        role_changes([node("m1", "manager")], {"m1": "worker"})


def test_joining_managers_count_for_quorum():
    nodes = [node("m1", "manager"), node("m2", "manager")]
    assert role_changes(nodes, {"m2": "worker"}, joining_managers=2) == [("m2", "demote")]


def test_even_manager_count_warns():
    assert quorum_warning(4) == (
        "4 managers: an even number tolerates no more failures than 3; use an odd number of managers in swarm_managers"
    )
    assert quorum_warning(3) is None
    assert quorum_warning(0) is None


def test_reconcile_windows_swarm_orders_commands_and_keeps_hand_labels():
    nodes = [node_from_inspect(d) for d in load("windows_node_inspect.jsonl")]
    nodes.append(node("wk1", labels={"team": "blue"}))
    desired = {
        "swarm1": {"role": "manager", "labels": {"os": "windows"}},
        "swarm2": {"role": "worker", "labels": {"os": "windows"}},
        "ubuntu1": {"role": "manager", "labels": {"os": "linux", "tier": "db"}},
        "ubuntu2": {"role": "worker", "labels": {"os": "linux"}},
    }
    ids = {"swarm1": "yekfp7jy5y82ks65sgmpxcdgb", "swarm2": "q3vbsc1k1k2yqcvd7ywfbaup5", "ubuntu1": "wk1"}
    changes = reconcile(nodes, desired, ids, self_id="yekfp7jy5y82ks65sgmpxcdgb", prune=[])
    verbs = [(a[2], a[-1]) for a in changes["argvs"]]
    assert verbs[0] == ("promote", "wk1")
    assert verbs[-1] == ("demote", "q3vbsc1k1k2yqcvd7ywfbaup5")
    assert changes["pending"] == ["ubuntu2"]
    assert changes["diff"]["after"]["ubuntu1"]["labels"]["team"] == "blue"
    assert changes["diff"]["after"]["ubuntu2"] == {"role": "worker", "labels": {"os": "linux"}}


def test_reconcile_demotes_the_running_manager_last_and_prunes_before():
    nodes = [node("m1", "manager"), node("m2", "manager"), node("m3", "manager"), node("gone", status="down")]
    desired = {h: {"role": r, "labels": {}} for h, r in (("a", "worker"), ("b", "manager"), ("c", "manager"))}
    for h in desired:
        desired[h]["labels"] = {"os": "linux"}
    ids = {"a": "m1", "b": "m2", "c": "m3"}
    current = {"os": "linux", OWNED_LABEL: "os"}
    for n in nodes:
        n["labels"] = dict(current)
    changes = reconcile(nodes, desired, ids, self_id="m1", prune=["gone"])
    assert [a[2:] for a in changes["argvs"]] == [
        ["update", "--availability", "drain", "gone"],
        ["rm", "--force", "gone"],
        ["demote", "m1"],
    ]


def test_reconcile_prunes_only_entries_that_exist_and_no_inventory_host_has():
    nodes = [node("m1", "manager"), node("w1")]
    desired = {"a": {"role": "manager", "labels": {}}, "b": {"role": "worker", "labels": {}}}
    changes = reconcile(nodes, desired, {"a": "m1", "b": "w1"}, "m1", prune=["gone-already", "w1"])
    assert [argv for argv in changes["argvs"] if "rm" in argv or "drain" in argv] == []


def test_reconcile_lists_the_nodes_not_ready_by_host():
    nodes = [node("m1", "manager"), node("a-node", status="down"), node("z-node", status="unknown")]
    desired = {h: {"role": "worker", "labels": {}} for h in ("host-a", "host-b")}
    desired["m"] = {"role": "manager", "labels": {}}
    changes = reconcile(nodes, desired, {"m": "m1", "host-a": "z-node", "host-b": "a-node"}, "m1", [])
    assert changes["not_ready"] == [
        {"host": "host-a", "hostname": "host-z-node", "status": "unknown"},
        {"host": "host-b", "hostname": "host-a-node", "status": "down"},
    ]


def test_reconcile_in_sync_runs_nothing():
    nodes = [node("m1", "manager", labels={"os": "linux", OWNED_LABEL: "os", "team": "x"})]
    changes = reconcile(nodes, {"a": {"role": "manager", "labels": {"os": "linux"}}}, {"a": "m1"}, "m1", [])
    assert changes["argvs"] == [] and changes["pending"] == []


def test_superseded_entries_are_down_entries_with_an_inventory_hosts_hostname():
    nodes = [
        node("new", hostname="lab-worker1"),
        node("clone", hostname="lab-worker1"),  # ready under another NodeID: not replaced either
        node("old", status="down", hostname="lab-worker1"),
        node("alive", hostname="lab-worker2"),  # ready: the node is not replaced, whatever its name
        node("stranger", status="down", hostname="someone-else"),  # no inventory host: prune's business
        node("twin", status="down", hostname="WIN-CLONE"),
        node("old2", status="down", hostname="lab-worker2"),
    ]
    hostnames = {"w1": "lab-worker1", "w2": "lab-worker2", "win1": "WIN-CLONE", "win2": "WIN-CLONE"}
    superseded, warnings = superseded_entries(nodes, hostnames, {"new", "alive"})
    assert superseded == {"old": "w1", "old2": "w2"}
    assert warnings == [
        "node WIN-CLONE (twin) is down and hosts win1, win2 all report its hostname, so it is kept; "
        "remove it by hand (docker node rm) once you know it is stale"
    ]
    # worker2 just left and joins again: its old entry is claimed before the managers mark it down.
    assert superseded_entries(nodes, hostnames, {"new"}, outside={"w2"})[0] == {
        "old": "w1",
        "alive": "w2",
        "old2": "w2",
    }
    # Both twins are outside: the ready entry is kept, as it cannot be told whose it is.
    twins = [node("twin", hostname="WIN-CLONE"), node("old", status="down", hostname="lab-worker1")]
    assert superseded_entries(twins, hostnames, set(), outside={"win1", "win2"}) == ({"old": "w1"}, [])
    # A host down under its own NodeID (engine stopped) is no superseded entry.
    assert (
        superseded_entries([node("old", status="down", hostname="lab-worker1")], hostnames, {"old"})[0] == {}
    )


def test_superseded_manager_is_demoted_then_removed_after_its_replacement_is_ready():
    nodes = [
        node("m1", "manager", labels={"os": "linux", OWNED_LABEL: "os"}),
        node("m2", "manager", labels={"os": "linux", OWNED_LABEL: "os"}),
        node("old3", "manager", reachability="unreachable", status="down", hostname="lab-manager3"),
        node("new3", "manager", labels={"os": "linux", OWNED_LABEL: "os"}, hostname="lab-manager3"),
    ]
    desired = {h: {"role": "manager", "labels": {"os": "linux"}} for h in ("a", "b", "c")}
    ids = {"a": "m1", "b": "m2", "c": "new3"}
    changes = reconcile(nodes, desired, ids, self_id="m1", prune=[], superseded={"old3": "c"})
    assert [a[2:] for a in changes["argvs"]] == [
        ["demote", "old3"],
        ["update", "--availability", "drain", "old3"],
        ["rm", "--force", "old3"],
    ]
    assert changes["superseded"] == [
        {"node_id": "old3", "hostname": "lab-manager3", "role": "manager", "host": "c"}
    ]
    assert changes["diff"]["before"]["lab-manager3 (old3)"] == {
        "role": "manager",
        "status": "down",
        "removed": False,
    }
    assert changes["diff"]["after"]["lab-manager3 (old3)"] == {
        "role": None,
        "removed": True,
        "superseded_by": "c",
    }
    # Not Ready yet (it just joined): wait, remove nothing.
    nodes[3]["status"] = "unknown"
    changes = reconcile(nodes, desired, ids, self_id="m1", prune=[], superseded={"old3": "c"})
    assert changes["argvs"] == [] and changes["superseded"] == []
    assert changes["not_ready"] == [{"host": "c", "hostname": "lab-manager3", "status": "unknown"}]
    # Not marked down yet (the node just left): wait for it, remove nothing.
    nodes[3]["status"], nodes[2]["status"] = "ready", "ready"
    changes = reconcile(nodes, desired, ids, "m1", [], {"old3": "c"})
    assert changes["superseded"] == [] and changes["going_down"] == ["old3"] and changes["argvs"] == []
    # Back under its old NodeID: the entry is no longer superseded.
    ids["c"] = "old3"
    assert reconcile(nodes, desired, ids, "m1", [], {"old3": "c"})["superseded"] == []


def test_superseded_entries_gone_or_back_in_use_are_left_alone():
    entries = [
        node("old1", status="down", hostname="lab-1"),
        node("renamed1", hostname="lab-one"),
        node("old2", status="down", hostname="lab-2"),
        node("new2", hostname="lab-2"),
        node("old3", status="down"),
    ]
    by_id = {n["id"]: n for n in entries}
    superseded = {"old1": "h1", "gone": "h9", "old2": "h2", "old3": "h3"}
    node_ids = {"h1": "renamed1", "h2": "new2", "h3": "old3"}
    assert superseded_now(by_id, superseded, node_ids) == ({"old2": "h2"}, [])


def test_superseded_entry_is_predicted_in_check_mode_before_the_join():
    nodes = [node("m1", "manager", labels={"os": "linux", OWNED_LABEL: "os"}), node("old", status="down")]
    desired = {"a": {"role": "manager", "labels": {"os": "linux"}}, "w": {"role": "worker", "labels": {}}}
    changes = reconcile(nodes, desired, {"a": "m1", "w": None}, "m1", [], {"old": "w"})
    assert changes["pending"] == ["w"]
    assert [a[2:] for a in changes["argvs"]] == [
        ["update", "--availability", "drain", "old"],
        ["rm", "--force", "old"],
    ]


def test_old_manager_entries_out_of_raft_are_removed_without_demotion():
    """After `swarm init --force-new-cluster` the lost managers' entries keep the manager role but
    have no manager status (they left raft): demoting them fails, removing them works."""
    restored = node("m2", "manager")
    lost = {**node("old1", "manager", status="down", hostname="lab-manager1"), "reachability": ""}
    joined = node("new1", "manager", hostname="lab-manager1")
    assert role_changes([restored, lost, joined], {"old1": "worker"}) == []
    assert role_changes([restored, lost, joined], {"new1": "worker", "old1": "worker"}) == [
        ("new1", "demote")
    ]


def test_a_manager_demoted_by_hand_moments_ago_is_promoted_once_it_has_left_raft():
    owned = {"os": "linux", OWNED_LABEL: "os"}
    desired = {h: {"role": "manager", "labels": {"os": "linux"}} for h in ("a", "b", "c")}
    ids = {"a": "m1", "b": "m2", "c": "m3"}
    # `docker node demote` took effect in the spec; the raft member list still has it.
    nodes = [node(i, "manager", labels=owned) for i in ("m1", "m2")]
    nodes.append(node("m3", "worker", labels=owned, reachability="reachable"))
    changes = reconcile(nodes, desired, ids, "m1", [])
    assert changes["stepping_down"] == ["c"] and changes["promoted"] == ["m3"]
    assert changes["argvs"] == [["docker", "node", "promote", "m3"]]
    # Out of raft: promoted without waiting; once promoted it counts only when reachable in raft.
    nodes[2]["reachability"] = ""
    changes = reconcile(nodes, desired, ids, "m1", [])
    assert changes["stepping_down"] == [] and changes["promoted"] == ["m3"]
    nodes[2]["role"] = "manager"
    assert outside_raft(nodes, ["m3"]) == [nodes[2]]
    nodes[2]["reachability"] = "reachable"
    assert outside_raft(nodes, ["m3"]) == []

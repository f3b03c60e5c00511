"""swarm_plan: every bad input is refused before any change; init, tokens, joins and roles are decided."""

import pytest
from swarm_fixtures import linux_facts, state, windows_facts

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import stopped_engine_state
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.plan import PlanError, plan_swarm

# The address the inventory connects to (ansible_host): one of the Windows host's two IPv4 addresses.
WIN_ADDR = "192.168.120.194"
WIN_ID, WIN2_ID = "yekfp7jy5y82ks65sgmpxcdgb", "q3vbsc1k1k2yqcvd7ywfbaup5"


def fresh(facts=None, info="linux_info_inactive.json", **extra):
    return {"state": state(info), "facts": facts or linux_facts("172.29.223.11"), **extra}


def classic_fresh():
    """The classic lab: three Windows managers (win1 first) and one Ubuntu manager, nothing joined."""
    hosts = {
        f"win{i}": fresh(windows_facts(), "windows_info_inactive.json", ansible_host=WIN_ADDR)
        for i in (1, 2, 3)
    }
    hosts["ubuntu1"] = fresh()
    return ["win1", "win2", "win3", "ubuntu1"], [], hosts


def refused(managers, workers, hosts, options=None) -> str:
    with pytest.raises(PlanError) as caught:
        plan_swarm(managers, workers, hosts, options)
    return "\n".join(caught.value.problems)


def test_fresh_classic_lab_inits_on_the_first_windows_manager():
    plan = plan_swarm(*classic_fresh())
    assert plan["init_host"] == plan["token_host"] == plan["manager_host"] == "win1"
    assert list(plan["joins"]) == ["win2", "win3", "ubuntu1"]
    assert all(j["role"] == "manager" and not j["recover"] for j in plan["joins"].values())
    assert plan["advertise_addrs"]["win1"] == "192.168.120.194"
    # The build the engine reports (KernelVersion "10.0 18363 (...)") becomes an owned label.
    assert plan["desired"]["win1"]["labels"] == {"os": "windows", "os.build": "18363"}
    assert plan["desired"]["ubuntu1"]["labels"] == {"os": "linux"}
    assert any("even number" in w for w in plan["warnings"])


def test_existing_swarm_joins_new_nodes_with_tokens_from_a_manager_not_the_first():
    managers, workers = ["win1", "win2", "linux3"], ["linux4"]
    hosts = {
        # win1 was demoted by hand: it is a worker now and cannot hand out tokens.
        "win1": {
            "state": state("windows_info_manager.json", ControlAvailable=False, Cluster=None, NodeID="w1"),
            "facts": windows_facts(), "ansible_host": WIN_ADDR,
        },
        "win2": {"state": state("windows_info_manager.json", "windows_node_inspect.jsonl", NodeID=WIN2_ID),
                 "facts": windows_facts(), "ansible_host": WIN_ADDR},
        "linux3": fresh(),
        "linux4": fresh(info="linux_info_inactive.json", labels={"tier": "web"}),
    }  # fmt: skip
    hosts["win1"]["state"]["remote_managers"] = [{"node_id": WIN2_ID, "addr": "192.168.120.196:2377"}]
    plan = plan_swarm(managers, workers, hosts)
    assert plan["init_host"] is None
    assert plan["token_host"] == "win2"
    assert plan["manager_host"] == "win2"
    assert plan["joins"] == {
        "linux3": {"role": "manager", "advertise_addr": "172.29.223.11", "recover": False},
        "linux4": {"role": "worker", "advertise_addr": "172.29.223.11", "recover": False},
    }
    assert plan["desired"]["linux4"]["labels"] == {"os": "linux", "tier": "web"}


def test_stuck_nodes_are_recovered():
    managers, workers, hosts = classic_fresh()
    hosts["win1"] = {
        "state": state("windows_info_manager.json", "windows_node_inspect.jsonl"),
        "facts": windows_facts(),
        "ansible_host": WIN_ADDR,
    }
    hosts["win2"]["state"]["state"] = "pending"
    hosts["win3"]["state"]["state"] = "error"
    plan = plan_swarm(managers, workers, hosts)
    assert plan["joins"]["win2"]["recover"] and plan["joins"]["win3"]["recover"]
    assert not plan["joins"]["ubuntu1"]["recover"]


def test_host_in_both_groups_and_no_managers():
    managers, _, hosts = classic_fresh()
    assert "host ubuntu1: in both swarm_managers and swarm_workers" in refused(managers, ["ubuntu1"], hosts)
    assert "swarm_managers is empty" in refused([], ["ubuntu1"], {"ubuntu1": fresh()})


def test_invalid_labels_name_the_host():
    managers, workers, hosts = classic_fresh()
    hosts["ubuntu1"]["labels"] = {"Bad Key": "x"}
    assert "host ubuntu1: swarm_labels key 'Bad Key' is invalid" in refused(managers, workers, hosts)


def test_advertise_address_not_on_host():
    managers, workers, hosts = classic_fresh()
    hosts["win2"]["advertise_addr"] = "10.9.9.9"
    message = refused(managers, workers, hosts)
    assert "host win2: swarm_advertise_addr '10.9.9.9' is not an address of this host" in message
    assert "192.168.120.194" in message


def test_unreachable_manager_is_refused_and_unreachable_worker_is_a_warning():
    managers, workers, hosts = classic_fresh()
    hosts["win3"]["state"] = None
    assert "host win3: manager is unreachable" in refused(managers, workers, hosts)
    hosts["win3"] = fresh(windows_facts(), "windows_info_inactive.json", ansible_host=WIN_ADDR)
    hosts["w9"] = {"state": None}
    plan = plan_swarm(managers, ["w9"], hosts)
    assert "host w9: worker is unreachable; it is left as it is this run" in plan["warnings"]
    assert "w9" not in plan["joins"]


def test_engine_not_answering_is_refused():
    managers, workers, hosts = classic_fresh()
    hosts["ubuntu1"]["state"] = {
        "state": "unavailable",
        "engine_error": "Cannot connect to the Docker daemon",
    }
    assert "host ubuntu1: the Docker Engine does not answer (Cannot connect" in refused(
        managers, workers, hosts
    )


def test_locked_swarm_needs_its_key():
    managers, workers, hosts = classic_fresh()
    hosts["win1"] = {
        "state": state("windows_info_manager.json", "windows_node_inspect.jsonl"),
        "facts": windows_facts(),
        "ansible_host": WIN_ADDR,
    }
    hosts["win2"]["state"]["state"] = "locked"
    assert "host win2: the swarm is locked (autolock); set swarm_unlock_key" in refused(
        managers, workers, hosts
    )
    plan = plan_swarm(managers, workers, hosts, {"unlock_key_given": True})
    assert plan["unlock"] == ["win2"] and "win2" not in plan["joins"]


def test_managers_restarted_locked_are_unlocked_and_serve_the_run_or_stop_it_in_one_line():
    """docker info of a locked manager has no NodeID or ClusterID (recorded on Docker 20.10)."""
    locked = {
        "NodeID": "",
        "Cluster": None,
        "ControlAvailable": False,
        "LocalNodeState": "locked",
        "RemoteManagers": None,
    }
    hosts = {
        f"m{i}": {
            "state": state("linux_info_manager.json", NodeAddr=f"172.29.223.1{i - 1}", **locked),
            "facts": linux_facts(f"172.29.223.1{i - 1}"),
        }
        for i in (1, 2, 3)
    }
    for w in ("w1", "w2"):
        hosts[w] = {"state": state("linux_info_worker.json"), "facts": linux_facts("172.29.223.100")}
    hosts["w2"]["state"]["remote_managers"].reverse()
    managers, workers = ["m1", "m2", "m3"], ["w1", "w2"]
    assert refused(managers, workers, hosts) == (
        "hosts m1, m2, m3: the swarm is locked (autolock); set swarm_unlock_key (vault) to unlock it"
    )
    plan = plan_swarm(managers, workers, hosts, {"unlock_key_given": True})
    assert plan["unlock"] == managers and plan["joins"] == {}
    assert plan["init_host"] is None and plan["token_host"] == plan["manager_host"] == "m1"
    assert plan["cluster_id"] is None  # known once they are unlocked


def test_nodes_in_different_swarms_are_listed():
    managers, workers, hosts = classic_fresh()
    hosts["win1"] = {
        "state": state("windows_info_manager.json", "windows_node_inspect.jsonl"),
        "facts": windows_facts(),
        "ansible_host": WIN_ADDR,
    }
    hosts["ubuntu1"] = {"state": state("linux_info_manager.json"), "facts": linux_facts("172.29.223.11")}
    message = refused(managers, workers, hosts)
    assert "inventory nodes are in different swarms" in message
    assert "win1 is in cjbn9h403asg60dqrxz3nlnn9" in message
    assert f"ubuntu1 is in {hosts['ubuntu1']['state']['cluster_id']}" in message


def test_worker_of_a_foreign_swarm_is_refused():
    hosts = {
        "m1": fresh(),
        "w1": {"state": state("linux_info_worker.json"), "facts": linux_facts("172.29.223.14")},
    }
    hosts["w1"]["state"]["remote_managers"] = [{"node_id": "zzz", "addr": "10.8.0.1:2377"}]
    message = refused(["m1"], ["w1"], hosts)
    assert "no reachable manager of the swarm is in the inventory" in message


def test_prune_lists_nodes_gone_from_inventory_and_is_refused_with_unreachable_hosts():
    managers, workers, hosts = classic_fresh()
    hosts["win1"] = {
        "state": state("windows_info_manager.json", "windows_node_inspect.jsonl", NodeID=WIN_ID),
        "facts": windows_facts(),
        "ansible_host": WIN_ADDR,
    }
    plan = plan_swarm(managers, workers, hosts)
    assert plan["prune"] == [] and any("swarm2" in w and "swarm_prune_nodes" in w for w in plan["warnings"])
    plan = plan_swarm(managers, workers, hosts, {"prune_nodes": True})
    assert plan["prune"] == [WIN2_ID]
    assert plan["role_steps"] == [{"node_id": WIN2_ID, "step": "demote"}]
    hosts["w9"] = {"state": None}
    assert "swarm_prune_nodes is true but w9 cannot be read" in refused(
        managers, ["w9"], hosts, {"prune_nodes": True}
    )


LINUX_M1, LINUX_W1 = "tqc3fk9a8ney8bhtje7b1z3j1", "myz4rkz88wp4paon3nanhenqj"


def linux_swarm_with_worker_left():
    """Three managers and worker1 of the recorded Linux swarm; worker1 left by hand (its entry is down)."""
    hosts = {
        "m1": {"state": state("linux_info_manager.json", "linux_node_inspect.jsonl"), "facts": linux_facts("172.29.223.10")},
        "w1": fresh(),
    }  # fmt: skip
    hosts["w1"]["state"]["hostname"] = "swarm-worker1"
    for entry in hosts["m1"]["state"]["nodes"]:
        if entry["id"] == LINUX_W1:
            entry["status"] = "down"
    return hosts


def test_entry_of_a_host_that_left_and_joins_again_is_superseded_not_pruned():
    hosts = linux_swarm_with_worker_left()
    plan = plan_swarm(["m1"], ["w1"], hosts)
    assert plan["joins"]["w1"]["role"] == "worker"
    assert plan["superseded"] == {LINUX_W1: "w1"}
    assert plan["prune"] == []
    # manager2 and manager3 are in no inventory: only swarm_prune_nodes may remove them.
    assert not any("swarm-worker1" in w for w in plan["warnings"])
    assert any("swarm-manager2" in w and "swarm_prune_nodes" in w for w in plan["warnings"])
    # Planned right after `docker swarm leave`, before the managers mark the old entry down.
    next(e for e in hosts["m1"]["state"]["nodes"] if e["id"] == LINUX_W1)["status"] = "ready"
    assert plan_swarm(["m1"], ["w1"], hosts)["superseded"] == {LINUX_W1: "w1"}
    hosts["w1"]["state"]["hostname"] = "another-name"
    assert plan_swarm(["m1"], ["w1"], hosts)["superseded"] == {}


def test_all_problems_are_reported_at_once():
    managers, workers, hosts = classic_fresh()
    hosts["win2"]["labels"] = {"os": "x"}
    hosts["win3"]["state"] = None
    assert len(refused(managers, workers, hosts).splitlines()) == 2


def test_windows_host_with_several_addresses_and_nothing_to_choose_by_is_refused():
    managers, workers, hosts = classic_fresh()
    hosts["win2"].pop("ansible_host")
    assert refused(managers, workers, hosts) == (
        "host win2: several IPv4 addresses (192.168.120.194, 172.23.224.1) and no default route in the facts "
        "(Windows facts have none); set swarm_advertise_addr or swarm_advertise_subnet to choose one"
    )
    hosts["win2"]["ansible_host"] = "172.23.224.1"
    assert plan_swarm(managers, workers, hosts)["advertise_addrs"]["win2"] == "172.23.224.1"


def test_windows_build_label_falls_back_to_the_version_azure_reports():
    managers, workers, hosts = classic_fresh()
    hosts["win2"]["state"]["os_build"] = ""  # an engine that did not say
    hosts["win2"]["azure_os_version"] = "10.0.20348.2340"
    plan = plan_swarm(managers, workers, hosts)
    assert plan["desired"]["win2"]["labels"]["os.build"] == "20348"
    assert "os.build" not in plan["desired"]["ubuntu1"]["labels"]


def test_check_mode_plans_hosts_without_an_engine_as_new_nodes():
    no_engine = {"state": "unavailable", "engine_error": "sh: 1: docker: not found"}
    hosts = {
        "manager1": {"state": dict(no_engine), "facts": linux_facts("172.29.223.10")},
        "worker1": {"state": dict(no_engine), "facts": linux_facts("172.29.223.100")},
    }
    assert "the Docker Engine does not answer" in refused(["manager1"], ["worker1"], hosts)
    plan = plan_swarm(["manager1"], ["worker1"], hosts, {"check_mode": True})
    assert plan["init_host"] == "manager1"
    assert plan["joins"] == {
        "worker1": {"role": "worker", "advertise_addr": "172.29.223.100", "recover": False}
    }
    assert (
        "host worker1: no Docker Engine answers yet (sh: 1: docker: not found); planned as a new linux node "
        "(check mode)" in plan["warnings"]
    )
    # No facts gathered: the addresses the node read found are what the plan goes by.
    read_only = {
        h: {"state": {**no_engine, "network": spec["facts"]["ansible_facts"]}} for h, spec in hosts.items()
    }
    plan = plan_swarm(["manager1"], ["worker1"], read_only, {"check_mode": True})
    assert plan["advertise_addrs"] == {"manager1": "172.29.223.10", "worker1": "172.29.223.100"}


def three_managers() -> dict:
    """The recorded Linux swarm's three managers, read; its listing also holds worker swarm-worker1."""
    return {
        "manager1": {
            "state": state("linux_info_manager.json", "linux_node_inspect.jsonl"),
            "facts": linux_facts("172.29.223.10"),
        },
        **{
            h: {"state": state("linux_info_manager.json", NodeID=i), "facts": linux_facts(a)}
            for h, i, a in (
                ("manager2", "7cd5tna8fv3qq62ppsnfg40lf", "172.29.223.11"),
                ("manager3", "i9k9vt04ady6zxzbo6y1aghk5", "172.29.223.12"),
            )
        },
    }


def test_a_down_node_of_an_unreachable_inventory_host_is_not_called_foreign():
    worker = {"state": None, "ansible_host": "172.29.223.100"}  # unreachable this run
    plan = plan_swarm(
        ["manager1", "manager2", "manager3"], ["worker1"], {**three_managers(), "worker1": worker}
    )
    kept = [w for w in plan["warnings"] if "kept" in w]
    assert kept == [
        "host worker1: its swarm node swarm-worker1 (myz4rkz88wp4paon3nanhenqj) is ready; it is kept as it is "
        "until the host can be read again"
    ]


def test_check_mode_keeps_the_entry_of_a_member_whose_stopped_engine_it_did_not_start():
    """swarm_node_info in check mode leaves a stopped engine unread (docker.socket would start it): its
    down entry is the host's own, not a node outside the inventory, and nothing removes it."""
    stopped = {"state": {**stopped_engine_state(), "network": linux_facts("172.29.223.100")["ansible_facts"]}}
    hosts = {**three_managers(), "worker1": stopped}
    managers = ["manager1", "manager2", "manager3"]
    assert "host worker1: the Docker Engine does not answer" in refused(managers, ["worker1"], hosts)
    plan = plan_swarm(managers, ["worker1"], hosts, {"check_mode": True})
    assert [w for w in plan["warnings"] if "worker1" in w] == [
        "host worker1: its engine is stopped; the run would start it and read its swarm state then (check mode "
        "leaves it stopped, so this plan leaves the host out)",
        "host worker1: its swarm node swarm-worker1 (myz4rkz88wp4paon3nanhenqj) is ready; it is kept as it is "
        "until the host can be read again",
    ]
    assert plan["joins"] == {} and "worker1" not in plan["desired"]
    assert plan["prune"] == [] and plan["superseded"] == {} and plan["role_steps"] == []
    # A stopped manager: the others serve the plan; no quorum problem is made up.
    hosts["manager3"] = {**stopped, "facts": linux_facts("172.29.223.12")}
    plan = plan_swarm(managers, ["worker1"], hosts, {"check_mode": True})
    assert plan["token_host"] == plan["manager_host"] == "manager1" and plan["role_steps"] == []


def test_addresses_the_node_read_found_stand_in_for_facts_and_win_over_stale_ones():
    """playbooks/swarm.yml on its own gathers no facts on Linux: swarm_node_info's `network` is read."""
    read = {
        "state": {**state("linux_info_inactive.json"), "network": linux_facts("10.9.0.4")["ansible_facts"]}
    }
    plan = plan_swarm(["m1", "m2"], [], {"m1": read, "m2": {**read, "facts": linux_facts("172.29.223.11")}})
    assert plan["advertise_addrs"] == {"m1": "10.9.0.4", "m2": "10.9.0.4"}
    # Neither facts nor a read: the planner says what to gather.
    message = refused(["m1"], [], {"m1": {"state": state("linux_info_inactive.json")}})
    assert "host m1: no network facts" in message


LINUX_CLUSTER = "xn7m5qhjrriph9kxisvr357p0"
MANAGERS = ["manager1", "manager2", "manager3"]


def test_a_worker_in_a_managers_node_list_is_in_its_swarm_whatever_managers_it_reports():
    worker = {"state": state("linux_info_worker.json"), "facts": linux_facts("172.29.223.100")}
    worker["state"]["remote_managers"] = [{"node_id": "not-known-yet", "addr": "172.29.223.10:2377"}]
    plan = plan_swarm(MANAGERS, ["worker1"], {**three_managers(), "worker1": worker})
    assert plan["cluster_id"] == LINUX_CLUSTER
    assert plan["manager_addrs"] == ["172.29.223.10"]


def test_a_worker_of_another_swarm_beside_the_inventorys_swarm_is_refused():
    worker = {
        "state": state("linux_info_worker.json", NodeID="w-elsewhere"),
        "facts": linux_facts("10.8.0.9"),
    }
    worker["state"]["remote_managers"] = [{"node_id": "zzz", "addr": "10.8.0.1:2377"}]
    assert refused(MANAGERS, ["worker1"], {**three_managers(), "worker1": worker}) == (
        f"inventory nodes are in different swarms (manager1 is in {LINUX_CLUSTER}; manager2 is in "
        f"{LINUX_CLUSTER}; manager3 is in {LINUX_CLUSTER}; worker1 is in a swarm whose managers (10.8.0.1:2377) "
        "are not in the inventory); make every node leave all but one swarm by hand (docker swarm leave) or "
        "split the inventory"
    )


def test_members_without_a_manager_among_them_are_refused():
    hosts = {
        h: {"state": state("linux_info_worker.json"), "facts": linux_facts("172.29.223.100")} for h in "mw"
    }
    assert refused(["m"], ["w"], hosts) == (
        "no reachable manager of the swarm is in the inventory; put one of its managers in swarm_managers"
    )


def test_a_demotion_that_would_lose_quorum_stops_the_plan():
    hosts = three_managers()
    manager3 = next(e for e in hosts["manager1"]["state"]["nodes"] if e["hostname"] == "swarm-manager3")
    manager3["reachability"] = "unreachable"
    assert refused(["manager1", "manager3"], ["manager2"], hosts) == (
        "roles: demoting swarm-manager2 (7cd5tna8fv3qq62ppsnfg40lf) would leave 1 reachable of 2 managers, "
        "losing quorum; bring the unreachable managers back or demote fewer at once"
    )


def test_managers_about_to_join_count_for_the_quorum_of_a_demotion():
    hosts = {**three_managers(), "manager4": fresh(facts=linux_facts("172.29.223.13"))}
    manager3 = next(e for e in hosts["manager1"]["state"]["nodes"] if e["hostname"] == "swarm-manager3")
    manager3["reachability"] = "unreachable"
    plan = plan_swarm(["manager1", "manager4"], ["manager2"], hosts)
    assert plan["role_steps"] == [{"node_id": "7cd5tna8fv3qq62ppsnfg40lf", "step": "demote"}]
    assert "manager4" in plan["joins"]


def test_a_node_without_an_address_is_no_unreadable_hosts_node():
    hosts = three_managers()
    worker_entry = next(e for e in hosts["manager1"]["state"]["nodes"] if e["id"] == LINUX_W1)
    worker_entry["addr"] = ""
    plan = plan_swarm(MANAGERS, ["worker1"], {**hosts, "worker1": {"state": None}})
    assert [w for w in plan["warnings"] if "kept" in w] == [
        f"nodes not in the inventory are kept: swarm-worker1 ({LINUX_W1}, ready); "
        "set swarm_prune_nodes=true to remove them"
    ]


def test_managers_restarted_locked_are_recognised_by_their_ipv6_address():
    """A worker reports its managers as [address]:port; a locked manager knows its address bare."""
    locked = {"NodeID": "", "Cluster": None, "ControlAvailable": False, "LocalNodeState": "locked"}
    hosts = {
        f"m{i}": {"state": state("linux_info_manager.json", NodeAddr=f"fd00::1{i}", **locked), "facts": linux_facts(f"172.29.223.1{i}")}
        for i in (1, 2)
    }  # fmt: skip
    for w, order in (("w1", [1, 2]), ("w2", [2, 1])):
        hosts[w] = {"state": state("linux_info_worker.json"), "facts": linux_facts("172.29.223.100")}
        hosts[w]["state"]["remote_managers"] = [
            {"node_id": f"id{i}", "addr": f"[fd00::1{i}]:2377"} for i in order
        ]
    plan = plan_swarm(["m1", "m2"], ["w1", "w2"], hosts, {"unlock_key_given": True})
    assert plan["unlock"] == ["m1", "m2"]
    assert plan["cluster_id"] is None


def test_one_manager_about_to_join_counts_once_for_quorum():
    """Two managers, one of them unreachable: one joining manager is not enough to demote the other."""
    hosts = {**three_managers(), "manager4": fresh(facts=linux_facts("172.29.223.13"))}
    listing = [e for e in hosts["manager1"]["state"]["nodes"] if e["hostname"] != "swarm-manager3"]
    next(e for e in listing if e["hostname"] == "swarm-manager2")["reachability"] = "unreachable"
    hosts["manager2"]["state"]["nodes"] = listing
    assert refused(["manager2", "manager4"], ["manager1"], hosts) == (
        f"roles: demoting swarm-manager1 ({LINUX_M1}) would leave 1 reachable of 2 managers, losing quorum; "
        "bring the unreachable managers back or demote fewer at once"
    )


def test_a_host_that_failed_earlier_in_the_run_is_reported_as_such_not_as_unreachable():
    managers, workers, hosts = classic_fresh()
    hosts["win3"] = {"state": None, "failed_earlier": True}
    message = refused(managers, workers, hosts)
    assert (
        "host win3: manager failed earlier in this run (its error is above); fix that and run again"
        in message
    )
    assert "unreachable" not in message
    hosts["win3"] = fresh(windows_facts(), "windows_info_inactive.json", ansible_host=WIN_ADDR)
    hosts["w9"] = {"state": None, "failed_earlier": True}
    plan = plan_swarm(managers, ["w9"], hosts)
    assert "host w9: worker failed earlier in this run; it is left as it is this run" in plan["warnings"]

"""_swarm.settings and the plan's use of it: the swarm's own settings validated before any change,
the update that converges those a running swarm can change, the differences in those fixed at init,
Windows' fixed VXLAN port, the unlock key file autolock needs, and managers drained."""

import pytest
from swarm_fixtures import linux_facts, load, state

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.membership import (
    init_argv,
    join_argvs,
    unlock_key_argv,
    unlock_key_in,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.plan import PlanError, plan_swarm
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.reconcile import reconcile
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.settings import (
    current_settings,
    duration_ns,
    duration_text,
    fixed_differences,
    init_flags,
    key_to_write,
    nodes_on_old_ca,
    trust_root,
    update_changes,
    wanted_settings,
    windows_problems,
)

HOUR = 3600 * 10**9
UNSET = dict.fromkeys(
    [
        "autolock",
        "cert_expiry",
        "task_history_limit",
        "snapshot_interval",
        "dispatcher_heartbeat",
        "default_addr_pools",
        "default_addr_pool_mask_length",
        "data_path_port",
        "manager_availability",
    ]
)


def wanted(**given):
    return wanted_settings({**UNSET, **given})


def test_unset_settings_are_not_managed():
    assert wanted() == ({}, [])
    assert update_changes({}, current_settings(load("linux_info_manager.json")))["flags"] == []


def test_durations_read_as_go_writes_them_or_as_seconds():
    assert duration_ns("2160h") == 2160 * HOUR
    assert duration_ns("1h30m") == 90 * 60 * 10**9
    assert duration_ns("500ms") == 5 * 10**8
    assert duration_ns(45) == 45 * 10**9
    assert duration_text(2160 * HOUR) == "2160h0m0s"
    assert duration_text(5 * 10**9) == "5s"
    assert duration_text(90 * 10**9) == "1m30s"
    with pytest.raises(ValueError, match="no duration"):
        duration_ns("90 days")


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        (
            {"cert_expiry": "30m"},
            "variable swarm_cert_expiry: 30m0s is too short; the swarm accepts 1h or more",
        ),
        ({"cert_expiry": "ninety days"}, "variable swarm_cert_expiry: 'ninety days' is no duration"),
        ({"dispatcher_heartbeat": "0s"}, "variable swarm_dispatcher_heartbeat: must be longer than 0s"),
        (
            {"task_history_limit": -1},
            "variable swarm_task_history_limit: -1 is out of range; valid: 0 or more",
        ),
        ({"snapshot_interval": 0}, "variable swarm_snapshot_interval: 0 is out of range; valid: 1 or more"),
        ({"snapshot_interval": "many"}, "variable swarm_snapshot_interval: must be an integer"),
        ({"data_path_port": 80}, "variable swarm_data_path_port: 80 is out of range; valid: 1024 to 49151"),
        ({"autolock": "maybe"}, "variable swarm_autolock: must be true or false"),
        (
            {"manager_availability": "pause"},
            'variable swarm_manager_availability: a string "pause"; valid: active, drain',
        ),
        ({"default_addr_pools": ["10.20.0.1/16"]}, "'10.20.0.1/16' is no IPv4 network in CIDR form"),
        (
            {"default_addr_pools": ["10.20.0.0/16", "10.20.128.0/17"]},
            "10.20.0.0/16 and 10.20.128.0/17 overlap",
        ),
        ({"default_addr_pools": []}, "variable swarm_default_addr_pools: empty"),
        (
            {"default_addr_pools": ["10.20.0.0/16"], "default_addr_pool_mask_length": 12},
            "variable swarm_default_addr_pool_mask_length: 12 gives subnets larger than the pool 10.20.0.0/16; valid: 16 to 32",
        ),
        ({"default_addr_pool_mask_length": 33}, "33 is out of range; valid: 1 to 32"),
    ],
)
def test_each_bad_value_is_one_problem_naming_the_variable_and_what_is_valid(given, problem):
    typed, problems = wanted(**given)
    assert len(problems) == 1 and problem in problems[0], problems
    assert not set(given) & set(typed)


def test_values_given_as_text_on_the_command_line_are_typed_as_ansible_types_options():
    typed, problems = wanted(autolock="yes", task_history_limit="3", data_path_port="7789", cert_expiry="48h")
    assert problems == []
    assert typed == {
        "autolock": True,
        "task_history_limit": 3,
        "data_path_port": 7789,
        "cert_expiry": 48 * HOUR,
    }


def test_a_running_swarm_converges_by_one_update_with_only_the_flags_that_differ():
    current = current_settings(load("linux_info_manager.json"))
    typed, _ = wanted(
        cert_expiry="2160h", task_history_limit=2, dispatcher_heartbeat="10s", snapshot_interval=10000
    )
    changes = update_changes(typed, current)
    assert changes["flags"] == ["--task-history-limit=2", "--dispatcher-heartbeat=10s"]
    assert changes["diff"] == {
        "before": {"task_history_limit": 5, "dispatcher_heartbeat": "5s"},
        "after": {"task_history_limit": 2, "dispatcher_heartbeat": "10s"},
    }
    assert not changes["autolock_on"]
    converged = {**current, "task_history_limit": 2, "dispatcher_heartbeat": 10 * 10**9}
    assert update_changes(typed, converged)["flags"] == []


def test_turning_autolock_on_is_flagged_so_the_key_is_saved_and_off_is_not():
    current = current_settings(load("linux_info_manager.json"))
    assert update_changes({"autolock": True}, current) == {
        "flags": ["--autolock=true"],
        "diff": {"before": {"autolock": False}, "after": {"autolock": True}},
        "autolock_on": True,
    }
    locked = {**current, "autolock": True}
    assert update_changes({"autolock": False}, locked)["flags"] == ["--autolock=false"]
    assert not update_changes({"autolock": False}, locked)["autolock_on"]


def test_settings_fixed_at_init_go_to_init_and_a_difference_later_says_what_it_takes():
    typed, _ = wanted(
        default_addr_pools=["10.123.0.0/16"], default_addr_pool_mask_length=26, data_path_port=7789
    )
    assert init_flags(typed) == [
        "--default-addr-pool=10.123.0.0/16",
        "--default-addr-pool-mask-length=26",
        "--data-path-port=7789",
    ]
    assert init_argv("10.0.1.4", False, init_flags(typed), "10.0.2.4") == [
        "docker", "swarm", "init", "--advertise-addr", "10.0.1.4", *init_flags(typed), "--data-path-addr", "10.0.2.4",
    ]  # fmt: skip
    current = current_settings(load("linux_info_manager.json"))
    lines = fixed_differences(typed, current)
    assert len(lines) == 3
    assert lines[0].startswith(
        "swarm_default_addr_pools is ['10.123.0.0/16'] but the swarm was created with ['10.0.0.0/8']"
    )
    assert "takes a new swarm" in lines[0]
    assert fixed_differences({"default_addr_pools": ["10.0.0.0/8"], "data_path_port": 4789}, current) == []


def test_join_gives_the_data_path_address_before_the_manager_address():
    (join,) = join_argvs("SWMTKN-x", "10.0.1.4:2377", "10.0.1.5", False, "10.0.2.5")
    assert join[-3:] == ["--data-path-addr", "10.0.2.5", "10.0.1.4:2377"]
    assert "--data-path-addr" not in join_argvs("SWMTKN-x", "10.0.1.4:2377", "10.0.1.5", False)[0]


def test_windows_server_2019_refuses_a_custom_vxlan_port_and_2022_takes_it():
    problems = windows_problems({"data_path_port": 7789}, {"win2019": "17763", "win2022": "20348"})
    assert problems == [
        "host win2019: swarm_data_path_port 7789 is not supported on Windows build 17763 (Windows Server 2019 and "
        "older have a fixed VXLAN port 4789); leave swarm_data_path_port unset or 4789, or run Windows Server "
        "2022 (build 20348) or newer there"
    ]
    assert windows_problems({"data_path_port": 4789}, {"win2019": "17763"}) == []
    assert windows_problems({}, {"win2019": "17763"}) == []


def test_the_unlock_key_is_read_alone_and_rotated_on_request():
    assert unlock_key_argv(False) == ["docker", "swarm", "unlock-key", "--quiet"]
    assert unlock_key_argv(True)[-1] == "--rotate"
    assert unlock_key_in("WARNING: x\nSWMKEY-1-abc\n") == "SWMKEY-1-abc"
    assert unlock_key_in("Error: no unlock key is set") is None


def manager_hosts(**extra):
    info = "linux_info_manager.json"
    return {
        "m1": {
            "state": state(info, "linux_node_inspect.jsonl"),
            "facts": linux_facts("172.29.223.10"),
            **extra,
        },
    }


def test_the_plan_refuses_autolock_without_a_key_file_and_a_bad_setting_before_any_change():
    with pytest.raises(PlanError) as caught:
        plan_swarm(
            ["m1"], [], manager_hosts(), {"settings": {**UNSET, "autolock": True, "data_path_port": 1}}
        )
    assert caught.value.problems == [
        "variable swarm_data_path_port: 1 is out of range; valid: 1024 to 49151",
        "variable swarm_autolock: turning autolock on needs swarm_unlock_key_file, the path on the controller "
        "where the run writes the unlock key (mode 0600); set it, or leave swarm_autolock unset",
    ]


def test_the_plan_refuses_draining_managers_without_workers_and_warns_on_fixed_differences():
    with pytest.raises(PlanError) as caught:
        plan_swarm(["m1"], [], manager_hosts(), {"settings": {**UNSET, "manager_availability": "drain"}})
    assert "drain leaves no node for tasks" in caught.value.problems[0]
    plan = plan_swarm(
        ["m1"],
        [],
        manager_hosts(),
        {"settings": {**UNSET, "data_path_port": 7789, "autolock": True}, "unlock_key_file": "/k"},
    )
    assert any(
        w.startswith("swarm_data_path_port is 7789 but the swarm was created with 4789")
        for w in plan["warnings"]
    )
    assert plan["settings"]["wanted"] == {"data_path_port": 7789, "autolock": True}
    assert plan["desired"]["m1"].get("availability") is None


def test_a_data_path_address_must_be_the_hosts_own():
    hosts = {
        "m1": {
            "state": state("linux_info_inactive.json"),
            "facts": linux_facts("172.29.223.10"),
            "data_path_addr": "10.9.9.9",
        }
    }
    with pytest.raises(PlanError) as caught:
        plan_swarm(["m1"], [], hosts)
    assert caught.value.problems == [
        "host m1: swarm_data_path_addr '10.9.9.9' is not an address of this host; valid: 172.29.223.10"
    ]
    hosts["m1"]["data_path_addr"] = "172.29.223.10"
    assert plan_swarm(["m1"], [], hosts)["settings"]["data_path_addrs"] == {"m1": "172.29.223.10"}


def test_drained_managers_are_set_to_drain_once_and_listed_for_the_wait():
    nodes = [
        {"id": "M", "hostname": "m", "role": "manager", "availability": "active", "labels": {}, "status": "ready", "reachability": "reachable"},
        {"id": "W", "hostname": "w", "role": "worker", "availability": "active", "labels": {}, "status": "ready", "reachability": ""},
    ]  # fmt: skip
    desired = {
        "m": {"role": "manager", "labels": {}, "availability": "drain"},
        "w": {"role": "worker", "labels": {}},
    }
    for node in nodes:
        node["labels"] = {"mixedswarm.owned-labels": ""}
    changes = reconcile(nodes, desired, {"m": "M", "w": "W"}, "M", [])
    assert changes["argvs"] == [["docker", "node", "update", "--availability", "drain", "M"]]
    assert changes["drained"] == ["M"]
    assert changes["diff"]["before"]["m"]["availability"] == "active"
    assert changes["diff"]["after"]["m"]["availability"] == "drain"
    assert "availability" not in changes["diff"]["after"]["w"]
    nodes[0]["availability"] = "drain"
    assert reconcile(nodes, desired, {"m": "M", "w": "W"}, "M", [])["argvs"] == []


def test_the_key_is_written_when_autolock_goes_on_on_rotation_and_once_when_its_file_is_missing():
    off, on = {"autolock": False}, {"autolock": True}
    turned_on = update_changes(on, off)
    assert key_to_write(turned_on, on, off, "/k", rotate=False, exists=True)
    kept = update_changes(on, on)
    assert not key_to_write(kept, on, on, "/k", rotate=False, exists=True)
    assert key_to_write(kept, on, on, "/k", rotate=False, exists=False)
    assert key_to_write(kept, on, on, "/k", rotate=True, exists=True)
    # Autolock set by hand and not managed: the key is kept in the file once it is named.
    assert key_to_write(update_changes({}, on), {}, on, "/k", rotate=False, exists=False)
    assert not key_to_write(update_changes({}, off), {}, off, "/k", rotate=False, exists=False)
    with pytest.raises(ValueError, match="would be lost"):
        key_to_write(turned_on, on, off, None, rotate=False, exists=False)
    with pytest.raises(ValueError, match="no unlock key to rotate"):
        key_to_write(update_changes({}, off), {}, off, "/k", rotate=True, exists=True)


def test_ca_rotation_is_over_when_every_ready_node_holds_a_certificate_of_the_new_ca():
    info = load("linux_info_manager.json")
    root = trust_root(info)
    docs = load("linux_node_inspect.jsonl")
    assert root == {"issuer_key": docs[0]["Description"]["TLSInfo"]["CertIssuerPublicKey"], "rotating": False}
    assert nodes_on_old_ca(root, docs) == []
    new_root = {"issuer_key": "NEWKEY", "rotating": True}
    behind = nodes_on_old_ca(new_root, docs)
    assert behind[0] == f"swarm-manager1 ({docs[0]['ID']})" and len(behind) == len(docs)
    docs[0]["Description"]["TLSInfo"]["CertIssuerPublicKey"] = "NEWKEY"
    docs[1]["Status"]["State"] = "down"
    assert f"({docs[0]['ID']})" not in " ".join(nodes_on_old_ca(new_root, docs))
    assert f"({docs[1]['ID']})" not in " ".join(nodes_on_old_ca(new_root, docs))

"""swarm_backup_plan and swarm_restore_plan: each refusal docs/operations.md describes is one
AnsibleActionFail whose message names the host or field and the remedy, never another exception.

act() is the plugins' whole decision after argument checking, and the plans need no connection,
so it is called here with the task variables a playbook would give it.
"""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleActionFail
from swarm_fixtures import linux_facts, state
from test_engine_roll import cluster
from test_swarm_backup import DESCRIBED, MANAGER, archive

from ansible_collections.mixedswarm.swarm.plugins.action import swarm_backup_plan, swarm_restore_plan

ARCHIVED_ADDR = "172.29.223.10"  # DESCRIBED's manager_addr without the port
FRESH = state("linux_info_inactive.json")
RESTORE_ARGS = {"host": "", "advertise_subnet": None, "unlock_key_given": False, "force": False}


def act(plugin, args, task_vars):
    """The plan's answer: its result, or the message it refused with."""
    try:
        return plugin.ActionModule.act(object.__new__(plugin.ActionModule), args, {}, task_vars)
    except AnsibleActionFail as exc:
        return exc.message


def restore(archive_path, managers, linux, hostvars, **args):
    task_vars = {"groups": {"swarm_managers": managers, "linux": linux}, "hostvars": hostvars}
    return act(swarm_restore_plan, {**RESTORE_ARGS, "archive": archive_path, **args}, task_vars)


def manager_host(addr=ARCHIVED_ADDR, node=FRESH):
    return {**linux_facts(addr), "swarm_node": node}


def test_a_restore_without_a_linux_manager_in_the_inventory_is_refused(tmp_path):
    assert restore(archive(tmp_path / "a.tar.gz"), ["win1"], [], {"win1": {}}) == (
        "Restore refused, nothing was changed: no host is in both swarm_managers and linux, and the archive is a "
        "Linux manager's state; put the Linux host with the archived manager's address (manager_addr) in both groups"
    )


def test_the_host_problem_and_the_archive_problems_are_told_together(tmp_path):
    missing = tmp_path / "none.tar.gz"
    assert restore(str(missing), ["manager1"], ["manager1"], {"manager1": manager_host()}, host="win1") == (
        "Restore refused, nothing was changed: swarm_restore_host='win1' is not a Linux host of swarm_managers; "
        f"pick one of manager1; swarm_restore_archive={missing}: no such file; give the path swarm_backup.yml printed"
    )


def test_an_archive_whose_description_lacks_the_hostname_is_refused(tmp_path):
    path = archive(tmp_path / "a.tar.gz", description={k: v for k, v in DESCRIBED.items() if k != "hostname"})
    assert restore(path, ["manager1"], ["manager1"], {"manager1": manager_host()}) == (
        f"Restore refused, nothing was changed: swarm_restore_archive={path}: its mixedswarm-backup.json lacks "
        "hostname; give an archive made by playbooks/swarm_backup.yml"
    )


def test_an_unreachable_restore_host_is_refused(tmp_path):
    assert restore(archive(tmp_path / "a.tar.gz"), ["manager1"], ["manager1"], {"manager1": {}}) == (
        "Restore refused, nothing was changed: host manager1: unreachable, and the restore needs its engine; make "
        "it reachable (playbooks/engines.yml --limit manager1 gives it its engine) or name another with "
        "swarm_restore_host"
    )


def test_a_reachable_host_without_a_usable_address_is_refused(tmp_path):
    hostvars = {"manager1": {**manager_host(), "swarm_advertise_addr": "10.9.9.9"}}
    assert restore(archive(tmp_path / "a.tar.gz"), ["manager1"], ["manager1"], hostvars) == (
        "Restore refused, nothing was changed: host manager1: swarm_advertise_addr '10.9.9.9' is not an address "
        "of this host; valid: 172.29.223.10"
    )


def test_the_restore_goes_to_the_manager_with_the_archived_address(tmp_path):
    hostvars = {"manager1": manager_host("172.29.223.12"), "manager2": manager_host()}
    result = restore(
        archive(tmp_path / "a.tar.gz"), ["manager1", "manager2"], ["manager1", "manager2"], hostvars
    )
    assert result["host"] == "manager2"
    assert result["advertise_addr"] == ARCHIVED_ADDR
    assert result["msg"] == (
        "restores cluster xn7m5qhjrriph9kxisvr357p0 (backed up from swarm-manager1 at 20261126T120000Z) onto manager2"
    )


def backup(managers, linux, hostvars, unlock_key_given=False):
    task_vars = {
        "groups": {"swarm_managers": managers, "linux": linux},
        "hostvars": hostvars,
        "ansible_play_hosts": list(hostvars),
    }
    args = {"managers_group": "swarm_managers", "unlock_key_given": unlock_key_given}
    return act(swarm_backup_plan, args, task_vars)


def test_a_backup_without_a_linux_manager_in_the_inventory_is_refused():
    assert backup(["win1"], [], {"win1": {}}) == (
        "Backup refused, nothing was stopped: no host is in both swarm_managers and linux; a backup archives a "
        "Linux manager's swarm state (/var/lib/docker/swarm), so the swarm needs a Linux manager in "
        "swarm_managers and linux"
    )


def test_a_backup_needs_a_manager_that_answers():
    assert backup(["manager1"], ["manager1"], {"manager1": {"swarm_node": FRESH}}) == (
        "Backup refused, nothing was stopped: no manager in swarm_managers answers as an active swarm manager; "
        "nothing to back up from"
    )


def managers_of(nodes):
    """Hostvars of the managers of `nodes` (engine_roll_fixtures.cluster), each listing the nodes."""
    return {
        n["hostname"]: {
            "swarm_node": {
                **MANAGER,
                "node_id": n["id"],
                "hostname": n["hostname"],
                "nodes": [{**m, "manager_addr": "172.29.223.10:2377"} for m in nodes],
            }
        }
        for n in nodes
        if n["role"] == "manager"
    }


def test_a_backup_that_would_lose_quorum_is_refused():
    nodes = cluster(leader=1, down=("manager3",))
    hostvars = managers_of(nodes)
    del hostvars["manager3"]
    assert backup(["manager1", "manager2"], ["manager1", "manager2"], hostvars) == (
        "Backup refused, nothing was stopped: host manager2: stopping its engine would lose quorum: 3 managers "
        "need 2 reachable, and besides it only 1 are (manager3 (down, unreachable)); bring those managers back first"
    )


def test_a_backup_source_whose_own_node_list_failed_is_described_from_the_leaders():
    hostvars = managers_of(cluster(leader=1))
    hostvars["manager2"]["swarm_node"]["nodes"] = []  # its `docker node inspect` failed
    answer = backup(list(hostvars), list(hostvars), hostvars)
    assert (answer["host"], answer["leader"], answer["control"]) == ("manager2", False, "manager1")


@pytest.mark.parametrize("key_given", [False, True])
def test_a_backup_with_autolock_on_needs_the_key(key_given):
    hostvars = managers_of(cluster(leader=1))
    for host in hostvars.values():
        host["swarm_node"]["autolock"] = True
    answer = backup(list(hostvars), list(hostvars), hostvars, unlock_key_given=key_given)
    if key_given:
        assert answer["host"] == "manager2"
    else:
        assert answer == (
            "Backup refused, nothing was stopped: host manager2: the swarm has autolock on, so the manager comes "
            "back locked after its engine restarts; set swarm_unlock_key (vault) to unlock it"
        )

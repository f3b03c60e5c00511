"""The day-2 plans refuse as every action of the project fails: one AnsibleActionFail whose message
names the problem once (no exception text appended), before any node is touched."""

from __future__ import annotations

from role_runner import REPO, run_per_host

PLAYBOOK = REPO / "tests" / "fixtures" / "plans" / "refusals.yml"


def test_roll_backup_and_restore_plans_refuse_with_one_message(tmp_path):
    missing = tmp_path / "no-such-backup.tar.gz"
    outcome = run_per_host(
        PLAYBOOK,
        tmp_path,
        {
            "roll": {"refusal": "roll", "rolling_batch": 0},
            "backup": {"refusal": "backup"},
            "restore": {"refusal": "restore", "restore_archive": str(missing)},
        },
        {},
    )
    expected = {
        "roll": (
            "Plan an engine roll",
            "Engine changes refused, nothing was changed:\nswarm_rolling_batch=0 is not valid; use a whole number of at "
            "least 1",
        ),
        "backup": (
            "Plan a backup",
            "Backup refused, nothing was stopped: no host is in both nowhere and linux; a backup archives a Linux "
            "manager's swarm state (/var/lib/docker/swarm), so the swarm needs a Linux manager in nowhere and linux",
        ),
        # The inventory has no swarm_managers group: both problems are told at once, without a traceback.
        "restore": (
            "Plan a restore",
            "Restore refused, nothing was changed: no host is in both swarm_managers and linux, and the archive is "
            "a Linux manager's state; put the Linux host with the archived manager's address (manager_addr) in both "
            f"groups; swarm_restore_archive={missing}: no such file; give the path swarm_backup.yml printed",
        ),
    }
    for case, (task, message) in expected.items():
        assert outcome[case]["failed_task"] == task, (case, outcome[case])
        assert outcome[case]["msg"] == message, case

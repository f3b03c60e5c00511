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
            "Engine changes refused, nothing was changed:\nswarm_rolling_batch=0 is not valid",
        ),
        "backup": ("Plan a backup", "Backup refused, nothing was stopped: no manager in swarm_managers"),
        "restore": (
            "Plan a restore",
            f"Restore refused, nothing was changed: swarm_restore_archive={missing}: ",
        ),
    }
    for case, (task, opening) in expected.items():
        assert outcome[case]["failed_task"] == task, (case, outcome[case])
        assert outcome[case]["msg"].startswith(opening), (case, outcome[case]["msg"])
        assert outcome[case]["msg"].count("refused") == 1, (case, outcome[case]["msg"])

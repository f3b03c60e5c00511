"""Run a playbook on the controller with one inventory host per test case, and tell per host
where it stopped and why (json stdout callback). Used to drive roles' checks offline."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def run_per_host(playbook: Path, tmp_path: Path, cases: dict[str, dict], extra_vars: dict) -> dict[str, dict]:
    """Each value: {"failed_task": name or None, "msg": text, "tasks": [names that ran ok],
    "changed": [names that reported a change]}. Task names lose their "role : " prefix."""
    base = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}
    inventory = {"all": {"hosts": {name: {**base, **hostvars} for name, hostvars in cases.items()}}}
    inventory_file = tmp_path / "inventory.yml"
    inventory_file.write_text(yaml.safe_dump(inventory))
    extra = tmp_path / "extra_vars.json"
    extra.write_text(json.dumps(extra_vars))
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.json",
        "ANSIBLE_NOCOLOR": "1",
    }
    proc = subprocess.run(
        [
            str(REPO / ".venv/bin/ansible-playbook"),
            "-i",
            str(inventory_file),
            "-e",
            f"@{extra}",
            str(playbook),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(proc.stdout)
    outcome = {name: {"failed_task": None, "msg": "", "tasks": [], "changed": []} for name in cases}
    for play in report["plays"]:
        for task in play["tasks"]:
            for host, result in task["hosts"].items():
                seen = outcome[host]
                if seen["failed_task"] is not None:
                    continue
                name = task["task"]["name"].split(" : ", 1)[-1]
                if result.get("failed"):
                    failed_item = next((r for r in result.get("results", []) if r.get("failed")), result)
                    seen["failed_task"] = name
                    seen["msg"] = failed_item.get("msg", "")
                elif not result.get("skipped"):
                    seen["tasks"].append(name)
                    if result.get("changed"):
                        seen["changed"].append(name)
    return outcome

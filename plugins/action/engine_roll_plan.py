"""Action plugin engine_roll_plan: decide which engines change in place and which roll (docs: plugins/modules/engine_roll_plan.py)."""

from __future__ import annotations

from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.roll import (
    RollRefused,
    plan_engine_roll,
    roll_summary,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction


class ActionModule(DockerCLIAction):
    _requires_connection = False
    ARGUMENT_SPEC: ClassVar[dict] = {
        "batch": {"type": "raw", "default": 1},
        "change_facts": {
            "type": "list",
            "elements": "str",
            "default": ["docker_linux_engine_change", "docker_windows_engine_change"],
        },
    }

    def act(self, args, result, task_vars):
        hostvars = task_vars["hostvars"]
        # Hosts that failed earlier in the play are gone from it; their facts would be stale.
        alive = set(task_vars.get("ansible_play_hosts", []))
        hosts = {}
        for host in task_vars.get("ansible_play_hosts_all", []):
            hv = hostvars[host]
            changes = next((hv[f] for f in args["change_facts"] if hv.get(f)), [])
            hosts[host] = {"state": hv.get("swarm_node") if host in alive else None, "changes": changes}
        try:
            plan = plan_engine_roll(hosts, args["batch"])
        except RollRefused as exc:
            result["problems"] = exc.problems
            raise AnsibleActionFail(
                "Engine changes refused, nothing was changed:\n" + "\n".join(exc.problems), result=result
            ) from None
        result.update(changed=False, plan=plan, msg=roll_summary(plan, self._task.check_mode))
        return result

"""Action plugin swarm_plan: validate the inventory and plan the swarm on the controller (docs: plugins/modules/swarm_plan.py)."""

from __future__ import annotations

from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.plan import PlanError, plan_swarm
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction


class ActionModule(DockerCLIAction):
    _requires_connection = False
    ARGUMENT_SPEC: ClassVar[dict] = {
        "managers_group": {"type": "str", "default": "swarm_managers"},
        "workers_group": {"type": "str", "default": "swarm_workers"},
        "advertise_subnet": {"type": "str"},
        "unlock_key_given": {"type": "bool", "default": False},
        "prune_nodes": {"type": "bool", "default": False},
        "settings": {"type": "dict", "default": {}},
        "unlock_key_file": {"type": "str"},
    }

    def act(self, args, result, task_vars):
        groups, hostvars = task_vars["groups"], task_vars["hostvars"]
        managers = list(groups.get(args["managers_group"], []))
        workers = list(groups.get(args["workers_group"], []))
        # Hosts that failed or were unreachable earlier in the play are no longer play hosts:
        # a cached swarm_node fact of theirs would be stale.
        alive = set(task_vars.get("ansible_play_hosts", []))
        hosts = {}
        for host in dict.fromkeys(managers + workers):
            hv = hostvars[host]
            hosts[host] = {
                "state": hv.get("swarm_node") if host in alive else None,
                # Out of the play but it ran the engines stage's check in this run (a set_fact, never
                # cached): it answered, then failed, so it is not called unreachable.
                "failed_earlier": host not in alive
                and any(
                    hv.get(f) is not None
                    for f in ("docker_linux_engine_change", "docker_windows_engine_change")
                ),
                "labels": hv.get("swarm_labels"),
                "advertise_addr": hv.get("swarm_advertise_addr"),
                "data_path_addr": hv.get("swarm_data_path_addr"),
                "ansible_host": hv.get("ansible_host"),
                "azure_os_version": hv.get("azure_os_version"),
                "facts": {"ansible_facts": hv.get("ansible_facts") or {}},
            }
        try:
            plan = plan_swarm(
                managers,
                workers,
                hosts,
                {
                    "unlock_key_given": args["unlock_key_given"],
                    "prune_nodes": args["prune_nodes"],
                    "advertise_subnet": args["advertise_subnet"],
                    "check_mode": self._task.check_mode,
                    "settings": args["settings"],
                    "unlock_key_file": args["unlock_key_file"],
                },
            )
        except PlanError as exc:
            raise AnsibleActionFail(
                "Swarm plan refused:\n" + "\n".join(exc.problems), result={**result, "problems": exc.problems}
            ) from None
        for warning in plan["warnings"]:
            self._display.warning(warning)
        result.update(changed=False, plan=plan, msg=_summary(plan))
        return result


def _summary(plan: dict) -> str:
    parts = []
    if plan["init_host"]:
        parts.append(f"init on {plan['init_host']}")
    if plan["unlock"]:
        parts.append(f"unlock {', '.join(plan['unlock'])}")
    if plan["joins"]:
        parts.append("join " + ", ".join(f"{h} as {j['role']}" for h, j in plan["joins"].items()))
    if plan["role_steps"]:
        parts.append(", ".join(f"{s['step']} {s['node_id']}" for s in plan["role_steps"]))
    if plan["prune"]:
        parts.append(f"prune {', '.join(plan['prune'])}")
    if plan["superseded"]:
        parts.append(
            "remove superseded "
            + ", ".join(f"{i} (old node of {h})" for i, h in sorted(plan["superseded"].items()))
        )
    return "; ".join(parts) or "membership as in the inventory; roles and labels are checked next"

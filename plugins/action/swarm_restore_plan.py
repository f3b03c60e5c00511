"""Action plugin swarm_restore_plan: check a backup archive and the host it goes to before anything changes (docs: plugins/modules/swarm_restore_plan.py)."""

from __future__ import annotations

from typing import ClassVar

from ansible_collections.mixedswarm.swarm.plugins.module_utils.swarm_backup import (
    read_archive,
    restore_problems,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils.node_docker import DockerCLIAction


class ActionModule(DockerCLIAction):
    _requires_connection = False
    ARGUMENT_SPEC: ClassVar[dict] = {
        "archive": {"type": "str", "required": True},
        "host": {"type": "str", "required": True},
        "unlock_key_given": {"type": "bool", "default": False},
        "force": {"type": "bool", "default": False},
    }

    def act(self, args, result, task_vars):
        host, archive = args["host"], args["archive"]
        groups, hostvars = task_vars["groups"], task_vars["hostvars"]
        if host not in groups.get("swarm_managers", []) or host not in groups.get("linux", []):
            return self._refuse(
                result,
                [
                    f"swarm_restore_host={host!r} is not a Linux host of swarm_managers; pick one of "
                    f"{', '.join(h for h in groups.get('swarm_managers', []) if h in groups.get('linux', [])) or 'none'}"
                ],
            )
        description, problems = read_archive(archive)
        if problems:
            return self._refuse(result, [f"swarm_restore_archive={archive}: {p}" for p in problems])
        alive = set(task_vars.get("ansible_play_hosts", []))
        target = hostvars[host].get("swarm_node") if host in alive else None
        problems = restore_problems(host, description, target, args["unlock_key_given"], args["force"])
        if problems:
            return self._refuse(result, problems)
        result.update(
            changed=False,
            description=description,
            msg=f"restores cluster {description['cluster_id']} (backed up from {description['hostname']} "
            f"at {description['created']}) onto {host}",
        )
        return result

    @staticmethod
    def _refuse(result, problems):
        result.update(
            failed=True, problems=problems, msg="Restore refused, nothing was changed: " + "; ".join(problems)
        )
        return result

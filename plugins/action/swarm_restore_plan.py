"""Action plugin swarm_restore_plan: check a backup archive and the host it goes to before anything changes (docs: plugins/modules/swarm_restore_plan.py)."""

from __future__ import annotations

from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.address import (
    AddressError,
    host_advertise_addr,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.backup import (
    read_archive,
    restore_host_problem,
    restore_problems,
    restore_target,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction


class ActionModule(DockerCLIAction):
    _requires_connection = False
    ARGUMENT_SPEC: ClassVar[dict] = {
        "archive": {"type": "str", "required": True},
        "host": {"type": "str", "default": ""},
        "advertise_subnet": {"type": "str"},
        "unlock_key_given": {"type": "bool", "default": False},
        "force": {"type": "bool", "default": False},
    }

    def act(self, args, result, task_vars):
        archive = args["archive"]
        groups, hostvars = task_vars["groups"], task_vars["hostvars"]
        candidates = [h for h in groups.get("swarm_managers", []) if h in groups.get("linux", [])]
        host_problem = restore_host_problem(candidates, args["host"])
        description, archive_problems = read_archive(archive)
        problems = ([host_problem] if host_problem else []) + [
            f"swarm_restore_archive={archive}: {p}" for p in archive_problems
        ]
        if problems:
            self._refuse(result, problems)
        addrs, addr_errors = {}, {}
        for candidate in candidates:
            try:
                addrs[candidate] = host_advertise_addr(hostvars[candidate], args["advertise_subnet"])
            except AddressError as exc:  # unreachable (no facts) or no usable address
                addr_errors[candidate] = str(exc)
        host = restore_target(description, addrs, candidates, args["host"])
        if host in addr_errors and hostvars[host].get("swarm_node"):
            self._refuse(result, [f"host {host}: {addr_errors[host]}"])
        target = hostvars[host].get("swarm_node")
        problems = restore_problems(
            host, description, target, args["unlock_key_given"], args["force"], addrs.get(host)
        )
        if problems:
            self._refuse(result, problems)
        result.update(
            changed=False,
            host=host,
            advertise_addr=addrs[host],
            description=description,
            msg=f"restores cluster {description['cluster_id']} (backed up from {description['hostname']} "
            f"at {description['created']}) onto {host}",
        )
        return result

    @staticmethod
    def _refuse(result, problems):
        result["problems"] = problems
        raise AnsibleActionFail("Restore refused, nothing was changed: " + "; ".join(problems), result=result)

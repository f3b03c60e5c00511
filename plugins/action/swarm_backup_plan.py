"""Action plugin swarm_backup_plan: choose the manager a backup stops and describe the backup (docs: plugins/modules/swarm_backup_plan.py)."""

from __future__ import annotations

import time
from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.roll import RollRefused
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.backup import (
    backup_description,
    backup_source,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import (
    MANAGER,
    managers_node_list,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.quorum import manager_up
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction


class ActionModule(DockerCLIAction):
    _requires_connection = False
    ARGUMENT_SPEC: ClassVar[dict] = {
        "managers_group": {"type": "str", "default": "swarm_managers"},
        "unlock_key_given": {"type": "bool", "default": False},
    }

    def act(self, args, result, task_vars):
        groups, hostvars = task_vars["groups"], task_vars["hostvars"]
        alive = set(task_vars.get("ansible_play_hosts", []))
        linux = set(groups.get("linux", []))
        # The archive is /var/lib/docker/swarm of a Linux manager; Windows managers are not stopped.
        managers = [h for h in groups.get(args["managers_group"], []) if h in linux]
        if not managers:
            raise AnsibleActionFail(
                f"Backup refused, nothing was stopped: no host is in both {args['managers_group']} and linux; a "
                "backup archives a Linux manager's swarm state (/var/lib/docker/swarm), so the swarm needs a Linux "
                f"manager in {args['managers_group']} and linux",
                result=result,
            )
        states = {h: hostvars[h].get("swarm_node") or {} for h in managers if h in alive}
        try:
            host = backup_source(states)
        except RollRefused as exc:
            raise AnsibleActionFail(
                "Backup refused, nothing was stopped: " + "; ".join(exc.problems), result=result
            ) from None
        # The node list backup_source judged by (the leader's read): this host's own read of the list
        # may have failed while another manager's answered.
        state = {**states[host], "nodes": managers_node_list(states)}
        if state["autolock"] and not args["unlock_key_given"]:
            raise AnsibleActionFail(
                f"Backup refused, nothing was stopped: host {host}: the swarm has autolock on, so the manager "
                "comes back locked after its engine restarts; set swarm_unlock_key (vault) to unlock it",
                result=result,
            )
        node = next(n for n in state["nodes"] if n["id"] == state["node_id"])
        up_ids = {n["id"] for n in state["nodes"] if n["role"] == MANAGER and manager_up(n)}
        others = [h for h, s in states.items() if h != host and s.get("node_id") in up_ids]
        created = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        result.update(
            changed=False,
            host=host,
            node_id=state["node_id"],
            control=others[0] if others else host,
            leader=node["leader"],
            description=backup_description(state, created),
            archive=f"swarm-{state['cluster_id'][:12]}-{created}.tar.gz",
            msg=f"backs up {host} ({'the leader: no other manager is up' if node['leader'] else 'not the leader'})",
        )
        return result

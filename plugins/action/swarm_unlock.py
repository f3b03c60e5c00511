"""Action plugin swarm_unlock: unlock a locked (autolock) manager (docs: plugins/modules/swarm_unlock.py)."""

from __future__ import annotations

from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.membership import unlock_invocation
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import (
    INFO_ARGV,
    local_state_of,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import (
    failure_text,
    run_docker,
)


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = {"key": {"type": "str", "required": True, "no_log": True}}

    def act(self, args, result, task_vars):
        diff = {"before": {"swarm": "locked"}, "after": {"swarm": "active"}}
        if self._task.check_mode:
            result.update(changed=True, diff=diff, round_trips=0, msg="would unlock the swarm on this node")
            return result
        unlock, info = run_docker(self, [unlock_invocation(args["key"]), INFO_ARGV], sensitive=True)
        state = local_state_of(info)
        if state.get("state") != "active":
            raise AnsibleActionFail(
                f"unlocking failed (check swarm_unlock_key): {failure_text([unlock, info])}", result=result
            )
        result.update(
            changed=unlock.ok,
            diff=diff if unlock.ok else {},
            ansible_facts={"swarm_node_id": state["node_id"]},
            round_trips=1,
        )
        return result

"""Action plugin swarm_init: create the swarm on this node (docs: plugins/modules/swarm_init.py)."""

from __future__ import annotations

from typing import ClassVar

from ansible_collections.mixedswarm.swarm.plugins.module_utils.swarm_state import INFO_ARGV
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils.node_docker import (
    DockerCLIAction,
    membership_result,
    run_docker,
)


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = {"advertise_addr": {"type": "str", "required": True}}

    def act(self, args, result, task_vars):
        diff = {"before": {"swarm": "inactive"}, "after": {"swarm": "active", "role": "manager"}}
        if self._task.check_mode:
            result.update(
                changed=True,
                diff=diff,
                round_trips=0,
                msg=f"would initialize the swarm on {args['advertise_addr']}",
            )
            return result
        init, info = run_docker(
            self, [["docker", "swarm", "init", "--advertise-addr", args["advertise_addr"]], INFO_ARGV]
        )
        # A node that already is in a swarm is left as it is: init never replaces a swarm.
        return membership_result(result, init, [init], info, diff, "swarm init failed")

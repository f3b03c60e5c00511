"""Action plugin swarm_join: join this node to the swarm (docs: plugins/modules/swarm_join.py)."""

from __future__ import annotations

from typing import ClassVar

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.membership import join_argvs
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import INFO_ARGV
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.membership import membership_result
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import run_docker


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = {
        "token": {"type": "str", "required": True, "no_log": True},
        "manager_addr": {"type": "str", "required": True},
        "advertise_addr": {"type": "str", "required": True},
        "role": {"type": "str", "choices": ["manager", "worker"], "required": True},
        "recover": {"type": "bool", "default": False},
        "data_path_addr": {"type": "str"},
    }

    def act(self, args, result, task_vars):
        diff = {
            "before": {"swarm": "pending or error" if args["recover"] else "inactive"},
            "after": {"swarm": "active", "role": args["role"]},
        }
        if self._task.check_mode:
            result.update(
                changed=True,
                diff=diff,
                round_trips=0,
                # Empty when the swarm does not exist yet: check mode only reported its init.
                msg=f"would join as {args['role']} via {args['manager_addr'] or 'the manager this run initializes'}",
            )
            return result
        argvs = join_argvs(
            args["token"],
            args["manager_addr"],
            args["advertise_addr"],
            args["recover"],
            args["data_path_addr"],
        )
        *steps, info = run_docker(self, [*argvs, INFO_ARGV], sensitive=True)
        return membership_result(result, steps[-1], steps, info, diff, "joining the swarm failed")

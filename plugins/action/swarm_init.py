"""Action plugin swarm_init: create the swarm on this node (docs: plugins/modules/swarm_init.py)."""

from __future__ import annotations

from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.membership import init_argv
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import INFO_ARGV
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.membership import membership_result
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import (
    failure_text,
    run_docker,
)


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = {
        "advertise_addr": {"type": "str", "required": True},
        "force_new_cluster": {"type": "bool", "default": False},
        "flags": {"type": "list", "elements": "str", "default": []},
        "data_path_addr": {"type": "str"},
    }

    def act(self, args, result, task_vars):
        force = args["force_new_cluster"]
        before = "restored state, no quorum" if force else "inactive"
        diff = {"before": {"swarm": before}, "after": {"swarm": "active", "role": "manager"}}
        if args["flags"]:
            diff["after"]["init_flags"] = args["flags"]
        what = "a one-manager swarm from this node's state" if force else "the swarm"
        if self._task.check_mode:
            result.update(
                changed=True,
                diff=diff,
                round_trips=0,
                msg=f"would initialize {what} on {args['advertise_addr']}",
            )
            return result
        argv = init_argv(args["advertise_addr"], force, args["flags"], args["data_path_addr"])
        init, info = run_docker(self, [argv, INFO_ARGV])
        if force and not init.ok:
            # The node is active before and after: only the command's own result tells.
            raise AnsibleActionFail(
                f"swarm init --force-new-cluster failed: {failure_text([init, info])}", result=result
            )
        # A node that already is in a swarm is left as it is: init never replaces a swarm.
        return membership_result(result, init, [init], info, diff, "swarm init failed")

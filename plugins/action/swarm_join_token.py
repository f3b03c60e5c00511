"""Action plugin swarm_join_token: read (or rotate) the join tokens on a manager (docs: plugins/modules/swarm_join_token.py)."""

from __future__ import annotations

from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.membership import (
    join_addr,
    token_argvs,
    token_in,
)
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
    ARGUMENT_SPEC: ClassVar[dict] = {"rotate": {"type": "bool", "default": False}}

    def act(self, args, result, task_vars):
        rotate = args["rotate"] and not self._task.check_mode
        worker, manager, info = run_docker(self, [*token_argvs(rotate), INFO_ARGV], sensitive=True)
        state = local_state_of(info)
        tokens = {"worker": token_in(worker.text), "manager": token_in(manager.text)}
        if not (all(tokens.values()) and state):
            if self._task.check_mode:
                # In check mode the swarm may not exist yet (init was only reported).
                result.update(
                    changed=False,
                    tokens={"worker": "", "manager": ""},
                    join_addr="",
                    round_trips=1,
                    msg="no swarm to read tokens from yet",
                )
                return result
            raise AnsibleActionFail(
                f"reading join tokens failed: {failure_text([worker, manager, info])}", result=result
            )
        result.update(
            changed=args["rotate"],
            tokens=tokens,
            join_addr=join_addr(state),
            round_trips=1,
        )
        return result

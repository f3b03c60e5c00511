"""Action plugin swarm_reach_probe: TCP connects from a task container of one service to every task
address of another, over the node's own connection. Documentation: plugins/modules/swarm_reach_probe.py.
"""

from __future__ import annotations

import functools
from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.reach import (
    connect_argv,
    container_argv,
    reach_verdict,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import (
    failure_text,
    run_docker,
)


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = {
        "probe": {"type": "dict", "required": True},
    }

    def act(self, args, result, task_vars):
        probe = args["probe"]
        run = functools.partial(run_docker, self)
        (listed,) = run([container_argv(probe["task_id"])])
        containers = listed.text.split() if listed.ok else []
        if not containers:
            found = failure_text([listed]) if not listed.ok else "no container of the task on this node"
            raise AnsibleActionFail(
                f"reachability {probe['from']} -> {probe['to']}: task {probe['task']} on {probe['hostname']}: {found}"
            )
        outcomes = run(
            [
                connect_argv(containers[0], probe["os"], end["address"], probe["port"])
                for end in probe["targets"]
            ]
        )
        pairs = reach_verdict(probe, outcomes)
        result.update(changed=False, container=containers[0], pairs=pairs)
        failed = [p["text"] for p in pairs if not p["ok"]]
        if failed:
            raise AnsibleActionFail("\n".join(failed), result=result)
        return result

"""Action plugin swarm_data_probe: check that a service's task holds the secrets and configs the
controller sent, by sha256, never reading the content out.

Runs on the node that hosts a task of the service (the verify stage picks it with swarm_verify's
data_checks), over that node's own connection: `docker exec` of sha256sum (Linux) or Get-FileHash
(Windows) on each file. Documentation: plugins/modules/swarm_data_probe.py.
"""

from __future__ import annotations

import functools
from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.data import (
    hash_invocation,
    judge_hashes,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.manager_steps import (
    running_container_ids,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import run_docker


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = {
        "service": {"type": "str", "required": True},
        "os": {"type": "str", "choices": ["linux", "windows"], "default": "linux"},
        "files": {
            "type": "list",
            "elements": "dict",
            "required": True,
            "options": {
                "path": {"type": "str", "required": True},
                "sha256": {"type": "str", "required": True},
            },
        },
    }

    def act(self, args, result, task_vars):
        run = functools.partial(run_docker, self)
        ids = running_container_ids(run, args["service"])
        (hashed,) = run([hash_invocation(ids[0], [f["path"] for f in args["files"]], args["os"])])
        problems = judge_hashes(args["files"], hashed.text)
        result.update(
            changed=False, container=ids[0], checked=[f["path"] for f in args["files"]], problems=problems
        )
        if problems:
            raise AnsibleActionFail(f"service {args['service']}: " + "; ".join(problems), result=result)
        return result

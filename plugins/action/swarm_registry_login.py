"""Action plugin swarm_registry_login: log the deploying manager in to private registries.

Runs `docker login --password-stdin` for every entry in one round trip, the batch and the
passwords on stdin (module_utils._service.registry builds and reads it). A wrong password or an
unreachable registry fails the task with one line per registry before any service changes.
Documentation: plugins/modules/swarm_registry_login.py.
"""

from __future__ import annotations

from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import errors_message
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.options import (
    SWARM_REGISTRY_LOGIN_OPTIONS,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.registry import (
    check_registries,
    login_invocation,
    login_problem,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import run_docker


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = SWARM_REGISTRY_LOGIN_OPTIONS
    DEFINITIONS = ("registries",)

    def act(self, args, result, task_vars):
        entries, errors = check_registries(args["registries"])
        if errors:
            raise AnsibleActionFail(errors_message("registry credentials", errors))
        result.update(changed=False, registries=[e["registry"] for e in entries])
        if self._task.check_mode or not entries:
            return result
        outcomes = run_docker(self, [login_invocation(e) for e in entries], sensitive=True)
        problems = [login_problem(e, o.text) for e, o in zip(entries, outcomes, strict=True) if not o.ok]
        if problems:
            raise AnsibleActionFail("\n".join(problems))
        return result

"""Action plugin swarm_dns_probe: resolve a service from inside another service's task container.

Runs on the node that hosts the source task (the verify stage picks it with swarm_verify), over
that node's own connection, so it works on Linux and Windows nodes alike: `docker exec` of
nslookup for NAME and tasks.NAME. Documentation: plugins/modules/swarm_dns_probe.py.
"""

from __future__ import annotations

import functools
from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.polling import poll_until
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.progress import shorten
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.verify import (
    judge_lookups,
    lookup_addresses,
    lookup_invocations,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.manager_steps import (
    running_container_ids,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import run_docker


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = {
        "source": {"type": "str", "required": True},
        "target": {"type": "str", "required": True},
        "expected_tasks": {"type": "int", "required": True},
        "settle_timeout": {"type": "int", "default": 90},
    }

    def act(self, args, result, task_vars):
        run = functools.partial(run_docker, self)
        ids = running_container_ids(run, args["source"])
        names = [args["target"], f"tasks.{args['target']}"]

        # Tasks that just (re)started reach the swarm's DNS within seconds, later when every manager
        # restarted (the network gossip reconnects): look again until the answer is complete or
        # settle_timeout has passed.
        def look_up():
            outcomes = run(lookup_invocations(ids[0], names))
            lookups = {name: lookup_addresses(r.text) for name, r in zip(names, outcomes, strict=True)}
            return outcomes, lookups, judge_lookups(args["target"], args["expected_tasks"], lookups)

        outcomes, lookups, problems = poll_until(
            look_up,
            lambda reading: not reading[2],
            args["settle_timeout"],
            report=self.progress("DNS settling", args["settle_timeout"], lambda reading: shorten(reading[2])),
        )[0]
        result.update(
            changed=False,
            container=ids[0],
            lookups=lookups,
            output={name: r.text for name, r in zip(names, outcomes, strict=True)},
        )
        if problems:
            raise AnsibleActionFail("; ".join(problems), result=result)
        return result

"""Action plugin swarm_node_info: read one node's swarm state in one round trip (docs: plugins/modules/swarm_node_info.py)."""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils.swarm_state import (
    INFO_ARGV,
    NODES_ARGV,
    read_results,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils.node_docker import DockerCLIAction, run_docker


class ActionModule(DockerCLIAction):
    def act(self, args, result, task_vars):
        info, nodes = run_docker(self, [INFO_ARGV, NODES_ARGV])
        state = read_results(info, nodes)
        facts = {"swarm_node": state}
        if state.get("node_id"):
            facts["swarm_node_id"] = state["node_id"]
        result.update(changed=False, swarm_node=state, ansible_facts=facts, round_trips=1)
        return result

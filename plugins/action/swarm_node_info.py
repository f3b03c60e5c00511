"""Action plugin swarm_node_info: read one node's swarm state in one round trip (docs: plugins/modules/swarm_node_info.py)."""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.quoting import SH
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.address import (
    IP_ADDR_ARGV,
    IP_ROUTE_ARGV,
    IP_ROUTES_ARGV,
    network_facts,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import (
    ENGINE_UNITS_ARGV,
    INFO_ARGV,
    NODES_ARGV,
    node_read,
    socket_would_start_engine,
    stopped_engine_state,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import (
    run_docker,
    shell_family,
)


class ActionModule(DockerCLIAction):
    def act(self, args, result, task_vars):
        # On sh nodes the same round trip reads the host's addresses, which the swarm planner
        # would otherwise need a fact gathering for. Windows hosts keep their gathered facts.
        sh = shell_family(self) == SH
        address_argvs = [IP_ADDR_ARGV, IP_ROUTE_ARGV, IP_ROUTES_ARGV] if sh else []
        if sh and self._task.check_mode:
            # Check mode changes nothing, so it must not start a stopped engine through docker.socket
            # either: it asks systemd first, in a round trip of its own.
            units, *addresses = run_docker(self, [ENGINE_UNITS_ARGV, *address_argvs])
            if socket_would_start_engine(units):
                state, round_trips = stopped_engine_state(), 1
            else:
                state, round_trips = node_read(*run_docker(self, [INFO_ARGV, NODES_ARGV])), 2
        else:
            info, nodes, *addresses = run_docker(self, [INFO_ARGV, NODES_ARGV, *address_argvs])
            state, round_trips = node_read(info, nodes), 1
        if addresses:
            addr, route, routes = addresses
            state["network"] = network_facts(
                addr.text if addr.ok else "", route.text if route.ok else "", routes.text if routes.ok else ""
            )
        facts = {"swarm_node": state}
        if state.get("node_id"):
            facts["swarm_node_id"] = state["node_id"]
        result.update(changed=False, swarm_node=state, ansible_facts=facts, round_trips=round_trips)
        return result

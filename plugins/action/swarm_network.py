"""Action plugin swarm_network: user-defined overlay networks from variables.

Runs on one manager. Reads nodes and the declared networks in one round trip, validates every
definition (no encrypted overlay when Windows nodes exist), then creates or removes only what
the definitions ask for. Documentation: plugins/modules/swarm_network.py.
"""

from __future__ import annotations

import functools
from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import OutputOf
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import errors_message
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.network import (
    plan_networks,
    subnet_problems,
    validate_networks,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.options import SWARM_NETWORK_OPTIONS
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.spec import diff_entries
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.address import host_addresses
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.cluster_read import cluster_os
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.manager_steps import (
    apply_planned,
    read_cluster_or_fail,
    yaml_text,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import run_docker

SWARM_NETWORK_IDS = ["docker", "network", "ls", "--quiet", "--filter", "scope=swarm"]


def node_addresses(nodes: dict, task_vars: dict) -> dict[str, list[str]]:
    """Each node's addresses: the address the swarm knows it by, and for the inventory hosts every
    address this run read (the swarm stage's `ip` read on Linux, gathered facts on Windows)."""
    found = {}
    hostvars = task_vars.get("hostvars", {})
    for host in task_vars.get("groups", {}).get("swarm", []):  # inventory names first, in messages
        hv = hostvars.get(host, {})
        facts = (hv.get("swarm_node") or {}).get("network") or hv.get("ansible_facts") or {}
        addresses = host_addresses(facts)
        if addresses:
            found[host] = addresses
    # The swarm's own addresses of its nodes, named by the inventory host with that address.
    by_address = {
        hostvars.get(h, {}).get("ansible_host"): h for h in task_vars.get("groups", {}).get("swarm", [])
    }
    for node in nodes.values():
        if node.get("addr"):
            found.setdefault(by_address.get(node["addr"]) or node["hostname"], []).append(node["addr"])
    # Inventory order first, then nodes the inventory does not name: the same message every run.
    inventory = [h for h in task_vars.get("groups", {}).get("swarm", []) if h in found]
    return {h: found[h] for h in [*inventory, *sorted(set(found) - set(inventory))]}


def node_routes(task_vars: dict) -> dict[str, list[str]]:
    """The networks each inventory host routes to, as this run's node read found them (Linux hosts;
    Windows facts have no routes), in inventory order."""
    hostvars = task_vars.get("hostvars", {})
    found = {}
    for host in task_vars.get("groups", {}).get("swarm", []):
        routes = ((hostvars.get(host, {}).get("swarm_node") or {}).get("network") or {}).get("routes")
        if routes:
            found[host] = routes
    return found


def render(network: dict) -> str:
    shown = {k: v for k, v in network.items() if v not in (None, {}) and k != "state"}
    return yaml_text(shown)


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = SWARM_NETWORK_OPTIONS
    DEFINITIONS = ("networks",)
    # Which planned actions each value of `changes` applies; the services stage creates
    # networks before the services and removes them after, when nothing is attached.
    PHASES: ClassVar[dict] = {"all": {"create", "remove"}, "create": {"create"}, "remove": {"remove"}}

    def act(self, args, result, task_vars):
        run = functools.partial(run_docker, self)
        names = [n["name"] for n in args["networks"] if isinstance(n.get("name"), str)]
        first = [["docker", "network", "inspect", "--format", "{{json .}}", *names]] if names else []
        # Every swarm network, for subnets already taken (ingress's too).
        every = ["docker", "network", "inspect", "--format", "{{json .}}", OutputOf(SWARM_NETWORK_IDS)]
        nodes, (every_result, *first_results) = read_cluster_or_fail(
            run, [every, *first], self._task.check_mode
        )
        existing = {d["Name"]: d for r in first_results for d in r.documents if isinstance(d, dict)}

        networks, errors = validate_networks(args["networks"], cluster_os(nodes))
        # Every valid definition's subnet, alongside the other definitions' problems.
        all_networks = [d for d in every_result.documents if isinstance(d, dict)] if every_result.ok else []
        errors += subnet_problems(
            networks, node_addresses(nodes, task_vars), all_networks, node_routes(task_vars)
        )
        actions, plan_errors = plan_networks(networks, existing) if not errors else ([], [])
        if errors or plan_errors:
            raise AnsibleActionFail(errors_message("network definitions", errors + plan_errors))

        actions = [a for a in actions if a["action"] in self.PHASES[args["changes"]] | {"none"}]
        changes = [a for a in actions if a["action"] != "none"]
        result.update(
            changed=bool(changes) and not args["validate_only"],
            diff=diff_entries(actions, render),
            networks={a["name"]: a["action"] for a in actions},
        )
        if args["validate_only"] or self._task.check_mode or not changes:
            return result
        apply_planned(run, "network", changes)
        return result

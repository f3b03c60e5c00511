"""Read the swarm's nodes together with whatever else a plugin needs, in one round trip.

Nodes are read with the swarm stage's own invocation and parser (node_read.NODES_ARGV,
node_from_inspect: `docker node ls --quiet` feeds `docker node inspect` on the node itself), and a
plugin adds its own invocations to the same batch. The docker
runner is passed in (plugin_utils._action.transport.run_docker on a manager), so this is unit-tested.
"""

from __future__ import annotations

from collections.abc import Callable

from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.windows_build import BUILD_LABEL
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import (
    NODE_IDS_ARGV,
    NODES_ARGV,
    node_from_inspect,
)


class ClusterError(Exception):
    """The node the plugin runs on cannot answer for the swarm (not a manager, no engine)."""


def read_cluster(run: Callable, extra: list[list[str]] | None = None) -> tuple[dict[str, dict], list]:
    """Nodes by ID and the results of the caller's extra invocations, in one round trip."""
    ids_result, inspect_result, *extra_results = run([NODE_IDS_ARGV, NODES_ARGV, *(extra or [])])
    if not ids_result.ok:
        raise ClusterError(
            "cannot list swarm nodes here (the plugin must run on a swarm manager): " + ids_result.text
        )
    if not inspect_result.ok:
        raise ClusterError("cannot inspect swarm nodes: " + inspect_result.text)
    nodes = {doc["ID"]: node_from_inspect(doc) for doc in inspect_result.documents if isinstance(doc, dict)}
    return nodes, extra_results


def cluster_os(nodes: dict[str, dict]) -> set[str]:
    return {node["os"] for node in nodes.values() if node["os"]}


def windows_builds(nodes: dict[str, dict]) -> set[str]:
    """The builds the Windows nodes report through their os.build labels."""
    return {
        n["labels"][BUILD_LABEL]
        for n in nodes.values()
        if n["os"] == "windows" and n["labels"].get(BUILD_LABEL)
    }

"""Read the swarm's nodes together with whatever else a plugin needs, in one round trip.

Node OS is only in `docker node inspect`; `docker node ls --quiet` feeds it on the node itself
(docker_cli.OutputOf), and a plugin adds its own invocations to the same batch. The docker
runner is passed in (plugin_utils.node_docker.run_docker on a manager), so this is unit-tested.
"""

from __future__ import annotations

from collections.abc import Callable

from ansible_collections.mixedswarm.swarm.plugins.module_utils.docker_cli import OutputOf


class ClusterError(Exception):
    """The node the plugin runs on cannot answer for the swarm (not a manager, no engine)."""


NODE_IDS = ["docker", "node", "ls", "--quiet"]
NODE_INSPECT = ["docker", "node", "inspect", "--format", "{{json .}}", OutputOf(NODE_IDS)]


def node_summary(doc: dict) -> dict:
    """The fields of `docker node inspect` the service stage uses."""
    spec, description, status = doc.get("Spec", {}), doc.get("Description", {}), doc.get("Status", {})
    manager = doc.get("ManagerStatus") or {}
    return {
        "id": doc.get("ID"),
        "hostname": description.get("Hostname", ""),
        "os": description.get("Platform", {}).get("OS", "").lower(),
        "role": spec.get("Role", ""),
        "availability": spec.get("Availability", ""),
        "state": status.get("State", ""),
        "addr": status.get("Addr", ""),
        "leader": bool(manager.get("Leader")),
        "labels": dict(spec.get("Labels") or {}),
        "engine_version": description.get("Engine", {}).get("EngineVersion", ""),
    }


def read_cluster(run: Callable, extra: list[list[str]] | None = None) -> tuple[dict[str, dict], list]:
    """Nodes by ID and the results of the caller's extra invocations, in one round trip."""
    ids_result, inspect_result, *extra_results = run([NODE_IDS, NODE_INSPECT, *(extra or [])])
    if not ids_result.ok:
        raise ClusterError(
            "cannot list swarm nodes here (the plugin must run on a swarm manager): " + ids_result.text
        )
    if not inspect_result.ok:
        raise ClusterError("cannot inspect swarm nodes: " + inspect_result.text)
    nodes = {doc["ID"]: node_summary(doc) for doc in inspect_result.documents if isinstance(doc, dict)}
    return nodes, extra_results


def cluster_os(nodes: dict[str, dict]) -> set[str]:
    return {node["os"] for node in nodes.values() if node["os"]}

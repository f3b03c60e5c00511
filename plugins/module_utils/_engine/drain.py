"""Draining a node before its engine changes, and giving it back afterwards.

A drain records the availability to give back in a node label (ROLL_LABEL), so a roll that
stopped halfway is finished by the next run. Reads `docker node ps` and `docker service ls`
JSON lines. Pure functions.
"""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.progress import shorten
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import JSON, MANAGER

# Node label a drain sets to the availability to give back, and the restore removes: a roll that
# stopped halfway is finished by the next run, which gives the node its availability back.
ROLL_LABEL = "mixedswarm.roll-availability"


def service_of(task_name: str) -> str:
    """`web.2` (replicated) or `probe.<node id>` (global) -> the service name."""
    return task_name.rsplit(".", 1)[0]


def running_here(node_tasks: list[dict]) -> list[str]:
    """Names of the tasks a node still runs or is told to run (`docker node ps` JSON lines)."""
    return [
        t.get("Name", "")
        for t in node_tasks
        if t.get("DesiredState") == "Running" or str(t.get("CurrentState", "")).startswith("Running")
    ]


def unconverged(services: list[dict], names: set[str]) -> list[str]:
    """Services among `names` whose running tasks are fewer than desired (`docker service ls` JSON lines)."""
    waiting = []
    for service in services:
        if service.get("Name") not in names:
            continue
        running, _slash, desired = str(service.get("Replicas", "")).split(" ", 1)[0].partition("/")
        if not running.isdigit() or not desired.isdigit() or int(running) < int(desired):
            waiting.append(f"{service['Name']} {service.get('Replicas', '?')}")
    return waiting


def nowhere_to_go(tasks: list[dict]) -> list[str]:
    """Tasks the scheduler cannot place anywhere (`docker service ps` JSON lines): a drain waiting
    for them would never complete. The swarm scheduler leaves such a task pending with the error
    "no suitable node (...)" (moby/swarmkit manager/scheduler: noSuitableNode)."""
    return [
        f"{t.get('Name', '?')}: {t['Error']}"
        for t in tasks
        if t.get("DesiredState") == "Running" and "no suitable node" in str(t.get("Error", ""))
    ]


def availability_before_roll(node: dict) -> str:
    """What a node had before a roll drained it: the label an interrupted roll left, else what it has now."""
    return node.get("labels", {}).get(ROLL_LABEL) or node["availability"]


def back_in_service(node: dict | None) -> bool:
    """A rolled node is back: Ready, and for a manager reachable (or leader) again."""
    if not node or node["status"] != "ready":
        return False
    return node["role"] != MANAGER or node["reachability"] == "reachable"


# Every service with its running/desired count, to see the moved tasks converge elsewhere.
SERVICES_ARGV = ["docker", "service", "ls", "--format", JSON]


def node_tasks_argv(node_id: str) -> list[str]:
    return ["docker", "node", "ps", node_id, "--format", JSON]


def service_tasks_argv(services: list[str]) -> list[str]:
    """The tasks the swarm wants running for these services, with the scheduler's error in full."""
    return [
        "docker",
        "service",
        "ps",
        "--filter",
        "desired-state=running",
        "--no-trunc",
        "--format",
        JSON,
        *services,
    ]


def drain_argv(node_id: str, previous: str) -> list[str]:
    """Drain the node, recording the availability to give back in ROLL_LABEL."""
    return [
        "docker",
        "node",
        "update",
        "--availability",
        "drain",
        "--label-add",
        f"{ROLL_LABEL}={previous}",
        node_id,
    ]


def give_back_argv(node_id: str, availability: str, drop_label: bool) -> list[str]:
    """Give the node its availability back and forget the drain's record."""
    label = ["--label-rm", ROLL_LABEL] if drop_label else []
    return ["docker", "node", "update", "--availability", availability, *label, node_id]


def drain_progress(name: str, still_here: list[str], services_waiting: list[str]) -> str:
    """How far a drain is: 'worker2: drained, 2 tasks still on it (web.1, api.2)'."""
    if still_here:
        state = f"{name}: drained, {len(still_here)} task(s) still on it ({shorten(still_here)})"
    else:
        state = f"{name}: drained, no task left on it"
    if services_waiting:
        state += f"; waiting for moved services to run elsewhere: {shorten(services_waiting)}"
    return state


def restore_progress(name: str, node: dict | None) -> str:
    """How far a rolled node is from being back: its status and, for a manager, its reachability."""
    if node is None:
        return f"{name}: not in the node list yet"
    state = f"{name}: status {node['status']}, availability {node['availability']}"
    if node["role"] == MANAGER:
        state += f", manager {node['reachability'] or 'not reachable yet'}"
    return state

"""Quorum: how many managers must stay reachable, whether stopping or demoting one keeps
that, and the warning for an even number of managers. Shared by the reconcile, the engine
roll and the backup. Pure functions.
"""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import MANAGER, READY


class UnsafeChange(ValueError):
    """A change that would break the swarm (quorum) or cannot be made."""


def quorum_warning(manager_count: int) -> str | None:
    if manager_count and manager_count % 2 == 0:
        return (
            f"{manager_count} managers: an even number tolerates no more failures than {manager_count - 1}; "
            "use an odd number of managers in swarm_managers"
        )
    return None


def quorum(manager_count: int) -> int:
    return manager_count // 2 + 1


def manager_up(node: dict) -> bool:
    return node["status"] == READY and node["reachability"] == "reachable"


def manager_stop_problem(node_id: str, nodes: list[dict]) -> str | None:
    """Why stopping the engine of manager `node_id` would lose quorum, or None when it is safe.

    A swarm with one manager has no quorum to keep: its control plane pauses while the engine
    restarts, and the tasks on other nodes keep running.
    """
    managers = [n for n in nodes if n["role"] == MANAGER]
    if len(managers) <= 1:
        return None
    others = [n for n in managers if n["id"] != node_id]
    up = [n for n in others if manager_up(n)]
    need = quorum(len(managers))
    if len(up) >= need:
        return None
    lost = f"stopping its engine would lose quorum: {len(managers)} managers need {need} reachable"
    down = ", ".join(
        f"{n['hostname']} ({n['status']}, {n['reachability'] or 'unknown'})" for n in others if n not in up
    )
    if not down:  # every other manager is up: an even count has no spare vote
        return f"{lost}, and besides it there are only {len(up)}; use an odd number of managers (3 or 5)"
    return f"{lost}, and besides it only {len(up)} are ({down}); bring those managers back first"

"""Manager and worker roles: who is a raft member, and the quorum-safe promotions and
demotions that bring the swarm to the roles the inventory asks for. Pure functions.
"""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import MANAGER, WORKER
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.quorum import UnsafeChange, quorum


def raft_member(node: dict) -> bool:
    """A manager in the raft member list. A manager entry without a manager status is not: after
    `swarm init --force-new-cluster` the old managers' entries keep the manager role but left raft,
    so they count for no quorum and cannot be demoted (`docker node rm --force` removes them as they are)."""
    return node["role"] == MANAGER and bool(node.get("reachability"))


def role_changes(nodes: list[dict], desired_roles: dict[str, str], joining_managers: int = 0) -> list[tuple]:
    """Quorum-safe (node_id, 'promote'|'demote') steps: every promotion first, then demotions.

    `nodes` are node_from_inspect dicts of the swarm; `desired_roles` maps NodeID to role for the nodes
    the inventory manages; `joining_managers` counts managers about to join. A demotion is only
    planned while the managers left keep a reachable majority; otherwise UnsafeChange says why.
    """
    by_id = {n["id"]: n for n in nodes}
    promote = sorted(
        i for i, role in desired_roles.items() if role == MANAGER and by_id[i]["role"] != MANAGER
    )
    demote = sorted(i for i, role in desired_roles.items() if role == WORKER and raft_member(by_id[i]))
    managers = sum(1 for n in nodes if raft_member(n)) + len(promote) + joining_managers
    reachable = (
        sum(1 for n in nodes if raft_member(n) and n["reachability"] == "reachable")
        + len(promote)
        + joining_managers
    )
    steps = [(i, "promote") for i in promote]
    for node_id in demote:
        managers -= 1
        reachable -= 1 if by_id[node_id]["reachability"] == "reachable" else 0
        if managers < 1 or reachable < quorum(managers):
            raise UnsafeChange(
                f"demoting {by_id[node_id]['hostname']} ({node_id}) would leave {reachable} reachable of "
                f"{managers} managers, losing quorum; bring the unreachable managers back or demote fewer at once"
            )
        steps.append((node_id, "demote"))
    return steps


def outside_raft(nodes: list[dict], node_ids: list[str]) -> list[dict]:
    """The nodes of `node_ids` (just promoted) that are not reachable raft members yet."""
    by_id = {n["id"]: n for n in nodes}
    return [by_id[i] for i in node_ids if i in by_id and by_id[i]["reachability"] != "reachable"]


def role_argv(node_id: str, step: str) -> list[str]:
    return ["docker", "node", step, node_id]

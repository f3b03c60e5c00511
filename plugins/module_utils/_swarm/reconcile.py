"""Every docker command that brings the swarm's roles, labels and entries in line with the
inventory, in a safe order: promotions, labels, demotions, removals, the running manager's own
demotion last. The decisions themselves live in roles, labels and superseded. Pure functions.
"""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.progress import shorten
from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.drain import give_back_argv
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.labels import (
    label_changes,
    label_update_argv,
    labels_after,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import READY, WORKER
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.roles import role_argv, role_changes
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.superseded import (
    removal_argvs,
    superseded_now,
)

DRAIN = "drain"


def availability_argv(node_id: str, availability: str) -> list[str]:
    """The node's availability set (a drained node runs no task; active takes tasks again)."""
    return give_back_argv(node_id, availability, drop_label=False)


def reconcile(
    nodes: list[dict],
    desired: dict,
    node_ids: dict,
    self_id: str,
    prune: list[str],
    superseded: dict[str, str] | None = None,
) -> dict:
    """Every docker command that brings roles and labels in line with `desired`, in a safe order.

    `desired` maps host to {"role", "labels"}; `node_ids` maps host to its NodeID; `self_id` is the
    manager running the commands, demoted (if at all) last so the others still run; `prune` lists
    NodeIDs to drain and remove; `superseded` maps old NodeIDs to the host that replaces them
    (superseded_entries), removed once the replacement is Ready (superseded_now). Hosts with no node
    yet (check mode before a join) are `pending`; hosts whose node is not Ready are `not_ready`;
    superseded entries not marked down yet are `going_down`; hosts to promote whose demotion is
    still under way are `stepping_down`; `promoted` lists the NodeIDs the commands promote. A host whose
    desired entry has an "availability" (managers under swarm_manager_availability) gets it; `drained`
    lists the NodeIDs that should run no task (the caller waits for their tasks to move off).
    Raises UnsafeChange when a demotion would lose quorum.
    """
    by_id = {n["id"]: n for n in nodes}
    managed = {node_ids[h]: h for h in desired if node_ids.get(h) in by_id}
    pending = sorted(h for h in desired if node_ids.get(h) not in by_id)
    roles = {i: desired[h]["role"] for i, h in managed.items()}
    replaced, going_down = superseded_now(by_id, superseded or {}, node_ids)
    prune = [i for i in prune if i in by_id and i not in managed and i not in replaced]
    removed = prune + sorted(replaced)
    roles.update({i: WORKER for i in removed})
    steps = role_changes(nodes, roles)
    promoted = [i for i, s in steps if s == "promote"]
    # Demoted moments ago (by hand) and still in raft: promoting it before its demotion completes
    # can leave it outside raft for good (moby/moby#34350, moby/swarmkit#2196), so wait for that.
    stepping_down = [managed[i] for i in promoted if by_id[i]["role"] == WORKER and by_id[i]["reachability"]]
    demote = [role_argv(i, s) for i, s in steps if s == "demote" and i != self_id]
    demote_self = [role_argv(i, s) for i, s in steps if s == "demote" and i == self_id]
    labels, availability, drained, before, after = [], [], [], {}, {}
    for node_id, host in managed.items():
        current = by_id[node_id]["labels"]
        add, remove = label_changes(current, desired[host]["labels"])
        argv = label_update_argv(node_id, add, remove)
        if argv:
            labels.append(argv)
        before[host] = {"role": by_id[node_id]["role"], "labels": current}
        after[host] = {"role": desired[host]["role"], "labels": labels_after(current, add, remove)}
        wanted = desired[host].get("availability")
        if wanted:
            before[host]["availability"] = by_id[node_id]["availability"]
            after[host]["availability"] = wanted
            if wanted != by_id[node_id]["availability"]:
                availability.append(availability_argv(node_id, wanted))
            if wanted == DRAIN:
                drained.append(node_id)
    for host in pending:
        before[host] = {"role": None, "labels": {}}
        after[host] = {"role": desired[host]["role"], "labels": desired[host]["labels"]}
        if desired[host].get("availability"):
            after[host]["availability"] = desired[host]["availability"]
    removals = [argv for i in removed for argv in removal_argvs(i)]
    for node_id in removed:
        entry = f"{by_id[node_id]['hostname']} ({node_id})"
        before[entry] = {"role": by_id[node_id]["role"], "status": by_id[node_id]["status"], "removed": False}
        after[entry] = {"role": None, "removed": True}
        if node_id in replaced:
            after[entry]["superseded_by"] = replaced[node_id]
    return {
        "argvs": [role_argv(i, "promote") for i in promoted]
        + labels
        + availability
        + demote
        + removals
        + demote_self,
        "drained": drained,
        "pending": pending,
        "going_down": going_down,
        "stepping_down": stepping_down,
        "promoted": promoted,
        "not_ready": [
            {"host": h, "hostname": by_id[i]["hostname"], "status": by_id[i]["status"]}
            for i, h in sorted(managed.items(), key=lambda item: item[1])
            if by_id[i]["status"] != READY
        ],
        "superseded": [
            {"node_id": i, "hostname": by_id[i]["hostname"], "role": by_id[i]["role"], "host": host}
            for i, host in sorted(replaced.items())
        ],
        "diff": {"before": before, "after": after},
    }


def reconcile_progress(failure: str, changes: dict | None) -> str:
    """What the node reconcile waits for: nodes not Ready, superseded entries not down (by NodeID),
    demotions still under way."""
    if changes is None:
        return f"nodes unreadable: {failure.splitlines()[0] if failure else 'no answer'}"
    parts = [f"{n['host']} {n['status'] or 'unknown'}" for n in changes["not_ready"]]
    parts += [f"{i[:12]} (superseded) not down yet" for i in changes["going_down"]]
    parts += [f"{h} still stepping down" for h in changes["stepping_down"]]
    return "waiting for " + shorten(parts) if parts else "settled"


def raft_progress(outside: list[dict]) -> str:
    """The promoted nodes that are not reachable managers yet."""
    names = [f"{n['hostname']} ({n.get('reachability') or 'not a raft member yet'})" for n in outside]
    return f"{len(names)} promoted node(s) not reachable managers yet: {shorten(names)}"

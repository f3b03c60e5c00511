"""Role, label, prune and superseded-entry decisions for nodes addressed by NodeID. Pure functions.

The project records the label keys it set in one label of its own (OWNED_LABEL), so a label
someone set by hand is never removed: only keys the project owns and no longer wants are.
A node that left the swarm (or was re-installed) and joined again gets a new NodeID; its old
entry stays in the node list as `down` until it is removed: superseded_entries() finds those.
"""

from __future__ import annotations

import re

from ansible_collections.mixedswarm.swarm.plugins.module_utils.definition_check import shown
from ansible_collections.mixedswarm.swarm.plugins.module_utils.windows_build import BUILD_LABEL

OWNED_LABEL = "mixedswarm.owned-labels"
OS_LABEL = "os"
MANAGER, WORKER = "manager", "worker"
# Node status values (moby api/types/swarm NodeState).
READY, DOWN = "ready", "down"

# Docker's guidance for label keys: lower-case alphanumerics, '.', '-' (and '_'), starting and
# ending with an alphanumeric; these namespaces are reserved for Docker itself.
_KEY_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$")
_RESERVED_PREFIXES = ("com.docker.", "io.docker.", "org.dockerproject.")


class UnsafeChange(ValueError):
    """A change that would break the swarm (quorum) or cannot be made."""


def label_value(value) -> str:
    """Inventory values as docker stores them: booleans lower-case, numbers as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def label_problems(labels) -> list[str]:
    """What is wrong with a host's swarm_labels, one message per problem (empty when valid)."""
    if labels is None:
        return []
    if not isinstance(labels, dict):
        return [f"swarm_labels must be a mapping of label key to value, got {shown(labels)}"]
    problems = []
    for key, value in labels.items():
        if not isinstance(key, str) or not _KEY_RE.match(key) or ".." in key or "--" in key:
            problems.append(
                f"swarm_labels key {key!r} is invalid: use lower-case letters, digits, '.', '-' or '_', "
                "starting and ending with a letter or digit"
            )
        elif key.startswith(_RESERVED_PREFIXES):
            problems.append(f"swarm_labels key {key!r} is in a namespace reserved for Docker")
        elif key in (OS_LABEL, BUILD_LABEL, OWNED_LABEL):
            problems.append(f"swarm_labels key {key!r} is set by the project itself; choose another key")
        if isinstance(value, dict | list | tuple | set) or value is None:
            problems.append(
                f"swarm_labels value of {key!r} must be a string, number or boolean, got {shown(value)}"
            )
        elif "\n" in label_value(value) or "\r" in label_value(value):
            problems.append(f"swarm_labels value of {key!r} must be one line")
    return problems


def desired_labels(os_type: str, labels: dict | None, os_build: str = "") -> dict:
    """`os=<OS the engine reports>`, `os.build=<its Windows build>` when known, plus the host's
    swarm_labels, all values as strings."""
    merged = {OS_LABEL: os_type, **({BUILD_LABEL: os_build} if os_build else {})}
    merged.update({k: label_value(v) for k, v in (labels or {}).items()})
    return merged


def owned_keys(current: dict) -> set[str]:
    return {k for k in (current.get(OWNED_LABEL) or "").split(",") if k}


def label_changes(current: dict, desired: dict) -> tuple[dict, list[str]]:
    """(labels to add or update, keys to remove) to go from `current` to `desired` on one node.

    Removes only keys the project owned before and no longer wants; keeps the ownership record
    in step with `desired`.
    """
    add = {k: v for k, v in desired.items() if current.get(k) != v}
    remove = sorted(k for k in owned_keys(current) - desired.keys() if k in current)
    record = ",".join(sorted(desired))
    if current.get(OWNED_LABEL) != record:
        add[OWNED_LABEL] = record
    return add, remove


def labels_after(current: dict, add: dict, remove: list[str]) -> dict:
    result = {k: v for k, v in current.items() if k not in remove}
    result.update(add)
    return result


def raft_member(node: dict) -> bool:
    """A manager in the raft member list. A manager entry without a manager status is not: after
    `swarm init --force-new-cluster` the old managers' entries keep the manager role but left raft,
    so they count for no quorum and cannot be demoted (`docker node rm --force` removes them as they are)."""
    return node["role"] == MANAGER and bool(node.get("reachability"))


def role_changes(nodes: list[dict], desired_roles: dict[str, str], joining_managers: int = 0) -> list[tuple]:
    """Quorum-safe (node_id, 'promote'|'demote') steps: every promotion first, then demotions.

    `nodes` are node_entry dicts of the swarm; `desired_roles` maps NodeID to role for the nodes
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
        if managers < 1 or reachable <= managers / 2:
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


def quorum_warning(manager_count: int) -> str | None:
    if manager_count and manager_count % 2 == 0:
        return (
            f"{manager_count} managers: an even number tolerates no more failures than {manager_count - 1}; "
            "use an odd number of managers in swarm_managers"
        )
    return None


def label_update_argv(node_id: str, add: dict, remove: list[str]) -> list[str] | None:
    """One `docker node update` for all label changes of a node; None when there are none."""
    if not add and not remove:
        return None
    argv = ["docker", "node", "update"]
    for key in remove:
        argv += ["--label-rm", key]
    for key, value in sorted(add.items()):
        argv += ["--label-add", f"{key}={value}"]
    return [*argv, node_id]


def role_argv(node_id: str, step: str) -> list[str]:
    return ["docker", "node", step, node_id]


def superseded_entries(
    nodes: list[dict], hostnames: dict[str, str], member_ids: set[str], outside: set[str] = frozenset()
) -> tuple[dict[str, str], list[str]]:
    """Entries left behind by inventory hosts that are, or are about to be, members under another NodeID.

    `nodes` are node_entry dicts; `hostnames` maps each inventory host that is or will be a member to
    the hostname its engine reports; `member_ids` are the NodeIDs inventory hosts have now; `outside`
    are the hosts not in the swarm now (about to join). An entry is superseded when it is no inventory
    host's NodeID, carries the hostname of exactly one inventory host, and is down, or belongs to a
    host whose engine says it is outside the swarm (it just left: the managers have not marked its old
    entry down yet; it is removed only once it is). Entries whose hostname matches no inventory host
    are not touched; a hostname several inventory hosts report is ambiguous, so its entries are kept
    with a warning. Returns ({old NodeID: host}, warnings).
    """
    hosts_by_name: dict[str, list[str]] = {}
    for host, name in hostnames.items():
        if name:
            hosts_by_name.setdefault(name, []).append(host)
    superseded, warnings = {}, []
    for node in nodes:
        hosts = hosts_by_name.get(node["hostname"], [])
        if node["id"] in member_ids or not hosts:
            continue
        if node["status"] != DOWN and not (len(hosts) == 1 and hosts[0] in outside):
            continue
        if len(hosts) > 1:
            warnings.append(
                f"node {node['hostname']} ({node['id']}) is down and hosts {', '.join(hosts)} all report its "
                "hostname, so it is kept; remove it by hand (docker node rm) once you know it is stale"
            )
            continue
        superseded[node["id"]] = hosts[0]
    return superseded, warnings


def removal_argvs(node_id: str) -> list[list[str]]:
    """Drain, then remove, a node gone from the inventory or superseded (managers are demoted
    before, by role_changes)."""
    return [
        ["docker", "node", "update", "--availability", "drain", node_id],
        ["docker", "node", "rm", "--force", node_id],
    ]


def superseded_now(
    by_id: dict[str, dict], superseded: dict[str, str], node_ids: dict
) -> tuple[dict[str, str], list[str]]:
    """Which planned superseded entries can go now ({old NodeID: host}), and which to wait for.

    An entry goes once it is down and the entry that replaces it (the host's NodeID, same hostname)
    is Ready; an entry not down yet (its node just left) is waited for. An entry that is gone or is
    an inventory host's NodeID again is left alone. A host without a node yet (check mode before its
    join) is a prediction.
    """
    removable, waiting = {}, []
    for old_id, host in superseded.items():
        old = by_id.get(old_id)
        if old is None or old_id in node_ids.values():
            continue
        new = by_id.get(node_ids.get(host) or "")
        if new is not None and new["hostname"] != old["hostname"]:
            continue
        if old["status"] != DOWN and new is not None:
            waiting.append(old_id)
        elif new is None or new["status"] == READY:
            removable[old_id] = host
    return removable, waiting


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
    still under way are `stepping_down`; `promoted` lists the NodeIDs the commands promote.
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
    labels, before, after = [], {}, {}
    for node_id, host in managed.items():
        current = by_id[node_id]["labels"]
        add, remove = label_changes(current, desired[host]["labels"])
        argv = label_update_argv(node_id, add, remove)
        if argv:
            labels.append(argv)
        before[host] = {"role": by_id[node_id]["role"], "labels": current}
        after[host] = {"role": desired[host]["role"], "labels": labels_after(current, add, remove)}
    for host in pending:
        before[host] = {"role": None, "labels": {}}
        after[host] = {"role": desired[host]["role"], "labels": desired[host]["labels"]}
    removals = [argv for i in removed for argv in removal_argvs(i)]
    for node_id in removed:
        entry = f"{by_id[node_id]['hostname']} ({node_id})"
        before[entry] = {"role": by_id[node_id]["role"], "status": by_id[node_id]["status"], "removed": False}
        after[entry] = {"role": None, "removed": True}
        if node_id in replaced:
            after[entry]["superseded_by"] = replaced[node_id]
    return {
        "argvs": [role_argv(i, "promote") for i in promoted] + labels + demote + removals + demote_self,
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

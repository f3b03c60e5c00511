"""Validate the inventory against what the nodes report, and decide how to form the swarm.

Runs once on the controller before any node changes. Every problem found is reported at once,
each naming the host, the field and the fix. Pure functions.
"""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils.swarm_address import (
    AddressError,
    choose_advertise_addr,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils.swarm_reconcile import (
    MANAGER,
    WORKER,
    UnsafeChange,
    desired_labels,
    label_problems,
    quorum_warning,
    role_changes,
    superseded_entries,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils.swarm_state import (
    ACTIVE,
    LOCKED,
    NEEDS_JOIN,
)


class PlanError(ValueError):
    """The inventory or the nodes' state does not allow a safe run; `problems` lists why."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _cluster_of(host: str, states: dict[str, dict]) -> str:
    """Which swarm an active node is in: a manager knows its ClusterID; a worker is found in a
    manager's node list or through the managers it reports."""
    state = states[host]
    if state["cluster_id"]:
        return state["cluster_id"]
    manager_ids = {}
    for other in states.values():
        if other.get("cluster_id"):
            manager_ids[other["node_id"]] = other["cluster_id"]
            for node in other.get("nodes", []):
                if node["id"] == state["node_id"]:
                    return other["cluster_id"]
    for remote in state["remote_managers"]:
        if remote["node_id"] in manager_ids:
            return manager_ids[remote["node_id"]]
    addrs = ", ".join(r["addr"] for r in state["remote_managers"]) or "unknown"
    return f"a swarm whose managers ({addrs}) are not in the inventory"


def _validate_groups(managers: list[str], workers: list[str]) -> list[str]:
    problems = [
        f"host {h}: in both swarm_managers and swarm_workers; keep it in exactly one of them"
        for h in managers
        if h in workers
    ]
    if not managers:
        problems.append("inventory: swarm_managers is empty; put at least one host (best 1, 3 or 5) in it")
    return problems


def _validate_host(host: str, role: str, spec: dict, unlock_key_given: bool, subnet: str | None):
    """(problems, warnings, advertise address) for one inventory host."""
    problems = [f"host {host}: {p}" for p in label_problems(spec.get("labels"))]
    state = spec.get("state")
    if state is None:
        if role == MANAGER:
            problems.append(
                f"host {host}: manager is unreachable; make it reachable or move it out of swarm_managers"
            )
            return problems, [], None
        return problems, [f"host {host}: worker is unreachable; it is left as it is this run"], None
    if state["state"] == "unavailable":
        problems.append(
            f"host {host}: the Docker Engine does not answer ({state['engine_error']}); "
            "install and start it (playbooks/engines.yml)"
        )
        return problems, [], None
    if state["state"] == LOCKED and not unlock_key_given:
        problems.append(
            f"host {host}: the swarm is locked (autolock); set swarm_unlock_key (vault) to unlock it"
        )
    try:
        addr = choose_advertise_addr(spec.get("facts") or {}, spec.get("advertise_addr"), subnet)
    except AddressError as exc:
        problems.append(f"host {host}: {exc}")
        addr = None
    return problems, [], addr


def plan_swarm(
    managers: list[str], workers: list[str], hosts: dict[str, dict], options: dict | None = None
) -> dict:
    """Decide init, token source, joins, unlocks, desired roles and labels, prune and superseded entries.

    `hosts` maps each inventory host to {"state": read_results(...) or None when unreachable,
    "labels": swarm_labels, "advertise_addr": swarm_advertise_addr, "facts": its facts}.
    `options`: unlock_key_given, prune_nodes, advertise_subnet. Raises PlanError.
    """
    options = options or {}
    problems = _validate_groups(managers, workers)
    order = managers + [w for w in workers if w not in managers]
    role_of = {h: MANAGER if h in managers else WORKER for h in order}
    warnings, addrs = [], {}
    for host in order:
        host_problems, host_warnings, addr = _validate_host(
            host,
            role_of[host],
            hosts.get(host, {}),
            bool(options.get("unlock_key_given")),
            options.get("advertise_subnet"),
        )
        problems += host_problems
        warnings += host_warnings
        if addr:
            addrs[host] = addr
    states = {h: hosts[h]["state"] for h in order if h in addrs}

    active = [h for h in order if h in states and states[h]["state"] == ACTIVE]
    clusters = {h: _cluster_of(h, states) for h in active}
    if len(set(clusters.values())) > 1:
        listing = "; ".join(f"{h} is in {c}" for h, c in clusters.items())
        problems.append(
            f"inventory nodes are in different swarms ({listing}); make every node leave all but one "
            "swarm by hand (docker swarm leave) or split the inventory"
        )
    members = [h for h in order if h in states and states[h]["state"] in (ACTIVE, LOCKED)]
    init_host = None if members else next((h for h in managers if h in states), None)
    token_host = init_host or next((h for h in active if states[h]["is_manager"]), None)
    joins = {
        h: {"role": role_of[h], "advertise_addr": addrs[h], "recover": states[h]["state"] != "inactive"}
        for h in order
        if h in states and h != init_host and states[h]["state"] in NEEDS_JOIN
    }
    if (joins or members) and not token_host and not problems:
        problems.append(
            "no reachable manager of the swarm is in the inventory; put one of its managers in swarm_managers"
        )
    manager_host = init_host or next(
        (h for h in managers if h in active and states[h]["is_manager"]), token_host
    )

    nodes = states[token_host].get("nodes", []) if token_host and not init_host else []
    inventory_ids = {states[h]["node_id"]: h for h in members if states[h]["node_id"]}
    known_ids = {n["id"] for n in nodes}
    roles_by_id = {i: role_of[h] for i, h in inventory_ids.items() if i in known_ids}
    # Every readable host is a member by the end of the run, so its hostname claims its old entries.
    superseded, superseded_warnings = superseded_entries(
        nodes, {h: states[h]["hostname"] for h in states}, set(inventory_ids)
    )
    warnings += superseded_warnings
    roles_by_id.update({i: WORKER for i in superseded})
    gone = [n for n in nodes if n["id"] not in inventory_ids and n["id"] not in superseded]
    prune = bool(options.get("prune_nodes"))
    if prune:
        roles_by_id.update({n["id"]: WORKER for n in gone})
        unreachable = [h for h in order if h not in states]
        if unreachable:
            problems.append(
                f"swarm_prune_nodes is true but {', '.join(unreachable)} cannot be read, so its node cannot be "
                "told apart from nodes gone from the inventory; make it reachable or run without pruning"
            )
    elif gone:
        listing = ", ".join(f"{n['hostname']} ({n['id']}, {n['status']})" for n in gone)
        warnings.append(
            f"nodes not in the inventory are kept: {listing}; set swarm_prune_nodes=true to remove them"
        )
    try:
        role_steps = role_changes(nodes, roles_by_id, sum(1 for j in joins.values() if j["role"] == MANAGER))
    except UnsafeChange as exc:
        problems.append(f"roles: {exc}")
        role_steps = []
    if problems:
        raise PlanError(problems)

    warning = quorum_warning(len(managers))
    if warning:
        warnings.append(warning)
    return {
        "init_host": init_host,
        "token_host": token_host,
        "manager_host": manager_host,
        "cluster_id": next(iter(clusters.values()), None),
        "unlock": [h for h in members if states[h]["state"] == LOCKED],
        "joins": joins,
        "advertise_addrs": addrs,
        "desired": {
            h: {"role": role_of[h], "labels": desired_labels(states[h]["os_type"], hosts[h].get("labels"))}
            for h in states
        },
        "role_steps": [{"node_id": i, "step": s} for i, s in role_steps],
        "prune": [n["id"] for n in gone] if prune else [],
        "superseded": superseded,
        "warnings": warnings,
    }

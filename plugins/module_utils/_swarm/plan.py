"""Validate the inventory against what the nodes report, and decide how to form the swarm.

Runs once on the controller before any node changes. Every problem found is reported at once,
each naming the host, the field and the fix. Pure functions.
"""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.windows_build import version_build
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.address import (
    AddressError,
    choose_advertise_addr,
    host_addresses,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.labels import (
    desired_labels,
    label_problems,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import (
    ACTIVE,
    LOCKED,
    MANAGER,
    NEEDS_JOIN,
    WORKER,
    local_state,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.quorum import (
    UnsafeChange,
    quorum_warning,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.roles import role_changes
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.settings import (
    fixed_differences,
    init_flags,
    wanted_settings,
    windows_problems,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.superseded import superseded_entries

# The swarm of inventory managers that are all locked: its ClusterID is unknown until they are unlocked.
LOCKED_SWARM = "the swarm of the locked managers"


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
    # A locked manager knows neither its NodeID nor its ClusterID, only its address (an IPv6 one bare,
    # where a worker reports [address]:port).
    locked_addrs = {other["node_addr"] for other in states.values() if other["state"] == LOCKED}
    if any(
        remote["addr"].rsplit(":", 1)[0].strip("[]") in locked_addrs for remote in state["remote_managers"]
    ):
        return LOCKED_SWARM
    addrs = ", ".join(r["addr"] for r in state["remote_managers"]) or "unknown"
    return f"a swarm whose managers ({addrs}) are not in the inventory"


def _gathered(spec: dict) -> dict:
    """The facts Ansible gathered for the host ({} when none were)."""
    return (spec.get("facts") or {}).get("ansible_facts") or {}


def _read_network(spec: dict) -> dict:
    """The addresses the host's node read found (swarm_node_info's `network`; {} on Windows)."""
    return (spec.get("state") or {}).get("network") or {}


def _engine_to_come(host: str, spec: dict) -> tuple[dict, str]:
    """Check mode before the engines stage installed anything: the host is planned as a node with a
    new engine (not in a swarm), of the OS its facts report."""
    os_type = "windows" if _gathered(spec).get("os_family") == "Windows" else "linux"
    # The addresses the read found stay: without facts they are all the planner has.
    state = {**local_state({"OSType": os_type}), "nodes": [], "network": _read_network(spec)}
    return state, (
        f"host {host}: no Docker Engine answers yet ({spec['state']['engine_error']}); "
        f"planned as a new {os_type} node (check mode)"
    )


def _host_facts(spec: dict) -> dict:
    """The host's facts with the addresses its node read found: fresher than gathered facts, and
    on Linux all the swarm stage has when it gathered none."""
    return {"ansible_facts": {**_gathered(spec), **_read_network(spec)}}


def _addresses(spec: dict) -> set[str]:
    """Addresses an inventory host is known by (to recognise its swarm node when it cannot be read)."""
    found = {**_gathered(spec), **_read_network(spec)}.get("all_ipv4_addresses") or []
    known = {spec.get("advertise_addr"), spec.get("ansible_host"), *found}
    return {a for a in known if a}


def _kept_nodes_warnings(gone: list[dict], unread: dict[str, dict]) -> list[str]:
    """Warnings for swarm nodes no readable inventory host claims: those whose address belongs to an
    inventory host that could not be read are that host's node; only the rest are not in the inventory."""
    warnings, foreign = [], []
    for node in gone:
        owner = next(
            (h for h, spec in unread.items() if node["addr"] and node["addr"] in _addresses(spec)), None
        )
        if owner:
            warnings.append(
                f"host {owner}: its swarm node {node['hostname']} ({node['id']}) is {node['status'] or 'unknown'}; "
                "it is kept as it is until the host can be read again"
            )
        else:
            foreign.append(node)
    if foreign:
        listing = ", ".join(f"{n['hostname']} ({n['id']}, {n['status']})" for n in foreign)
        warnings.append(
            f"nodes not in the inventory are kept: {listing}; set swarm_prune_nodes=true to remove them"
        )
    return warnings


def _validate_groups(managers: list[str], workers: list[str]) -> list[str]:
    problems = [
        f"host {h}: in both swarm_managers and swarm_workers; keep it in exactly one of them"
        for h in managers
        if h in workers
    ]
    if not managers:
        problems.append("inventory: swarm_managers is empty; put at least one host (best 1, 3 or 5) in it")
    return problems


def _validate_host(host: str, role: str, spec: dict, subnet: str | None):
    """(problems, warnings, advertise address) for one inventory host."""
    problems = [f"host {host}: {p}" for p in label_problems(spec.get("labels"))]
    state = spec.get("state")
    if state is None:
        if spec.get("failed_earlier"):
            # It answered earlier in this run, then a task of its own failed: that error is the cause.
            if role == MANAGER:
                problems.append(
                    f"host {host}: manager failed earlier in this run (its error is above); fix that and run again"
                )
                return problems, [], None
            return (
                problems,
                [f"host {host}: worker failed earlier in this run; it is left as it is this run"],
                None,
            )
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
    try:
        addr = choose_advertise_addr(
            _host_facts(spec), spec.get("advertise_addr"), subnet, spec.get("ansible_host")
        )
    except AddressError as exc:
        problems.append(f"host {host}: {exc}")
        addr = None
    return problems, [], addr


def _availability(role: str, wanted: dict) -> dict:
    """{"availability": ...} when the node's availability is managed: managers follow
    swarm_manager_availability; otherwise {} (left as it is)."""
    managed = role == MANAGER and wanted.get("manager_availability")
    return {"availability": wanted["manager_availability"]} if managed else {}


def _plan_settings(options: dict, hosts: dict, states: dict, order: list, workers: list, created: bool):
    """(problems, warnings, settings plan) for the swarm's own settings and each host's data path address.

    `created`: whether the swarm exists already (else the run initializes it with the settings fixed
    at init). The settings plan holds the wanted settings (settings.wanted_settings), the init flags,
    and per host the data path address its init or join gets."""
    wanted, problems = wanted_settings(options.get("settings") or {})
    warnings = []
    windows = {h: states[h].get("os_build") or "" for h in states if states[h]["os_type"] == "windows"}
    problems += windows_problems(wanted, windows)
    current = next((s["settings"] for s in states.values() if s.get("settings")), {})
    if wanted.get("autolock") and not current.get("autolock") and not options.get("unlock_key_file"):
        problems.append(
            "variable swarm_autolock: turning autolock on needs swarm_unlock_key_file, the path on the controller "
            "where the run writes the unlock key (mode 0600); set it, or leave swarm_autolock unset"
        )
    if wanted.get("manager_availability") == "drain" and not workers:
        problems.append(
            "variable swarm_manager_availability: drain leaves no node for tasks, as swarm_workers is empty; "
            "add workers or set it to active"
        )
    if created and current:
        warnings += fixed_differences(wanted, current)
    data_path = {}
    for host in order:
        addr = (hosts.get(host) or {}).get("data_path_addr")
        if not addr or host not in states:
            continue
        known = host_addresses(_host_facts(hosts[host]))
        if known and addr not in known:
            problems.append(
                f"host {host}: swarm_data_path_addr {addr!r} is not an address of this host; valid: {', '.join(known)}"
            )
        elif states[host]["state"] in (ACTIVE, LOCKED):
            warnings.append(
                f"host {host}: swarm_data_path_addr applies when a node joins; the engine does not report the "
                "address a member uses, so it is not checked (to change it, the node leaves and joins again)"
            )
        data_path[host] = addr
    return (
        problems,
        warnings,
        {"wanted": wanted, "init_flags": init_flags(wanted), "data_path_addrs": data_path},
    )


def plan_swarm(
    managers: list[str], workers: list[str], hosts: dict[str, dict], options: dict | None = None
) -> dict:
    """Decide init, token source, joins, unlocks, desired roles and labels, prune and superseded entries.

    `hosts` maps each inventory host to {"state": node_read(...) or None when unreachable (or failed
    earlier in the run: then "failed_earlier" is true),
    "labels": swarm_labels, "advertise_addr": swarm_advertise_addr, "ansible_host": its address,
    "azure_os_version": the Windows version Azure reports, "facts": its facts}.
    Optional per host: "data_path_addr" (swarm_data_path_addr).
    `options`: unlock_key_given, prune_nodes, advertise_subnet, check_mode (a host whose engine
    does not answer is then planned as a new node), settings (each swarm_<setting> or None, see
    settings.OPTIONS), unlock_key_file (where autolock's key is written). Raises PlanError.
    """
    options = options or {}
    problems = _validate_groups(managers, workers)
    order = managers + [w for w in workers if w not in managers]
    role_of = {h: MANAGER if h in managers else WORKER for h in order}
    warnings, addrs, stopped = [], {}, []
    if options.get("check_mode"):
        hosts = dict(hosts)
        for host in order:
            state = hosts.get(host, {}).get("state") or {}
            if state.get("engine_stopped"):
                # A member's engine the engines stage would start: what it holds is known only then.
                stopped.append(host)
                warnings.append(
                    f"host {host}: its engine is stopped; the run would start it and read its swarm state "
                    "then (check mode leaves it stopped, so this plan leaves the host out)"
                )
            elif state.get("state") == "unavailable":
                state, warning = _engine_to_come(host, hosts[host])
                hosts[host] = {**hosts[host], "state": state}
                warnings.append(warning)
    for host in (h for h in order if h not in stopped):
        host_problems, host_warnings, addr = _validate_host(
            host,
            role_of[host],
            hosts.get(host, {}),
            options.get("advertise_subnet"),
        )
        problems += host_problems
        warnings += host_warnings
        if addr:
            addrs[host] = addr
    states = {h: hosts[h]["state"] for h in order if h in addrs}
    locked = [h for h in order if h in states and states[h]["state"] == LOCKED]
    if locked and not options.get("unlock_key_given"):
        # One line however many managers restarted locked.
        problems.append(
            f"{'host' if len(locked) == 1 else 'hosts'} {', '.join(locked)}: the swarm is locked (autolock); "
            "set swarm_unlock_key (vault) to unlock it"
        )

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
    settings_problems, settings_warnings, settings = _plan_settings(
        options, hosts, states, order, workers, bool(members)
    )
    problems += settings_problems
    warnings += settings_warnings
    # A locked manager is unlocked before tokens are read or roles reconciled, so it can serve.
    token_host = (
        init_host or next((h for h in active if states[h]["is_manager"]), None) or next(iter(locked), None)
    )
    joins = {
        h: {
            "role": role_of[h],
            "advertise_addr": addrs[h],
            "recover": states[h]["state"] != "inactive",
            **(
                {"data_path_addr": settings["data_path_addrs"][h]} if h in settings["data_path_addrs"] else {}
            ),
        }
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
        nodes, {h: states[h]["hostname"] for h in states}, set(inventory_ids), set(joins)
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
        warnings += _kept_nodes_warnings(gone, {h: hosts.get(h, {}) for h in order if h not in states})
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
        "cluster_id": next((c for c in clusters.values() if c != LOCKED_SWARM), None),
        "unlock": locked,
        "joins": joins,
        "advertise_addrs": addrs,
        "manager_addrs": sorted(
            {states[h]["node_addr"] for h in active if states[h]["is_manager"] and states[h]["node_addr"]}
        ),
        "settings": settings,
        "desired": {
            h: {
                "role": role_of[h],
                **_availability(role_of[h], settings["wanted"]),
                "labels": desired_labels(
                    states[h]["os_type"],
                    hosts[h].get("labels"),
                    # The engine's answer; before one, the build the Azure VM agent reports.
                    states[h].get("os_build") or version_build(hosts[h].get("azure_os_version")),
                ),
            }
            for h in states
        },
        "role_steps": [{"node_id": i, "step": s} for i, s in role_steps],
        "prune": [n["id"] for n in gone] if prune else [],
        "superseded": superseded,
        "warnings": warnings,
    }

"""Decide how the engines stage changes the engines of nodes that are already in a swarm.

An engine restart, reinstall or upgrade on a swarm member kills its tasks and, on a manager,
takes a vote away from the control plane. So such changes roll: workers in batches, then the
managers one at a time while the others keep quorum, the leader last. Nodes not in a swarm yet
(a first run) and nodes whose engine does not change are handled in place, in parallel.
A backup stops one manager's engine too: backup_source picks which, by the same rules. Pure functions.
"""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils.swarm_reconcile import MANAGER
from ansible_collections.mixedswarm.swarm.plugins.module_utils.swarm_state import ACTIVE

# Groups the engines stage puts each host in (group_by key engine_<phase>).
IN_PLACE, ROLL_WORKERS, ROLL_MANAGERS, ROLL_LEADER = (
    "in_place",
    "roll_workers",
    "roll_managers",
    "roll_leader",
)
ROLL_ORDER = (ROLL_WORKERS, ROLL_MANAGERS, ROLL_LEADER)
# Node label a drain sets to the availability to give back, and the restore removes: a roll that
# stopped halfway is finished by the next run, which gives the node its availability back.
ROLL_LABEL = "mixedswarm.roll-availability"


class RollRefused(ValueError):
    """The engines cannot be changed safely; `problems` lists why, one line per host."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def quorum(manager_count: int) -> int:
    return manager_count // 2 + 1


def manager_up(node: dict) -> bool:
    return node["status"] == "ready" and node["reachability"] == "reachable"


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


def _node_list(states: dict[str, dict]) -> list[dict]:
    """The swarm's node list as an active manager of the inventory reads it (the leader's when read)."""
    lists = [
        s.get("nodes") or []
        for s in states.values()
        if s and s.get("state") == ACTIVE and s.get("is_manager")
    ]
    return max(lists, key=lambda nodes: any(n["leader"] for n in nodes), default=[])


def plan_engine_roll(hosts: dict[str, dict], batch) -> dict:
    """Which hosts change in place and which roll, in which order, controlled from which manager.

    `hosts` maps each inventory host (in inventory order) to {"state": swarm_node_info's state or
    None, "changes": why its engine would restart (empty: it would not)}. `batch` is
    swarm_rolling_batch. Raises RollRefused naming every problem before anything changes.
    """
    problems = []
    if isinstance(batch, bool) or not str(batch).isdigit() or int(batch) < 1:
        problems.append(f"swarm_rolling_batch={batch!r} is not valid; use a whole number of at least 1")
    states = {h: spec.get("state") or {} for h, spec in hosts.items()}
    nodes = _node_list(states)
    by_id = {n["id"]: n for n in nodes}
    host_of = {s["node_id"]: h for h, s in states.items() if s.get("node_id")}

    phase, reasons, node_ids = {}, {}, {}
    for host, spec in hosts.items():
        state, changes = states[host], list(spec.get("changes") or [])
        reasons[host] = changes
        if not changes or state.get("state") != ACTIVE:
            phase[host] = IN_PLACE
            continue
        node = by_id.get(state["node_id"])
        if node is None:
            problems.append(
                f"host {host}: its engine would restart ({'; '.join(changes)}) but no manager of its swarm "
                "in this run answers, so it cannot be drained first; include a manager in the run (--limit) "
                "or make one reachable"
            )
            continue
        node_ids[host] = node["id"]
        if node["role"] != MANAGER:
            phase[host] = ROLL_WORKERS
            continue
        phase[host] = ROLL_LEADER if node["leader"] else ROLL_MANAGERS
        problem = manager_stop_problem(node["id"], nodes)
        if problem:
            problems.append(f"host {host}: {problem}")
    if problems:
        raise RollRefused(problems)

    managers_up = [
        host_of[n["id"]] for n in nodes if n["role"] == MANAGER and manager_up(n) and n["id"] in host_of
    ]
    leader = next((host_of[n["id"]] for n in nodes if n["leader"] and n["id"] in host_of), None)
    control = {}
    for host in node_ids:
        # The leader stays up until last, so it controls the others; the leader is rolled from another.
        others = [m for m in managers_up if m != host]
        control[host] = leader if leader and leader != host else (others[0] if others else host)
    order = [h for p in ROLL_ORDER for h in hosts if phase.get(h) == p]
    rolled = set(node_ids.values())
    interrupted = [n["id"] for n in nodes if ROLL_LABEL in n.get("labels", {}) and n["id"] not in rolled]
    return {
        "phase": phase,
        "order": order,
        "reasons": {h: reasons[h] for h in order},
        "node_ids": node_ids,
        "control": control,
        "batch": int(batch),
        # Nodes an earlier roll drained and did not give back; the stage restores them at its end.
        "interrupted": interrupted,
        # Hosts whose swarm read still holds after the stage: their engine answered and does not
        # change, and no node rolls or is given back. The swarm stage reuses their read.
        "unchanged": [
            h for h in hosts if states[h].get("state") not in (None, "unavailable") and not reasons[h]
        ]
        if not (order or interrupted)
        else [],
        "resume_from": leader or next(iter(managers_up), None),
    }


def roll_summary(plan: dict, check_mode: bool = False) -> str:
    """One line per rolled host in roll order, with why; then what changes in place."""
    if not plan["order"]:
        return "no engine of a swarm member changes: every engine is handled in place"
    verb = "would roll" if check_mode else "rolls"
    lines = [f"{verb} node by node (workers {plan['batch']} at a time, then managers, the leader last):"]
    for index, host in enumerate(plan["order"], 1):
        what = plan["phase"][host].removeprefix("roll_").rstrip("s")
        lines.append(f"  {index}. {host} ({what}): {'; '.join(plan['reasons'][host])}")
    return "\n".join(lines)


def backup_source(states: dict[str, dict]) -> str:
    """The manager host a backup stops: a Ready non-leader when there is one, else the leader.

    `states` maps manager hosts (inventory order) to swarm_node_info's state. Raises RollRefused.
    """
    nodes = _node_list(states)
    by_id = {n["id"]: n for n in nodes}
    candidates = [
        (host, by_id[s["node_id"]])
        for host, s in states.items()
        if s and s.get("state") == ACTIVE and s.get("is_manager") and s.get("node_id") in by_id
    ]
    if not candidates:
        raise RollRefused(
            ["no manager in swarm_managers answers as an active swarm manager; nothing to back up from"]
        )
    ranked = sorted(candidates, key=lambda c: (c[1]["leader"], not manager_up(c[1])))
    host, node = ranked[0]
    problem = manager_stop_problem(node["id"], nodes)
    if problem:
        raise RollRefused([f"host {host}: {problem}"])
    return host


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


def availability_before_roll(node: dict) -> str:
    """What a node had before a roll drained it: the label an interrupted roll left, else what it has now."""
    return node.get("labels", {}).get(ROLL_LABEL) or node["availability"]


def back_in_service(node: dict | None) -> bool:
    """A rolled node is back: Ready, and for a manager reachable (or leader) again."""
    if not node or node["status"] != "ready":
        return False
    return node["role"] != MANAGER or node["reachability"] == "reachable"

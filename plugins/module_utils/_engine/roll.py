"""Decide how the engines stage changes the engines of nodes that are already in a swarm.

An engine restart, reinstall or upgrade on a swarm member kills its tasks and, on a manager,
takes a vote away from the control plane. So such changes roll: workers in batches, then the
managers one at a time while the others keep quorum, the leader last. Nodes not in a swarm yet
(a first run) and nodes whose engine does not change are handled in place, in parallel. Pure functions.
"""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.drain import ROLL_LABEL
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import (
    ACTIVE,
    MANAGER,
    managers_node_list,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.quorum import (
    manager_stop_problem,
    manager_up,
)

# Groups the engines stage puts each host in (group_by key engine_<phase>). ROLL_RESUME: a node an
# interrupted roll left drained whose engine still changes; it is out of service already, so it is
# finished first, alone, before any other node is drained.
IN_PLACE, ROLL_RESUME, ROLL_WORKERS, ROLL_MANAGERS, ROLL_LEADER = (
    "in_place",
    "roll_resume",
    "roll_workers",
    "roll_managers",
    "roll_leader",
)
ROLL_ORDER = (ROLL_RESUME, ROLL_WORKERS, ROLL_MANAGERS, ROLL_LEADER)


class RollRefused(ValueError):
    """The engines cannot be changed safely; `problems` lists why, one line per host."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


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
    nodes = managers_node_list(states)
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
        if ROLL_LABEL in node.get("labels", {}):
            phase[host] = ROLL_RESUME
        elif node["role"] != MANAGER:
            phase[host] = ROLL_WORKERS
        else:
            phase[host] = ROLL_LEADER if node["leader"] else ROLL_MANAGERS
        problem = manager_stop_problem(node["id"], nodes) if node["role"] == MANAGER else None
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
        # Nodes an earlier roll drained and did not give back, and whose engine does not change
        # now: the stage gives them back before it drains any other node.
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
        if what == "resume":
            what = "left drained by an interrupted roll, finished first"
        lines.append(f"  {index}. {host} ({what}): {'; '.join(plan['reasons'][host])}")
    return "\n".join(lines)

"""Placement: constraint and preference syntax, and which OS a service is pinned to.

In a swarm of Linux and Windows nodes every service must be pinned to one OS, otherwise the
scheduler may place a task on a node whose OS cannot run its image. Pure functions.
"""

from __future__ import annotations

import re

OS_NAMES = ("linux", "windows")
# Constraint keys that pin a service to one OS; either counts as an explicit OS choice.
OS_CONSTRAINT_KEYS = ("node.platform.os", "node.labels.os")

_CONSTRAINT_RE = re.compile(
    r"^\s*(node\.(?:id|hostname|role|platform\.os|platform\.arch|labels\.[A-Za-z0-9_.-]+)"
    r"|engine\.labels\.[A-Za-z0-9_.-]+)\s*(==|!=)\s*(\S(?:.*\S)?)\s*$"
)
_PREFERENCE_RE = re.compile(r"^\s*spread\s*=\s*((?:node|engine)\.labels\.[A-Za-z0-9_.-]+)\s*$")


def normalise_constraint(text: str) -> str:
    """'node.role == manager' -> 'node.role==manager'; ValueError when it is not a constraint."""
    match = _CONSTRAINT_RE.match(str(text)) if isinstance(text, str) else None
    if not match:
        raise ValueError(
            "a constraint KEY==VALUE or KEY!=VALUE with KEY one of node.id, node.hostname, node.role, "
            "node.platform.os, node.platform.arch, node.labels.NAME, engine.labels.NAME"
        )
    key, operator, value = match.groups()
    return f"{key}{operator}{value}"


def normalise_preference(text: str) -> str:
    """'spread = node.labels.zone' -> 'spread=node.labels.zone'."""
    match = _PREFERENCE_RE.match(str(text)) if isinstance(text, str) else None
    if not match:
        raise ValueError("a placement preference spread=node.labels.NAME")
    return f"spread={match.group(1)}"


def os_constraint(os_name: str) -> str:
    """The placement constraint that keeps a service on nodes of one OS.

    node.platform.os is reported by every engine itself, so it needs no node label.
    """
    return f"node.platform.os=={os_name}"


def constraint_os(constraint: str) -> str | None:
    """The OS an (already normalised) constraint pins to, None when it does not pin one."""
    for key in OS_CONSTRAINT_KEYS:
        if constraint.startswith(key + "=="):
            return constraint[len(key) + 2 :].lower()
    return None


def has_os_constraint(constraints: list[str]) -> bool:
    return any(c.split("==")[0].split("!=")[0] in OS_CONSTRAINT_KEYS for c in constraints)


def mixed_os_problem(node_os: set[str], how: str) -> str | None:
    """Why a service without an OS choice is refused in a swarm of more than one OS (None if not).

    how: what the user adds to choose the OS, e.g. "os: linux or os: windows".
    """
    if len(node_os) < 2:
        return None
    return (
        f"the swarm has {' and '.join(sorted(node_os))} nodes; set {how} (or a node.platform.os / "
        "node.labels.os constraint). Without it the scheduler may place a task on a node of the other "
        "OS, where the image cannot run and the task is rejected and retried forever ('No such image')."
    )


# Placement predicted before anything is created: a service whose tasks the scheduler could not
# place stays behind at 0/1 or 3/4 ("no suitable node"), so such a definition is refused with the
# field that makes it impossible. The rules are those of swarmkit's scheduler filters
# (manager/scheduler/filter.go: ReadyFilter, ResourceFilter, ConstraintFilter, HostPortFilter,
# MaxReplicasFilter): a task goes only to a Ready node whose availability is active, whose
# constraints all hold (values compared case-insensitively, manager/constraint/constraint.go: a
# `!=` on a missing label holds), that has the reserved CPUs and memory, that publishes none of
# the task's host-mode ports already, and that runs fewer than max_replicas_per_node of its tasks.
# engine.labels are not in the node listing: such constraints are not predicted. Reservations are
# compared with each node's whole capacity (other services' reservations are not subtracted), so
# the prediction refuses only what could never be placed.


def constraint_holds(node: dict, constraint: str) -> bool | None:
    """Whether a normalised constraint holds on a node (node_read.node_from_inspect); None when
    the node listing cannot tell (engine.labels)."""
    operator = "==" if "==" in constraint else "!="
    key, value = constraint.split(operator, 1)
    if key.startswith("node.labels."):
        label = key[len("node.labels.") :]
        have = [node["labels"][label]] if label in node.get("labels", {}) else []
    else:
        field = {
            "node.id": "id",
            "node.hostname": "hostname",
            "node.role": "role",
            "node.platform.os": "os",
            "node.platform.arch": "architecture",
        }.get(key)
        if field is None:
            return None
        have = [str(node.get(field, ""))]
    equal = any(v.lower() == value.lower() for v in have)
    return equal if operator == "==" else not equal


def placement_problems(spec: dict, nodes: list[dict], host_ports: dict[str, dict]) -> list[tuple[str, str]]:
    """(field, message) when the scheduler could not place every task of `spec` (definition's
    normalised spec) on `nodes`. `host_ports` maps a node's hostname to {(published, protocol):
    service name} of host-mode ports its running tasks publish now."""
    if spec.get("state", "present") != "present" or not nodes:
        return []
    replicated = spec["mode"] != "global"
    wanted = spec["replicas"] if replicated else None
    if replicated and not wanted:
        return []
    ready = [n for n in nodes if n["availability"] == "active" and n["status"] == "ready"]
    eligible = [n for n in ready if all(constraint_holds(n, c) is not False for c in spec["constraints"])]
    if not eligible:
        field = (
            "os"
            if all(constraint_os(c) for c in spec["constraints"]) and spec["constraints"]
            else "constraints"
        )
        return [
            (
                field,
                f"no Ready, active node of the {len(ready)} satisfies "
                f"{' and '.join(spec['constraints']) or 'the placement'}, so no task could be placed; give a node "
                "the label (swarm_labels) or change the constraint",
            )
        ]
    problems = []
    reserved = spec.get("reservations") or {}
    cpus, memory = reserved.get("cpus", 0), reserved.get("memory", 0)
    per_node = {}
    for node in eligible:
        fit = float("inf")
        if cpus:
            fit = min(fit, node.get("nano_cpus", 0) // cpus)
        if memory:
            fit = min(fit, node.get("memory_bytes", 0) // memory)
        per_node[node["hostname"]] = fit
    fitting = [n for n in eligible if per_node[n["hostname"]] >= 1]
    if (cpus or memory) and (not fitting or (not replicated and len(fitting) < len(eligible))):
        short = len(eligible) - len(fitting)
        problems.append(
            (
                "reservations",
                f"reserves {cpus / 1e9:g} CPUs and {memory} bytes of memory per task, more than {short} of the "
                f"{len(eligible)} eligible nodes {'has' if short == 1 else 'have'} in all; a task is never placed there",
            )
        )
    for port in (p for p in spec.get("ports", []) if p["mode"] == "host"):
        key = (port["published"], port["protocol"])
        taken = {
            n["hostname"]: host_ports.get(n["hostname"], {})[key]
            for n in eligible
            if host_ports.get(n["hostname"], {}).get(key, spec["name"]) != spec["name"]
        }
        free = len(eligible) - len(taken)
        if (replicated and free < wanted) or (not replicated and taken):
            need = (
                f"{wanted} replicas need {wanted} (one task per node can publish it)"
                if replicated
                else "a global service needs it on every one"
            )
            where = ", ".join(f"{h} (service {s})" for h, s in sorted(taken.items()))
            problems.append(
                (
                    "publish",
                    f"host-mode port {key[0]}/{key[1]} is free on {free} of the {len(eligible)} eligible nodes"
                    f"{f' (already published on {where})' if where else ''}; {need}",
                )
            )
        for hostname in taken:
            per_node[hostname] = 0
        for node in eligible:
            per_node[node["hostname"]] = min(per_node[node["hostname"]], 1)
    limit = spec.get("max_replicas_per_node") or 0
    if replicated and limit and len(eligible) * limit < wanted:
        problems.append(
            (
                "max_replicas_per_node",
                f"{limit} per node on {len(eligible)} eligible node(s) places at most {len(eligible) * limit} of "
                f"{wanted} replicas",
            )
        )
    if replicated and not problems:
        room = sum(min(per_node[n["hostname"]], limit or float("inf")) for n in eligible)
        if room < wanted:
            problems.append(
                (
                    "replicas",
                    f"the eligible nodes ({', '.join(n['hostname'] for n in eligible)}) can take {int(room)} of "
                    f"{wanted} replicas with these reservations, host ports and per-node limit",
                )
            )
    return problems


_TASK_PORT_RE = re.compile(r":(\d+)->\d+/(tcp|udp|sctp)")


def host_ports_by_node(tasks: list[dict]) -> dict[str, dict]:
    """{hostname: {(published, protocol): service}} from `docker service ps` JSON lines of the tasks
    meant to run: only host-mode ports show in a task's Ports column ("*:8080->80/tcp")."""
    found: dict[str, dict] = {}
    for task in tasks:
        if task.get("DesiredState") != "Running" or not task.get("Node"):
            continue
        service = str(task.get("Name", "")).rsplit(".", 1)[0]
        for published, protocol in _TASK_PORT_RE.findall(str(task.get("Ports", ""))):
            found.setdefault(task["Node"], {})[(int(published), protocol)] = service
    return found

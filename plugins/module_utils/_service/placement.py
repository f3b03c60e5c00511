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

"""Node labels the inventory asks for, and the changes that bring a node there.

The project records the label keys it set in one label of its own (OWNED_LABEL), so a label
someone set by hand is never removed: only keys the project owns and no longer wants are.
Pure functions.
"""

from __future__ import annotations

import re

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import shown
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.scalars import scalar_text
from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.windows_build import BUILD_LABEL

OWNED_LABEL = "mixedswarm.owned-labels"
OS_LABEL = "os"


# Docker's guidance for label keys: lower-case alphanumerics, '.', '-' (and '_'), starting and
# ending with an alphanumeric; these namespaces are reserved for Docker itself.
_KEY_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$")
_RESERVED_PREFIXES = ("com.docker.", "io.docker.", "org.dockerproject.")


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
        elif "\n" in scalar_text(value) or "\r" in scalar_text(value):
            problems.append(f"swarm_labels value of {key!r} must be one line")
    return problems


def desired_labels(os_type: str, labels: dict | None, os_build: str = "") -> dict:
    """`os=<OS the engine reports>`, `os.build=<its Windows build>` when known, plus the host's
    swarm_labels, all values as strings."""
    merged = {OS_LABEL: os_type, **({BUILD_LABEL: os_build} if os_build else {})}
    merged.update({k: scalar_text(v) for k, v in (labels or {}).items()})
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

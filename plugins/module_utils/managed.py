"""What the project owns on a swarm, and the form of one planned step on it.

Every service, network and stack service the project creates carries MANAGED_LABEL, so a run
never touches objects someone else created. Pure functions.
"""

from __future__ import annotations

MANAGED_LABEL = "mixedswarm.managed"
MANAGED_VALUE = "true"


def is_managed(labels: dict | None) -> bool:
    return (labels or {}).get(MANAGED_LABEL) == MANAGED_VALUE


def plan_action(name: str, action: str, argv, before, after, fields=()) -> dict:
    """One planned step: action is create, update, remove or none; argv is the docker command."""
    return {
        "name": name,
        "action": action,
        "argv": argv,
        "before": before,
        "after": after,
        "fields": list(fields),
    }

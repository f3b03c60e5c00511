"""The form of one planned step on a swarm object (create, update, remove or none),
shared by the network, service and stack plans and their diffs.
"""

from __future__ import annotations


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

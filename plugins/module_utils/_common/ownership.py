"""What the project owns on a swarm.

Every service, network and stack service the project creates carries MANAGED_LABEL, so a run
never touches objects someone else created. Pure functions.
"""

from __future__ import annotations

MANAGED_LABEL = "mixedswarm.managed"
MANAGED_VALUE = "true"


def is_managed(labels: dict | None) -> bool:
    return (labels or {}).get(MANAGED_LABEL) == MANAGED_VALUE

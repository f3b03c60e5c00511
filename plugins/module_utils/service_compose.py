"""Prepare a compose file for `docker stack deploy`: OS placement, ownership and a change marker.

Each compose service may carry `x-os: linux|windows` (a compose extension key, ignored by other
tools). It is replaced by the placement constraint node.platform.os==OS under deploy.placement.
In a swarm with nodes of more than one OS, a service with neither x-os nor an explicit OS
constraint is refused, for the same reason as a plain service (service_definition). Every
service gets the project's ownership label and a hash of the prepared file, so an unchanged
stack is recognised without redeploying it. Pure functions, no Ansible.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re

from ansible_collections.mixedswarm.swarm.plugins.module_utils.definition_check import DefinitionErrors
from ansible_collections.mixedswarm.swarm.plugins.module_utils.managed import MANAGED_LABEL, MANAGED_VALUE
from ansible_collections.mixedswarm.swarm.plugins.module_utils.service_placement import (
    OS_NAMES,
    has_os_constraint,
    normalise_constraint,
    os_constraint,
)

OS_KEY = "x-os"
HASH_LABEL = "mixedswarm.stack-hash"
STACK_NAMESPACE_LABEL = "com.docker.stack.namespace"
_STACK_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _labels_dict(labels) -> dict:
    """Compose labels may be a dict or a list of KEY=VALUE."""
    if isinstance(labels, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in labels)
    return dict(labels or {})


def prepare_compose(stack: str, compose: dict, node_os: set[str]) -> tuple[dict, str, DefinitionErrors]:
    """The compose document to deploy, its hash, and the problems found.

    The input is not modified. The hash covers the prepared document before the hash label
    itself is added, so equal inputs give equal hashes.
    """
    errors = DefinitionErrors()
    if not isinstance(stack, str) or not _STACK_NAME_RE.match(stack):
        errors.add(
            "stack",
            str(stack),
            "name",
            "lowercase letters, digits, '_' and '-', starting with a letter or digit",
        )
    if (
        not isinstance(compose, dict)
        or not isinstance(compose.get("services"), dict)
        or not compose["services"]
    ):
        errors.add("stack", str(stack), "services", "the compose file needs a non-empty 'services' mapping")
        return {}, "", errors
    prepared = copy.deepcopy(compose)
    prepared.setdefault("version", "3.8")
    if not str(prepared["version"]).startswith("3"):
        errors.add(
            "stack",
            stack,
            "version",
            f"{prepared['version']!r}; docker stack deploy needs compose format 3.x",
        )
    for service_name, service in prepared["services"].items():
        where = f"{stack}/{service_name}"
        if not isinstance(service, dict):
            errors.add("stack service", where, "definition", "must be a mapping")
            continue
        os_name = service.pop(OS_KEY, None)
        deploy = service.setdefault("deploy", {})
        placement = deploy.setdefault("placement", {})
        constraints = []
        for item in placement.get("constraints") or []:
            try:
                constraints.append(normalise_constraint(item))
            except ValueError as exc:
                errors.add(
                    "stack service", where, "deploy.placement.constraints", f"{item!r} is not valid: {exc}"
                )
        if os_name is not None:
            if os_name not in OS_NAMES:
                errors.add("stack service", where, OS_KEY, f"{os_name!r}; valid: {', '.join(OS_NAMES)}")
            elif os_constraint(os_name) not in constraints:
                constraints.append(os_constraint(os_name))
        elif len(node_os) > 1 and not has_os_constraint(constraints):
            errors.add(
                "stack service",
                where,
                OS_KEY,
                f"the swarm has {' and '.join(sorted(node_os))} nodes; add {OS_KEY}: linux or {OS_KEY}: windows "
                "(or a node.platform.os constraint), otherwise a task may land on a node of the other OS and be "
                "rejected forever ('No such image')",
            )
        if constraints:
            placement["constraints"] = constraints
        elif not placement:
            del deploy["placement"]
        labels = _labels_dict(deploy.get("labels"))
        labels[MANAGED_LABEL] = MANAGED_VALUE
        deploy["labels"] = labels
    digest = hashlib.sha256(json.dumps(prepared, sort_keys=True, default=str).encode()).hexdigest()[:16]
    for service in prepared["services"].values():
        if isinstance(service, dict):
            service["deploy"]["labels"][HASH_LABEL] = digest
    return prepared, digest, errors


def stack_service_names(stack: str, compose: dict) -> list[str]:
    """The swarm service names `docker stack deploy` gives the compose services."""
    return sorted(f"{stack}_{name}" for name in compose.get("services", {}))


def stack_is_current(stack: str, prepared: dict, digest: str, services: dict[str, dict]) -> bool:
    """True when exactly the stack's services exist and all carry this hash.

    services: `docker service inspect` documents of the services in the stack namespace, by name.
    """
    wanted = stack_service_names(stack, prepared)
    return sorted(services) == wanted and all(
        (doc.get("Spec", {}).get("Labels") or {}).get(HASH_LABEL) == digest for doc in services.values()
    )


def unmanaged_services(services: dict[str, dict]) -> list[str]:
    return sorted(
        name
        for name, doc in services.items()
        if (doc.get("Spec", {}).get("Labels") or {}).get(MANAGED_LABEL) != MANAGED_VALUE
    )

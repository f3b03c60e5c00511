"""Prepare a compose file for `docker stack deploy`: OS placement, ownership and a change marker.

Each compose service may carry `x-os: linux|windows` (a compose extension key, ignored by other
tools). It is replaced by the placement constraint node.platform.os==OS under deploy.placement.
In a swarm with nodes of more than one OS, a service with neither x-os nor an explicit OS
constraint is refused, for the same reason as a plain service (placement.py). Every
service gets the project's ownership label and a hash of the prepared file, so an unchanged
stack is recognised without redeploying it. Pure functions, no Ansible.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import OutputOf
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.ownership import (
    MANAGED_LABEL,
    MANAGED_VALUE,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import (
    DefinitionErrors,
    closest,
    shown,
    typed_values,
    unknown_key_problems,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.windows_build import (
    build_problems_and_constraint,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.fields import image_digest_problem
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.jobs import MODES
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.options import STACK_OPTIONS
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.placement import (
    OS_NAMES,
    has_os_constraint,
    mixed_os_problem,
    normalise_constraint,
    os_constraint,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.units import resources

OS_KEY = "x-os"
WINDOWS_BUILD_KEY = "x-windows-build"
# Keys of a compose service's deploy section that `docker stack deploy` uses (compose format 3.x).
DEPLOY_KEYS = (
    "endpoint_mode",
    "labels",
    "mode",
    "placement",
    "replicas",
    "resources",
    "restart_policy",
    "rollback_config",
    "update_config",
)
DEPLOY_MODES = MODES  # replicated, global and the job modes (docker stack deploy takes them all)
PLACEMENT_KEYS = ("constraints", "preferences", "max_replicas_per_node")
RESOURCE_SECTIONS = ("limits", "reservations")
HASH_LABEL = "mixedswarm.stack-hash"
STACK_NAMESPACE_LABEL = "com.docker.stack.namespace"
_STACK_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def stack_entry_problems(entries) -> list[str]:
    """What is wrong with the swarm_stacks entries themselves, before any compose file is read."""
    if not isinstance(entries, list):
        return [
            f"swarm_stacks must be a list of stacks (name, state, definition or src), got {shown(entries)}"
        ]
    errors = DefinitionErrors()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            errors.append(f"swarm_stacks[{index}] must be a mapping, got {shown(entry)}")
            continue
        name = str(entry.get("name", f"swarm_stacks[{index}]"))
        values = typed_values(entry, STACK_OPTIONS, functools.partial(errors.add, "stack", name))
        if "definition" in entry and "src" in entry:
            errors.add(
                "stack",
                name,
                "definition",
                "give either definition (inline) or src (a template file), not both",
            )
        elif values.get("state", "present") == "present" and not ({"definition", "src"} & set(entry)):
            errors.add(
                "stack",
                name,
                "definition",
                "a present stack needs definition (inline) or src (a template file)",
            )
    return list(errors)


def _deploy_problems(where: str, deploy, errors: DefinitionErrors) -> None:
    """Checks of a compose service's deploy section that `docker stack deploy` would only make after
    the networks and services steps already ran."""

    def fail(field, message):
        errors.add("stack service", where, f"deploy.{field}" if field else "deploy", message)

    if not isinstance(deploy, dict):
        fail("", f"must be a mapping, got {shown(deploy)}")
        return
    for key, message in unknown_key_problems(deploy, DEPLOY_KEYS):
        fail(key, message)
    replicas = deploy.get("replicas")
    if replicas is not None and (isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0):
        fail("replicas", f"must be an integer >= 0, got {shown(replicas)}")
    mode = deploy.get("mode")
    if mode is not None and mode not in DEPLOY_MODES:
        fail("mode", f"{shown(mode)}; valid: {', '.join(DEPLOY_MODES)}{closest(mode, DEPLOY_MODES)}")
    placement = deploy.get("placement", {})
    if not isinstance(placement, dict):
        fail("placement", f"must be a mapping, got {shown(placement)}")
    else:
        for key, message in unknown_key_problems(placement, PLACEMENT_KEYS):
            fail(f"placement.{key}", message)
    sections = deploy.get("resources", {})
    if not isinstance(sections, dict):
        fail("resources", f"must be a mapping of limits and reservations, got {shown(sections)}")
        return
    for key, message in unknown_key_problems(sections, RESOURCE_SECTIONS):
        fail(f"resources.{key}", message)
    for section in RESOURCE_SECTIONS:
        if section in sections:
            resources(
                sections[section],
                f"deploy.resources.{section}",
                lambda f, m: errors.add("stack service", where, f, m),
            )


def _labels_dict(labels) -> dict:
    """Compose labels may be a dict or a list of KEY=VALUE."""
    if isinstance(labels, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in labels)
    return dict(labels or {})


def prepare_compose(
    stack: str, compose: dict, node_os: set[str], windows_builds: set[str] | None = None
) -> tuple[dict, str, DefinitionErrors]:
    """The compose document to deploy, its hash, and the problems found.

    windows_builds: the builds of the Windows nodes; a Windows service's image tag is checked
    against them, and `x-windows-build: match` constrains it to the nodes of its build.

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
    mixed = mixed_os_problem(node_os, f"{OS_KEY}: linux or {OS_KEY}: windows")
    for service_name, service in prepared["services"].items():
        where = f"{stack}/{service_name}"
        if not isinstance(service, dict):
            errors.add("stack service", where, "definition", "must be a mapping")
            continue
        os_name = service.pop(OS_KEY, None)
        windows_build = service.pop(WINDOWS_BUILD_KEY, None)
        # Checked here: docker stack deploy would refuse a bad digest only after the networks and services steps.
        image = service.get("image")
        if isinstance(image, str) and (problem := image_digest_problem(image)):
            errors.add("stack service", where, "image", problem)
        deploy = service.setdefault("deploy", {})
        _deploy_problems(where, deploy, errors)
        if not isinstance(deploy, dict) or not isinstance(deploy.get("placement", {}), dict):
            continue
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
        elif mixed and not has_os_constraint(constraints):
            errors.add("stack service", where, OS_KEY, mixed)
        if windows_build not in (None, "match"):
            errors.add(
                "stack service",
                where,
                WINDOWS_BUILD_KEY,
                f"{shown(windows_build)}; valid: match (or leave it out)",
            )
        elif os_name == "windows" or "node.platform.os==windows" in constraints:
            problems, build_constraints = build_problems_and_constraint(
                str(service.get("image", "")),
                windows_build == "match",
                windows_builds or set(),
                str(service.get("isolation") or "default"),
            )
            for problem in problems:
                errors.add("stack service", where, WINDOWS_BUILD_KEY if windows_build else "image", problem)
            constraints += [c for c in build_constraints if c not in constraints]
        if constraints:
            placement["constraints"] = constraints
        elif not placement:
            del deploy["placement"]
        labels = _labels_dict(deploy.get("labels"))
        labels[MANAGED_LABEL] = MANAGED_VALUE
        deploy["labels"] = labels
    digest = hashlib.sha256(json.dumps(prepared, sort_keys=True, default=str).encode()).hexdigest()[:16]
    for service in prepared["services"].values():
        if isinstance(service, dict) and isinstance(service.get("deploy", {}).get("labels"), dict):
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


def deploy_argv(stack: str, compose_path: str, prune: bool, with_registry_auth: bool) -> list[str]:
    """`docker stack deploy` of the compose file the plugin wrote on the manager."""
    argv = ["docker", "stack", "deploy", "--compose-file", compose_path]
    argv += ["--prune"] if prune else []
    argv += ["--with-registry-auth"] if with_registry_auth else []
    return [*argv, stack]


def stack_services_invocations(stack: str) -> list[list[str]]:
    """The stack's services and their task IDs (the baseline for new failures)."""
    ids = ["docker", "service", "ls", "--quiet", "--filter", f"label={STACK_NAMESPACE_LABEL}={stack}"]
    return [
        ["docker", "service", "inspect", "--format", "{{json .}}", OutputOf(ids)],
        ["docker", "service", "ps", "--quiet", "--no-trunc", OutputOf(ids)],
    ]

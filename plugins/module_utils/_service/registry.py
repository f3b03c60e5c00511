"""Private registry credentials (swarm_registry_auth): checks, `docker login` and its answer.

The manager that deploys logs in to each registry with the password on stdin
(`docker login --password-stdin`); services and stacks are then created and updated with
`--with-registry-auth`, which sends that login to the nodes that pull. A failed login becomes one
line naming the registry and user, never the password. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import Invocation
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import (
    DefinitionErrors,
    shown,
    typed_values,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.options import REGISTRY_OPTIONS

# A registry host with an optional port, as an image reference names it (no scheme, no path).
_REGISTRY_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?$")


def check_registries(entries) -> tuple[list[dict], DefinitionErrors]:
    """Typed entries and the problems of each ("registry 'NAME', field 'FIELD': ...")."""
    errors = DefinitionErrors()
    if not isinstance(entries, list):
        errors.append(f"swarm_registry_auth must be a list of registry credentials, got {shown(entries)}")
        return [], errors
    checked, seen = [], set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            errors.append(f"every swarm_registry_auth entry must be a mapping, got {type(entry).__name__}")
            continue
        label = str(entry.get("registry") or f"#{index}")
        start = len(errors)

        def fail(field, message, label=label):
            errors.add("registry", label, field, message)

        values = typed_values(entry, REGISTRY_OPTIONS, fail)
        registry = values.get("registry")
        if not isinstance(registry, str) or not _REGISTRY_RE.match(registry):
            fail(
                "registry",
                "required: a registry host and optional port, such as myregistry.azurecr.io or reg:5000",
            )
        elif registry in seen:
            fail("registry", "listed more than once")
        for key in ("username", "password"):
            if not values.get(key):
                fail(key, "required and not empty")
        if len(errors) == start:
            seen.add(registry)
            checked.append(values)
    return checked, errors


def login_invocation(entry: dict) -> Invocation:
    """`docker login` with the password on stdin (docker strips one trailing line end)."""
    return Invocation(
        ["docker", "login", "--username", entry["username"], "--password-stdin", entry["registry"]],
        stdin=entry["password"],
    )


def login_problem(entry: dict, text: str) -> str:
    """The one line a failed login reports: the registry, the user and docker's first line."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "no answer")
    return (
        f"registry {entry['registry']!r}: login as {entry['username']!r} failed, nothing was changed: {first}"
    )

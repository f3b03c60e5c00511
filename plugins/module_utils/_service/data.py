"""Swarm secrets and configs from inventory variables (swarm_secrets, swarm_configs), versioned.

A definition names a logical secret or config and where its content comes from (a controller
file, an inline value, a template); the action plugin loads the content, and everything else is
decided here. The swarm object is named LOGICAL-HASH (the first 12 hex digits of the content's
sha256) and labelled with the project's ownership label, the logical name and the whole hash, so
an unchanged run compares labels and never reads content back (the engine does not return a
secret's data anyway), and a changed content is a new object that services roll to; the old
version is removed once no service refers to it. This is community.docker's `rolling_versions`
idea (docker_secret, docker_config) with a content hash in place of a counter, so the version is
known before anything is read. Objects the project did not create are never touched, whatever
their name. Pure functions.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import Invocation, OutputOf
from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.quoting import ps_literal
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.ownership import (
    MANAGED_LABEL,
    MANAGED_VALUE,
    is_managed,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import (
    DefinitionCheck,
    DefinitionErrors,
    shown,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.steps import plan_action
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.options import DATA_OPTIONS

KINDS = ("secret", "config")
NAME_LABEL = "mixedswarm.data.name"
HASH_LABEL = "mixedswarm.data.hash"
SOURCES = ("file", "data", "template")
HASH_DIGITS = 12
# What services refer to: one ContainerSpec document per service (none, and a failure, without services).
CONTAINER_SPECS = [
    "docker",
    "service",
    "inspect",
    "--format",
    "{{json .Spec.TaskTemplate.ContainerSpec}}",
    OutputOf(["docker", "service", "ls", "--quiet"]),
]
# The engine accepts names of at most 64 characters (swarmkit's validateConfigOrSecretAnnotations);
# the version suffix takes 13 of them.
_NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,49}[A-Za-z0-9])?$")
_NAME_RULE = "letters, digits, '_', '.', '-', starting and ending with a letter or digit, at most 51"


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def version_name(name: str, digest: str) -> str:
    """The swarm object's name for this content: LOGICAL-<first 12 hex digits of its sha256>."""
    return f"{name}-{digest[:HASH_DIGITS]}"


def check_definitions(kind: str, definitions, errors: DefinitionErrors) -> list[dict]:
    """Each definition as {name, state, source, origin}: source is which of file, data or template
    gives the content and origin its value. Exactly one source is required when present."""
    if not isinstance(definitions, list):
        errors.append(f"swarm_{kind}s must be a list of {kind} definitions, got {shown(definitions)}")
        return []
    checked, seen = [], set()
    for definition in definitions:
        if not isinstance(definition, Mapping):
            errors.append(f"every {kind} definition must be a mapping, got {shown(definition)}")
            continue
        check = DefinitionCheck(kind, definition, DATA_OPTIONS, _NAME_RE, _NAME_RULE, errors)
        if check.name_ok:
            if check.name in seen:
                check.fail("name", f"declared more than once; {kind} names must be unique")
            seen.add(check.name)
        given = [key for key in SOURCES if check.values.get(key) is not None]
        if check.state == "present" and len(given) != 1:
            check.fail(
                "file" if not given else given[1],
                f"give exactly one of file (a controller file), data (an inline value, vault-encrypted or "
                f"not) or template (a Jinja2 file rendered on the controller); got {', '.join(given) or 'none'}",
            )
        if not check.failed:
            source = given[0] if given else None
            checked.append(
                {
                    "name": check.name,
                    "state": check.state,
                    "source": source,
                    "origin": check.values.get(source) if source else None,
                }
            )
    return checked


def labels_of(listed: Mapping) -> dict:
    """The labels of a `docker secret ls` / `docker config ls --format '{{json .}}'` line: a mapping,
    or the CLI's "k=v,k=v" text."""
    labels = listed.get("Labels") or {}
    if isinstance(labels, Mapping):
        return dict(labels)
    pairs = [item.split("=", 1) for item in str(labels).split(",") if item]
    return {pair[0]: pair[1] if len(pair) > 1 else "" for pair in pairs}


def create_invocation(kind: str, name: str, digest: str, content: bytes) -> Invocation:
    """`docker secret|config create` with the content on stdin, byte for byte (`-` reads stdin)."""
    argv = [
        "docker",
        kind,
        "create",
        "--label",
        f"{MANAGED_LABEL}={MANAGED_VALUE}",
        "--label",
        f"{NAME_LABEL}={name}",
        "--label",
        f"{HASH_LABEL}={digest}",
        version_name(name, digest),
        "-",
    ]
    return Invocation(argv, stdin=content.decode("utf-8"), exact=True)


def _shown(name: str, digest: str | None, version: str) -> dict:
    return {"name": name, "version": version, "sha256": digest}


def plan_data(
    kind: str, wanted: list[dict], existing: list[Mapping], in_use: set[str]
) -> tuple[list[dict], list[str], dict[str, str]]:
    """What to do for each declared secret or config of this kind.

    wanted: {name, state, digest, content} (digest and content for present ones); existing: the
    `ls` lines of this kind; in_use: names and IDs of this kind that some service refers to.
    Returns (actions, errors, versions): versions maps each present logical name to its object's
    name. A managed version that is not the current one is removed unless a service still refers
    to it (then it is kept, as action "none", and removed by a later run).
    """
    actions, errors, versions = [], [], {}
    by_name = {item.get("Name"): item for item in existing}
    for entry in wanted:
        name = entry["name"]
        current = version_name(name, entry["digest"]) if entry["state"] == "present" else None
        if current:
            versions[name] = current
            found = by_name.get(current)
            labels = labels_of(found) if found else {}
            if found is None:
                argv = create_invocation(kind, name, entry["digest"], entry["content"])
                actions.append(
                    plan_action(current, "create", argv, None, _shown(name, entry["digest"], current))
                )
            elif not is_managed(labels) or labels.get(HASH_LABEL) != entry["digest"]:
                errors.append(
                    f"{kind} {name!r}, field 'name': a {kind} named {current!r} exists but was not created by this "
                    f"project for this content (labels {MANAGED_LABEL}, {HASH_LABEL}), so it is left alone; "
                    f"remove it or rename the {kind}"
                )
            else:
                actions.append(plan_action(current, "none", None, None, None))
        for item in existing:
            labels = labels_of(item)
            if not is_managed(labels) or labels.get(NAME_LABEL) != name or item.get("Name") == current:
                continue
            before = _shown(name, labels.get(HASH_LABEL), item["Name"])
            if item["Name"] in in_use or item.get("ID") in in_use:
                actions.append(plan_action(item["Name"], "none", None, before, None, ["in use"]))
            else:
                actions.append(
                    plan_action(item["Name"], "remove", ["docker", kind, "rm", item["Name"]], before, None)
                )
    return actions, errors, versions


def referenced(container_specs: list) -> dict[str, set[str]]:
    """Names and IDs of the secrets and configs that services refer to, from their
    `.Spec.TaskTemplate.ContainerSpec` documents."""
    used: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for spec in container_specs:
        if not isinstance(spec, Mapping):
            continue
        for kind, key in (("secret", "Secrets"), ("config", "Configs")):
            for ref in spec.get(key) or []:
                prefix = "Secret" if kind == "secret" else "Config"
                used[kind].update(v for v in (ref.get(f"{prefix}Name"), ref.get(f"{prefix}ID")) if v)
    return used


def stack_data_files(stack: str, compose) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The top-level secrets and configs of a compose document that come from a `file:` on the
    controller, as (kind, key, path); `external` ones and those with `environment` or `content` are
    left to the engine. Returns (files, problems)."""
    files, problems = [], []
    if not isinstance(compose, Mapping):
        return files, problems
    for kind in KINDS:
        section = compose.get(f"{kind}s") or {}
        if not isinstance(section, Mapping):
            problems.append(
                f"stack {stack!r}, field '{kind}s': must be a mapping of names, got {shown(section)}"
            )
            continue
        for key, entry in section.items():
            if not isinstance(entry, Mapping):
                problems.append(
                    f"stack {stack!r}, field '{kind}s.{key}': must be a mapping, got {shown(entry)}"
                )
            elif entry.get("file") is not None and entry.get("external"):
                problems.append(f"stack {stack!r}, field '{kind}s.{key}': give file or external, not both")
            elif entry.get("file") is not None:
                files.append((kind, str(key), str(entry["file"])))
    return files, problems


def ship_stack_data(stack: str, compose: dict, contents: dict) -> tuple[dict, dict[str, bytes]]:
    """The compose document with each controller file replaced by one shipped next to the compose
    file on the manager, and those files (file name -> content).

    contents: (kind, key) -> bytes. Each such secret or config is named STACK_KEY-HASH (unless the
    document names it), so a new content is a new version the stack's services roll to, as with
    swarm_secrets; the relative file name keeps the stack's hash independent of where it is shipped.
    """
    if not contents:
        return compose, {}
    shipped, files = dict(compose), {}
    for kind in KINDS:
        if not any(key[0] == kind for key in contents):
            continue
        section = {key: dict(entry) for key, entry in compose[f"{kind}s"].items()}
        for (entry_kind, key), content in contents.items():
            if entry_kind != kind:
                continue
            name = f"{stack}-{kind}-{key}"
            digest = content_hash(content)
            section[key]["file"] = f"./{name}"
            section[key].setdefault("name", version_name(f"{stack}_{key}", digest))
            labels = dict(section[key].get("labels") or {})
            labels.update({MANAGED_LABEL: MANAGED_VALUE, NAME_LABEL: f"{stack}_{key}", HASH_LABEL: digest})
            section[key]["labels"] = labels
            files[name] = content
        shipped[f"{kind}s"] = section
    return shipped, files


# Where the engine puts a secret or config whose target is relative (docs.docker.com/engine/swarm/secrets/
# and /configs/: /run/secrets and / on Linux, C:\ProgramData\Docker\secrets and \configs on Windows).
_DATA_DIRS = {
    ("secret", "linux"): "/run/secrets/",
    ("config", "linux"): "/",
    ("secret", "windows"): "C:\\ProgramData\\Docker\\secrets\\",
    ("config", "windows"): "C:\\ProgramData\\Docker\\configs\\",
}


def task_path(kind: str, target: str, os_name: str) -> str:
    """The path a task sees a secret or config at."""
    absolute = target.startswith("/") or (len(target) > 2 and target[1] == ":") or target.startswith("\\")
    return target if absolute else _DATA_DIRS[(kind, os_name)] + target


def data_check_plans(
    names: list[str], services: dict, tasks: dict, nodes: dict, listings: dict, probe_nodes: set[str] | None
) -> tuple[list[dict], list[str]]:
    """For each named service that uses project-managed secrets or configs: a node running one of its
    tasks and, per file, the path the task sees and the sha256 the controller labelled the version
    with. Returns (plans, skipped reasons). listings: kind -> `ls` lines."""
    hashes = {
        kind: {
            d.get("Name"): labels_of(d).get(HASH_LABEL)
            for d in listings.get(kind, [])
            if is_managed(labels_of(d))
        }
        for kind in KINDS
    }
    plans, skipped = [], []
    for name in names:
        container = services.get(name, {}).get("Spec", {}).get("TaskTemplate", {}).get("ContainerSpec", {})
        refs = [
            (kind, ref.get(f"{prefix}Name"), (ref.get("File") or {}).get("Name", ""))
            for kind, prefix in (("secret", "Secret"), ("config", "Config"))
            for ref in container.get(f"{prefix}s") or []
        ]
        refs = [(kind, source, target) for kind, source, target in refs if hashes[kind].get(source)]
        if not refs:
            continue
        running = [
            t["NodeID"]
            for t in tasks.get(name, [])
            if t.get("DesiredState") == "running"
            and t.get("Status", {}).get("State") == "running"
            and (probe_nodes is None or t.get("NodeID") in probe_nodes)
        ]
        if not running:
            skipped.append(f"{name}: no running task on a node of the inventory")
            continue
        node = nodes.get(running[0], {})
        os_name = node.get("os") or "linux"
        plans.append(
            {
                "service": name,
                "node_id": running[0],
                "hostname": node.get("hostname", running[0]),
                "os": os_name,
                "files": [
                    {"path": task_path(kind, target, os_name), "sha256": hashes[kind][source]}
                    for kind, source, target in refs
                ],
            }
        )
    return plans, skipped


def hash_invocation(container: str, paths: list[str], os_name: str) -> list[str]:
    """`docker exec` that prints the sha256 of each file (never the content): sha256sum on Linux,
    Get-FileHash in the container's PowerShell on Windows."""
    if os_name == "windows":
        script = "; ".join(
            f"(Get-FileHash -Algorithm SHA256 -LiteralPath {ps_literal(p)}).Hash" for p in paths
        )
        return ["docker", "exec", container, "powershell", "-NoProfile", "-Command", script]
    return ["docker", "exec", container, "sha256sum", *paths]


def judge_hashes(files: list[dict], text: str) -> list[str]:
    """Problems, one per file whose hash in the task differs from the controller's (or is missing)."""
    seen = [line.split()[0].lower() for line in text.splitlines() if line.strip()]
    problems = []
    for index, item in enumerate(files):
        if index >= len(seen) or seen[index] != item["sha256"]:
            problems.append(
                f"{item['path']}: the task does not hold what the controller sent (sha256 differs)"
            )
    return problems

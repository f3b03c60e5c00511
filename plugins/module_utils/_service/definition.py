"""Turn the service definitions a user declares into the comparable spec (fields.py).

A definition is what a user writes in inventory variables (see docs/services.md). Its keys are
first typed by their argument spec (options.SERVICE_OPTIONS) as Ansible types module
options; then each field has its own small check that fills the spec and reports problems under
the field's full path ("service 'api', field 'update_config.delay': ..."); all problems of all
definitions are collected before anything is applied. Pure functions.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.ownership import (
    MANAGED_LABEL,
    MANAGED_VALUE,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import (
    DefinitionCheck,
    DefinitionErrors,
    shown,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.scalars import scalar_text
from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.windows_build import (
    build_problems_and_constraint,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.fields import (
    UPDATE_DEFAULTS,
    image_digest_problem,
    normalise_image,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.jobs import counted, is_job
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.options import SERVICE_OPTIONS
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.placement import (
    constraint_os,
    has_os_constraint,
    mixed_os_problem,
    normalise_constraint,
    normalise_preference,
    os_constraint,
    placement_problems,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.ports import parse_port, port_sort_key
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.task_options import (
    check_task_options,
    os_problems,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.units import (
    DURATION_RULE,
    parse_duration,
    resources,
)

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_NAME_RULE = "letters, digits, '_', '.', '-', starting with a letter or digit, at most 63"
SCALAR_RULE = "a string, number or boolean (quote structured text to pass it as a string)"


def scalar_map(value, field: str, fail) -> dict[str, str]:
    """A mapping of strings from a mapping of scalars or a list of KEY=VALUE strings."""
    if value is None:
        return {}
    pairs = {}
    if isinstance(value, list):
        for index, item in enumerate(value):
            if not isinstance(item, str) or "=" not in item:
                fail(f"{field}[{index}]", f"must be a string KEY=VALUE, got {shown(item)}")
                continue
            key, text = item.split("=", 1)
            pairs[key] = text
        return pairs
    if not isinstance(value, Mapping):
        fail(field, f"a mapping of NAME: value (or a list of NAME=VALUE), got {shown(value)}")
        return pairs
    for key, item in value.items():
        text = scalar_text(item)
        if text is None:
            fail(f"{field}.{key}", f"must be {SCALAR_RULE}, got {shown(item)}")
        else:
            pairs[str(key)] = text
    return pairs


def _image(definition, spec, fail):
    image = definition.get("image")
    if not isinstance(image, str) or not image.strip() or any(c.isspace() for c in image):
        fail("image", "required: an image reference such as nginx:1.27 or registry:5000/app:1")
    elif problem := image_digest_problem(image):
        fail("image", problem)
    else:
        spec["image"] = normalise_image(image, keep_digest=True)


def _os(definition, spec, fail):
    spec["os"] = definition.get("os")
    spec["windows_build"] = definition.get("windows_build") == "match"


def check_job_keys(definition, spec, fail):
    """Keys that only some modes have: max_concurrent (replicated jobs), rolling updates (not jobs)."""
    spec["max_concurrent"] = None
    max_concurrent = definition.get("max_concurrent")
    if max_concurrent is not None and spec["mode"] != "replicated-job":
        fail("max_concurrent", "applies to mode replicated-job only")
    elif max_concurrent is not None and max_concurrent < 1:
        fail("max_concurrent", f"must be an integer >= 1, got {shown(max_concurrent)}")
    if is_job(spec["mode"]):
        for key in ("update_config", "rollback_config"):
            if definition.get(key):
                fail(
                    key,
                    f"a {spec['mode']} runs its tasks to completion and has no rolling updates; remove {key}",
                )


def _mode_and_replicas(definition, spec, fail):
    spec["mode"] = definition.get("mode", "replicated")
    replicas = definition.get("replicas")
    check_job_keys(definition, spec, fail)
    if not counted(spec["mode"]):
        if replicas is not None:
            fail(
                "replicas",
                f"a {spec['mode']} service runs one task per eligible node; remove replicas or use mode "
                f"{spec['mode'].replace('global', 'replicated')}",
            )
        spec["replicas"] = None
    elif replicas is None:
        spec["replicas"] = 1
    elif isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
        fail("replicas", f"must be an integer >= 0, got {shown(replicas)}")
    else:
        spec["replicas"] = replicas
    if spec["mode"] == "replicated-job":
        spec["max_concurrent"] = definition.get("max_concurrent") or spec.get("replicas")


def _command(definition, spec, fail):
    for key, target in (("command", "args"), ("entrypoint", "entrypoint")):
        value = definition.get(key)
        if value is None:
            spec[target] = []
        elif isinstance(value, str):
            spec[target] = shlex.split(value)
        elif isinstance(value, list) and all(scalar_text(v) is not None for v in value):
            spec[target] = [scalar_text(v) for v in value]
        else:
            fail(key, f"a list of arguments or a command line string, got {shown(value)}")


def _env_and_labels(definition, spec, fail):
    spec["env"] = scalar_map(definition.get("env"), "env", fail)
    spec["labels"] = scalar_map(definition.get("labels"), "labels", fail)
    spec["labels"][MANAGED_LABEL] = MANAGED_VALUE


def _endpoint_and_ports(definition, spec, fail):
    routing_mesh = definition.get("routing_mesh", True)
    spec["endpoint_mode"] = definition.get("endpoint_mode") or ("vip" if routing_mesh else "dnsrr")
    publish_mode = definition.get("publish_mode") or ("ingress" if routing_mesh else "host")
    ports, seen = [], set()
    for index, item in enumerate(definition.get("publish") or []):
        try:
            port = parse_port(item, publish_mode)
        except ValueError as exc:
            fail(f"publish[{index}]", str(exc))
            continue
        key = (port["published"], port["protocol"])
        if key in seen:
            fail(
                f"publish[{index}]", f"published port {port['published']}/{port['protocol']} is listed twice"
            )
        seen.add(key)
        ports.append(port)
    spec["ports"] = sorted(ports, key=port_sort_key)
    if spec["endpoint_mode"] == "dnsrr" and any(p["mode"] == "ingress" for p in ports):
        fail(
            "publish",
            "endpoint_mode dnsrr cannot publish through the ingress routing mesh (the engine refuses it); "
            "set mode: host on the ports or publish_mode: host",
        )


def _networks(definition, spec, fail):
    networks = definition.get("networks") or []
    if not all(networks):
        fail("networks", f"a list of network names, got {shown(networks)}")
        networks = []
    if "ingress" in networks:
        fail(
            "networks",
            "'ingress' is the routing mesh, not a network to attach; declare a user-defined overlay",
        )
    spec["networks"] = sorted(set(networks))


def _placement(definition, spec, fail):
    normalised = []
    for index, item in enumerate(definition.get("constraints") or []):
        try:
            normalised.append(normalise_constraint(item))
        except ValueError as exc:
            fail(f"constraints[{index}]", f"{shown(item)} is not valid: {exc}")
    pinned = {constraint_os(c) for c in normalised} - {None}
    if spec["os"]:
        if pinned - {spec["os"]}:
            fail("os", f"os {spec['os']} contradicts constraint(s) pinning {', '.join(sorted(pinned))}")
        normalised.append(os_constraint(spec["os"]))
    elif len(pinned) == 1:
        spec["os"] = pinned.pop()
    spec["constraints"] = sorted(set(normalised))

    spec["placement_preferences"] = []
    for index, item in enumerate(definition.get("placement_preferences") or []):
        try:
            spec["placement_preferences"].append(normalise_preference(item))
        except ValueError as exc:
            fail(f"placement_preferences[{index}]", f"{shown(item)} is not valid: {exc}")


# What update and rollback settings must be beyond their types and choices (options.py).
_UPDATE_RULES = {
    "parallelism": (
        lambda v: v if not isinstance(v, bool) and v >= 0 else None,
        "an integer >= 0 (0 updates all tasks at once)",
    ),
    "delay": (parse_duration, DURATION_RULE),
    "monitor": (parse_duration, DURATION_RULE),
    "max_failure_ratio": (lambda v: v if 0 <= v <= 1 else None, "a number between 0 and 1"),
}


def _check_update_config(value, field: str, fail) -> dict:
    config = dict(UPDATE_DEFAULTS)
    for key, given in (value or {}).items():
        if given is None:
            continue  # like a key left out: the engine's default
        if key not in _UPDATE_RULES:
            config[key] = given  # failure_action, order: their choices are checked already
            continue
        parse, rule = _UPDATE_RULES[key]
        try:
            parsed = parse(given)
        except ValueError:
            parsed = None
        if parsed is None:
            fail(f"{field}.{key}", f"must be {rule}, got {shown(given)}")
        else:
            config[key] = parsed
    return config


def _resources_and_updates(definition, spec, fail):
    for key in ("limits", "reservations"):
        spec[key] = resources(definition.get(key), key, fail)
    for key in ("update_config", "rollback_config"):
        spec[key] = _check_update_config(definition.get(key), key, fail)


# What `docker service create --secret/--config source=NAME` sets when target, uid, gid or mode is not
# given (docker/cli opts.SecretOpt and ConfigOpt); target is the logical name here, not the version's.
DATA_FILE_DEFAULTS = {"uid": "0", "gid": "0", "mode": 0o444}
DATA_KINDS = ("secret", "config")


def _file_mode(value):
    """A file mode from an octal string ("0440") or its number (0o440 == 288); None when invalid."""
    if isinstance(value, str) and re.fullmatch(r"0?[0-7]{3}", value):
        return int(value, 8)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 0o777:
        return value
    return None


def _data_refs(definition, spec, fail):
    """secrets and configs: each {source, target, uid, gid, mode}, source still the logical name
    (validate_services resolves it to the current version)."""
    for kind in DATA_KINDS:
        refs, targets = [], set()
        for index, item in enumerate(definition.get(f"{kind}s") or []):
            field = f"{kind}s[{index}]"
            source = item.get("source")
            if not source:
                fail(f"{field}.source", f"required: the name of a {kind} in swarm_{kind}s or in the swarm")
                continue
            ref = {"source": source, "target": item.get("target") or source, **DATA_FILE_DEFAULTS}
            for key in ("uid", "gid"):
                if item.get(key) is not None:
                    ref[key] = item[key]
            if item.get("mode") is not None:
                ref["mode"] = _file_mode(item["mode"])
                if ref["mode"] is None:
                    fail(f"{field}.mode", f'must be an octal mode such as "0440", got {shown(item["mode"])}')
                    continue
            if spec.get("os") == "windows" and any(item.get(k) is not None for k in ("uid", "gid", "mode")):
                # https://docs.docker.com/engine/swarm/secrets/#windows-support
                fail(field, "uid, gid and mode are not supported for Windows services; leave them out")
                continue
            if ref["target"] in targets:
                fail(f"{field}.target", f"{ref['target']!r} is the target of another {kind} of this service")
            targets.add(ref["target"])
            refs.append(ref)
        spec[f"{kind}s"] = sorted(refs, key=lambda r: r["target"])


def resolve_data(spec: dict, versions: dict, existing: dict) -> list[tuple[str, str]]:
    """Replace each secret's and config's logical source with its current version (versions:
    kind -> logical name -> object name); a source that is not declared must exist (existing: kind ->
    names in the swarm). Returns (field, message) problems."""
    problems = []
    for kind in DATA_KINDS:
        for ref in spec.get(f"{kind}s") or []:
            declared = (versions.get(kind) or {}).get(ref["source"])
            if declared:
                ref["source"] = declared
            elif ref["source"] not in existing.get(kind, set()):
                problems.append(
                    (
                        f"{kind}s",
                        f"{kind} {ref['source']!r} is neither declared in swarm_{kind}s nor existing in the swarm",
                    )
                )
    return problems


# In order: placement needs the OS, ports need the endpoint mode, task options, secrets and configs the OS.
_FIELD_CHECKS = (
    _image,
    _os,
    _mode_and_replicas,
    _command,
    _env_and_labels,
    _endpoint_and_ports,
    _networks,
    _placement,
    _resources_and_updates,
    check_task_options,
    _data_refs,
)


def normalise_service(definition: dict, errors: DefinitionErrors) -> dict | None:
    """The comparable spec of one definition; problems go to errors and None is returned."""
    check = DefinitionCheck("service", definition, SERVICE_OPTIONS, _NAME_RE, _NAME_RULE, errors)
    if check.state == "absent":
        return None if check.failed else {"name": check.name, "state": "absent"}
    spec: dict = {"name": check.name, "state": "present"}
    for field_check in _FIELD_CHECKS:
        field_check(check.values, spec, check.fail)
    return None if check.failed else spec


def _cluster_problems(
    spec: dict, node_os: set[str], known_networks: set[str], removed_networks: set[str]
) -> list[tuple[str, str]]:
    """(field, message) for what the swarm itself rules out: OS placement, unknown or removed networks."""
    problems = []
    mixed = mixed_os_problem(node_os, "os: linux or os: windows")
    if mixed and not has_os_constraint(spec["constraints"]):
        problems.append(("os", mixed))
    elif spec["os"] and node_os and spec["os"] not in node_os:
        problems.append(("os", f"no {spec['os']} node in the swarm (nodes: {', '.join(sorted(node_os))})"))
    problems += os_problems(spec, spec["os"] or (next(iter(node_os)) if len(node_os) == 1 else None))
    for network in spec["networks"]:
        if network in removed_networks:
            problems.append(
                (
                    "networks",
                    f"network {network!r} is declared with state: absent; "
                    "take it out of the service's networks or keep the network",
                )
            )
        elif network not in known_networks:
            problems.append(
                ("networks", f"network {network!r} is neither declared nor existing in the swarm")
            )
    return problems


def validate_services(
    definitions,
    node_os: set[str],
    known_networks: set[str],
    windows_builds: set[str] | None = None,
    removed_networks: set[str] = frozenset(),
    data_versions: dict | None = None,
    existing_data: dict | None = None,
    nodes: list[dict] | None = None,
    host_ports: dict[str, dict] | None = None,
) -> tuple[list[dict], DefinitionErrors]:
    """Normalise every definition and check it against the cluster.

    node_os: the OS names of the swarm's nodes; known_networks: declared or existing network names;
    windows_builds: the builds of the Windows nodes (their os.build labels);
    removed_networks: networks declared absent, which no service may keep;
    data_versions, existing_data: for resolve_data (the secrets' and configs' versions and names);
    nodes: the swarm's nodes (node_read.node_from_inspect) and host_ports: host-mode ports their
    tasks publish (placement.host_ports_by_node): with them, a service the scheduler could not
    place is refused (placement.placement_problems) before anything is created.
    Returns (specs, errors); specs is only meaningful when errors is empty.
    """
    errors = DefinitionErrors()
    if not isinstance(definitions, list):
        errors.append(f"services must be a list of service definitions, got {shown(definitions)}")
        return [], errors
    specs, seen = [], set()
    for definition in definitions:
        if not isinstance(definition, Mapping):
            errors.append(f"every service definition must be a mapping, got {shown(definition)}")
            continue
        start = len(errors)
        spec = normalise_service(definition, errors)
        name = definition.get("name")
        if isinstance(name, str):
            if name in seen:
                errors.add("service", name, "name", "declared more than once; service names must be unique")
            seen.add(name)
        if spec is None:
            continue
        if spec["state"] == "present":
            for field, message in _cluster_problems(spec, node_os, known_networks, removed_networks):
                errors.add("service", name, field, message)
            for field, message in resolve_data(spec, data_versions or {}, existing_data or {}):
                errors.add("service", name, field, message)
            if spec["os"] == "windows":
                problems, constraints = build_problems_and_constraint(
                    spec["image"], spec["windows_build"], windows_builds or set(), spec["isolation"]
                )
                for problem in problems:
                    errors.add(
                        "service", name, "windows_build" if spec["windows_build"] else "image", problem
                    )
                spec["constraints"] = sorted({*spec["constraints"], *constraints})
            if nodes and len(errors) == start:  # only a service otherwise valid
                for field, message in placement_problems(spec, nodes, host_ports or {}):
                    errors.add("service", name, field, message)
        specs.append(spec)
    return specs, errors

"""Validate swarm service definitions and normalise them to one comparable form.

A definition is what a user writes in inventory variables (see docs/services.md). The
normalised form ("spec") is a plain dict with the same keys that service_spec.py derives from
`docker service inspect`, so desired and actual state compare field by field. Every problem is
reported as "service NAME, field FIELD: what is wrong and what would be valid", and all problems
of all definitions are collected before anything is applied. Pure functions, no Ansible.
"""

from __future__ import annotations

import re
import shlex

from ansible_collections.mixedswarm.swarm.plugins.module_utils.windows_build import (
    build_problems_and_constraint,
)

MANAGED_LABEL = "mixedswarm.managed"
MANAGED_VALUE = "true"

OS_NAMES = ("linux", "windows")
# Constraint keys that pin a service to one OS; either counts as an explicit OS choice.
OS_CONSTRAINT_KEYS = ("node.platform.os", "node.labels.os")

MODES = ("replicated", "global")
ENDPOINT_MODES = ("vip", "dnsrr")
PUBLISH_MODES = ("ingress", "host")
PROTOCOLS = ("tcp", "udp", "sctp")
FAILURE_ACTIONS = {
    "update_config": ("pause", "continue", "rollback"),
    "rollback_config": ("pause", "continue"),
}
UPDATE_ORDERS = ("stop-first", "start-first")

# What `docker service create` sets when no update/rollback flag is given (Docker 20.10 and later),
# so a key removed from a definition goes back to the engine's default instead of staying put.
UPDATE_DEFAULTS = {
    "parallelism": 1,
    "delay": 0,
    "failure_action": "pause",
    "monitor": 5_000_000_000,
    "max_failure_ratio": 0.0,
    "order": "stop-first",
}

DEFINITION_KEYS = {
    "name",
    "state",
    "image",
    "os",
    "mode",
    "replicas",
    "command",
    "entrypoint",
    "env",
    "publish",
    "publish_mode",
    "networks",
    "endpoint_mode",
    "routing_mesh",
    "labels",
    "limits",
    "reservations",
    "update_config",
    "rollback_config",
    "constraints",
    "placement_preferences",
    "windows_build",
}

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_CONSTRAINT_RE = re.compile(
    r"^\s*(node\.(?:id|hostname|role|platform\.os|platform\.arch|labels\.[A-Za-z0-9_.-]+)"
    r"|engine\.labels\.[A-Za-z0-9_.-]+)\s*(==|!=)\s*(\S(?:.*\S)?)\s*$"
)
_PREFERENCE_RE = re.compile(r"^\s*spread\s*=\s*((?:node|engine)\.labels\.[A-Za-z0-9_.-]+)\s*$")
_PORT_SHORT_RE = re.compile(r"^(\d+)(?::(\d+))?(?:/([a-z]+))?$")
_DURATION_PART_RE = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_DURATION_UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "ms": 1_000_000,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}
_MEMORY_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$", re.IGNORECASE)
_MEMORY_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}


class DefinitionErrors(list):
    """Problems found in definitions, each naming the object and the field."""

    def add(self, kind: str, name: str, field: str, message: str) -> None:
        self.append(f"{kind} {name!r}, field {field!r}: {message}")


class DefinitionCheck:
    """What every definition is checked for first: only known keys, a valid name, a valid state.

    `fail(field, message)` records a problem of this definition; `failed` says whether any was.
    """

    def __init__(self, kind: str, definition: dict, known_keys, name_re, name_rule: str, errors):
        self.kind, self.errors, self._start = kind, errors, len(errors)
        self.name = definition.get("name")
        self.label = str(self.name) if self.name is not None else "(no name)"
        unknown = set(definition) - set(known_keys)
        if unknown:
            self.fail(", ".join(sorted(unknown)), f"unknown key; valid keys: {', '.join(sorted(known_keys))}")
        self.name_ok = isinstance(self.name, str) and bool(name_re.match(self.name))
        if not self.name_ok:
            self.fail("name", f"required; {name_rule}")
        self.state = definition.get("state", "present")
        if self.state not in ("present", "absent"):
            self.fail("state", f"{self.state!r}; valid: present, absent")

    def fail(self, field: str, message: str) -> None:
        self.errors.add(self.kind, self.label, field, message)

    @property
    def failed(self) -> bool:
        return len(self.errors) > self._start


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


def parse_duration(value) -> int:
    """Nanoseconds from a Go duration ("10s", "1m30s", "500ms") or a number of seconds."""
    if isinstance(value, bool):
        raise ValueError("a duration such as 10s, 1m30s or 500ms")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a duration >= 0")
        return int(value * 10**9)
    text = str(value).strip()
    if text == "0":
        return 0
    parts = _DURATION_PART_RE.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError("a duration such as 10s, 1m30s or 500ms")
    return int(sum(float(n) * _DURATION_UNITS[u] for n, u in parts))


def format_duration(nanoseconds: int) -> str:
    """The shortest exact Go duration for a number of nanoseconds (what the CLI flags accept)."""
    for unit, size in (("h", 3600 * 10**9), ("m", 60 * 10**9), ("s", 10**9), ("ms", 10**6)):
        if nanoseconds and nanoseconds % size == 0:
            return f"{nanoseconds // size}{unit}"
    return f"{nanoseconds}ns" if nanoseconds else "0s"


def parse_memory(value) -> int:
    """Bytes from 512M, 1g, 256MiB or a plain number of bytes (binary units, like the docker CLI)."""
    if isinstance(value, bool):
        raise ValueError("a size such as 512M or 1G")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a size >= 0")
        return value
    match = _MEMORY_RE.match(str(value).strip())
    if not match:
        raise ValueError("a size such as 512M or 1G")
    number, unit, _suffix = match.groups()
    return int(float(number) * _MEMORY_UNITS[unit.lower()])


def normalise_constraint(text: str) -> str:
    """'node.role == manager' -> 'node.role==manager'; ValueError when it is not a constraint."""
    match = _CONSTRAINT_RE.match(str(text))
    if not match:
        raise ValueError(
            "a constraint KEY==VALUE or KEY!=VALUE with KEY one of node.id, node.hostname, node.role, "
            "node.platform.os, node.platform.arch, node.labels.NAME, engine.labels.NAME"
        )
    key, operator, value = match.groups()
    return f"{key}{operator}{value}"


def normalise_preference(text: str) -> str:
    """'spread = node.labels.zone' -> 'spread=node.labels.zone'."""
    match = _PREFERENCE_RE.match(str(text))
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


def normalise_image(image: str) -> str:
    """Compare images without digest and with the implicit :latest tag made explicit."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else name + ":latest"


def parse_port(item, default_mode: str) -> dict:
    """One published port: 80, '8080:80', '8080:80/udp' or a dict (published, target, protocol, mode)."""
    if isinstance(item, bool):
        raise ValueError("a port such as 80, '8080:80', '53:53/udp' or {published: 8080, target: 80}")
    if isinstance(item, int):
        port = {"published": item, "target": item, "protocol": "tcp", "mode": default_mode}
    elif isinstance(item, str):
        match = _PORT_SHORT_RE.match(item.strip())
        if not match:
            raise ValueError(f"{item!r} is not PUBLISHED[:TARGET][/PROTOCOL], e.g. '8080:80' or '53:53/udp'")
        published, target, protocol = match.groups()
        port = {
            "published": int(published),
            "target": int(target or published),
            "protocol": protocol or "tcp",
            "mode": default_mode,
        }
    elif isinstance(item, dict):
        unknown = set(item) - {"published", "target", "protocol", "mode"}
        if unknown:
            raise ValueError(f"unknown key(s) {sorted(unknown)}; valid: published, target, protocol, mode")
        try:
            port = {
                "published": int(item["published"]),
                "target": int(item.get("target", item["published"])),
                "protocol": str(item.get("protocol", "tcp")).lower(),
                "mode": str(item.get("mode", default_mode)).lower(),
            }
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{item!r} needs integer 'published' (and optional 'target')") from None
    else:
        raise ValueError(f"{item!r} is not a port")
    for key in ("published", "target"):
        if not 1 <= port[key] <= 65535:
            raise ValueError(f"{key} port {port[key]} is outside 1-65535")
    if port["protocol"] not in PROTOCOLS:
        raise ValueError(f"protocol {port['protocol']!r}; valid: {', '.join(PROTOCOLS)}")
    if port["mode"] not in PUBLISH_MODES:
        raise ValueError(f"mode {port['mode']!r}; valid: {', '.join(PUBLISH_MODES)}")
    return port


def port_sort_key(port: dict):
    return (port["target"], port["protocol"], port["published"], port["mode"])


def _as_argv(value) -> list[str]:
    """A command as a list: a string is split like a shell would, a list is kept as strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return shlex.split(value)
    if isinstance(value, list):
        return [str(v) for v in value]
    raise ValueError("a list of arguments or a command line string")


def _as_str_dict(value, what: str) -> dict[str, str]:
    """A dict of strings from a dict or a list of KEY=VALUE strings."""
    if value is None:
        return {}
    if isinstance(value, list):
        pairs = {}
        for item in value:
            if not isinstance(item, str) or "=" not in item:
                raise ValueError(f"{item!r} is not KEY=VALUE")
            key, val = item.split("=", 1)
            pairs[key] = val
        return pairs
    if isinstance(value, dict):
        return {str(k): _scalar_text(v) for k, v in value.items()}
    raise ValueError(f"a dict of {what} (or a list of KEY=VALUE)")


def _scalar_text(value) -> str:
    """YAML true/false become the lowercase words a container expects."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _resources(value) -> dict:
    if value is None:
        value = {}
    if not isinstance(value, dict) or set(value) - {"cpus", "memory"}:
        raise ValueError("a dict with cpus (e.g. 0.5) and/or memory (e.g. 256M)")
    cpus = value.get("cpus", 0)
    if isinstance(cpus, bool) or not isinstance(cpus, int | float | str):
        raise ValueError("cpus must be a number such as 0.5")
    try:
        nano_cpus = round(float(cpus) * 10**9)
    except ValueError:
        raise ValueError("cpus must be a number such as 0.5") from None
    if nano_cpus < 0:
        raise ValueError("cpus must be >= 0")
    return {"cpus": nano_cpus, "memory": parse_memory(value.get("memory", 0))}


def _update_config(value, field: str) -> dict:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise ValueError("a dict (parallelism, delay, failure_action, monitor, max_failure_ratio, order)")
    unknown = set(value) - set(UPDATE_DEFAULTS)
    if unknown:
        raise ValueError(f"unknown key(s) {sorted(unknown)}; valid: {', '.join(UPDATE_DEFAULTS)}")
    config = dict(UPDATE_DEFAULTS)
    if "parallelism" in value:
        parallelism = value["parallelism"]
        if isinstance(parallelism, bool) or not isinstance(parallelism, int) or parallelism < 0:
            raise ValueError("parallelism must be an integer >= 0 (0 updates all tasks at once)")
        config["parallelism"] = parallelism
    for key in ("delay", "monitor"):
        if key in value:
            config[key] = parse_duration(value[key])
    if "failure_action" in value:
        if value["failure_action"] not in FAILURE_ACTIONS[field]:
            raise ValueError(f"failure_action must be one of {', '.join(FAILURE_ACTIONS[field])}")
        config["failure_action"] = value["failure_action"]
    if "max_failure_ratio" in value:
        ratio = value["max_failure_ratio"]
        if isinstance(ratio, bool) or not isinstance(ratio, int | float) or not 0 <= ratio <= 1:
            raise ValueError("max_failure_ratio must be a number between 0 and 1")
        config["max_failure_ratio"] = float(ratio)
    if "order" in value:
        if value["order"] not in UPDATE_ORDERS:
            raise ValueError(f"order must be one of {', '.join(UPDATE_ORDERS)}")
        config["order"] = value["order"]
    return config


def _choice(definition: dict, key: str, choices, default):
    value = definition.get(key, default)
    if value not in choices:
        raise ValueError(f"{value!r}; valid: {', '.join(choices)}")
    return value


def normalise_service(definition: dict, errors: DefinitionErrors) -> dict | None:
    """The comparable spec of one definition; problems go to errors and None is returned."""
    check = DefinitionCheck(
        "service",
        definition,
        DEFINITION_KEYS,
        _NAME_RE,
        "letters, digits, '_', '.', '-', starting with a letter or digit, at most 63",
        errors,
    )
    name, fail = check.name, check.fail
    if check.state == "absent":
        return None if check.failed else {"name": name, "state": "absent"}

    spec: dict = {"name": name, "state": "present"}
    image = definition.get("image")
    if not isinstance(image, str) or not image.strip() or any(c.isspace() for c in image):
        fail("image", "required: an image reference such as nginx:1.27 or registry:5000/app:1")
    else:
        spec["image"] = normalise_image(image)

    os_name = definition.get("os")
    if os_name is not None and os_name not in OS_NAMES:
        fail("os", f"{os_name!r}; valid: {', '.join(OS_NAMES)}")
        os_name = None
    spec["os"] = os_name
    windows_build = definition.get("windows_build")
    if windows_build not in (None, "match"):
        fail("windows_build", f"{windows_build!r}; valid: match (or leave it out)")
    spec["windows_build"] = windows_build == "match"

    try:
        spec["mode"] = _choice(definition, "mode", MODES, "replicated")
    except ValueError as exc:
        fail("mode", str(exc))
        spec["mode"] = "replicated"
    replicas = definition.get("replicas")
    if spec["mode"] == "global":
        if replicas is not None:
            fail(
                "replicas",
                "a global service runs one task per eligible node; remove replicas or use mode replicated",
            )
        spec["replicas"] = None
    elif replicas is None:
        spec["replicas"] = 1
    elif isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
        fail("replicas", f"must be an integer >= 0 (got {replicas!r})")
    else:
        spec["replicas"] = replicas

    for key, target in (("command", "args"), ("entrypoint", "entrypoint")):
        try:
            spec[target] = _as_argv(definition.get(key))
        except ValueError as exc:
            fail(key, str(exc))
    for key, what in (("env", "variables"), ("labels", "labels")):
        try:
            spec[key] = _as_str_dict(definition.get(key), what)
        except ValueError as exc:
            fail(key, str(exc))
    spec.setdefault("labels", {})[MANAGED_LABEL] = MANAGED_VALUE

    routing_mesh = definition.get("routing_mesh", True)
    if not isinstance(routing_mesh, bool):
        fail("routing_mesh", "true or false")
        routing_mesh = True
    try:
        spec["endpoint_mode"] = _choice(
            definition, "endpoint_mode", ENDPOINT_MODES, "vip" if routing_mesh else "dnsrr"
        )
    except ValueError as exc:
        fail("endpoint_mode", str(exc))
    try:
        publish_mode = _choice(
            definition, "publish_mode", PUBLISH_MODES, "ingress" if routing_mesh else "host"
        )
    except ValueError as exc:
        fail("publish_mode", str(exc))
        publish_mode = "ingress"
    ports = []
    publish = definition.get("publish") or []
    if not isinstance(publish, list):
        fail("publish", "a list of ports")
        publish = []
    for item in publish:
        try:
            ports.append(parse_port(item, publish_mode))
        except ValueError as exc:
            fail("publish", str(exc))
    seen_ports = set()
    for port in ports:
        key = (port["published"], port["protocol"])
        if key in seen_ports:
            fail("publish", f"published port {port['published']}/{port['protocol']} is listed twice")
        seen_ports.add(key)
    spec["ports"] = sorted(ports, key=port_sort_key)
    if spec.get("endpoint_mode") == "dnsrr" and any(p["mode"] == "ingress" for p in ports):
        fail(
            "publish",
            "endpoint_mode dnsrr cannot publish through the ingress routing mesh (the engine refuses it); "
            "set mode: host on the ports or publish_mode: host",
        )

    networks = definition.get("networks") or []
    if not isinstance(networks, list) or not all(isinstance(n, str) and n for n in networks):
        fail("networks", "a list of network names")
        networks = []
    if "ingress" in networks:
        fail(
            "networks",
            "'ingress' is the routing mesh, not a network to attach; declare a user-defined overlay",
        )
    spec["networks"] = sorted(set(networks))

    constraints = definition.get("constraints") or []
    if not isinstance(constraints, list):
        fail("constraints", "a list of constraints such as node.role==manager")
        constraints = []
    normalised = []
    for item in constraints:
        try:
            normalised.append(normalise_constraint(item))
        except ValueError as exc:
            fail("constraints", f"{item!r} is not valid: {exc}")
    pinned = {constraint_os(c) for c in normalised} - {None}
    if os_name:
        if pinned - {os_name}:
            fail("os", f"os {os_name} contradicts constraint(s) pinning {', '.join(sorted(pinned))}")
        normalised.append(os_constraint(os_name))
    elif len(pinned) == 1:
        spec["os"] = pinned.pop()
    spec["constraints"] = sorted(set(normalised))

    preferences = definition.get("placement_preferences") or []
    spec["placement_preferences"] = []
    for item in preferences if isinstance(preferences, list) else [preferences]:
        try:
            spec["placement_preferences"].append(normalise_preference(item))
        except ValueError as exc:
            fail("placement_preferences", f"{item!r} is not valid: {exc}")

    for key in ("limits", "reservations"):
        try:
            spec[key] = _resources(definition.get(key))
        except ValueError as exc:
            fail(key, str(exc))
    for key in ("update_config", "rollback_config"):
        try:
            spec[key] = _update_config(definition.get(key), key)
        except ValueError as exc:
            fail(key, str(exc))
    return None if check.failed else spec


def validate_services(
    definitions,
    node_os: set[str],
    known_networks: set[str],
    windows_builds: set[str] | None = None,
) -> tuple[list[dict], DefinitionErrors]:
    """Normalise every definition and check it against the cluster.

    node_os: the OS names of the swarm's nodes; known_networks: declared or existing network names;
    windows_builds: the builds of the Windows nodes (their os.build labels).
    Returns (specs, errors); specs is only meaningful when errors is empty.
    """
    errors = DefinitionErrors()
    if not isinstance(definitions, list):
        errors.append("services must be a list of service definitions")
        return [], errors
    specs, seen = [], set()
    for definition in definitions:
        if not isinstance(definition, dict):
            errors.append(f"every service definition must be a dict, got {definition!r}")
            continue
        spec = normalise_service(definition, errors)
        name = definition.get("name")
        if isinstance(name, str):
            if name in seen:
                errors.add("service", name, "name", "declared more than once; service names must be unique")
            seen.add(name)
        if spec is None or spec["state"] == "absent":
            if spec:
                specs.append(spec)
            continue
        if len(node_os) > 1 and not has_os_constraint(spec["constraints"]):
            errors.add(
                "service",
                name,
                "os",
                f"the swarm has {' and '.join(sorted(node_os))} nodes; set os: linux or os: windows (or a "
                "node.platform.os / node.labels.os constraint). Without it the scheduler may place a task on a "
                "node of the other OS, where the image cannot run and the task is rejected and retried forever "
                "('No such image').",
            )
        elif spec["os"] and node_os and spec["os"] not in node_os:
            errors.add(
                "service",
                name,
                "os",
                f"no {spec['os']} node in the swarm (nodes: {', '.join(sorted(node_os))})",
            )
        if spec["os"] == "windows":
            problems, constraint = build_problems_and_constraint(
                spec["image"], spec["windows_build"], windows_builds or set()
            )
            for problem in problems:
                errors.add("service", name, "windows_build" if spec["windows_build"] else "image", problem)
            if constraint:
                spec["constraints"] = sorted({*spec["constraints"], constraint})
        for network in spec["networks"]:
            if network not in known_networks:
                errors.add(
                    "service",
                    name,
                    "networks",
                    f"network {network!r} is neither declared nor existing in the swarm",
                )
        specs.append(spec)
    return specs, errors


def errors_message(what: str, errors: list[str]) -> str:
    """One failure message listing every problem, stating that nothing was changed."""
    return f"{len(errors)} problem(s) in the {what}; nothing was changed:\n- " + "\n- ".join(errors)

"""The task and container keys of a service (health check, restart policy, mounts and the rest), each
key's four sides in one place.

For every key: the definition check (typed by options.TASK_OPTIONS first) that turns what a user
writes into the comparable value, with each problem under its field path; the reading of the same
value from `docker service inspect`, with the defaults the engine or the docker CLI fills in, so an
unchanged service compares equal; the `docker service create` flags; and the `docker service update`
flags that change only what differs (`--mount-add`/`--mount-rm`, ...). The flag semantics follow
the docker CLI's `service update` (cli/command/service/update.go: a `--mount-add` replaces the mount
of the same target, a `--mount-rm` also drops a mount added under that target in the same
command, so a changed mount is only added). Pure functions, no Ansible.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import re

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import shown
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.jobs import JOB_MODES
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.units import (
    DURATION_RULE,
    format_duration,
    parse_duration,
    parse_memory,
)

# --- health check -----------------------------------------------------------------------------------

HEALTH_DURATIONS = ("interval", "timeout", "start_period")
_HEALTH_INSPECT = {
    "interval": "Interval",
    "timeout": "Timeout",
    "retries": "Retries",
    "start_period": "StartPeriod",
}
_HEALTH_FLAGS = {
    "interval": "--health-interval",
    "timeout": "--health-timeout",
    "retries": "--health-retries",
    "start_period": "--health-start-period",
}
# No check of its own: the image's HEALTHCHECK applies (ContainerSpec.Healthcheck unset or empty).
NO_HEALTHCHECK = {"test": None, "interval": 0, "timeout": 0, "retries": 0, "start_period": 0}
DISABLED = ["NONE"]


def _healthcheck(value, fail) -> dict:
    if not value:
        return dict(NO_HEALTHCHECK)
    if value.get("disable"):
        others = sorted(k for k, v in value.items() if k != "disable" and v is not None)
        if others:
            fail(
                "healthcheck.disable",
                f"true turns every check off; remove {', '.join(others)} or the disable",
            )
        return {**NO_HEALTHCHECK, "test": list(DISABLED)}
    check = dict(NO_HEALTHCHECK)
    test = value.get("test")
    if isinstance(test, str) and test.strip():
        check["test"] = ["CMD-SHELL", test]
    elif isinstance(test, list) and len(test) == 2 and test[0] == "CMD-SHELL" and isinstance(test[1], str):
        check["test"] = list(test)
    elif test is not None:
        fail(
            "healthcheck.test",
            "must be a command line (a string) or [CMD-SHELL, command line]; the docker CLI sets shell-form "
            "checks only, so write a [CMD, ...] list as one command line, and use disable: true for NONE; "
            f"got {shown(test)}",
        )
    for key in HEALTH_DURATIONS:
        if value.get(key) is not None:
            try:
                check[key] = parse_duration(value[key])
            except ValueError:
                fail(f"healthcheck.{key}", f"must be {DURATION_RULE}, got {shown(value[key])}")
    retries = value.get("retries")
    if retries is not None:
        if retries < 0:
            fail("healthcheck.retries", f"must be an integer >= 0, got {shown(retries)}")
        check["retries"] = retries
    return check


def _healthcheck_of_inspect(container: dict) -> dict:
    raw = container.get("Healthcheck") or {}
    check = {key: int(raw.get(docker_key) or 0) for key, docker_key in _HEALTH_INSPECT.items()}
    return {"test": list(raw["Test"]) if raw.get("Test") else None, **check}


def _healthcheck_create(check: dict) -> list[str]:
    if check["test"] == DISABLED:
        return ["--no-healthcheck"]
    args = ["--health-cmd", check["test"][1]] if check["test"] else []
    for key, flag in _HEALTH_FLAGS.items():
        if check[key]:
            args += [flag, str(check[key]) if key == "retries" else format_duration(check[key])]
    return args


def _healthcheck_update(want: dict, have: dict) -> list[str]:
    # --no-healthcheck alone sets Test [NONE]; otherwise every flag is given, so keys left out go back
    # to their defaults, and an empty --health-cmd clears the command (the image's check applies).
    if want["test"] == DISABLED:
        return ["--no-healthcheck"]
    args = [f"--health-cmd={want['test'][1] if want['test'] else ''}"]
    for key, flag in _HEALTH_FLAGS.items():
        args += [flag, str(want[key]) if key == "retries" else format_duration(want[key])]
    return args


def _healthcheck_shown(check: dict):
    if check == NO_HEALTHCHECK:
        return None
    if check["test"] == DISABLED:
        return {"disable": True}
    shown_check = {"test": check["test"][1]} if check["test"] else {}
    for key in _HEALTH_INSPECT:
        if check[key]:
            shown_check[key] = check[key] if key == "retries" else format_duration(check[key])
    return shown_check


# --- restart policy ---------------------------------------------------------------------------------

# What the docker CLI sets when no restart flag is given (Docker 20.10 records them, as the lab's
# `docker service inspect` shows), so a key taken out of a definition goes back to it.
RESTART_DEFAULTS = {"condition": "any", "delay": 5 * 10**9, "max_attempts": 0, "window": 0}
_RESTART_INSPECT = {
    "condition": "Condition",
    "delay": "Delay",
    "max_attempts": "MaxAttempts",
    "window": "Window",
}
_RESTART_FLAGS = {
    "condition": "--restart-condition",
    "delay": "--restart-delay",
    "max_attempts": "--restart-max-attempts",
    "window": "--restart-window",
}


def _restart_policy(value, fail, mode: str | None) -> dict:
    policy = dict(RESTART_DEFAULTS)
    if mode in JOB_MODES:  # the docker CLI restarts a job's tasks only on failure unless told otherwise
        policy["condition"] = "on-failure"
    for key, given in (value or {}).items():
        if given is None:
            continue
        if key in ("delay", "window"):
            try:
                policy[key] = parse_duration(given)
            except ValueError:
                fail(f"restart_policy.{key}", f"must be {DURATION_RULE}, got {shown(given)}")
        elif key == "max_attempts" and given < 0:
            fail("restart_policy.max_attempts", f"must be an integer >= 0, got {shown(given)}")
        else:
            policy[key] = given
    return policy


def _restart_policy_of_inspect(task: dict) -> dict:
    raw = task.get("RestartPolicy") or {}
    return {key: raw.get(docker_key, RESTART_DEFAULTS[key]) for key, docker_key in _RESTART_INSPECT.items()}


def _restart_flag_value(key: str, value) -> str:
    return format_duration(value) if key in ("delay", "window") else str(value)


def _restart_create(policy: dict) -> list[str]:
    return [
        arg
        for key, flag in _RESTART_FLAGS.items()
        if policy[key] != RESTART_DEFAULTS[key]
        for arg in (flag, _restart_flag_value(key, policy[key]))
    ]


def _restart_update(want: dict, have: dict) -> list[str]:
    return [
        arg for key, flag in _RESTART_FLAGS.items() for arg in (flag, _restart_flag_value(key, want[key]))
    ]


def _restart_shown(policy: dict):
    changed = {k: v for k, v in policy.items() if v != RESTART_DEFAULTS[k]}
    return {
        k: _restart_flag_value(k, v) if k in ("delay", "window") else v for k, v in changed.items()
    } or None


# --- mounts -----------------------------------------------------------------------------------------

# Keys that belong to one mount type only (the docker CLI refuses them on another type).
_TYPE_KEYS = {
    "volume_driver": "volume",
    "volume_options": "volume",
    "volume_labels": "volume",
    "volume_nocopy": "volume",
    "propagation": "bind",
    "tmpfs_size": "tmpfs",
    "tmpfs_mode": "tmpfs",
}
# The mount types one OS has: tmpfs is Linux memory, npipe a Windows named pipe (docs.docker.com,
# "Use tmpfs mounts": "only available if you're running Docker on Linux"; "docker service create":
# type=npipe for Windows named pipes).
_TYPE_OS = {"tmpfs": "linux", "npipe": "windows"}
_WINDOWS_PATH_RE = re.compile(r"^([A-Za-z]:[\\/]|\\\\\.\\pipe\\)")
BIND_PROPAGATION_DEFAULT = "rprivate"


def _mount_defaults(mount_type: str) -> dict:
    return {
        "volume_driver": None,
        "volume_options": {},
        "volume_labels": {},
        "volume_nocopy": False,
        "propagation": BIND_PROPAGATION_DEFAULT if mount_type == "bind" else None,
        "tmpfs_size": 0,
        "tmpfs_mode": 0,
    }


def _tmpfs_mode(value) -> int:
    """A file mode written in octal (1777, "0o1777", "1777") as the number the engine stores."""
    text = str(value).strip().lower().removeprefix("0o")
    if isinstance(value, bool) or not re.fullmatch(r"[0-7]{1,4}", text):
        raise ValueError("an octal file mode such as 1777 or 0755")
    return int(text, 8)


def _check_mount(index: int, given: dict, os_name, fail) -> dict | None:
    field = f"mounts[{index}]"
    before = fail.count
    mount_type = given.get("type") or "volume"
    target, source = given.get("target"), given.get("source") or ""
    if not target:
        fail(f"{field}.target", "required: the path inside the container")
    elif os_name == "linux" and not target.startswith("/"):
        fail(
            f"{field}.target",
            f"a Linux service mounts at an absolute path such as /data, got {shown(target)}",
        )
    elif os_name == "windows" and not _WINDOWS_PATH_RE.match(target):
        fail(
            f"{field}.target",
            f"a Windows service mounts at a path such as C:\\data or a pipe \\\\.\\pipe\\NAME, got {shown(target)}",
        )
    if mount_type in ("bind", "npipe") and not source:
        fail(f"{field}.source", f"required for a {mount_type} mount: the node's path or pipe")
    if mount_type == "tmpfs" and source:
        fail(f"{field}.source", "a tmpfs mount has no source; remove it")
    wanted_os = _TYPE_OS.get(mount_type)
    if wanted_os and os_name and os_name != wanted_os:
        fail(
            f"{field}.type", f"{mount_type} mounts exist only on {wanted_os}; this service runs on {os_name}"
        )
    mount = {"type": mount_type, "source": source, "target": target, "readonly": bool(given.get("readonly"))}
    mount.update(_mount_defaults(mount_type))
    for key, owner in _TYPE_KEYS.items():
        value = given.get(key)
        if value in (None, False, {}):
            continue
        if owner != mount_type:
            fail(f"{field}.{key}", f"applies to {owner} mounts only, this one is {mount_type}")
        elif key == "tmpfs_size":
            try:
                mount[key] = parse_memory(value)
            except ValueError as exc:
                fail(f"{field}.{key}", f"must be {exc}, got {shown(value)}")
        elif key == "tmpfs_mode":
            try:
                mount[key] = _tmpfs_mode(value)
            except ValueError as exc:
                fail(f"{field}.{key}", f"must be {exc}, got {shown(value)}")
        elif key in ("volume_options", "volume_labels"):
            mount[key] = {str(k): str(v) for k, v in value.items()}
        else:
            mount[key] = value
    return mount if fail.count == before else None


def _mounts(value, os_name, fail) -> list[dict]:
    mounts, targets = [], set()
    for index, given in enumerate(value or []):
        mount = _check_mount(index, given, os_name, fail)
        if mount is None:
            continue
        if mount["target"] in targets:
            fail(f"mounts[{index}].target", f"{mount['target']!r} is mounted twice; one mount per target")
        targets.add(mount["target"])
        mounts.append(mount)
    return sorted(mounts, key=lambda m: m["target"])


def _mounts_of_inspect(container: dict) -> list[dict]:
    mounts = []
    for raw in container.get("Mounts") or []:
        mount_type = raw.get("Type", "volume")
        volume = raw.get("VolumeOptions") or {}
        driver = volume.get("DriverConfig") or {}
        tmpfs = raw.get("TmpfsOptions") or {}
        mount = {
            "type": mount_type,
            "source": raw.get("Source", ""),
            "target": raw.get("Target", ""),
            "readonly": bool(raw.get("ReadOnly")),
            **_mount_defaults(mount_type),
        }
        mount.update(
            {
                "volume_driver": driver.get("Name") or None,
                "volume_options": dict(driver.get("Options") or {}),
                "volume_labels": dict(volume.get("Labels") or {}),
                "volume_nocopy": bool(volume.get("NoCopy")),
                "tmpfs_size": int(tmpfs.get("SizeBytes") or 0),
                "tmpfs_mode": int(tmpfs.get("Mode") or 0),
            }
        )
        propagation = (raw.get("BindOptions") or {}).get("Propagation")
        if propagation:
            mount["propagation"] = propagation
        mounts.append(mount)
    return sorted(mounts, key=lambda m: m["target"])


def csv_field_list(fields: list[str]) -> str:
    """Fields joined as one CSV record, quoted where the docker CLI's CSV reader needs it (a comma or
    a double quote inside a field), as `--mount` values are read (encoding/csv)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue()


def mount_arg(mount: dict) -> str:
    """The value of one --mount / --mount-add flag."""
    fields = [f"type={mount['type']}"]
    if mount["source"]:
        fields.append(f"source={mount['source']}")
    fields.append(f"target={mount['target']}")
    if mount["readonly"]:
        fields.append("readonly=true")
    if mount["volume_driver"]:
        fields.append(f"volume-driver={mount['volume_driver']}")
    fields += [f"volume-opt={k}={v}" for k, v in sorted(mount["volume_options"].items())]
    fields += [f"volume-label={k}={v}" for k, v in sorted(mount["volume_labels"].items())]
    if mount["volume_nocopy"]:
        fields.append("volume-nocopy=true")
    if mount["propagation"] and mount["propagation"] != _mount_defaults(mount["type"])["propagation"]:
        fields.append(f"bind-propagation={mount['propagation']}")
    if mount["tmpfs_size"]:
        fields.append(f"tmpfs-size={mount['tmpfs_size']}")
    if mount["tmpfs_mode"]:
        fields.append(f"tmpfs-mode={mount['tmpfs_mode']:o}")
    return csv_field_list(fields)


def _mounts_create(mounts: list[dict]) -> list[str]:
    return [arg for mount in mounts for arg in ("--mount", mount_arg(mount))]


def _mounts_update(want: list[dict], have: list[dict]) -> list[str]:
    # A --mount-add replaces the mount of its target; a --mount-rm of that target in the same command
    # would drop the new one too, so only targets that go away are removed.
    wanted = {m["target"]: m for m in want}
    had = {m["target"]: m for m in have}
    args = [arg for target in sorted(set(had) - set(wanted)) for arg in ("--mount-rm", target)]
    for target, mount in wanted.items():
        if had.get(target) != mount:
            args += ["--mount-add", mount_arg(mount)]
    return args


def _mounts_shown(mounts: list[dict]):
    return [mount_arg(m) for m in mounts] or None


# --- container settings: strings, booleans, durations ------------------------------------------------

# field -> (ContainerSpec key, flag, default); the CLI records Init false, StopGracePeriod 10s and
# Isolation default when they are not given (the lab's `docker service inspect`).
_CONTAINER_SCALARS = {
    "hostname": ("Hostname", "--hostname", ""),
    "user": ("User", "--user", ""),
    "workdir": ("Dir", "--workdir", ""),
    "stop_signal": ("StopSignal", "--stop-signal", ""),
    "stop_grace_period": ("StopGracePeriod", "--stop-grace-period", 10 * 10**9),
    "init": ("Init", "--init", False),
    "read_only": ("ReadOnly", "--read-only", False),
    "isolation": ("Isolation", "--isolation", "default"),
}


def _text(value) -> str:
    """A scalar as the CLI flag takes it (booleans as true/false)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _scalar_text(field: str, value) -> str:
    return format_duration(value) if field == "stop_grace_period" else _text(value)


def _scalar_key(field: str):
    docker_key, flag, default = _CONTAINER_SCALARS[field]

    def read(spec):
        value = spec["TaskTemplate"].get("ContainerSpec", {}).get(docker_key)
        return type(default)(value) if value not in (None, "") else default

    def create(value):
        if value == default:
            return []
        return [flag] if value is True else [flag, _scalar_text(field, value)]

    def update(want, have):
        return [f"{flag}={_scalar_text(field, want)}"]  # one argument, so an empty value survives

    def show(value):
        if value == default:
            return None
        return _scalar_text(field, value) if field == "stop_grace_period" else value

    return read, create, update, show


def _check_scalars(definition: dict, spec: dict, fail) -> None:
    for field, (_docker_key, _flag, default) in _CONTAINER_SCALARS.items():
        value = definition.get(field)
        spec[field] = default if value is None else value
        if field == "stop_grace_period" and value is not None:
            try:
                spec[field] = parse_duration(value)
            except ValueError:
                fail(field, f"must be {DURATION_RULE}, got {shown(value)}")


# --- lists and mappings changed item by item (--dns-add/--dns-rm, --sysctl-add/--sysctl-rm ...) -------

_CAP_RE = re.compile(r"^[A-Z_]+$")


def normalise_capability(name: str) -> str:
    """CAP_NET_ADMIN from net_admin, NET_ADMIN or CAP_NET_ADMIN (what the docker CLI stores); ALL stays."""
    upper = name.strip().upper()
    return upper if upper == "ALL" or upper.startswith("CAP_") else "CAP_" + upper


def _hosts_of_inspect(entries) -> list[str]:
    """host:ip entries from ContainerSpec.Hosts, which the CLI records as "IP HOST [ALIAS...]" (older
    CLIs as host:ip)."""
    hosts = set()
    for entry in entries or []:
        parts = entry.split()
        hosts.update(f"{name}:{parts[0]}" for name in parts[1:]) if len(parts) >= 2 else hosts.add(entry)
    return sorted(hosts)


def _generic_of_inspect(resources) -> dict:
    found = {}
    for item in resources or []:
        for kind in ("DiscreteResourceSpec", "NamedResourceSpec"):
            if kind in item:
                found[item[kind]["Kind"]] = str(item[kind]["Value"])
    return found


def _dns(key: str):
    return lambda container, task: (container.get("DNSConfig") or {}).get(key)


def _caps(key: str):
    return lambda container, task: [normalise_capability(x) for x in container.get(key) or []]


# field -> (read from ContainerSpec and TaskTemplate, create flag, update add flag, update remove flag)
_SETS = {
    "dns": (_dns("Nameservers"), "--dns", "--dns-add", "--dns-rm"),
    "dns_search": (_dns("Search"), "--dns-search", "--dns-search-add", "--dns-search-rm"),
    "dns_options": (_dns("Options"), "--dns-option", "--dns-option-add", "--dns-option-rm"),
    "hosts": (
        lambda container, task: _hosts_of_inspect(container.get("Hosts")),
        "--host",
        "--host-add",
        "--host-rm",
    ),
    "cap_add": (_caps("CapabilityAdd"), "--cap-add", None, None),
    "cap_drop": (_caps("CapabilityDrop"), "--cap-drop", None, None),
}
_MAPS = {
    "sysctls": (lambda container, task: container.get("Sysctls"), "--sysctl", "--sysctl-add", "--sysctl-rm"),
    "ulimits": (
        lambda container, task: {
            u["Name"]: f"{u.get('Soft', 0)}:{u.get('Hard', 0)}" for u in container.get("Ulimits") or []
        },
        "--ulimit",
        "--ulimit-add",
        "--ulimit-rm",
    ),
    "generic_resources": (
        lambda container, task: _generic_of_inspect(
            ((task.get("Resources") or {}).get("Reservations") or {}).get("GenericResources")
        ),
        "--generic-resource",
        "--generic-resource-add",
        "--generic-resource-rm",
    ),
}


def _raw(read_raw, spec: dict):
    task = spec["TaskTemplate"]
    return read_raw(task.get("ContainerSpec") or {}, task)


def _capability_update(field: str, want: list, have: list) -> list[str]:
    """On update, --cap-add and --cap-drop move a capability between the service's two lists (the docker
    CLI's updateCapabilities: an added capability leaves the drop list, a dropped one the add list)."""
    flag, other = ("--cap-add", "--cap-drop") if field == "cap_add" else ("--cap-drop", "--cap-add")
    args = [arg for item in want if item not in have for arg in (flag, item)]
    return args + [arg for item in have if item not in want for arg in (other, item)]


def _set_key(field: str):
    read_raw, flag, add, remove = _SETS[field]

    def update(want, have):
        if add is None:
            return _capability_update(field, want, have)
        args = [arg for item in have if item not in want for arg in (remove, item)]
        return args + [arg for item in want if item not in have for arg in (add, item)]

    return (
        lambda spec: sorted(set(_raw(read_raw, spec) or [])),
        lambda value: [arg for item in value for arg in (flag, item)],
        update,
        lambda value: value or None,
    )


def _map_key(field: str):
    read_raw, flag, add, remove = _MAPS[field]

    def update(want, have):
        gone = set(have) - set(want)
        if field == "generic_resources":  # an added kind is appended, so a changed one is removed first
            gone |= {key for key in want if key in have and have[key] != want[key]}
        args = [arg for key in sorted(gone) for arg in (remove, key)]
        changed = [key for key in sorted(want) if have.get(key) != want[key]]
        return args + [arg for key in changed for arg in (add, f"{key}={want[key]}")]

    return (
        lambda spec: {str(k): str(v) for k, v in (_raw(read_raw, spec) or {}).items()},
        lambda value: [arg for key, item in sorted(value.items()) for arg in (flag, f"{key}={item}")],
        update,
        lambda value: value or None,
    )


def _ulimit(value) -> str:
    """SOFT:HARD from a number (both), "SOFT:HARD" or {soft, hard}; ValueError when not valid."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        soft = hard = value
    elif isinstance(value, str):
        soft_text, _, hard_text = value.partition(":")
        soft, hard = int(soft_text), int(hard_text or soft_text)
    elif isinstance(value, dict) and set(value) == {"soft", "hard"}:
        soft, hard = int(value["soft"]), int(value["hard"])
    else:
        raise ValueError
    if soft < 0 or soft > hard:
        raise ValueError
    return f"{soft}:{hard}"


def _check_hosts(hosts, fail) -> list[str]:
    pairs = hosts.items() if isinstance(hosts, dict) else [str(h).partition(":")[::2] for h in hosts]
    checked = []
    for name, address in pairs:
        try:
            ipaddress.ip_address(str(address))
        except ValueError:
            fail(
                f"hosts.{name}",
                f"must map a host name to an IP address (db: 10.0.0.5, or db:10.0.0.5 in a list), got {shown(address)}",
            )
            continue
        checked.append(f"{name}:{address}")
    return sorted(checked)


def _check_capabilities(definition: dict, spec: dict, fail) -> None:
    for field in ("cap_add", "cap_drop"):
        names = []
        for index, name in enumerate(definition.get(field) or []):
            if not _CAP_RE.match(name.strip().upper()):
                fail(
                    f"{field}[{index}]",
                    f"must be a capability such as NET_ADMIN or CAP_NET_ADMIN, got {shown(name)}",
                )
            names.append(normalise_capability(name))
        spec[field] = sorted(set(names))
    both = set(spec["cap_add"]) & set(spec["cap_drop"])
    if both:
        fail("cap_drop", f"{', '.join(sorted(both))} is in cap_add too; name each capability in one list")


def _check_sets_and_maps(definition: dict, spec: dict, fail) -> None:
    for field in ("dns", "dns_search", "dns_options"):
        spec[field] = sorted(set(definition.get(field) or []))
    for index, server in enumerate(definition.get("dns") or []):
        try:
            ipaddress.ip_address(server)
        except ValueError:
            fail(f"dns[{index}]", f"must be an IP address such as 10.0.0.2, got {shown(server)}")
    spec["hosts"] = _check_hosts(definition.get("hosts") or {}, fail)
    _check_capabilities(definition, spec, fail)
    spec["sysctls"] = {str(k): _text(v) for k, v in (definition.get("sysctls") or {}).items()}
    spec["ulimits"] = {}
    for name, value in (definition.get("ulimits") or {}).items():
        try:
            spec["ulimits"][str(name)] = _ulimit(value)
        except (ValueError, TypeError):
            fail(
                f"ulimits.{name}",
                f"must be a number, SOFT:HARD or {{soft, hard}} with soft <= hard, got {shown(value)}",
            )
    spec["generic_resources"] = {}
    for kind, value in (definition.get("generic_resources") or {}).items():
        if (
            isinstance(value, bool)
            or not isinstance(value, int | str)
            or (isinstance(value, int) and value < 1)
        ):
            fail(
                f"generic_resources.{kind}",
                f"must be a count >= 1 (a discrete resource) or a name (a named one), got {shown(value)}",
            )
        else:
            spec["generic_resources"][str(kind)] = str(value)


# --- logging, numbers, credential spec -------------------------------------------------------------


def _logging(value, fail):
    if value is None:
        return None
    if not value.get("driver"):
        fail("logging.driver", "required: the log driver, such as json-file, local or syslog")
    options = {str(k): _text(v) for k, v in (value.get("options") or {}).items()}
    return {"driver": value.get("driver"), "options": options}


def _logging_of_inspect(spec: dict):
    raw = spec["TaskTemplate"].get("LogDriver")
    return (
        {"driver": raw["Name"], "options": dict(raw.get("Options") or {})}
        if raw and raw.get("Name")
        else None
    )


def _logging_args(value, _have=None) -> list[str]:
    if value is None:
        return []
    options = [
        arg for key, item in sorted(value["options"].items()) for arg in ("--log-opt", f"{key}={item}")
    ]
    return ["--log-driver", value["driver"], *options]


CREDENTIAL_SPEC_KINDS = ("file", "registry", "config")


def _credential_spec(value, fail):
    if value is None:
        return None
    given = [kind for kind in CREDENTIAL_SPEC_KINDS if value.get(kind)]
    if len(given) != 1:
        fail(
            "credential_spec",
            "set exactly one of file (a JSON file in the node's CredentialSpecs folder), registry (a value "
            f"under the node's CredentialSpecs registry key) or config (a swarm config), got "
            f"{shown({k: v for k, v in value.items() if v is not None})}",
        )
        return None
    return f"{given[0]}://{value[given[0]]}"


def _credential_spec_of_inspect(spec: dict):
    privileges = spec["TaskTemplate"].get("ContainerSpec", {}).get("Privileges") or {}
    raw = privileges.get("CredentialSpec") or {}
    found = [
        f"{kind}://{raw[kind.capitalize()]}" for kind in CREDENTIAL_SPEC_KINDS if raw.get(kind.capitalize())
    ]
    return found[0] if found else None


def _number_of_inspect(field: str, spec: dict) -> int:
    task = spec["TaskTemplate"]
    if field == "max_replicas_per_node":
        return int((task.get("Placement") or {}).get("MaxReplicas") or 0)
    return int(((task.get("Resources") or {}).get("Limits") or {}).get("Pids") or 0)


def _number_key(field: str, flag: str):
    return (
        lambda spec: _number_of_inspect(field, spec),
        lambda value: [flag, str(value)] if value else [],
        lambda want, have: [flag, str(want)],
        lambda value: value or None,
    )


def _check_other(definition: dict, spec: dict, fail) -> None:
    spec["logging"] = _logging(definition.get("logging"), fail)
    spec["credential_spec"] = _credential_spec(definition.get("credential_spec"), fail)
    for field in ("max_replicas_per_node", "pids_limit"):
        value = definition.get(field)
        if value is not None and value < 0:
            fail(field, f"must be an integer >= 0 (0 means no limit), got {shown(value)}")
        spec[field] = value or 0


# Keys a definition may leave out to leave the service's own setting alone: `docker service update`
# has no flag that takes a log driver or a credential spec away again.
KEPT_WHEN_UNSET = ("logging", "credential_spec")

# Keys only one OS has. tmpfs is Linux memory (docs.docker.com, "tmpfs mounts": "only available if
# you're running Docker on Linux"), npipe a Windows named pipe; isolation modes and gMSA credential
# specs are Windows container features (learn.microsoft.com, "Isolation modes", "Create gMSAs for
# Windows containers").
_OS_ONLY = {"isolation": "windows", "credential_spec": "windows"}
_UNSET = {"isolation": "default", "credential_spec": None}


def os_problems(spec: dict, os_name: str | None) -> list[tuple[str, str]]:
    """(field, message) for keys the OS of the service's tasks does not have: the service's os, or the
    only OS of the swarm (None: not known)."""
    if not os_name:
        return []
    problems = [
        (field, f"is a {wanted} option; this service runs on {os_name} nodes")
        for field, wanted in _OS_ONLY.items()
        if os_name != wanted and spec.get(field, _UNSET[field]) != _UNSET[field]
    ]
    for mount in spec.get("mounts") or []:  # with a known OS, _check_mount named the mount already
        wanted = _TYPE_OS.get(mount["type"])
        if wanted and wanted != os_name and not spec.get("os"):
            problems.append(
                (
                    "mounts",
                    f"{mount['type']} mount at {mount['target']} exists only on {wanted}; this swarm runs {os_name}",
                )
            )
    return problems


# --- the keys, in the order they are compared and shown ---------------------------------------------

# field -> (read from inspect Spec, create flags, update flags, shown in diffs)
_KEYS = {
    "healthcheck": (
        lambda spec: _healthcheck_of_inspect(spec["TaskTemplate"].get("ContainerSpec", {})),
        _healthcheck_create,
        _healthcheck_update,
        _healthcheck_shown,
    ),
    "restart_policy": (
        lambda spec: _restart_policy_of_inspect(spec["TaskTemplate"]),
        _restart_create,
        _restart_update,
        _restart_shown,
    ),
    "mounts": (
        lambda spec: _mounts_of_inspect(spec["TaskTemplate"].get("ContainerSpec", {})),
        _mounts_create,
        _mounts_update,
        _mounts_shown,
    ),
    "logging": (_logging_of_inspect, _logging_args, _logging_args, lambda value: value),
    **{field: _scalar_key(field) for field in _CONTAINER_SCALARS},
    **{field: _set_key(field) for field in _SETS},
    **{field: _map_key(field) for field in _MAPS},
    "max_replicas_per_node": _number_key("max_replicas_per_node", "--replicas-max-per-node"),
    "pids_limit": _number_key("pids_limit", "--limit-pids"),
    "credential_spec": (
        _credential_spec_of_inspect,
        lambda value: ["--credential-spec", value] if value else [],
        lambda want, have: ["--credential-spec", want],
        lambda value: value,
    ),
}
TASK_FIELDS = tuple(_KEYS)


class _CountingFail:
    """The definition's fail(field, message), counting the problems it was given."""

    def __init__(self, fail):
        self._fail, self.count = fail, 0

    def __call__(self, field: str, message: str) -> None:
        self.count += 1
        self._fail(field, message)


def check_task_options(definition: dict, spec: dict, fail) -> None:
    """Fill spec's task fields from a typed definition (a definition._FIELD_CHECKS step, after the
    OS is known)."""
    fail = _CountingFail(fail)
    spec["healthcheck"] = _healthcheck(definition.get("healthcheck"), fail)
    spec["restart_policy"] = _restart_policy(definition.get("restart_policy"), fail, spec.get("mode"))
    spec["mounts"] = _mounts(definition.get("mounts"), spec.get("os"), fail)
    _check_scalars(definition, spec, fail)
    _check_sets_and_maps(definition, spec, fail)
    _check_other(definition, spec, fail)


def task_options_of_inspect(spec: dict) -> dict:
    """The task fields of an existing service from the Spec of its `docker service inspect` document."""
    spec = {**spec, "TaskTemplate": spec.get("TaskTemplate") or {}}
    return {field: read(spec) for field, (read, _create, _update, _shown) in _KEYS.items()}


def task_create_args(spec: dict) -> list[str]:
    return [arg for field, (_read, create, _update, _shown) in _KEYS.items() for arg in create(spec[field])]


def task_update_args(field: str, want, have) -> list[str]:
    return _KEYS[field][2](want, have)


def task_shown(field: str, value):
    """A task field as a person reads it in diffs (durations in units, defaults left out), or None."""
    return _KEYS[field][3](value)

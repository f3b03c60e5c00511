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
import re

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import shown
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


def _restart_policy(value, fail) -> dict:
    policy = dict(RESTART_DEFAULTS)
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
    spec["restart_policy"] = _restart_policy(definition.get("restart_policy"), fail)
    spec["mounts"] = _mounts(definition.get("mounts"), spec.get("os"), fail)


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

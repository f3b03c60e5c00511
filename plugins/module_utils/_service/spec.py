"""Compare a desired service spec with `docker service inspect` and build the docker commands.

The spec form (fields.py) is the one definition.normalise_service produces. actual_spec() reads the
same fields from inspect JSON, changed_fields() diffs the two, and create_argv()/update_argv()
turn a spec or a diff into `docker service create` / `docker service update` arguments that
change only what differs (the engine then performs a rolling update honouring update_config).
Pure functions, no Ansible.
"""

from __future__ import annotations

import shlex

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.ownership import (
    MANAGED_LABEL,
    MANAGED_VALUE,
    is_managed,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.steps import plan_action
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.fields import (
    FIELDS,
    UPDATE_DEFAULTS,
    has_digest,
    normalise_image,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.jobs import (
    JOB_FIXED,
    is_job,
    mode_args,
    mode_of_inspect,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.placement import (
    constraint_os,
    normalise_constraint,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.ports import port_sort_key
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.task_options import (
    KEPT_WHEN_UNSET,
    TASK_FIELDS,
    task_create_args,
    task_options_of_inspect,
    task_shown,
    task_update_args,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.units import format_duration

_UPDATE_KEYS = {
    "parallelism": "Parallelism",
    "delay": "Delay",
    "failure_action": "FailureAction",
    "monitor": "Monitor",
    "max_failure_ratio": "MaxFailureRatio",
    "order": "Order",
}
_UPDATE_FLAGS = {
    "parallelism": "parallelism",
    "delay": "delay",
    "failure_action": "failure-action",
    "monitor": "monitor",
    "max_failure_ratio": "max-failure-ratio",
    "order": "order",
}


def _update_config_of_inspect(raw: dict | None) -> dict:
    raw = raw or {}
    config = dict(UPDATE_DEFAULTS)
    for key, docker_key in _UPDATE_KEYS.items():
        if docker_key in raw:
            config[key] = raw[docker_key]
    config["max_failure_ratio"] = float(config["max_failure_ratio"])
    return config


def _resources(raw: dict | None) -> dict:
    raw = raw or {}
    return {"cpus": int(raw.get("NanoCPUs", 0)), "memory": int(raw.get("MemoryBytes", 0))}


def _data_refs_of_inspect(refs: list | None, prefix: str) -> list[dict]:
    """A service's Secrets or Configs (prefix Secret or Config) in the spec form."""
    shown = []
    for ref in refs or []:
        file = ref.get("File") or {}
        shown.append(
            {
                "source": ref.get(f"{prefix}Name"),
                "target": file.get("Name"),
                "uid": file.get("UID", "0"),
                "gid": file.get("GID", "0"),
                "mode": file.get("Mode", 0o444),
            }
        )
    return sorted(shown, key=lambda r: r["target"] or "")


def data_ref_arg(ref: dict) -> str:
    """The value of --secret/--secret-add (and --config...): every file option explicit."""
    return f"source={ref['source']},target={ref['target']},uid={ref['uid']},gid={ref['gid']},mode={ref['mode']:04o}"


def actual_spec(inspect: dict, network_names: dict[str, str], keep_digest: bool = False) -> dict:
    """The spec of an existing service from its `docker service inspect` document.

    network_names maps network IDs to names (TaskTemplate.Networks holds IDs). keep_digest: keep the
    image's digest, for a definition that gives one; otherwise the digest the engine pinned is dropped.
    """
    spec = inspect.get("Spec", {})
    task = spec.get("TaskTemplate", {})
    container = task.get("ContainerSpec", {})
    placement = task.get("Placement", {})
    endpoint = spec.get("EndpointSpec") or {}
    networks = task.get("Networks") or spec.get("Networks") or []
    constraints = [normalise_constraint(c) for c in placement.get("Constraints") or []]
    pinned = {constraint_os(c) for c in constraints} - {None}
    return {
        "name": spec.get("Name"),
        "state": "present",
        "image": normalise_image(container.get("Image", ""), keep_digest),
        "os": pinned.pop() if len(pinned) == 1 else None,
        **mode_of_inspect(spec.get("Mode", {})),
        "args": list(container.get("Args") or []),
        "entrypoint": list(container.get("Command") or []),
        "env": dict(item.split("=", 1) if "=" in item else (item, "") for item in container.get("Env") or []),
        "ports": sorted(
            (
                {
                    "published": p.get("PublishedPort"),
                    "target": p.get("TargetPort"),
                    "protocol": p.get("Protocol", "tcp"),
                    "mode": p.get("PublishMode", "ingress"),
                }
                for p in endpoint.get("Ports") or []
            ),
            key=port_sort_key,
        ),
        "networks": sorted(network_names.get(n["Target"], n["Target"]) for n in networks),
        "endpoint_mode": endpoint.get("Mode", "vip"),
        "labels": dict(spec.get("Labels") or {}),
        "constraints": sorted(set(constraints)),
        "placement_preferences": [
            "spread=" + p["Spread"]["SpreadDescriptor"]
            for p in placement.get("Preferences") or []
            if "Spread" in p
        ],
        "limits": _resources(task.get("Resources", {}).get("Limits")),
        "reservations": _resources(task.get("Resources", {}).get("Reservations")),
        "update_config": _update_config_of_inspect(spec.get("UpdateConfig")),
        "rollback_config": _update_config_of_inspect(spec.get("RollbackConfig")),
        **task_options_of_inspect(spec),
        "secrets": _data_refs_of_inspect(container.get("Secrets"), "Secret"),
        "configs": _data_refs_of_inspect(container.get("Configs"), "Config"),
    }


def changed_fields(desired: dict, actual: dict) -> list[str]:
    return [
        f
        for f in FIELDS
        if desired.get(f) != actual.get(f) and not (f in KEPT_WHEN_UNSET and desired.get(f) is None)
    ]


def _port_arg(port: dict) -> str:
    return f"published={port['published']},target={port['target']},protocol={port['protocol']},mode={port['mode']}"


def _resource_args(kind: str, resources: dict) -> list[str]:
    flag = "limit" if kind == "limits" else "reserve"
    return [f"--{flag}-cpu", f"{resources['cpus'] / 10**9:g}", f"--{flag}-memory", str(resources["memory"])]


def _update_config_args(kind: str, config: dict) -> list[str]:
    prefix = "--update-" if kind == "update_config" else "--rollback-"
    args = []
    for key, flag in _UPDATE_FLAGS.items():
        value = config[key]
        if key in ("delay", "monitor"):
            value = format_duration(value)
        args += [prefix + flag, f"{value:g}" if isinstance(value, float) else str(value)]
    return args


def create_argv(spec: dict, with_registry_auth: bool = False) -> list[str]:
    """`docker service create` for a spec; --detach because convergence is awaited separately.
    with_registry_auth sends the manager's registry login to the nodes that pull."""
    argv = ["docker", "service", "create", "--detach", "--name", spec["name"]]
    argv += ["--with-registry-auth"] if with_registry_auth else []
    argv += mode_args(spec)
    argv += ["--endpoint-mode", spec["endpoint_mode"]]
    for key, value in spec["env"].items():
        argv += ["--env", f"{key}={value}"]
    for key, value in spec["labels"].items():
        argv += ["--label", f"{key}={value}"]
    for port in spec["ports"]:
        argv += ["--publish", _port_arg(port)]
    for network in spec["networks"]:
        argv += ["--network", network]
    for constraint in spec["constraints"]:
        argv += ["--constraint", constraint]
    for preference in spec["placement_preferences"]:
        argv += ["--placement-pref", preference]
    if spec["entrypoint"]:
        argv += ["--entrypoint", shlex.join(spec["entrypoint"])]
    argv += _resource_args("limits", spec["limits"]) + _resource_args("reservations", spec["reservations"])
    if not is_job(spec["mode"]):  # a job runs to completion: no rolling update settings
        argv += _update_config_args("update_config", spec["update_config"])
        argv += _update_config_args("rollback_config", spec["rollback_config"])
    argv += task_create_args(spec)
    for kind in ("secret", "config"):
        for ref in spec.get(f"{kind}s") or []:
            argv += [f"--{kind}", data_ref_arg(ref)]
    return [*argv, spec["image"], *spec["args"]]


def _dict_changes(flag: str, desired: dict, actual: dict) -> list[str]:
    args = []
    for key in sorted(set(actual) - set(desired)):
        args += [f"--{flag}-rm", key]
    for key, value in desired.items():
        if actual.get(key) != value:
            args += [f"--{flag}-add", f"{key}={value}"]
    return args


def _list_changes(flag: str, desired: list, actual: list, render=str) -> list[str]:
    args = []
    for item in actual:
        if item not in desired:
            args += [f"--{flag}-rm", render(item)]
    for item in desired:
        if item not in actual:
            args += [f"--{flag}-add", render(item)]
    return args


def _data_ref_changes(kind: str, desired: list, actual: list) -> list[str]:
    """--KIND-rm for each reference that goes (by source: the CLI removes by name), --KIND-add for
    each that comes; a changed version or file option is both (the CLI removes first)."""
    args = []
    for ref in actual:
        if ref not in desired:
            args += [f"--{kind}-rm", ref["source"]]
    for ref in desired:
        if ref not in actual:
            args += [f"--{kind}-add", data_ref_arg(ref)]
    return args


def update_argv(desired: dict, actual: dict, with_registry_auth: bool = False) -> list[str]:
    """`docker service update` with only the flags for fields that differ.

    The caller rejects mode changes before this (the engine cannot change mode in place).
    """
    argv = ["docker", "service", "update", "--detach"]
    argv += ["--with-registry-auth"] if with_registry_auth else []
    for field in changed_fields(desired, actual):
        want, have = desired[field], actual[field]
        if field == "image":
            argv += ["--image", want]
        elif field == "replicas":
            argv += ["--replicas", str(want)]
        elif field == "max_concurrent":
            argv += ["--max-concurrent", str(want)]
        elif field == "args":
            argv += ["--args", shlex.join(want)]
        elif field == "entrypoint":
            argv += ["--entrypoint", shlex.join(want)]
        elif field == "env":
            argv += _dict_changes("env", want, have)
        elif field == "labels":
            argv += _dict_changes("label", want, have)
        elif field == "ports":
            argv += _list_changes("publish", want, have, _port_arg)
        elif field == "networks":
            argv += _list_changes("network", want, have)
        elif field == "constraints":
            argv += _list_changes("constraint", want, have)
        elif field == "placement_preferences":
            # Order matters for preferences: replace the whole list.
            argv += [a for p in have for a in ("--placement-pref-rm", p)]
            argv += [a for p in want for a in ("--placement-pref-add", p)]
        elif field == "endpoint_mode":
            argv += ["--endpoint-mode", want]
        elif field in ("limits", "reservations"):
            argv += _resource_args(field, want)
        elif field in ("update_config", "rollback_config"):
            argv += _update_config_args(field, want)
        elif field in TASK_FIELDS:
            argv += task_update_args(field, want, have)
        elif field in ("secrets", "configs"):
            argv += _data_ref_changes(field[:-1], want, have)
    return [*argv, desired["name"]]


def display(spec: dict) -> dict:
    """A spec as a person reads it (durations and sizes in units) for diffs and summaries."""
    shown = {k: spec[k] for k in ("name", "os", *FIELDS) if k in spec and spec[k] not in (None, [], {})}
    if is_job(spec.get("mode")):  # a job has no rolling updates
        shown.pop("update_config", None)
        shown.pop("rollback_config", None)
    for field in TASK_FIELDS:
        if field in shown:
            shown[field] = task_shown(field, shown[field])
            if shown[field] is None:
                del shown[field]
    for kind in ("limits", "reservations"):
        if kind in shown:
            res = shown[kind]
            shown[kind] = {"cpus": res["cpus"] / 10**9, "memory": res["memory"]}
    for kind in ("update_config", "rollback_config"):
        if kind in shown:
            shown[kind] = {
                k: format_duration(v) if k in ("delay", "monitor") else v for k, v in shown[kind].items()
            }
    for kind in ("secrets", "configs"):
        if kind in shown:
            shown[kind] = [{**ref, "mode": f"{ref['mode']:04o}"} for ref in shown[kind]]
    return shown


def plan_services(
    specs: list[dict],
    existing: dict[str, dict],
    network_names: dict[str, str],
    with_registry_auth: bool = False,
) -> tuple[list[dict], list[str]]:
    """What to do for each service: create, update (only changed flags), remove or nothing.

    existing: `docker service inspect` documents by name; network_names: network ID -> name.
    Services without the project's label are never changed: declaring one is an error that says
    how to hand it over. with_registry_auth: creates and updates send the registry login.
    Returns (actions, errors).
    """
    actions, errors = [], []
    for spec in specs:
        name, doc = spec["name"], existing.get(spec["name"])
        pinned = spec["state"] == "present" and has_digest(spec["image"])
        actual = actual_spec(doc, network_names, keep_digest=pinned) if doc else None
        if actual and not is_managed(actual["labels"]):
            errors.append(
                f"service {name!r}, field 'name': a service of that name exists but was not created by this "
                f"project (no label {MANAGED_LABEL}={MANAGED_VALUE}), so it is left alone; to hand it over run "
                f"'docker service update --label-add {MANAGED_LABEL}={MANAGED_VALUE} {name}' or pick another name"
            )
            continue
        if spec["state"] == "absent":
            if actual:
                actions.append(plan_action(name, "remove", ["docker", "service", "rm", name], actual, None))
            continue
        if actual is None:
            actions.append(plan_action(name, "create", create_argv(spec, with_registry_auth), None, spec))
        elif actual["mode"] != spec["mode"]:
            errors.append(
                f"service {name!r}, field 'mode': is {actual['mode']}, declared {spec['mode']}; the engine cannot "
                "change a service's mode in place: remove it (state: absent) in one run and declare it again"
            )
        elif is_job(spec["mode"]) and (fixed := [f for f in JOB_FIXED if spec[f] != actual[f]]):
            errors.append(
                f"service {name!r}, field {fixed[0]!r}: is {actual[fixed[0]]}, declared {spec[fixed[0]]}; "
                "docker service update cannot change a job's replicas or max_concurrent: remove the job "
                "(state: absent) in one run and declare it again"
            )
        else:
            fields = changed_fields(spec, actual)
            if fields:
                actions.append(
                    plan_action(
                        name, "update", update_argv(spec, actual, with_registry_auth), actual, spec, fields
                    )
                )
            else:
                actions.append(plan_action(name, "none", None, actual, spec))
    return actions, errors


def diff_entries(actions: list[dict], render) -> list[dict]:
    """Ansible diffs (before/after text) for the actions that change something."""
    return [
        {
            "before_header": f"{a['name']} ({a['action']})",
            "after_header": f"{a['name']} ({a['action']})",
            "before": render(a["before"]) if a["before"] else "",
            "after": render(a["after"]) if a["after"] else "",
        }
        for a in actions
        if a["action"] != "none"
    ]

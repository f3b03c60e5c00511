"""Judge service convergence from task state, and wait for it without hiding why it fails.

A service has converged when its update is not in progress and exactly the wanted number of
tasks run the service's current task spec. It has failed (and waiting stops at once) when
tasks created since the change keep being rejected or failing (no such image, wrong platform,
Windows build mismatch) or when the scheduler finds no node for a task. Failures are reported
per task with its node and the engine's error. The docker runner is passed in, so the loop is
unit-tested with recorded payloads.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import OutputOf
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.polling import poll_until
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.progress import Progress, shorten
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.jobs import (
    is_job,
    job_status,
    mode_of_inspect,
)

FAILED_STATES = ("rejected", "failed")
UPDATE_IN_PROGRESS = ("updating", "rollback_started")
UPDATE_FAILED = ("paused", "rollback_paused", "rollback_completed")

# Engine error fragments and what they usually mean in a mixed-OS swarm.
_HINTS = (
    (
        "host-mode port already in use",
        "every eligible node already has the published host-mode port taken: run fewer replicas than eligible "
        "nodes, and use update order stop-first (start-first needs the port its predecessor still holds)",
    ),
    (
        "no such image",
        "the node could not get the image: check the name and tag, that the node can reach the registry, "
        "and that the image's OS matches the node's (a Linux image on a Windows node, or the reverse, "
        "fails like this; set os: on the service)",
    ),
    (
        "no suitable node",
        "no node satisfies the service's placement: check os:, constraints, node labels and that the "
        "image's platform exists in the swarm (docker node ls, docker node inspect)",
    ),
    (
        "unsupported platform",
        "the image's OS or architecture matches no eligible node; set os: to the image's OS",
    ),
    (
        "operating system does not match",
        "the Windows image was built for another Windows Server release than the node; use an image tag "
        "matching the node's build",
    ),
)


def hint(error: str) -> str | None:
    lowered = (error or "").lower()
    return next((text for fragment, text in _HINTS if fragment in lowered), None)


def task_name(task: dict, service_name: str) -> str:
    slot = task.get("Slot")
    return f"{service_name}.{slot}" if slot else f"{service_name} (global)"


# `docker service inspect` fills in these defaults; a task's spec holds them only when set.
_INSPECT_DEFAULTS = (
    ("RestartPolicy",),
    ("Runtime",),
    ("ContainerSpec", "StopGracePeriod"),
    ("ContainerSpec", "DNSConfig"),
)


def _without(spec: dict, path: tuple[str, ...]) -> dict:
    head, *rest = path
    if head not in spec:
        return spec
    copy = dict(spec)
    if rest:
        copy[head] = _without(spec[head], tuple(rest))
    else:
        del copy[head]
    return copy


def _has(spec: dict, path: tuple[str, ...]) -> bool:
    for key in path:
        if not isinstance(spec, dict) or key not in spec:
            return False
        spec = spec[key]
    return True


def task_is_current(task_spec: dict | None, template: dict | None) -> bool:
    """Whether a task runs the service's current task template.

    Placement is left out: the engine keeps a task whose node still satisfies new constraints.
    """
    task_spec, template = _without(task_spec or {}, ("Placement",)), _without(template or {}, ("Placement",))
    for path in _INSPECT_DEFAULTS:
        if not _has(task_spec, path):
            template = _without(template, path)
    return task_spec == template


def service_status(
    service: dict,
    tasks: list[dict],
    baseline: set[str],
    updated: bool,
) -> dict:
    """Convergence of one service from its inspect document and the inspect documents of its tasks.

    baseline: task IDs that existed before this run changed anything (their failures are history).
    updated: whether this run changed the service (then a failed rolling update counts).
    """
    spec = service.get("Spec", {})
    name = spec.get("Name", service.get("ID", "?"))
    failures = [
        t
        for t in tasks
        if t.get("ID") not in baseline
        and t.get("Status", {}).get("State") in FAILED_STATES
        and t["Status"].get("Err")
    ]
    if is_job(mode_of_inspect(spec.get("Mode", {}))["mode"]):
        job = job_status(service, tasks)
        return {
            "name": name,
            "desired": job["desired"],
            "running": job["completed"],
            "current": job["completed"],
            "converged": job["done"],
            "update_state": None,
            "update_failed": False,
            "update_message": "",
            "failures": failures,
            "unschedulable": job["pending"],
        }
    active = [t for t in tasks if t.get("DesiredState") == "running"]
    running = [t for t in active if t.get("Status", {}).get("State") == "running"]
    current = [t for t in running if task_is_current(t.get("Spec"), spec.get("TaskTemplate"))]
    if "Replicated" in spec.get("Mode", {}):
        desired = spec["Mode"]["Replicated"].get("Replicas", 1)
    else:
        desired = len(active)
    update = service.get("UpdateStatus") or {}
    update_state = update.get("State")
    unschedulable = [
        t for t in active if t.get("Status", {}).get("State") == "pending" and t.get("Status", {}).get("Err")
    ]
    in_progress = update_state in UPDATE_IN_PROGRESS
    return {
        "name": name,
        "desired": desired,
        "running": len(running),
        "current": len(current),
        "converged": not in_progress and len(current) == desired == len(active),
        "update_state": update_state,
        "update_failed": bool(updated and update_state in UPDATE_FAILED),
        "update_message": update.get("Message", ""),
        "failures": failures,
        "unschedulable": unschedulable,
    }


def describe_tasks(status: dict, tasks: list[dict], nodes: dict[str, dict]) -> list[str]:
    """One line per distinct (node, error): 'web.2 on lab-w1 (windows): rejected: No such image ... (hint)'."""
    lines, seen = [], set()
    for task in tasks:
        node = nodes.get(task.get("NodeID", ""), {})
        where = f"{node.get('hostname', task.get('NodeID') or 'no node')}"
        if node.get("os"):
            where += f" ({node['os']})"
        state = task.get("Status", {}).get("State", "?")
        error = task.get("Status", {}).get("Err", "")
        key = (where, state, error)
        if key in seen:
            continue
        seen.add(key)
        line = f"{task_name(task, status['name'])} on {where}: {state}: {error}"
        advice = hint(error)
        lines.append(f"{line} -- {advice}" if advice else line)
    return lines


def failure_report(status: dict, nodes: dict[str, dict]) -> list[str]:
    lines = describe_tasks(status, status["failures"] + status["unschedulable"], nodes)
    if status["update_failed"]:
        lines.insert(0, f"rolling update {status['update_state']}: {status['update_message']}")
    return lines


def poll_invocations(names: list[str]) -> list[list[str]]:
    """One round trip: the services, and every task of theirs (history included) inspected."""
    return [
        ["docker", "service", "inspect", "--format", "{{json .}}", *names],
        [
            "docker",
            "inspect",
            "--type",
            "task",
            "--format",
            "{{json .}}",
            OutputOf(["docker", "service", "ps", "--quiet", "--no-trunc", *names]),
        ],
    ]


def group_tasks(services: dict[str, dict], task_documents: list) -> dict[str, list[dict]]:
    """Task documents by service name."""
    id_to_name = {doc["ID"]: name for name, doc in services.items()}
    by_service: dict[str, list[dict]] = {name: [] for name in services}
    for task in task_documents:
        name = id_to_name.get(task.get("ServiceID")) if isinstance(task, dict) else None
        if name:
            by_service[name].append(task)
    return by_service


def read_tasks(run: Callable, names: list[str]) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    """Services by name and their tasks, in one round trip."""
    service_result, tasks_result = run(poll_invocations(names))
    services = {doc["Spec"]["Name"]: doc for doc in service_result.documents if isinstance(doc, dict)}
    return services, group_tasks(services, tasks_result.documents)


def convergence_progress(statuses: dict[str, dict], updated: set[str]) -> str:
    """How far a convergence wait is: 'web: 3/5 tasks running on the new spec; 1/2 services converged'.

    A service this run changed runs the "new" spec; one it did not change is waited for as it is.
    """
    waiting = [s for s in statuses.values() if not s["converged"]]
    parts = []
    for status in waiting:
        spec = "new" if status["name"] in updated else "current"
        part = f"{status['name']}: {status['current']}/{status['desired']} tasks running on the {spec} spec"
        if status["update_state"] in UPDATE_IN_PROGRESS:
            part += f" (update {status['update_state']})"
        parts.append(part)
    done = f"{len(statuses) - len(waiting)}/{len(statuses)} services converged"
    return f"{shorten(parts)}; {done}" if parts else done


def wait_for_convergence(
    run: Callable,
    names: list[str],
    nodes: dict[str, dict],
    baseline: set[str],
    updated: set[str],
    timeout: float,
    interval: float = 2.0,
    failure_threshold: int = 2,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    show: Callable[[str], None] | None = None,
) -> tuple[dict[str, dict], list[str]]:
    """Poll until every named service converged, one failed, or the timeout passed.

    show, when given, receives progress lines while the wait lasts (_common.progress).

    Returns (statuses by name, problems). problems is empty on success; otherwise it names each
    failing service with its failing tasks (node and error), or, on timeout, what each
    unconverged service is still doing.
    """
    pending_seen: dict[str, int] = {}

    def read_and_judge():
        services, tasks = read_tasks(run, names)
        statuses, problems = {}, []
        for name in names:
            if name not in services:
                problems.append(f"service {name}: not found in the swarm")
                continue
            status = service_status(services[name], tasks.get(name, []), baseline, name in updated)
            statuses[name] = status
            for task in status["unschedulable"]:
                pending_seen[task["ID"]] = pending_seen.get(task["ID"], 0) + 1
            # The scheduler re-evaluates pending tasks; an error seen on two polls is settled.
            status["unschedulable"] = [t for t in status["unschedulable"] if pending_seen[t["ID"]] >= 2]
            if (
                len(status["failures"]) >= failure_threshold
                or status["unschedulable"]
                or status["update_failed"]
            ):
                problems.append(
                    f"service {name} is failing:\n  " + "\n  ".join(failure_report(status, nodes))
                )
        return tasks, statuses, problems

    def settled(reading):
        statuses, problems = reading[1:]
        return bool(problems) or all(s["converged"] for s in statuses.values())

    report = None
    if show is not None:
        report = Progress("convergence", timeout, lambda r: convergence_progress(r[1], updated), show)
    (tasks, statuses, problems), done = poll_until(
        read_and_judge, settled, timeout, interval, clock, sleep, report=report
    )
    if done:
        return statuses, problems
    lines = []
    for status in statuses.values():
        if status["converged"]:
            continue
        lines.append(
            f"service {status['name']}: {status['current']}/{status['desired']} tasks running the current "
            f"spec, update state {status['update_state'] or 'none'}"
        )
        active = [t for t in tasks.get(status["name"], []) if t.get("DesiredState") == "running"]
        lines += ["  " + line for line in describe_tasks(status, active + status["failures"], nodes)]
    return statuses, [f"timed out after {timeout:g}s waiting for convergence:\n" + "\n".join(lines)]

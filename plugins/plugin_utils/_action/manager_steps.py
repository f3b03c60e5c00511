"""Steps the service, network, stack and verify plugins share on the manager they run on, and the
probes on the node they run on."""

from __future__ import annotations

import yaml
from ansible.errors import AnsibleActionFail
from ansible.parsing.yaml.dumper import AnsibleDumper

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import Result
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.cluster_read import (
    ClusterError,
    read_cluster,
)


def read_cluster_or_fail(run, extra, check_mode: bool = False):
    """read_cluster (nodes plus `extra` invocations, one round trip); a failure ends the task.

    In check mode a node with no engine or no swarm yet (the engines and swarm stages only
    predicted them) is planned against as an empty swarm: no nodes, and every extra invocation
    answered with nothing. A real swarm always has a node, so callers recognise it by `not nodes`.
    """
    try:
        return read_cluster(run, extra)
    except ClusterError as exc:
        if check_mode:
            return {}, [Result(argv, 1, [], "no swarm yet") for argv in extra]
        raise AnsibleActionFail(str(exc)) from None


def listed_task_ids(result) -> set[str]:
    """Task IDs printed by `docker service ps --quiet` (none when it failed: no such service)."""
    if not result.ok:
        return set()
    return {line for line in result.text.split("\n") if line and " " not in line}


def apply_planned(run, kind: str, changes: list[dict]) -> None:
    """Run every planned change's command in one round trip; fail naming each one that failed.

    A removal the engine answers with "not found" has reached its goal: a node keeps its view of
    a swarm network until its last task container there has stopped, after the swarm removed it.
    """
    outcomes = run([change["argv"] for change in changes])
    failed = [
        f"{kind} {change['name']}: {change['action']} failed: {outcome.text}"
        for change, outcome in zip(changes, outcomes, strict=True)
        if not outcome.ok and not (change["action"] == "remove" and "not found" in outcome.text)
    ]
    if failed:
        raise AnsibleActionFail("\n".join(failed))


def yaml_text(value) -> str:
    """Block-style YAML in the given key order, for diffs."""
    return yaml.dump(value, sort_keys=False, default_flow_style=False, Dumper=AnsibleDumper)


def running_container_ids(run, service: str) -> list[str]:
    """IDs of this node's running containers of a swarm service; none is a failure naming it."""
    (containers,) = run(
        [
            [
                "docker",
                "ps",
                "--filter",
                f"label=com.docker.swarm.service.name={service}",
                "--filter",
                "status=running",
                "--format",
                "{{json .}}",
            ]
        ]
    )
    ids = [d["ID"] for d in containers.documents if isinstance(d, dict)]
    if not ids:
        raise AnsibleActionFail(
            f"no running container of service {service} on this node: {containers.text or 'none listed'}"
        )
    return ids

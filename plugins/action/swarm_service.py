"""Action plugin swarm_service: create, update or remove swarm services on the right OS.

Runs on one manager over its own connection (SSH or WinRM). Reads nodes, the declared services
and networks in one round trip, validates every definition, plans, applies only what changed,
then waits for convergence and fails fast with each failing task's node and error.
Documentation: plugins/modules/swarm_service.py.
"""

from __future__ import annotations

import functools
from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import OutputOf
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.ownership import (
    MANAGED_LABEL,
    MANAGED_VALUE,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import errors_message
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.convergence import (
    wait_for_convergence,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.definition import (
    DATA_KINDS,
    validate_services,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.options import SWARM_SERVICE_OPTIONS
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.placement import host_ports_by_node
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.spec import (
    diff_entries,
    display,
    plan_services,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.cluster_read import (
    cluster_os,
    windows_builds,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.manager_steps import (
    apply_planned,
    listed_task_ids,
    read_cluster_or_fail,
    yaml_text,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import run_docker

MANAGED_SERVICE_IDS = [
    "docker",
    "service",
    "ls",
    "--quiet",
    "--filter",
    f"label={MANAGED_LABEL}={MANAGED_VALUE}",
]
ALL_RUNNING_TASKS_ARGV = [
    "docker",
    "service",
    "ps",
    "--filter",
    "desired-state=running",
    "--format",
    "{{json .}}",
    OutputOf(["docker", "service", "ls", "--quiet"]),
]


def render(spec: dict) -> str:
    return yaml_text(display(spec))


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = SWARM_SERVICE_OPTIONS
    DEFINITIONS = ("services",)

    def act(self, args, result, task_vars):
        run = functools.partial(run_docker, self)
        names = [d["name"] for d in args["services"] if isinstance(d.get("name"), str)]
        declared = {n["name"]: n.get("state", "present") for n in args["networks"]}

        extra = [
            ["docker", "network", "ls", "--no-trunc", "--format", "{{json .}}"],
            # Tasks that exist before any change: their failures are history, not this run's.
            ["docker", "service", "ps", "--quiet", "--no-trunc", OutputOf(MANAGED_SERVICE_IDS)],
            # Every service's tasks meant to run, for the host-mode ports each node publishes already.
            ALL_RUNNING_TASKS_ARGV,
        ]
        # The names of the secrets and configs in the swarm, for services that name one not declared.
        extra += [["docker", kind, "ls", "--format", "{{.Name}}"] for kind in DATA_KINDS]
        if names:
            extra.append(["docker", "service", "inspect", "--format", "{{json .}}", *names])
        nodes, (network_result, ps_result, ports_result, secret_result, config_result, *service_result) = (
            read_cluster_or_fail(run, extra, self._task.check_mode)
        )
        existing_data = {
            kind: set(r.text.split("\n")) if r.ok else set()
            for kind, r in zip(DATA_KINDS, (secret_result, config_result), strict=True)
        }
        existing = {d["Spec"]["Name"]: d for r in service_result for d in r.documents if isinstance(d, dict)}
        network_names = {d["ID"]: d["Name"] for d in network_result.documents if isinstance(d, dict)}
        baseline = listed_task_ids(ps_result)

        specs, errors = validate_services(
            args["services"],
            cluster_os(nodes),
            set(network_names.values()) | {name for name, state in declared.items() if state == "present"},
            windows_builds(nodes),
            removed_networks={name for name, state in declared.items() if state == "absent"},
            data_versions=args["data_versions"],
            existing_data=existing_data,
            nodes=list(nodes.values()),
            # No service yet: `docker service ps` without a service fails, and no port is taken.
            host_ports=host_ports_by_node(ports_result.documents) if ports_result.ok else {},
        )
        actions, plan_errors = (
            plan_services(specs, existing, network_names, args["with_registry_auth"])
            if not errors
            else ([], [])
        )
        if errors or plan_errors:
            raise AnsibleActionFail(errors_message("service definitions", errors + plan_errors))

        changes = [a for a in actions if a["action"] != "none"]
        result.update(
            changed=bool(changes) and not args["validate_only"],
            diff=diff_entries(actions, render),
            services={a["name"]: {"action": a["action"], "changed_fields": a["fields"]} for a in actions},
        )
        if args["validate_only"] or self._task.check_mode:
            return result

        apply_planned(run, "service", changes)

        present = [a["name"] for a in actions if a["action"] != "remove"]
        if args["wait"] and present:
            statuses, problems = wait_for_convergence(
                run,
                present,
                nodes,
                baseline,
                {a["name"] for a in changes},
                timeout=args["timeout"],
                failure_threshold=args["max_task_failures"],
                show=self.show_progress,
            )
            for name, status in statuses.items():
                result["services"][name]["replicas"] = f"{status['running']}/{status['desired']}"
            if problems:
                raise AnsibleActionFail("\n".join(problems), result=result)
        return result

"""Action plugin swarm_verify: check nodes and services as a user would, plan probes, summarise.

Runs on one manager: nodes and the declared services (and stacks' services) with all their
tasks in two round trips. When something is wrong it fails listing every problem; the result
still carries the summary, which the verify stage prints either way. Documentation: plugins/modules/swarm_verify.py.
"""

from __future__ import annotations

import functools
from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import errors_message
from ansible_collections.mixedswarm.swarm.plugins.module_utils._report.data import cluster_picture
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.convergence import read_tasks
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.data import KINDS, data_check_plans
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.options import STACK_OPTIONS
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.reach import pair_problems, reach_plan
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.stack import STACK_NAMESPACE_LABEL
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.verify import (
    check_services,
    dns_probe_plan,
    http_targets,
    node_problems,
    summary_lines,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.manager_steps import (
    read_cluster_or_fail,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import run_docker


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = {
        "services": {"type": "list", "elements": "dict", "default": []},
        "stacks": {
            "type": "list",
            "elements": "dict",
            "default": [],
            "options": STACK_OPTIONS,
        },
        "dns_probe": {
            "type": "dict",
            "options": {
                "source": {"type": "str", "required": True},
                "target": {"type": "str", "required": True},
            },
        },
        "probe_nodes": {"type": "list", "elements": "str"},
        "reachability": {"type": "list", "elements": "raw", "default": []},
        "validate_only": {"type": "bool", "default": False},
        "http_checks": {
            "type": "list",
            "elements": "dict",
            "default": [],
            "options": {
                "service": {"type": "str", "required": True},
                "port": {"type": "int"},
                "path": {"type": "str", "default": "/"},
            },
        },
    }

    def act(self, args, result, task_vars):
        stacks = [s["name"] for s in args["stacks"] if s.get("state", "present") == "present"]
        declared = {s.get("name") for s in args["services"] if s.get("state", "present") == "present"}
        bad = pair_problems(args["reachability"], declared - {None}, set(stacks))
        if bad:
            raise AnsibleActionFail(
                f"{task_vars.get('inventory_hostname', '?')}: " + errors_message("verify variables", bad)
            )
        if args["validate_only"]:
            result.update(changed=False, msg="the verify stage's variables are valid")
            return result
        run = functools.partial(run_docker, self)
        listing = [
            [
                "docker",
                "service",
                "ls",
                "--filter",
                f"label={STACK_NAMESPACE_LABEL}={stack}",
                "--format",
                "{{json .}}",
            ]
            for stack in stacks
        ]
        nodes, stack_results = read_cluster_or_fail(run, listing, self._task.check_mode)
        if not nodes:
            # Check mode before the swarm exists: the earlier stages only said what they would do.
            result.update(
                changed=False,
                nodes=[],
                services=[],
                problems=[],
                dns_probe=None,
                dns_probe_skipped="no swarm yet",
                http_targets=[],
                data_checks=[],
                reach_probes=[],
                report=cluster_picture({}, [], {}),
                summary=["No swarm yet (check mode): nothing to verify until the run is made for real."],
            )
            return result
        names = [s["name"] for s in args["services"] if s.get("state", "present") == "present"]
        for stack, listed in zip(stacks, stack_results, strict=True):
            found = sorted(d["Name"] for d in listed.documents if isinstance(d, dict))
            names += found or [f"{stack} (stack with no service)"]
        services, tasks = read_tasks(run, names) if names else ({}, {})

        problems = node_problems(nodes)
        rows, service_problems = check_services(names, services, tasks, nodes)
        problems += service_problems
        probe_nodes = None if args["probe_nodes"] is None else set(args["probe_nodes"])
        dns_plan, dns_skipped = None, "no dns_probe requested"
        if args["dns_probe"]:
            dns_plan, dns_skipped = dns_probe_plan(
                args["dns_probe"]["source"], args["dns_probe"]["target"], tasks, nodes, probe_nodes
            )
        targets, http_problems, http_skipped = http_targets(args["http_checks"], services, tasks, nodes)
        problems += http_problems
        data_plans, data_skipped = [], []
        if any(
            (d.get("Spec", {}).get("TaskTemplate", {}).get("ContainerSpec", {}).get(key))
            for d in services.values()
            for key in ("Secrets", "Configs")
        ):
            listings = run([["docker", kind, "ls", "--format", "{{json .}}"] for kind in KINDS])
            data_plans, data_skipped = data_check_plans(
                names,
                services,
                tasks,
                nodes,
                {kind: r.documents for kind, r in zip(KINDS, listings, strict=True)},
                probe_nodes,
            )
        reach_probes, reach_problems = reach_plan(args["reachability"], tasks, nodes, probe_nodes)
        problems += reach_problems
        result.update(
            changed=False,
            nodes=sorted(nodes.values(), key=lambda n: n["hostname"]),
            services=rows,
            problems=problems,
            dns_probe=dns_plan,
            dns_probe_skipped=dns_skipped if dns_plan is None else "",
            http_targets=targets,
            http_skipped=http_skipped,
            data_checks=data_plans,
            data_checks_skipped=data_skipped,
            reach_probes=reach_probes,
            report=cluster_picture(nodes, rows, tasks),
            summary=summary_lines(nodes, rows),
        )
        if problems:
            found = f"{len(problems)} problem(s):\n- " + "\n- ".join(problems)
            if not self._task.check_mode:
                raise AnsibleActionFail(found, result=result)
            # The cluster before the changes the run would make: what is wrong now, not a failed run.
            self._display.warning(f"check mode, the cluster as it is now: {found}")
        return result

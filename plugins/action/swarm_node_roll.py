"""Action plugin swarm_node_roll: take a node out of service before its engine changes and give
it back afterwards (docs: plugins/modules/swarm_node_roll.py)."""

from __future__ import annotations

import time
from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.polling import poll_until
from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.drain import (
    ROLL_LABEL,
    SERVICES_ARGV,
    availability_before_roll,
    back_in_service,
    drain_argv,
    drain_progress,
    give_back_argv,
    node_tasks_argv,
    nowhere_to_go,
    restore_progress,
    running_here,
    service_of,
    service_tasks_argv,
    unconverged,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import (
    MANAGER,
    NODES_ARGV,
    nodes_from_result,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.quorum import manager_stop_problem
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import (
    failure_text,
    run_docker,
)

POLL_SECONDS = 2


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = {
        "node_id": {"type": "str", "required": True},
        "step": {"type": "str", "required": True, "choices": ["drain", "restore"]},
        "availability": {"type": "str", "choices": ["active", "pause", "drain"]},
        "timeout": {"type": "int", "default": 300},
        "host": {"type": "str", "default": ""},
    }

    def act(self, args, result, task_vars):
        name = args["host"] or args["node_id"]
        if self._task.check_mode:
            what = "drain it and wait until its tasks run elsewhere"
            if args["step"] == "restore":
                what = "wait until it is Ready"
                if args["availability"]:
                    what += f" and set its availability to {args['availability']}"
            result.update(changed=True, msg=f"would {what} ({name})")
            return result
        started = time.monotonic()
        if args["step"] == "drain":
            self._drain(args, name, result)
        else:
            self._restore(args, name, result)
        result["seconds"] = round(time.monotonic() - started, 1)
        return result

    def _nodes(self, extra=()):
        results = run_docker(self, [NODES_ARGV, *extra])
        return nodes_from_result(results[0]), results

    def _drain(self, args, name, result):
        node_id = args["node_id"]
        tasks_argv = node_tasks_argv(node_id)
        nodes, (listing, tasks) = self._nodes([tasks_argv])
        node = next((n for n in nodes or [] if n["id"] == node_id), None)
        if node is None:
            raise AnsibleActionFail(
                f"{name}: node {node_id} is not in the swarm: {failure_text([listing, tasks])}"
            )
        problem = manager_stop_problem(node_id, nodes) if node["role"] == MANAGER else None
        if problem:
            raise AnsibleActionFail(f"{name}: the roll stops before this node: {problem}")
        moving = {service_of(t) for t in running_here(tasks.documents)}
        previous = availability_before_roll(node)
        changed = node["availability"] != "drain" or ROLL_LABEL not in node["labels"]
        if changed:
            (update,) = run_docker(self, [drain_argv(node_id, previous)])
            if not update.ok:
                raise AnsibleActionFail(f"{name}: draining failed: {failure_text([update])}")

        def still_waiting():
            """Tasks still on the node, moved services not converged elsewhere yet, and tasks that
            have nowhere to go (the drain cannot complete: no point waiting for them)."""
            argvs = [tasks_argv, SERVICES_ARGV] + ([service_tasks_argv(sorted(moving))] if moving else [])
            tasks, services, *placed = run_docker(self, argvs)
            still = running_here(tasks.documents) if tasks.ok else ["(node tasks unreadable)"]
            stuck = nowhere_to_go(placed[0].documents) if placed and placed[0].ok else []
            waiting = unconverged(services.documents, moving) if services.ok else ["(services unreadable)"]
            return still, waiting, stuck

        (still, services_waiting, stuck), moved = poll_until(
            still_waiting,
            lambda reading: not (reading[0] or reading[1]) or reading[2],
            args["timeout"],
            POLL_SECONDS,
            report=self.progress(
                "drain", args["timeout"], lambda reading: drain_progress(name, *reading[:2])
            ),
        )
        waiting = still + services_waiting
        if stuck or not moved:
            # Stopped before its engine changes: the node gets back what it had, and the roll stops.
            why = (
                f"tasks have nowhere to go ({'; '.join(stuck)})"
                if stuck
                else f"after {args['timeout']} s these tasks had not moved: {', '.join(waiting)}"
            )
            (update,) = run_docker(self, [give_back_argv(node_id, previous, True)])
            back = (
                "it has its availability back"
                if update.ok
                else f"giving its availability back failed ({failure_text([update])})"
            )
            raise AnsibleActionFail(
                f"{name}: the drain cannot complete: {why}; {back}, and the roll stops before its engine "
                "changes. Let those services run elsewhere (constraints, resources, replicas per node) "
                "or raise engine_roll_drain_timeout, then run again"
            )
        result.update(
            changed=changed,
            previous_availability=previous,
            moved_services=sorted(moving),
            msg=f"{name} drained; tasks of {', '.join(sorted(moving)) or 'no service'} moved",
        )

    def _restore(self, args, name, result):
        def read_node():
            nodes, (listing,) = self._nodes()
            return next((n for n in nodes or [] if n["id"] == args["node_id"]), None), listing

        (node, listing), back = poll_until(
            read_node,
            lambda reading: back_in_service(reading[0]),
            args["timeout"],
            POLL_SECONDS,
            report=self.progress("back in service", args["timeout"], lambda r: restore_progress(name, r[0])),
        )
        if not back:
            seen = (
                f"status {node['status']}, {node['reachability'] or 'no manager status'}"
                if node
                else failure_text([listing])
            )
            raise AnsibleActionFail(
                f"{name} did not come back into the swarm within {args['timeout']} s ({seen}); the roll stops "
                "here and the nodes not rolled yet keep their engines unchanged"
            )
        wanted = args["availability"] or availability_before_roll(node)
        changed = node["availability"] != wanted or ROLL_LABEL in node["labels"]
        if changed:
            argv = give_back_argv(args["node_id"], wanted, ROLL_LABEL in node["labels"])
            (update,) = run_docker(self, [argv])
            if not update.ok:
                raise AnsibleActionFail(f"{name}: setting availability back failed: {failure_text([update])}")
        result.update(changed=changed, msg=f"{name} is Ready, availability {wanted}")

"""Action plugin swarm_reconcile: roles, labels, pruning and superseded entries by NodeID from one manager (docs: plugins/modules/swarm_reconcile.py)."""

from __future__ import annotations

from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.polling import poll_until
from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.drain import (
    node_tasks_argv,
    running_here,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import (
    INFO_ARGV,
    NODES_ARGV,
    local_state_of,
    nodes_from_result,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.quorum import UnsafeChange
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.reconcile import (
    DRAIN,
    availability_argv,
    raft_progress,
    reconcile,
    reconcile_progress,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.roles import outside_raft
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import (
    failure_text,
    run_docker,
)


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = {
        "desired": {"type": "dict", "required": True},
        "prune": {"type": "list", "elements": "str", "default": []},
        "superseded": {"type": "dict", "default": {}},
        "ready_timeout": {"type": "int", "default": 60},
        "drain_timeout": {"type": "int", "default": 120},
    }

    def act(self, args, result, task_vars):
        hostvars = task_vars["hostvars"]
        node_ids = {h: hostvars[h].get("swarm_node_id") for h in args["desired"]}
        round_trips = 0

        def read_and_plan():
            """The nodes as one manager sees them, and the changes they need (None: unreadable)."""
            nonlocal round_trips
            nodes_result, info = run_docker(self, [NODES_ARGV, INFO_ARGV])
            round_trips += 1
            nodes, own = nodes_from_result(nodes_result), local_state_of(info)
            if nodes is None and self._task.check_mode:
                # Check mode before the swarm exists: report what every node would get.
                nodes, own = [], {"node_id": ""}
            elif nodes is None:
                return failure_text([nodes_result, info]), None
            try:
                changes = reconcile(
                    nodes,
                    args["desired"],
                    node_ids,
                    own.get("node_id", ""),
                    args["prune"],
                    args["superseded"],
                )
            except UnsafeChange as exc:
                raise AnsibleActionFail(f"role change refused: {exc}", result=result) from None
            return "", changes

        def settled(reading):
            # Managers just unlocked or restarted may not answer yet; nodes that just joined or
            # reconnected become Ready within seconds; superseded entries go only once they are
            # down (a node that just left is marked so within seconds) and their replacement is Ready.
            changes = reading[1]
            return changes is not None and (
                self._task.check_mode
                or not (changes["not_ready"] or changes["going_down"] or changes["stepping_down"])
            )

        failure, changes = poll_until(
            read_and_plan,
            settled,
            args["ready_timeout"],
            report=self.progress("nodes settling", args["ready_timeout"], lambda r: reconcile_progress(*r)),
        )[0]
        if changes is None:
            raise AnsibleActionFail(f"reading the nodes failed: {failure}", result=result)
        if changes["not_ready"]:
            self._display.warning(
                f"not Ready after {args['ready_timeout']} s: "
                + ", ".join(f"{n['host']} ({n['hostname']}, {n['status']})" for n in changes["not_ready"])
            )
        argvs = changes["argvs"]
        if changes["pending"] and not self._task.check_mode:
            raise AnsibleActionFail(
                f"not in the node list of this manager: {', '.join(changes['pending'])}; did their join fail?",
                result=result,
            )
        changed = bool(argvs or changes["pending"])
        result.update(
            changed=changed,
            diff=changes["diff"] if changed else {},
            commands=[" ".join(a[:3]) + " " + a[-1] for a in argvs],
            pending=changes["pending"],
            superseded=changes["superseded"],
            not_ready=changes["not_ready"],
            round_trips=round_trips,
        )
        if self._task.check_mode or not argvs:
            return result
        applied = run_docker(self, argvs)
        result["round_trips"] = round_trips + 1
        if not all(r.ok for r in applied):
            raise AnsibleActionFail(f"reconciling nodes failed:\n{failure_text(applied)}", result=result)
        if changes["promoted"]:
            self._wait_in_raft(changes["promoted"], args["ready_timeout"], result)
        drained_now = [i for i in changes["drained"] if availability_argv(i, DRAIN) in argvs]
        if drained_now:
            self._wait_drained(drained_now, args["drain_timeout"], result)
        return result

    def _wait_drained(self, node_ids, timeout, result):
        """Nodes just drained run no task by the end of the run: the swarm moves their tasks to other
        nodes (their replacements start there first), then stops them here."""

        def read():
            tasks = run_docker(self, [node_tasks_argv(i) for i in node_ids])
            result["round_trips"] += 1
            return [
                name
                for node_id, listing in zip(node_ids, tasks, strict=True)
                for name in (running_here(listing.documents) if listing.ok else [f"(node {node_id} unread)"])
            ]

        left, moved = poll_until(read, lambda running: not running, timeout)
        if not moved:
            raise AnsibleActionFail(
                f"drained, but tasks still run there after {timeout} s: {', '.join(left)}; check that other "
                "nodes can take them (placement constraints, resources) and run again",
                result=result,
            )
        result["drained"] = node_ids

    def _wait_in_raft(self, node_ids, timeout, result):
        """A promoted node is a manager once it is a reachable raft member: wait for that, so the
        run does not end (and verify does not pass) with a manager that never joined."""

        def read():
            (nodes_result,) = run_docker(self, [NODES_ARGV])
            result["round_trips"] += 1
            nodes = nodes_from_result(nodes_result)
            if nodes is None:
                return [{"hostname": "unread", "id": i} for i in node_ids]
            return outside_raft(nodes, node_ids)

        missing, joined = poll_until(
            read, lambda outside: not outside, timeout, report=self.progress("raft", timeout, raft_progress)
        )
        if not joined:
            listing = ", ".join(f"{n['hostname']} ({n['id']})" for n in missing)
            raise AnsibleActionFail(
                f"promoted but not a reachable manager after {timeout} s: {listing}; restart its engine "
                "(systemctl restart docker) and run again",
                result=result,
            )

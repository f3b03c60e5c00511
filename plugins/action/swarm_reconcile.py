"""Action plugin swarm_reconcile: roles, labels, pruning and superseded entries by NodeID from one manager (docs: plugins/modules/swarm_reconcile.py)."""

from __future__ import annotations

import time
from typing import ClassVar

from ansible_collections.mixedswarm.swarm.plugins.module_utils.swarm_reconcile import UnsafeChange, reconcile
from ansible_collections.mixedswarm.swarm.plugins.module_utils.swarm_state import (
    INFO_ARGV,
    NODES_ARGV,
    node_entry,
    state_of,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils.node_docker import (
    DockerCLIAction,
    failure_text,
    run_docker,
)


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = {
        "desired": {"type": "dict", "required": True},
        "prune": {"type": "list", "elements": "str", "default": []},
        "superseded": {"type": "dict", "default": {}},
        "ready_timeout": {"type": "int", "default": 60},
    }

    def act(self, args, result, task_vars):
        hostvars = task_vars["hostvars"]
        node_ids = {h: hostvars[h].get("swarm_node_id") for h in args["desired"]}
        deadline = time.monotonic() + args["ready_timeout"]
        round_trips = 0
        while True:
            nodes_result, info = run_docker(self, [NODES_ARGV, INFO_ARGV])
            round_trips += 1
            own = state_of(info)
            if not nodes_result.ok:
                if self._task.check_mode:
                    # Check mode before the swarm exists: report what every node would get.
                    nodes_result.documents, own = [], {"node_id": ""}
                else:
                    result.update(
                        failed=True, msg=f"reading the nodes failed: {failure_text([nodes_result, info])}"
                    )
                    return result
            nodes = [node_entry(d) for d in nodes_result.documents]
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
                result.update(failed=True, msg=f"role change refused: {exc}")
                return result
            # A superseded entry goes only once the node that replaces it is Ready (just joined).
            if not changes["waiting"] or self._task.check_mode or time.monotonic() > deadline:
                break
            time.sleep(2)
        if changes["waiting"]:
            self._display.warning(
                f"not Ready after {args['ready_timeout']} s: {', '.join(changes['waiting'])}; "
                "their old node entries are kept until a later run"
            )
        argvs = changes["argvs"]
        if changes["pending"] and not self._task.check_mode:
            result.update(
                failed=True,
                msg=f"not in the node list of this manager: {', '.join(changes['pending'])}; did their join fail?",
            )
            return result
        changed = bool(argvs or changes["pending"])
        result.update(
            changed=changed,
            diff=changes["diff"] if changed else {},
            commands=[" ".join(a[:3]) + " " + a[-1] for a in argvs],
            pending=changes["pending"],
            superseded=changes["superseded"],
            round_trips=round_trips,
        )
        if self._task.check_mode or not argvs:
            return result
        applied = run_docker(self, argvs)
        result["round_trips"] = round_trips + 1
        if not all(r.ok for r in applied):
            result.update(failed=True, msg=f"reconciling nodes failed:\n{failure_text(applied)}")
        return result

"""Action plugin swarm_reconcile: roles, labels and pruning by NodeID from one manager (docs: plugins/modules/swarm_reconcile.py)."""

from __future__ import annotations

from typing import ClassVar

from ansible.errors import AnsibleActionFail

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
    }

    def act(self, args, result, task_vars):
        hostvars = task_vars["hostvars"]
        node_ids = {h: hostvars[h].get("swarm_node_id") for h in args["desired"]}
        nodes_result, info = run_docker(self, [NODES_ARGV, INFO_ARGV])
        own = state_of(info)
        if not nodes_result.ok:
            if self._task.check_mode:
                # Check mode before the swarm exists: report what every node would get.
                nodes_result.documents, own = [], {"node_id": ""}
            else:
                raise AnsibleActionFail(
                    f"reading the nodes failed: {failure_text([nodes_result, info])}", result=result
                )
        nodes = [node_entry(d) for d in nodes_result.documents]
        try:
            changes = reconcile(nodes, args["desired"], node_ids, own.get("node_id", ""), args["prune"])
        except UnsafeChange as exc:
            raise AnsibleActionFail(f"role change refused: {exc}", result=result) from exc
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
            round_trips=1,
        )
        if self._task.check_mode or not argvs:
            return result
        applied = run_docker(self, argvs)
        result["round_trips"] = 2
        if not all(r.ok for r in applied):
            raise AnsibleActionFail(f"reconciling nodes failed:\n{failure_text(applied)}", result=result)
        return result

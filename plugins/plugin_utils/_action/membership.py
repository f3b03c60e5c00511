"""The end of an init or a join: the node's state read after the step decides the result."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import local_state_of
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import failure_text


def membership_result(result: dict, step, steps: list, info, diff: dict, failure: str) -> dict:
    """Finish an init or join: `step` is the command that makes the node a member, `info` the
    `docker info` read after it. A node found active although the step failed was made a
    member meanwhile (nothing changed here); otherwise a failed step fails the task."""
    state = local_state_of(info)
    if not step.ok and state.get("state") != "active":
        raise AnsibleActionFail(f"{failure}: {failure_text([*steps, info])}", result=result)
    result.update(
        changed=step.ok,
        diff=diff if step.ok else {},
        node_id=state["node_id"],
        ansible_facts={"swarm_node_id": state["node_id"]},
        round_trips=1,
    )
    return result

"""Action plugin swarm_join_token: read (or rotate) the join tokens on a manager (docs: plugins/modules/swarm_join_token.py)."""

from __future__ import annotations

from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils.swarm_state import INFO_ARGV, state_of
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils.node_docker import (
    DockerCLIAction,
    failure_text,
    run_docker,
)


def token_argvs(rotate: bool) -> list[list[str]]:
    extra = ["--rotate"] if rotate else []
    return [["docker", "swarm", "join-token", "--quiet", *extra, role] for role in ("worker", "manager")]


def token_in(text: str) -> str | None:
    """The token line of `docker swarm join-token --quiet` output (warnings may precede it)."""
    return next((line.strip() for line in text.splitlines() if line.strip().startswith("SWMTKN-")), None)


def join_addr(state: dict) -> str | None:
    """This manager's own address for joins (the RemoteManagers entry with its own NodeID)."""
    own = [m["addr"] for m in state["remote_managers"] if m["node_id"] == state["node_id"]]
    return (own or [m["addr"] for m in state["remote_managers"]] or [None])[0]


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = {"rotate": {"type": "bool", "default": False}}

    def act(self, args, result, task_vars):
        rotate = args["rotate"] and not self._task.check_mode
        worker, manager, info = run_docker(self, [*token_argvs(rotate), INFO_ARGV], sensitive=True)
        state = state_of(info)
        tokens = {"worker": token_in(worker.text), "manager": token_in(manager.text)}
        if not (all(tokens.values()) and state):
            if self._task.check_mode:
                # In check mode the swarm may not exist yet (init was only reported).
                result.update(
                    changed=False,
                    tokens={"worker": "", "manager": ""},
                    join_addr="",
                    round_trips=1,
                    msg="no swarm to read tokens from yet",
                )
                return result
            raise AnsibleActionFail(
                f"reading join tokens failed: {failure_text([worker, manager, info])}", result=result
            )
        result.update(
            changed=args["rotate"],
            tokens=tokens,
            join_addr=join_addr(state),
            round_trips=1,
        )
        return result

"""Run docker CLI batches on a node through an action plugin's own Ansible connection.

Controller-side glue between action plugins and module_utils.docker_cli: it picks the shell
family the connection speaks (sh over SSH, PowerShell over WinRM/PSRP) and makes one round trip
per batch.
"""

from __future__ import annotations

from typing import ClassVar

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.mixedswarm.swarm.plugins.module_utils.docker_cli import (
    POWERSHELL,
    POWERSHELL_LOADER,
    SH,
    Result,
    batch_script,
    parse_batch_output,
    powershell_payload,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils.swarm_state import state_of


def shell_family(action) -> str:
    """'powershell' for Windows connections, 'sh' otherwise."""
    family = getattr(action._connection._shell, "SHELL_FAMILY", SH)
    return POWERSHELL if family == POWERSHELL else SH


def run_docker(action, invocations: list[list[str]], sensitive: bool = False) -> list[Result]:
    """Run the invocations in one round trip; returns one Result per invocation.

    On PowerShell connections (winrm, psrp, ssh) every batch travels on stdin behind the short
    fixed POWERSHELL_LOADER: its size never meets a command-line limit, and no connection plugin
    prints it at any verbosity. `sensitive` batches (join tokens, unlock keys) reach a sh node on
    stdin too, so the secret is in no command line that `-vvv` prints or `ps` on the node shows.
    """
    if not invocations:
        return []
    shell = shell_family(action)
    script = batch_script(invocations, shell)
    if shell == POWERSHELL:
        raw = action._low_level_execute_command(
            POWERSHELL_LOADER, sudoable=True, in_data=powershell_payload(script)
        )
    elif sensitive:
        raw = action._low_level_execute_command("/bin/sh -s", sudoable=True, in_data=script)
    else:
        raw = action._low_level_execute_command(script, sudoable=True)
    results = parse_batch_output(raw.get("stdout", ""), invocations)
    if all(r.rc == -1 for r in results):
        # The script itself did not run (connection or shell failure): say what the node said.
        detail = (raw.get("stderr") or raw.get("stdout") or "").strip()
        for r in results:
            r.text = detail or r.text
    return results


def failure_text(results: list[Result]) -> str:
    """One line per failed invocation: its docker subcommand (never the arguments, which may hold
    secrets) and what it printed."""
    return "\n".join(
        f"{' '.join(map(str, r.argv[:3]))}: {r.text or f'exit {r.rc}'}" for r in results if not r.ok
    )


class DockerCLIAction(ActionBase):
    """Base of the project's action plugins: checks the task's arguments against the plugin's
    ARGUMENT_SPEC (and REQUIRED_IF), then hands them to act(). Options named in DEFINITIONS are
    lists of user definitions: Ansible checks only that each is a mapping, and the project's own
    checks type their keys by the same suboptions (definition_check.typed_values) and report every
    problem at once, with the field's full path and the closest valid key. Check mode is supported by
    all; each act() decides what it may do in it. Every failure raises AnsibleActionFail, with
    the result gathered so far when there is one."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    ARGUMENT_SPEC: ClassVar[dict] = {}
    REQUIRED_IF: ClassVar[tuple] = ()
    DEFINITIONS: ClassVar[tuple] = ()

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        spec = {
            name: {k: v for k, v in option.items() if k != "options"} if name in self.DEFINITIONS else option
            for name, option in self.ARGUMENT_SPEC.items()
        }
        _validated, args = self.validate_argument_spec(argument_spec=spec, required_if=list(self.REQUIRED_IF))
        return self.act(args, result, task_vars or {})

    def act(self, args: dict, result: dict, task_vars: dict) -> dict:
        raise NotImplementedError


def membership_result(result: dict, step, steps: list, info, diff: dict, failure: str) -> dict:
    """Finish an init or join: `step` is the command that makes the node a member, `info` the
    `docker info` read after it. A node found active although the step failed was made a
    member meanwhile (nothing changed here); otherwise a failed step fails the task."""
    state = state_of(info)
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

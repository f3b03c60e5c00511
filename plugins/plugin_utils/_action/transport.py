"""Run docker CLI batches on a node through an action plugin's own Ansible connection.

It picks the shell family the connection speaks (sh over SSH, PowerShell over WinRM/PSRP) and
makes one round trip per batch (module_utils._cli builds the script and reads its output).
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import (
    POWERSHELL_LOADER,
    Result,
    batch_script,
    parse_batch_output,
    powershell_payload,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.quoting import POWERSHELL, SH


def shell_family(action) -> str:
    """'powershell' for Windows connections, 'sh' otherwise."""
    family = getattr(action._connection._shell, "SHELL_FAMILY", SH)
    return POWERSHELL if family == POWERSHELL else SH


def run_docker(action, invocations: list[list[str]], sensitive: bool = False) -> list[Result]:
    """Run the invocations in one round trip; returns one Result per invocation.

    On PowerShell connections (winrm, psrp, ssh) every batch travels on stdin behind the short
    fixed POWERSHELL_LOADER, as data for the fixed POWERSHELL_RUNNER: its size never meets a
    command-line limit, no connection plugin prints it at any verbosity, and no secret is ever
    part of a script block's text. `sensitive` batches (join tokens, unlock keys) reach a sh node
    on stdin too, so the secret is in no command line that `-vvv` prints or `ps` on the node shows,
    and their output is displayed at no verbosity (the play context's no_log, for that round trip).
    """
    if not invocations:
        return []
    if sensitive:
        # What the node prints may be the secret (an unlock key read, the key `swarm update --autolock`
        # prints): the connection plugins display a command's output at -vvv unless the play context
        # says no_log, so it says so for this round trip whatever the task says.
        context = action._connection._play_context
        was = context.no_log
        context.no_log = True
        try:
            return _run(action, invocations, sensitive)
        finally:
            context.no_log = was
    return _run(action, invocations, sensitive)


def _run(action, invocations: list[list[str]], sensitive: bool) -> list[Result]:
    shell = shell_family(action)
    if shell == POWERSHELL:
        become = getattr(action._connection, "become", None)
        if become is not None:
            raise AnsibleActionFail(windows_become_refusal(action._play_context.remote_addr, become.name))
        raw = action._low_level_execute_command(
            POWERSHELL_LOADER, sudoable=False, in_data=powershell_payload(invocations)
        )
        return _results(raw, invocations)
    script = batch_script(invocations, shell)
    if sensitive:
        raw = action._low_level_execute_command("/bin/sh -s", sudoable=True, in_data=script)
    else:
        raw = action._low_level_execute_command(script, sudoable=True)
    return _results(raw, invocations)


def windows_become_refusal(host: str, method: str) -> str:
    """Why a Windows host with become set is refused rather than run as the connection user."""
    return (
        f"{host}: become ({method}) is not supported by the mixedswarm.swarm plugins on Windows hosts: "
        "Ansible applies runas only inside its module wrapper, so docker.exe would run as the "
        "connection user anyway. Remove become from this task or host, and connect as a user that "
        "may run docker (a member of Administrators or of the engine's docker-users group)."
    )


def _results(raw: dict, invocations: list[list[str]]) -> list[Result]:
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

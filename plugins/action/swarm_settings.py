"""Action plugin swarm_settings: converge the swarm's own settings from one manager (docs: plugins/modules/swarm_settings.py)."""

from __future__ import annotations

import os
from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.polling import poll_until
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.membership import (
    unlock_key_argv,
    unlock_key_in,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import INFO_ARGV, NODES_ARGV
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.settings import (
    CA_ROTATE_ARGV,
    current_settings,
    fixed_differences,
    key_to_write,
    nodes_on_old_ca,
    trust_root,
    update_changes,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import (
    failure_text,
    run_docker,
)


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = {
        "wanted": {"type": "dict", "default": {}},
        "unlock_key_file": {"type": "path"},
        "rotate_unlock_key": {"type": "bool", "default": False},
        "rotate_ca": {"type": "bool", "default": False},
        "ca_timeout": {"type": "int", "default": 300},
    }

    def act(self, args, result, task_vars):
        wanted, key_file, rotate = args["wanted"], args["unlock_key_file"], args["rotate_unlock_key"]
        (info,) = run_docker(self, [INFO_ARGV])
        current = current_settings(info.documents[0]) if info.ok and info.documents else {}
        if not current and not self._task.check_mode:
            raise AnsibleActionFail(
                f"cannot read the swarm's settings here (run it on a manager): {failure_text([info])}",
                result=result,
            )
        changes = update_changes(wanted, current)
        try:
            write_key = key_to_write(
                changes, wanted, current, key_file, rotate, bool(key_file) and os.path.exists(key_file)
            )
        except ValueError as exc:
            raise AnsibleActionFail(str(exc), result=result) from None
        if write_key:
            # Before anything changes: a key that cannot be written must not be created.
            _check_writable(key_file, result)
        diff = changes["diff"]
        if write_key:
            diff["before"]["unlock_key_file"] = "rotated" if rotate else "absent"
            diff["after"]["unlock_key_file"] = f"{key_file} (mode 0600)"
        if args["rotate_ca"]:
            diff["before"]["root_ca"] = "current"
            diff["after"]["root_ca"] = "new, every node's certificate issued by it"
        changed = bool(changes["flags"]) or write_key or args["rotate_ca"]
        result.update(
            changed=changed,
            diff=diff if changed else {},
            fixed_differences=fixed_differences(wanted, current) if current else [],
            round_trips=1,
        )
        if self._task.check_mode or not changed:
            return result
        if changes["flags"] or write_key:
            self._update(changes, key_file, write_key, rotate, result)
        if args["rotate_ca"]:
            self._rotate_ca(args["ca_timeout"], result)
        return result

    def _update(self, changes, key_file, write_key, rotate, result):
        batch = [["docker", "swarm", "update", *changes["flags"]]] if changes["flags"] else []
        if write_key:
            batch.append(unlock_key_argv(rotate))
        # The update that turns autolock on prints the key, and unlock-key prints it: nothing of their
        # output goes into the result or a message.
        outcome = run_docker(self, batch, sensitive=True)
        result["round_trips"] += 1
        failed = [r for r in outcome if not r.ok]
        if failed:
            raise AnsibleActionFail(
                f"updating the swarm's settings failed: {_subcommands(failed)} exited "
                f"{', '.join(str(r.rc) for r in failed)}",
                result=result,
            )
        if write_key:
            key = unlock_key_in(outcome[-1].text)
            if not key:
                raise AnsibleActionFail(
                    "docker swarm unlock-key printed no key; read it on a manager with "
                    "`docker swarm unlock-key --quiet` and store it in the file yourself",
                    result=result,
                )
            _write_key(key_file, key)
            del key
            result["unlock_key_file"] = key_file
            self._display.warning(
                f"the swarm's unlock key was written to {key_file} (mode 0600); encrypt it now with: "
                f"ansible-vault encrypt {key_file}"
            )

    def _rotate_ca(self, timeout, result):
        """A new root CA, then wait until the rotation is over and every Ready node holds a certificate
        whose issuer is the new CA (each node's issuer compared with the swarm's)."""
        (rotated,) = run_docker(self, [CA_ROTATE_ARGV])
        result["round_trips"] += 1
        if not rotated.ok:
            raise AnsibleActionFail(f"rotating the root CA failed: {failure_text([rotated])}", result=result)

        def read():
            info, nodes = run_docker(self, [INFO_ARGV, NODES_ARGV])
            result["round_trips"] += 1
            if not (info.ok and info.documents and nodes.ok):
                return ["(the manager does not answer yet)"]
            root = trust_root(info.documents[0])
            behind = nodes_on_old_ca(root, nodes.documents)
            return behind + (["(the swarm still rotates)"] if root["rotating"] else [])

        behind, done = poll_until(read, lambda left: not left, timeout)
        if not done:
            raise AnsibleActionFail(
                f"the root CA was rotated, but after {timeout} s these still hold a certificate of the old CA: "
                f"{', '.join(behind)}; make sure they reach a manager and run again (without swarm_ca_rotate)",
                result=result,
            )
        result["ca_rotated"] = True


def _subcommands(results) -> str:
    """The docker subcommands that failed, never their output (it may hold the key)."""
    return ", ".join(" ".join(map(str, r.argv[:3])) for r in results)


def _check_writable(path: str, result: dict) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path) or not os.path.isdir(directory) or not os.access(directory, os.W_OK):
        raise AnsibleActionFail(
            f"swarm_unlock_key_file {path}: cannot write the unlock key there (its directory must exist and be "
            "writable, and the path must not be a directory); nothing was changed",
            result=result,
        )


def _write_key(path: str, key: str) -> None:
    """The key alone in the file, readable by its owner only, whatever the umask or an older file's mode."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (key + "\n").encode())
    finally:
        os.close(fd)

"""Action plugin swarm_settings: converge the swarm's own settings from one manager (docs: plugins/modules/swarm_settings.py)."""

from __future__ import annotations

import os
from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.membership import (
    unlock_key_argv,
    unlock_key_in,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import INFO_ARGV
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.settings import (
    current_settings,
    fixed_differences,
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
        autolock_after = wanted.get("autolock", current.get("autolock", False))
        if rotate and not autolock_after:
            raise AnsibleActionFail(
                "swarm_rotate_unlock_key is true but autolock is off: there is no unlock key to rotate; "
                "set swarm_autolock: true (with swarm_unlock_key_file) or leave the rotation out",
                result=result,
            )
        # The key is written when autolock is turned on, on rotation, and once when autolock is on but
        # the named file does not exist yet (autolock turned on by hand, or the file was moved away).
        write_key = (
            bool(key_file)
            and autolock_after
            and (changes["autolock_on"] or rotate or not os.path.exists(key_file))
        )
        if (changes["autolock_on"] or rotate) and not key_file:
            raise AnsibleActionFail(
                "autolock's unlock key would be lost: set swarm_unlock_key_file, the controller file it is written to",
                result=result,
            )
        if write_key:
            # Before anything changes: a key that cannot be written must not be created.
            _check_writable(key_file, result)
        diff = changes["diff"]
        if write_key:
            diff["before"]["unlock_key_file"] = "rotated" if rotate else "absent"
            diff["after"]["unlock_key_file"] = f"{key_file} (mode 0600)"
        changed = bool(changes["flags"]) or write_key
        result.update(
            changed=changed,
            diff=diff if changed else {},
            fixed_differences=fixed_differences(wanted, current) if current else [],
            round_trips=1,
        )
        if self._task.check_mode or not changed:
            return result
        batch = [["docker", "swarm", "update", *changes["flags"]]] if changes["flags"] else []
        if write_key:
            batch.append(unlock_key_argv(rotate))
        # The update that turns autolock on prints the key, and unlock-key prints it: nothing of their
        # output goes into the result or a message.
        outcome = run_docker(self, batch, sensitive=True)
        result["round_trips"] = 2
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
        return result


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

"""Action plugin swarm_run_lock: one run at a time per cluster, with a lock kept on the first
manager (docs: plugins/modules/swarm_run_lock.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.quoting import POWERSHELL
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.run_lock import (
    ACQUIRED,
    HELD,
    LINUX_LOCK,
    NOT_OURS,
    TAKEN_OVER,
    WINDOWS_LOCK,
    describe,
    holder_line,
    lock_invocation,
    lock_script,
    parse_answer,
    parse_holder,
    stale_reason,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import (
    run_docker,
    shell_family,
)

POLL_SECONDS = 5
PROGRESS_SECONDS = 30


def process_started(pid: int) -> int | None:
    """When a process of this host started, in whole seconds since the epoch (None: not running).

    Linux: field 22 of /proc/PID/stat (clock ticks after boot) plus btime of /proc/stat (proc(5));
    elsewhere `ps -o etime=` ([[dd-]hh:]mm:ss ago), which POSIX ps prints."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat") as boot:
            btime = next(int(line.split()[1]) for line in boot if line.startswith("btime "))
        return btime + ticks // os.sysconf("SC_CLK_TCK")
    except FileNotFoundError:
        if os.path.isdir("/proc/self"):
            return None
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    out = subprocess.run(["ps", "-o", "etime=", "-p", str(pid)], capture_output=True, text=True, check=False)
    if out.returncode != 0 or not out.stdout.strip():
        return None
    days, _dash, clock = out.stdout.strip().rpartition("-")
    seconds = 0
    for part in clock.split(":"):
        seconds = seconds * 60 + int(part)
    return int(time.time()) - seconds - int(days or 0) * 86400


def process_alive(pid, started) -> bool:
    """The holder's process still runs here: same pid, started at the same time (not a reused pid)."""
    if not isinstance(pid, int):
        return False
    now_started = process_started(pid)
    return now_started is not None and abs(now_started - int(started or 0)) <= 2


# ansible-playbook's options that take a value as the next word (an inventory file is no playbook).
VALUE_OPTIONS = {
    "-i", "--inventory", "--inventory-file", "-e", "--extra-vars", "-l", "--limit", "-t", "--tags",
    "--skip-tags", "-u", "--user", "-c", "--connection", "-f", "--forks", "-M", "--module-path",
    "--vault-id", "--vault-password-file", "--private-key", "--key-file", "-T", "--timeout",
    "--start-at-task", "--become-method", "--become-user",
}  # fmt: skip


def playbook_name(argv: list[str] | None = None) -> str:
    """The playbook(s) this ansible-playbook runs: the command line's words that are no option and
    no option's value."""
    argv = sys.argv[1:] if argv is None else argv
    books = [
        os.path.basename(word)
        for index, word in enumerate(argv)
        if not word.startswith("-") and (index == 0 or argv[index - 1] not in VALUE_OPTIONS)
    ]
    return ",".join(books) or "a playbook"


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = {
        "state": {"type": "str", "default": "held", "choices": ["held", "released"]},
        "wait": {"type": "int", "default": 600},
        "lease": {"type": "int", "default": 14400},
    }

    def _script(self, step: str, holder: str) -> tuple[str, str]:
        shell = shell_family(self)
        script = lock_script(step, shell, holder)
        if shell == POWERSHELL:
            (step_result,) = run_docker(self, [lock_invocation(script)])
            raw = {"stdout": step_result.output, "rc": step_result.rc}
        else:
            raw = self._low_level_execute_command(script, sudoable=True)
        status, line = parse_answer(raw.get("stdout", ""))
        if not status:
            detail = (raw.get("stderr") or raw.get("stdout") or "").strip() or f"exit {raw.get('rc')}"
            raise AnsibleActionFail(
                f"{self._lock_place()}: the run lock could not be read or written: {detail}"
            )
        return status, line

    def _lock_place(self) -> str:
        where = WINDOWS_LOCK if shell_family(self) == POWERSHELL else LINUX_LOCK
        return f"{self._task.delegate_to or 'the first manager'} ({where})"

    def act(self, args, result, task_vars):
        if self._task.check_mode:
            result.update(changed=False, skipped=True, msg="check mode changes nothing and needs no run lock")
            return result
        pid = os.getppid()  # ansible-playbook itself: each task runs in a worker it forked
        started = process_started(pid) or int(time.time())
        holder = holder_line(socket.gethostname(), pid, started, playbook_name(), args["lease"])
        result["holder"] = parse_holder(holder)
        if args["state"] == "released":
            status, seen = self._script("release", holder)
            # The lock is the run's own bookkeeping, not a change to the cluster: a second run of
            # site.yml must still report changed=0.
            result.update(changed=False, lock=status, msg=f"run lock on {self._lock_place()}: {status}")
            if status == NOT_OURS:
                result["msg"] = (
                    f"the run lock on {self._lock_place()} is held by {describe(parse_holder(seen))}"
                )
            return result
        self._acquire(args, holder, result)
        return result

    def _acquire(self, args, holder, result):
        deadline = time.monotonic() + args["wait"]
        last_progress = None
        while True:
            status, seen = self._script("acquire", holder)
            if status == ACQUIRED or seen == holder:
                # Ours already: an earlier stage of this same run took it.
                result.update(
                    changed=False,
                    lock=status if status == ACQUIRED else HELD,
                    msg=f"this run holds the run lock on {self._lock_place()}",
                )
                return
            other = parse_holder(seen) if status == HELD else None
            reason = stale_reason(other, time.time(), socket.gethostname(), process_alive)
            if reason:
                taken, _seen = self._script("take_over", seen)
                if taken == TAKEN_OVER:
                    self._display.warning(
                        f"took over the run lock on {self._lock_place()} from {describe(other)}: {reason}"
                    )
                    result["taken_over_from"] = other
                continue  # acquire again (raced: another run took it first, and we wait for that one)
            now = time.monotonic()
            if now >= deadline:
                raise AnsibleActionFail(
                    f"another run holds the cluster's run lock on {self._lock_place()}: {describe(other)}; "
                    f"this run changed nothing. Waited {args['wait']} s (swarm_run_lock_wait; 0 refuses at once). "
                    "If that run is gone for good (and its controller cannot tell), remove the lock directory"
                )
            if last_progress is None or now - last_progress >= PROGRESS_SECONDS:
                self._display.display(
                    f"waiting for the run lock on {self._lock_place()}, held by {describe(other)} "
                    f"({int(deadline - now)} s left)"
                )
                last_progress = now
            time.sleep(min(POLL_SECONDS, max(0.0, deadline - now)))

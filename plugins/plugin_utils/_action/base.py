"""The base class of the project's action plugins: validates a task's arguments against the
plugin's argument spec, then hands them to act().
"""

from __future__ import annotations

from typing import ClassVar

from ansible.plugins.action import ActionBase

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.progress import Progress


class DockerCLIAction(ActionBase):
    """Base of the project's action plugins: checks the task's arguments against the plugin's
    ARGUMENT_SPEC (and REQUIRED_IF), then hands them to act(). Options named in DEFINITIONS are
    lists of user definitions: Ansible checks only that each is a mapping, and the project's own
    checks type their keys by the same suboptions (_common.problems.typed_values) and report every
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

    def show_progress(self, line: str) -> None:
        """A progress line of a long wait, shown on the controller at default verbosity while the
        action runs (Display forwards it from the worker process)."""
        self._display.display(f"  [{self._task.name or self._task.action}] {line}")

    def progress(self, what: str, timeout: float, describe) -> Progress:
        """The reporter a wait passes to poll_until (report=...): lines through show_progress."""
        return Progress(what, timeout, describe, self.show_progress)

"""Action plugin swarm_secret: versioned swarm secrets and configs from variables.

Loads each declared content on the controller (a file, vault-encrypted or not, an inline value,
or a template rendered with the task's variables), then on one manager reads the existing secrets
and configs and which services refer to them in one round trip, and creates each new version
with its content on stdin, or removes superseded versions no service uses
(module_utils._service.data decides). Documentation: plugins/modules/swarm_secret.py.
"""

from __future__ import annotations

import functools
from typing import ClassVar

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.plugins.loader import lookup_loader

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import (
    DefinitionErrors,
    errors_message,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.data import (
    CONTAINER_SPECS,
    KINDS,
    check_definitions,
    content_hash,
    plan_data,
    referenced,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.options import SWARM_SECRET_OPTIONS
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.spec import diff_entries
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.manager_steps import (
    apply_planned,
    read_cluster_or_fail,
    yaml_text,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import run_docker


def listing(kind: str) -> list[str]:
    return ["docker", kind, "ls", "--format", "{{json .}}"]


def render(shown: dict) -> str:
    return yaml_text(shown)


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = SWARM_SECRET_OPTIONS
    DEFINITIONS = ("secrets", "configs")
    PHASES: ClassVar[dict] = {"all": {"create", "remove"}, "create": {"create"}, "remove": {"remove"}}

    def _content(self, kind: str, entry: dict, task_vars: dict, errors: DefinitionErrors) -> bytes | None:
        """The bytes of one definition's content; a problem names the object and the field."""
        source, origin = entry["source"], entry["origin"]
        try:
            if source == "data":
                return origin.encode("utf-8")
            if source == "template":
                template = lookup_loader.get(
                    "ansible.builtin.template", loader=self._loader, templar=self._templar
                )
                (text,) = template.run([origin], variables=task_vars)
                return text.encode("utf-8")
            path = self._find_needle("files", origin)
            real = self._loader.get_real_file(path, decrypt=True)
            try:
                with open(real, "rb") as handle:
                    content = handle.read()
            finally:
                self._loader.cleanup_tmp_file(real)
        except AnsibleError as exc:
            # The first line: a file not found goes on to list every folder searched.
            reason = (exc.message or str(exc)).splitlines()[0]
            errors.add(kind, entry["name"], source, f"cannot read {origin!r} on the controller: {reason}")
            return None
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            errors.add(
                kind, entry["name"], source, f"{origin!r} is not UTF-8 text; give text (base64 for binary)"
            )
            return None
        return content

    def act(self, args, result, task_vars):
        errors = DefinitionErrors()
        wanted = {}
        for kind in KINDS:
            wanted[kind] = check_definitions(kind, args[f"{kind}s"], errors)
            for entry in wanted[kind]:
                if entry["state"] == "present":
                    entry["content"] = self._content(kind, entry, task_vars, errors)
                    if entry["content"] is not None:
                        entry["digest"] = content_hash(entry["content"])
        if errors:
            raise AnsibleActionFail(errors_message("secret and config definitions", errors))

        run = functools.partial(run_docker, self)
        _nodes, (secrets, configs, specs) = read_cluster_or_fail(
            run, [listing("secret"), listing("config"), CONTAINER_SPECS], self._task.check_mode
        )
        existing = {"secret": secrets.documents, "config": configs.documents}
        in_use = referenced(specs.documents)
        actions, versions = [], {}
        for kind in KINDS:
            planned, plan_errors, versions[kind] = plan_data(kind, wanted[kind], existing[kind], in_use[kind])
            errors.extend(plan_errors)
            actions += [dict(a, kind=kind) for a in planned]
        if errors:
            raise AnsibleActionFail(errors_message("secret and config definitions", errors))

        actions = [a for a in actions if a["action"] in self.PHASES[args["changes"]] | {"none"}]
        changes = [a for a in actions if a["action"] != "none"]
        result.update(
            changed=bool(changes) and not args["validate_only"],
            diff=diff_entries(actions, render),
            versions=versions,
            **{f"{kind}s": {a["name"]: a["action"] for a in actions if a["kind"] == kind} for kind in KINDS},
        )
        if args["validate_only"] or self._task.check_mode or not changes:
            return result
        # The contents travel on stdin (sensitive): never in a command line, on sh or PowerShell.
        apply_planned(functools.partial(run_docker, self, sensitive=True), "secret or config", changes)
        return result

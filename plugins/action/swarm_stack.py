"""Action plugin swarm_stack: deploy a compose file as a stack, each service on its declared OS.

Runs on one manager. The compose document arrives rendered (templated on the controller), gets
the OS constraints, ownership label and hash (module_utils._service.stack), is copied to the
manager's temporary directory and deployed with `docker stack deploy`; an unchanged stack is
not redeployed. Then it waits for convergence like swarm_service.
Documentation: plugins/modules/swarm_stack.py.
"""

from __future__ import annotations

import functools
import os
from typing import ClassVar

import yaml
from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.plugins.loader import lookup_loader

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import errors_message
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.convergence import (
    wait_for_convergence,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.data import (
    CONTAINER_SPECS,
    KINDS,
    NAME_LABEL,
    plan_data,
    referenced,
    ship_stack_data,
    stack_data_files,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.data import (
    HASH_LABEL as DATA_HASH_LABEL,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.options import SWARM_STACK_OPTIONS
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.stack import (
    HASH_LABEL,
    deploy_argv,
    prepare_compose,
    stack_is_current,
    stack_service_names,
    stack_services_invocations,
    unmanaged_services,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.cluster_read import (
    cluster_os,
    windows_builds,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.manager_steps import (
    apply_planned,
    listed_task_ids,
    read_cluster_or_fail,
    yaml_text,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import run_docker


def load_compose(stack: str, field: str, text, origin: str = "") -> dict:
    """The compose document from YAML text (a dict is kept); a YAML error names the stack, the field
    and the file it came from."""
    if not isinstance(text, str):
        return text
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = f" {origin}" if origin else ""
        raise AnsibleActionFail(
            f"stack {stack!r}, field {field!r}:{where} is not valid YAML: {exc}"
        ) from None


class ActionModule(DockerCLIAction):
    TRANSFERS_FILES = True
    ARGUMENT_SPEC: ClassVar[dict] = SWARM_STACK_OPTIONS
    REQUIRED_IF = (("state", "present", ("definition", "src"), True),)

    def _data_files(self, stack: str, args: dict, compose) -> tuple[dict, dict]:
        """The compose document with its `file:` secrets and configs read on the controller
        (relative to the compose template, or to the playbook for an inline definition) and the
        files to ship next to it (data.ship_stack_data)."""
        refs, problems = stack_data_files(stack, compose)
        if not refs and not problems:
            return compose, {}
        base = (
            os.path.dirname(self._find_needle("templates", args["src"]))
            if args["src"]
            else self._loader.get_basedir()
        )
        contents = {}
        for kind, key, path in refs:
            full = os.path.join(base, os.path.expanduser(path))
            try:
                real = self._loader.get_real_file(full, decrypt=True)
                with open(real, "rb") as handle:
                    contents[(kind, key)] = handle.read()
                self._loader.cleanup_tmp_file(real)
            except (AnsibleError, OSError) as exc:
                problems.append(
                    f"stack {stack!r}, field '{kind}s.{key}.file': cannot read {path!r} (from {base}) on the "
                    f"controller: {getattr(exc, 'message', None) or exc.strerror}"
                )
        if problems:
            raise AnsibleActionFail(errors_message(f"stack {stack!r}", problems))
        return ship_stack_data(stack, compose, contents)

    def _remove_superseded(self, run, stack: str, prepared: dict) -> list[str]:
        """Remove the versions of the stack's shipped secrets and configs that no service uses now."""
        wanted = {
            kind: [
                {
                    "name": (entry.get("labels") or {}).get(NAME_LABEL),
                    "state": "present",
                    "digest": labels[DATA_HASH_LABEL],
                }
                for entry in (prepared.get(f"{kind}s") or {}).values()
                if isinstance(entry, dict) and DATA_HASH_LABEL in (labels := entry.get("labels") or {})
            ]
            for kind in KINDS
        }
        if not any(wanted.values()):
            return []
        listed = run([["docker", kind, "ls", "--format", "{{json .}}"] for kind in KINDS] + [CONTAINER_SPECS])
        in_use = referenced(listed[-1].documents)
        removals = []
        for kind, result in zip(KINDS, listed, strict=False):
            actions, _errors, _versions = plan_data(kind, wanted[kind], result.documents, in_use[kind])
            removals += [a for a in actions if a["action"] == "remove"]
        if removals:
            apply_planned(run, "stack secret or config", removals)
        return [a["name"] for a in removals]

    def _compose(self, stack: str, args: dict, task_vars: dict):
        """The compose document from `definition`, or from the template `src` rendered here."""
        if args["definition"] is not None and args["src"]:
            raise AnsibleActionFail(
                f"stack {stack!r}, field 'definition': give either definition (inline) or src (a template file), "
                "not both"
            )
        if not args["src"]:
            return load_compose(stack, "definition", args["definition"])
        template = lookup_loader.get("ansible.builtin.template", loader=self._loader, templar=self._templar)
        try:
            (text,) = template.run([args["src"]], variables=task_vars)
        except AnsibleError as exc:
            raise AnsibleActionFail(f"stack {stack!r}, field 'src': {exc.message}") from None
        return load_compose(stack, "src", text, f"template {args['src']}")

    def act(self, args, result, task_vars):
        stack = args["name"]
        run = functools.partial(run_docker, self)
        nodes, (inspect_result, ps_result) = read_cluster_or_fail(
            run, stack_services_invocations(stack), self._task.check_mode
        )
        # With no service in the stack both commands get no argument and fail: nothing exists.
        existing = {d["Spec"]["Name"]: d for d in inspect_result.documents if isinstance(d, dict)}
        baseline = listed_task_ids(ps_result)
        foreign = unmanaged_services(existing)
        if foreign:
            raise AnsibleActionFail(
                f"stack {stack!r}: service(s) {', '.join(foreign)} exist but were not deployed by this project; "
                "they are left alone (pick another stack name)"
            )

        if args["state"] == "absent":
            result.update(changed=bool(existing) and not args["validate_only"], services=sorted(existing))
            if existing and not (args["validate_only"] or self._task.check_mode):
                (removed,) = run([["docker", "stack", "rm", stack]])
                if not removed.ok:
                    raise AnsibleActionFail(f"stack {stack!r}: docker stack rm failed: {removed.text}")
            return result

        compose, data_files = self._data_files(stack, args, self._compose(stack, args, task_vars))
        prepared, digest, errors = prepare_compose(stack, compose, cluster_os(nodes), windows_builds(nodes))
        if errors:
            raise AnsibleActionFail(errors_message(f"stack {stack!r}", errors))
        current = stack_is_current(stack, prepared, digest, existing)
        text = yaml_text(prepared)
        before_hashes = {n: (d["Spec"].get("Labels") or {}).get(HASH_LABEL) for n, d in existing.items()}
        result.update(
            changed=not current and not args["validate_only"],
            services=stack_service_names(stack, prepared),
            hash=digest,
            diff=[]
            if current
            else [
                {
                    "before_header": f"stack {stack} (services and their {HASH_LABEL})",
                    "before": yaml_text(before_hashes) if before_hashes else "",
                    "after_header": f"stack {stack} (compose file as deployed)",
                    "after": text,
                }
            ],
        )
        if current or args["validate_only"] or self._task.check_mode:
            return result

        tmp_dir = self._make_tmp_path()
        try:
            path = self._connection._shell.join_path(tmp_dir, f"{stack}-compose.yml")
            self._transfer_data(path, text)
            for name, content in data_files.items():
                self._transfer_data(self._connection._shell.join_path(tmp_dir, name), content)
            (deployed,) = run([deploy_argv(stack, path, args["prune"], args["with_registry_auth"])])
        finally:
            self._remove_tmp_path(tmp_dir)
        if not deployed.ok:
            raise AnsibleActionFail(f"stack {stack!r}: docker stack deploy failed: {deployed.text}")
        result["removed_versions"] = self._remove_superseded(run, stack, prepared)
        if args["wait"]:
            names = stack_service_names(stack, prepared)
            statuses, problems = wait_for_convergence(
                run,
                names,
                nodes,
                baseline,
                set(names),
                timeout=args["timeout"],
                failure_threshold=args["max_task_failures"],
                show=self.show_progress,
            )
            result["replicas"] = {n: f"{s['running']}/{s['desired']}" for n, s in statuses.items()}
            if problems:
                raise AnsibleActionFail("\n".join(problems), result=result)
        return result

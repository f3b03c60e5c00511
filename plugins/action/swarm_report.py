"""Action plugin swarm_report: write the cluster report (HTML and JSON) on the controller.
Documentation: plugins/modules/swarm_report.py.
"""

from __future__ import annotations

import datetime
import json
import os
import time
from typing import ClassVar

from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._report.data import (
    reach_lines,
    reach_results,
    report_document,
    stage_times,
    verify_findings,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._report.html import render
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction


class ActionModule(DockerCLIAction):
    ARGUMENT_SPEC: ClassVar[dict] = {
        "path": {"type": "str", "required": True},
        "cluster": {"type": "dict", "default": {}},
        "problems": {"type": "list", "elements": "str", "default": []},
        "dns_probe": {"type": "dict"},
        "dns_result": {"type": "dict", "default": {}},
        "dns_skipped": {"type": "str", "default": ""},
        "http_results": {"type": "list", "elements": "dict", "default": []},
        "http_skipped": {"type": "list", "elements": "str", "default": []},
        "reach_results": {"type": "list", "elements": "dict", "default": []},
        "reach_requested": {"type": "bool", "default": False},
        "stages": {"type": "dict", "default": {}},
    }

    def act(self, args, result, task_vars):
        pairs = reach_results(args["reach_results"])
        lines = reach_lines(pairs, args["reach_requested"])
        dns = None
        if args["dns_probe"]:
            dns = {**args["dns_probe"], **args["dns_result"]}
        findings = verify_findings(
            args["problems"],
            dns,
            args["dns_skipped"],
            [r for r in args["http_results"] if not r.get("skipped")],
            args["http_skipped"],
            pairs,
            [],
        )
        picture = {"nodes": [], "services": [], "networks": [], **args["cluster"]}
        taken_at = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        document = report_document(picture, findings, stage_times(args["stages"], time.time()), taken_at)
        path = os.path.abspath(os.path.expanduser(args["path"]))
        data_path = os.path.splitext(path)[0] + ".json"
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as page:
                page.write(render(document))
            with open(data_path, "w", encoding="utf-8") as data:
                json.dump(document, data, indent=1, sort_keys=True)
        except OSError as exc:
            raise AnsibleActionFail(f"swarm_report: cannot write the report to {path}: {exc}") from None
        result.update(
            changed=False,
            path=path,
            data_path=data_path,
            findings=findings,
            reachability=pairs,
            lines=[*lines, f"Report: {path} (data: {data_path})"],
        )
        return result

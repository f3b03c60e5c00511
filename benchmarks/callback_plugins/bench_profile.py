"""Profile callback for benchmarks/swarm_bench.py: writes, to the file named by the environment
variable BENCH_PROFILE_OUT, one JSON document with every task of the run (play, name, action,
start, per-host status and seconds, the `round_trips` a swarm plugin reports) and the run's
changed count. Enabled by the benchmark only (ANSIBLE_CALLBACK_PLUGINS, ANSIBLE_CALLBACKS_ENABLED);
the normal output callback keeps printing."""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_profile
type: aggregate
short_description: per-task wall time and per-host results as JSON, for the benchmark
description:
  - Writes the tasks of the run with their start time, per-host status and seconds to the file
    named by the environment variable E(BENCH_PROFILE_OUT).
requirements:
  - enabled in the benchmark's environment only
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_profile"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.play = ""
        self.tasks: list[dict] = []
        self.by_uuid: dict[str, dict] = {}
        self.host_start: dict[tuple[str, str], float] = {}
        self.started = time.time()

    def v2_playbook_on_play_start(self, play):
        self.play = play.get_name()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task_start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._task_start(task)

    def _task_start(self, task):
        entry = {
            "play": self.play,
            "name": task.get_name(),
            "action": task.action,
            "start": time.time(),
            "hosts": {},
        }
        self.tasks.append(entry)
        self.by_uuid[task._uuid] = entry

    def v2_runner_on_start(self, host, task):
        self.host_start[(task._uuid, host.get_name())] = time.time()

    def _record(self, result, status):
        entry = self.by_uuid.get(result._task._uuid)
        if entry is None:
            return
        host = result._host.get_name()
        began = self.host_start.get((result._task._uuid, host), entry["start"])
        payload = result._result
        loops = payload.get("results") if isinstance(payload.get("results"), list) else None
        entry["hosts"][host] = {
            "status": status,
            "seconds": round(time.time() - began, 3),
            "changed": bool(payload.get("changed")),
            "round_trips": payload.get("round_trips", 0),
            "items": len(loops) if loops is not None else None,
            "delegated_to": (payload.get("_ansible_delegated_vars") or {}).get("ansible_delegated_host"),
        }

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        out = os.environ.get("BENCH_PROFILE_OUT")
        if not out:
            return
        hosts = sorted(stats.processed)
        report = {
            "started": self.started,
            "ended": time.time(),
            "changed": sum(stats.summarize(h)["changed"] for h in hosts),
            "failures": sum(stats.summarize(h)["failures"] for h in hosts),
            "tasks": self.tasks,
        }
        with open(out, "w", encoding="utf-8") as handle:
            json.dump(report, handle)

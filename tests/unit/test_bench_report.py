"""The benchmark's pure helpers (benchmarks/bench_report.py): medians and ratios, the profile
summed per stage and per task, ssh calls per node and the Markdown table."""

from __future__ import annotations

import math
import sys
from collections import Counter
from pathlib import Path

# The benchmarks folder is not a package: its helpers are imported by path.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from bench_report import (
    fact_gatherings,
    longest_on_a_host,
    markdown_table,
    median,
    per_node,
    ratio,
    slowest_tasks,
    ssh_calls,
    stage_seconds,
    task_seconds,
)


def task(play: str, name: str, start: float, action: str = "command", **hosts: tuple[str, float]) -> dict:
    return {
        "play": play,
        "name": name,
        "action": action,
        "start": start,
        "hosts": {h: {"status": status, "seconds": secs} for h, (status, secs) in hosts.items()},
    }


PROFILE = {
    "started": 0.0,
    "ended": 10.0,
    "tasks": [
        task("Engines", "Gathering Facts", 1.0, "gather_facts", n1=("ok", 1.5), n2=("ok", 1.9)),
        task("Engines", "Install Docker Engine packages", 3.0, n1=("ok", 2.5), n2=("ok", 3.5)),
        task("Swarm", "Read addresses", 7.0, "ansible.builtin.setup", n1=("skipped", 0.0), n2=("ok", 0.8)),
        task("Swarm", "Reconcile", 8.0, n1=("ok", 0.3)),
    ],
}


def test_median_and_ratio():
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0]) == 2.5
    assert math.isnan(median([]))
    assert ratio(2.0, 8.0) == "0.25x"
    assert ratio(1.0, 0.0) == "n/a"


def test_each_task_lasts_until_the_next_one_starts_and_the_last_until_the_run_ends():
    assert [secs for _, secs in task_seconds(PROFILE)] == [2.0, 4.0, 1.0, 2.0]


def test_stages_sum_their_plays_and_unknown_plays_stand_for_themselves():
    assert stage_seconds(PROFILE, {"Engines": "engines"}) == {"engines": 6.0, "Swarm": 3.0}


def test_slowest_tasks_come_first():
    assert slowest_tasks(PROFILE, 2) == [
        (4.0, "Engines", "Install Docker Engine packages"),
        (2.0, "Engines", "Gathering Facts"),
    ]


def test_fact_gatherings_count_hosts_that_ran_them_with_either_action_name():
    assert fact_gatherings(PROFILE) == Counter({"n2": 2, "n1": 1})


def test_longest_on_a_host_of_a_role_task_and_of_a_task_that_never_ran():
    assert longest_on_a_host(PROFILE, "Install Docker Engine packages") == 3.5
    assert longest_on_a_host(PROFILE, "Join workers") == 0.0


def test_ssh_calls_are_counted_per_node_by_address():
    log = [
        "1.0\t-C -o ControlMaster=auto 172.29.242.10 /bin/sh -c 'python3'",
        "1.1\t-C -o ControlMaster=auto 172.29.242.10 /bin/sh -c 'python3'",
        "1.2\t-o User=root 172.29.242.11 /bin/sh -c 'echo ~'",
        "1.3\t-o User=root 10.0.0.1 true",
    ]
    calls = ssh_calls(log, {"172.29.242.10": "manager1", "172.29.242.11": "manager2"})
    assert calls == Counter({"manager1": 2, "manager2": 1})
    assert per_node(calls, 3) == "1.0 (max 2)"
    assert per_node(Counter(), 3) == "0.0 (max 0)"


def test_markdown_table():
    assert markdown_table(["a", "b"], [["1", "2"]]) == "| a | b |\n|---|---|\n| 1 | 2 |"

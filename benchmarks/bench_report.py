"""Pure helpers of benchmarks/swarm_bench.py (unit-tested in tests/unit/test_bench_report.py):
medians and ratios, the profile written by callback_plugins/bench_profile.py summed per stage and
per task, ssh calls counted per node from the ssh-counting log, and the Markdown tables."""

from __future__ import annotations

import statistics
from collections import Counter

FACT_ACTIONS = {"gather_facts", "setup", "ansible.builtin.gather_facts", "ansible.builtin.setup"}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ratio(ours: float, baseline: float) -> str:
    return f"{ours / baseline:.2f}x" if baseline else "n/a"


def task_seconds(profile: dict) -> list[tuple[dict, float]]:
    """Each task with its wall time: from its start to the next task's start (or the run's end),
    so time between tasks (templating, forking, skipped hosts) counts too."""
    tasks = profile["tasks"]
    ends = [t["start"] for t in tasks[1:]] + [profile["ended"]]
    return [(task, end - task["start"]) for task, end in zip(tasks, ends, strict=True)]


def stage_seconds(profile: dict, stage_of_play: dict[str, str]) -> dict[str, float]:
    """Seconds per stage, in the order the stages ran; plays not named map to themselves."""
    totals: dict[str, float] = {}
    for task, seconds in task_seconds(profile):
        stage = stage_of_play.get(task["play"], task["play"])
        totals[stage] = totals.get(stage, 0.0) + seconds
    return totals


def slowest_tasks(profile: dict, count: int = 10) -> list[tuple[float, str, str]]:
    """The `count` tasks that took longest: (seconds, play, task name)."""
    timed = [(seconds, task["play"], task["name"]) for task, seconds in task_seconds(profile)]
    return sorted(timed, key=lambda row: -row[0])[:count]


def fact_gatherings(profile: dict) -> Counter:
    """Fact gatherings that ran, per host."""
    found = Counter()
    for task in profile["tasks"]:
        if task["action"] in FACT_ACTIONS:
            found.update(h for h, r in task["hosts"].items() if r["status"] != "skipped")
    return found


def longest_on_a_host(profile: dict, task_name: str) -> float:
    """The longest any host took for the named task (0.0 when it did not run)."""
    return max(
        (
            r["seconds"]
            for t in profile["tasks"]
            if t["name"].endswith(task_name)
            for r in t["hosts"].values()
        ),
        default=0.0,
    )


def ssh_calls(log_lines: list[str], addresses: dict[str, str]) -> Counter:
    """ssh invocations per host, from the ssh-counting log (time TAB arguments); `addresses` maps
    each node's address (ansible_host) to its inventory name."""
    calls = Counter()
    for line in log_lines:
        words = line.split("\t", 1)[-1].split()
        host = next((addresses[w] for w in words if w in addresses), None)
        if host:
            calls[host] += 1
    return calls


def per_node(counter: Counter, nodes: int) -> str:
    """Mean over the lab's nodes and the busiest node."""
    return f"{sum(counter.values()) / nodes:.1f} (max {max(counter.values(), default=0)})"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)

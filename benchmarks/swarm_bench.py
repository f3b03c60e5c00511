#!/usr/bin/env python3
"""Benchmark of the swarm stage on local labs: wall time of a first run and of an idempotent
re-run, and how many times the swarm stage connects to each node.

    .venv/bin/python benchmarks/swarm_bench.py [--sizes 3 6] [--playbook site.yml] [--keep]

For each size it starts a lab (3 managers, the rest workers) with playbooks/lab.yml, runs the
playbook twice and removes the lab (unless --keep). Round trips are the `round_trips` the swarm
plugins report in their results (read from the ansible.posix.json callback), counted on the
node each task ran on (delegation included); fact gathering is counted apart. Prints a table
in Markdown. Needs a Docker Engine on this machine. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SWARM_PLAY = "Form the swarm, reconcile roles and labels"
BIN = Path(sys.executable).parent


def ansible_playbook(*args: str, json_output: bool = False) -> tuple[float, str]:
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    if json_output:
        env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
    started = time.monotonic()
    done = subprocess.run(
        [str(BIN / "ansible-playbook"), *args], cwd=REPO, env=env, capture_output=True, text=True
    )
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(
            f"ansible-playbook {' '.join(args)} failed ({done.returncode}):\n{done.stdout[-4000:]}{done.stderr}"
        )
    return elapsed, done.stdout


def json_report(out: str) -> dict:
    """The json callback prints one document per playbook file: their plays, and the last stats."""
    decoder, plays, stats, at = json.JSONDecoder(), [], {}, out.find("{")
    while at != -1:
        document, end = decoder.raw_decode(out, at)
        plays += document.get("plays", [])
        stats = document.get("stats", stats)
        at = out.find("{", end)
    return {"plays": plays, "stats": stats}


def swarm_play(report: dict) -> dict:
    return next(p for p in report["plays"] if p["play"]["name"] == SWARM_PLAY)


def swarm_seconds(report: dict) -> float:
    """Wall time of the swarm play, from its first task's start to its last task's end."""
    times = swarm_play(report)["play"]["duration"]
    started, ended = (datetime.fromisoformat(times[k].replace("Z", "+00:00")) for k in ("start", "end"))
    return (ended - started).total_seconds()


def swarm_round_trips(report: dict) -> tuple[Counter, Counter]:
    """(docker round trips of the swarm plugins, fact gatherings) per node that was connected to."""
    docker, facts = Counter(), Counter()
    for task in swarm_play(report)["tasks"]:
        for host, result in task["hosts"].items():
            if result.get("skipped"):
                continue
            if task["task"]["name"] == "Gathering Facts":
                facts[host] += 1
            delegated = (result.get("_ansible_delegated_vars") or {}).get("ansible_delegated_host")
            docker[delegated or host] += result.get("round_trips", 0)
    return docker, facts


def bench(size: int, playbook: str, keep: bool) -> dict:
    name, managers = f"bench{size}", min(3, size)
    lab = [
        "-e",
        f"lab_name={name}",
        "-e",
        f"lab_subnet=172.29.{230 + size}.0/24",
        "-e",
        "lab_registry_enabled=false",
    ]
    ansible_playbook(
        "playbooks/lab.yml", *lab, "-e", f"lab_managers={managers}", "-e", f"lab_workers={size - managers}"
    )
    inventory = str(REPO / ".lab" / name / "inventory.yml")
    plays = playbook.split(",")
    try:
        first, first_out = ansible_playbook("-i", inventory, *plays, json_output=True)
        again, again_out = ansible_playbook("-i", inventory, *plays, json_output=True)
    finally:
        if not keep:
            ansible_playbook("playbooks/lab.yml", "-e", f"lab_name={name}", "-e", "lab_state=absent")
    rows = {}
    for label, out in (("first", first_out), ("again", again_out)):
        report = json_report(out)
        docker, facts = swarm_round_trips(report)
        changed = sum(s.get("changed", 0) for s in report["stats"].values())
        rows[label] = {"docker": docker, "facts": facts, "changed": changed, "swarm_s": swarm_seconds(report)}
    return {"size": size, "managers": managers, "first_s": first, "again_s": again, **rows}


def per_node(counter: Counter, size: int) -> str:
    """Mean over the lab's nodes and the busiest node."""
    return f"{sum(counter.values()) / size:.2f} (max {max(counter.values(), default=0)})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[3, 6])
    parser.add_argument(
        "--playbook",
        default="playbooks/engines.yml,playbooks/swarm.yml",
        help="comma-separated playbooks run in one ansible-playbook call (default: engines + swarm)",
    )
    parser.add_argument("--keep", action="store_true", help="leave the labs running")
    args = parser.parse_args()
    results = [bench(size, args.playbook, args.keep) for size in args.sizes]
    print(f"Playbook(s): {args.playbook}\n")
    print(
        "| nodes (managers) | first run (swarm stage) | re-run (swarm stage) | re-run changed "
        "| swarm docker round trips/node, first | re-run | fact gatherings/node |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['size']} ({r['managers']}) | {r['first_s']:.1f} s ({r['first']['swarm_s']:.1f} s) "
            f"| {r['again_s']:.1f} s ({r['again']['swarm_s']:.1f} s) | {r['again']['changed']} "
            f"| {per_node(r['first']['docker'], r['size'])} | {per_node(r['again']['docker'], r['size'])} "
            f"| {per_node(r['again']['facts'], r['size'])} |"
        )


if __name__ == "__main__":
    main()

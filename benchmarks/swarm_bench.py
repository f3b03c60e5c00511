#!/usr/bin/env python3
"""Benchmark of site.yml on local labs, against community.docker baselines. Not a test: it
asserts nothing and prints Markdown tables.

    .venv/bin/python benchmarks/swarm_bench.py [--sizes 3 6] [--runs 3] [--profile] [--keep]
    .venv/bin/python benchmarks/swarm_bench.py --services-only LAB [--runs 3]

For each size it starts a lab `bench<size>` (3 managers, the rest workers; playbooks/lab.yml)
and times:
- the first site.yml on the fresh nodes, next to the slowest single engine install in it;
- an idempotent re-run of site.yml (changed=0), split per stage from the profile;
- the swarm stage (playbooks/swarm.yml) against benchmarks/baseline_swarm.yml (docker_swarm init
  and join, docker_node labels), on the same swarm;
- the services stage with 30 declared services, nothing to change, against
  benchmarks/baseline_services.yml (a loop of docker_swarm_service over the same 30 definitions
  under other names).
Ours and the baseline run alternately, `--runs` times each (median). `--services-only LAB` times
only the services stage, on a lab that already runs (.lab/LAB/inventory.yml). python3-docker, which the
baselines need, is installed on the nodes before anything is timed. Every ansible-playbook call
runs with callback_plugins/bench_profile.py (per-task wall time) and ssh-counting (ssh calls
per node); `--profile` prints the slowest tasks of a re-run. The machine's load average is
printed with the tables, since the ratios are what compares across machines.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
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
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
SUBNETS = {3: "172.29.242.0/24", 6: "172.29.243.0/24", 12: "172.29.244.0/24"}
STAGES = ("engines", "swarm", "services", "verify")
SERVICE_COUNT = 30
INSTALL_TASK = "Install Docker Engine packages"


def stage_of_play() -> dict[str, str]:
    """Play name -> stage, read from the stage playbooks."""
    return {
        play["name"]: stage
        for stage in STAGES
        for play in yaml.safe_load((REPO / "playbooks" / f"{stage}.yml").read_text())
    }


def service_definitions(prefix: str, registry: str) -> list[dict]:
    """The 30 services both ways deploy: busybox from the lab registry, dnsrr, a health check, a
    volume and a tmpfs mount, a secret and a config (bench_data), every fifth with a host-mode port
    (this machine has no IPVS for the routing mesh)."""
    definitions = []
    for n in range(1, SERVICE_COUNT + 1):
        service = {
            "name": f"{prefix}{n:02d}",
            "image": f"{registry}/busybox:1",
            "os": "linux",
            "replicas": 1,
            "command": ["sleep", "86400"],
            "endpoint_mode": "dnsrr",
            "env": {"SERVICE_NUMBER": str(n)},
            "healthcheck": {"test": "true", "interval": "30s", "timeout": "5s", "retries": 3},
            "mounts": [
                {"type": "volume", "source": f"{prefix}{n:02d}-data", "target": "/data"},
                {"type": "tmpfs", "target": "/cache", "tmpfs_size": "1M"},
            ],
            "secrets": [{"source": f"{prefix}secret"}],
            "configs": [{"source": f"{prefix}config", "target": "/etc/bench.conf"}],
        }
        if n % 5 == 0:
            port = (9000 if prefix.endswith("ours-") else 9500) + n
            service["publish"] = [{"published": port, "target": 80, "mode": "host"}]
        definitions.append(service)
    return definitions


def bench_data(prefix: str) -> dict:
    """The secret and the config every service of `prefix` reads, as swarm_secrets / swarm_configs."""
    return {
        "swarm_secrets": [{"name": f"{prefix}secret", "data": "bench password"}],
        "swarm_configs": [{"name": f"{prefix}config", "data": "answer = 42\n"}],
    }


class Lab:
    def __init__(self, size: int, workdir: Path, name: str = ""):
        self.size, self.name, self.workdir = size, name or f"bench{size}", workdir
        self.managers = min(3, size)
        self.inventory = REPO / ".lab" / self.name / "inventory.yml"
        self.runs = 0

    def playbook(self, *args: str, inventory: bool = True) -> dict:
        """Run ansible-playbook; returns wall seconds, the profile and ssh calls per node."""
        self.runs += 1
        profile_file = self.workdir / f"{self.name}-{self.runs}.json"
        ssh_log = self.workdir / f"{self.name}-{self.runs}.ssh"
        env = dict(
            os.environ,
            ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
            ANSIBLE_CALLBACKS_ENABLED="bench_profile",
            ANSIBLE_SSH_EXECUTABLE=str(HERE / "ssh-counting"),
            BENCH_PROFILE_OUT=str(profile_file),
            BENCH_SSH_LOG=str(ssh_log),
        )
        command = [str(BIN / "ansible-playbook"), *(["-i", str(self.inventory)] if inventory else []), *args]
        ssh_log.unlink(missing_ok=True)
        started = time.monotonic()
        done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
        seconds = time.monotonic() - started
        if done.returncode != 0:
            sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-6000:]}{done.stderr}")
        profile = json.loads(profile_file.read_text()) if profile_file.exists() else {"tasks": []}
        lines = ssh_log.read_text().splitlines() if ssh_log.exists() else []
        return {"seconds": seconds, "profile": profile, "ssh": ssh_calls(lines, self.addresses())}

    def lab(self, *args: str) -> None:
        self.playbook("playbooks/lab.yml", "-e", f"lab_name={self.name}", *args, inventory=False)

    def start(self) -> None:
        self.lab(
            "-e",
            f"lab_subnet={SUBNETS[self.size]}",
            "-e",
            f"lab_managers={self.managers}",
            "-e",
            f"lab_workers={self.size - self.managers}",
        )

    def destroy(self) -> None:
        self.lab("-e", "lab_state=absent")

    def variables(self) -> dict:
        return yaml.safe_load(self.inventory.read_text())["all"]

    def addresses(self) -> dict[str, str]:
        if not self.inventory.exists():
            return {}
        groups = self.variables()["children"]["swarm"]["children"]
        return {
            host_vars["ansible_host"]: host
            for group in groups.values()
            for host, host_vars in (group.get("hosts") or {}).items()
        }


def alternate(lab: Lab, runs: int, ours: list[str], baseline: list[str]) -> tuple[list[dict], list[dict]]:
    """`runs` timings of each, ours and the baseline taking turns to go first."""
    mine, theirs = [], []
    for n in range(runs):
        order = [(ours, mine), (baseline, theirs)]
        for args, into in order if n % 2 == 0 else reversed(order):
            into.append(lab.playbook(*args))
    return mine, theirs


def bench(size: int, runs: int, keep: bool, workdir: Path) -> dict:
    lab = Lab(size, workdir)
    lab.start()
    try:
        ours_file, base_file = write_definitions(lab, workdir, with_lab_services=True)
        first = lab.playbook("site.yml")
        # Untimed: the baselines' Docker SDK, and both sets of 30 services created once.
        lab.playbook("benchmarks/baseline_prepare.yml")
        create_both(lab, ours_file, base_file)
        site = [lab.playbook("site.yml", "-e", f"@{ours_file}") for _ in range(runs)]
        swarm = alternate(lab, runs, ["playbooks/swarm.yml"], ["benchmarks/baseline_swarm.yml"])
        services = time_services(lab, runs, ours_file, base_file)
    finally:
        if not keep:
            lab.destroy()
    return {
        "size": size,
        "managers": lab.managers,
        "first": first,
        "site": site,
        "swarm": swarm,
        "services": services,
    }


def create_both(lab: Lab, ours_file: Path, base_file: Path) -> None:
    """Untimed: both sets of 30 services created once."""
    lab.playbook("playbooks/services.yml", "-e", f"@{ours_file}")
    lab.playbook("benchmarks/baseline_services.yml", "-e", f"@{base_file}")


def time_services(lab: Lab, runs: int, ours_file: Path, base_file: Path) -> tuple[list[dict], list[dict]]:
    """The services stage and its baseline with nothing to change, taking turns."""
    return alternate(
        lab,
        runs,
        ["playbooks/services.yml", "-e", f"@{ours_file}"],
        ["benchmarks/baseline_services.yml", "-e", f"@{base_file}"],
    )


def write_definitions(lab: Lab, workdir: Path, with_lab_services: bool) -> tuple[Path, Path]:
    """The variable files of both ways: ours (swarm_services) and the baseline's (bench_services)."""
    registry = lab.variables()["vars"]["lab_registry"]
    ours_file, base_file = workdir / f"{lab.name}-ours.yml", workdir / f"{lab.name}-baseline.yml"
    declared = lab.variables()["vars"]["swarm_services"] if with_lab_services else []
    ours = {
        "swarm_services": declared + service_definitions("bench-ours-", registry),
        **bench_data("bench-ours-"),
    }
    if with_lab_services:  # the lab's own secrets and configs stay declared beside the benchmark's
        for key in ("swarm_secrets", "swarm_configs"):
            ours[key] = lab.variables()["vars"].get(key, []) + ours[key]
    ours_file.write_text(yaml.safe_dump(ours))
    base = {"bench_services": service_definitions("bench-base-", registry), **bench_data("bench-base-")}
    for service in base["bench_services"]:  # the same references in docker_swarm_service's words
        service["community_docker"] = {
            "secrets": [{"secret_name": s["source"]} for s in service["secrets"]],
            "configs": [{"config_name": c["source"], "filename": c["target"]} for c in service["configs"]],
        }
    base_file.write_text(yaml.safe_dump(base))
    return ours_file, base_file


def bench_services_only(name: str, runs: int, workdir: Path) -> dict:
    """Only the services stage, on a running converged lab (its inventory under .lab/NAME): both sets of
    30 services are created once, timed unchanged `runs` times each, and removed again."""
    lab = Lab(0, workdir, name)
    lab.size = len(lab.addresses())
    ours_file, base_file = write_definitions(lab, workdir, with_lab_services=False)
    lab.playbook("benchmarks/baseline_prepare.yml")
    try:
        create_both(lab, ours_file, base_file)
        services = time_services(lab, runs, ours_file, base_file)
    finally:
        names = [
            d["name"] for d in service_definitions("bench-ours-", "") + service_definitions("bench-base-", "")
        ]
        host = next(iter(lab.addresses().values()))
        subprocess.run(
            ["docker", "exec", f"mixedswarm-{name}-{host}", "docker", "service", "rm", *names],
            check=False,
            capture_output=True,
        )
    return {"size": lab.size, "services": services}


def report_services(result: dict, runs: int, load: tuple[str, str]) -> None:
    ours, base = result["services"]
    print(f"Load average (1, 5, 15 min): before {load[0]}, after {load[1]}; median of {runs} runs\n")
    row = [str(result["size"]), *comparison(ours, base), f"{changed(ours)}; {changed(base)}"]
    header = [
        "nodes",
        f"services.yml, {SERVICE_COUNT} services unchanged (health checks, mounts, a secret, a config)",
        "docker_swarm_service loop",
        "ratio",
        "ratio in the plays",
        "changed (ours; baseline)",
    ]
    print(markdown_table(header, [row]))


def comparison(ours: list[dict], base: list[dict]) -> list[str]:
    """Table cells: our median, the baseline's, their ratio, and the ratio inside the plays."""
    return [
        f"{seconds(ours):.1f} s",
        f"{seconds(base):.1f} s",
        ratio(seconds(ours), seconds(base)),
        ratio(in_play(ours), in_play(base)),
    ]


def seconds(runs: list[dict]) -> float:
    return median([r["seconds"] for r in runs])


def in_play(runs: list[dict]) -> float:
    """Median time inside the plays, without ansible-playbook's own start-up and exit."""
    return median([r["profile"]["ended"] - r["profile"]["started"] for r in runs])


def changed(runs: list[dict]) -> str:
    return "/".join(str(r["profile"].get("changed", "?")) for r in runs)


def report(results: list[dict], runs: int, profile: bool, load: tuple[str, str]) -> None:
    stages = stage_of_play()
    rows, ratios = [], []
    for r in results:
        first, install = r["first"]["seconds"], longest_on_a_host(r["first"]["profile"], INSTALL_TASK)
        per_stage = [stage_seconds(run["profile"], stages) for run in r["site"]]
        last = r["site"][-1]
        rows.append(
            [
                f"{r['size']} ({r['managers']})",
                f"{first:.1f} s",
                f"{install:.1f} s (+{first - install:.1f} s)",
                f"{seconds(r['site']):.1f} s",
                *(f"{median([s.get(stage, 0.0) for s in per_stage]):.1f} s" for stage in STAGES),
                changed(r["site"]),
                per_node(last["ssh"], r["size"]),
                per_node(fact_gatherings(last["profile"]), r["size"]),
            ]
        )
        (swarm_ours, swarm_base), (svc_ours, svc_base) = r["swarm"], r["services"]
        ratios.append(
            [
                str(r["size"]),
                *comparison(swarm_ours, swarm_base),
                *comparison(svc_ours, svc_base),
                f"{changed(swarm_ours)}; {changed(swarm_base)}; {changed(svc_ours)}; {changed(svc_base)}",
            ]
        )
    print(f"Load average (1, 5, 15 min): before {load[0]}, after {load[1]}; median of {runs} runs\n")
    print(
        markdown_table(
            [
                "nodes (managers)",
                "first site.yml",
                "slowest engine install (first run above it)",
                "site.yml re-run",
                *(f"{stage} stage" for stage in STAGES),
                "re-run changed",
                "ssh calls/node, re-run",
                "fact gatherings/node, re-run",
            ],
            rows,
        )
    )
    print()
    print(
        markdown_table(
            [
                "nodes",
                "swarm.yml re-run",
                "community.docker docker_swarm + docker_node",
                "ratio",
                "ratio in the plays",
                f"services.yml, {SERVICE_COUNT} services unchanged",
                "docker_swarm_service loop",
                "ratio",
                "ratio in the plays",
                "changed (ours; baseline; ours; baseline)",
            ],
            ratios,
        )
    )
    small = results[0]
    for large in results[1:]:
        print(
            f"\nsite.yml re-run, {large['size']} nodes / {small['size']} nodes: "
            f"{ratio(seconds(large['site']), seconds(small['site']))}"
        )
    if profile:
        for r in results:
            last = r["site"][-1]
            print(f"\nSlowest tasks of the last site.yml re-run on {r['size']} nodes:")
            for secs, play, task in slowest_tasks(last["profile"]):
                print(f"  {secs:5.2f} s  {stages.get(play, play):9}  {task}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[3, 6], choices=sorted(SUBNETS))
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (median)")
    parser.add_argument("--profile", action="store_true", help="also print the slowest tasks of a re-run")
    parser.add_argument("--keep", action="store_true", help="leave the labs running")
    parser.add_argument(
        "--services-only",
        metavar="LAB",
        help="only the services stage against its baseline, on the running converged lab LAB (.lab/LAB)",
    )
    args = parser.parse_args()
    before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    if args.services_only:
        with tempfile.TemporaryDirectory(prefix="swarm-bench-") as workdir:
            result = bench_services_only(args.services_only, args.runs, Path(workdir))
        after = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"Command: .venv/bin/python benchmarks/swarm_bench.py --services-only {args.services_only} --runs {args.runs}"
        )
        report_services(result, args.runs, (before, after))
        return
    with tempfile.TemporaryDirectory(prefix="swarm-bench-") as workdir:
        results = [bench(size, args.runs, args.keep, Path(workdir)) for size in args.sizes]
    after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Command: .venv/bin/python benchmarks/swarm_bench.py --sizes {' '.join(map(str, args.sizes))}")
    report(results, args.runs, args.profile, (before, after))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmark the azure_swarm inventory plugin on canned subscriptions of 10 to 10,000 VMs and on
Uniform scale sets.

Each row builds the whole inventory through Ansible's plugin loader, the real Azure SDK clients
(paging, deserialisation, retry and auth policies) and the offline ARM transport of the tests,
which answers instantly: the wall time is the plugin's and the SDK's own work, and the request
count is what a real subscription of that shape would cost. Run from the repository root:

    .venv/bin/python benchmarks/azure_inventory.py

With --through-ansible it also times `ansible-inventory --graph` and `--list` on 10,000 VMs
through Ansible's own command (InventoryCLI: the InventoryManager, its trust and origin tagging
of every variable, the output), each in a fresh process next to the plugin alone in another,
and prints their ratios (compare ratios: the machine is shared).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader, inventory_loader

REPO = Path(__file__).resolve().parent.parent
# The collection (collections/ links to the root) loaded as Ansible loads it; the offline ARM is the tests'.
init_plugin_loader([str(REPO / "collections")])
sys.path.insert(0, str(REPO / "tests" / "fixtures" / "azure"))
fake_arm = importlib.import_module("fake_arm")
COMMAND = ".venv/bin/python benchmarks/azure_inventory.py"

# (VMs, scale-set instances, scale sets, resource groups, items per page). The rows with 100
# items per page show the request count following pages, not VMs.
ROWS = [
    (10, 0, 0, 5, 1000),
    (1000, 0, 0, 5, 1000),
    (1000, 0, 0, 5, 100),
    (10000, 0, 0, 5, 1000),
    (10000, 0, 0, 5, 100),
    (0, 200, 2, 1, 1000),
    (0, 200, 2, 1, 100),
]


def build_inventory(transport, config: Path) -> tuple[int, int, float]:
    """(hosts, requests, seconds) for one inventory build over transport."""
    transport.requests.clear()
    plugin = inventory_loader.get("mixedswarm.swarm.azure_swarm")
    plugin._sdk_options = lambda: {"transport": transport}
    plugin._credential = lambda authority: fake_arm.FakeCredential()
    inventory = InventoryData()
    start = time.perf_counter()
    plugin.parse(inventory, DataLoader(), str(config), cache=False)
    elapsed = time.perf_counter() - start
    return len(inventory.hosts), len(transport.requests), elapsed


def measure(row: tuple, repeat: int, workdir: Path) -> tuple[int, int, float]:
    """(hosts, requests, median seconds) of one row; a first, untimed build lets the offline
    transport encode its pages once (a server's work, not the plugin's)."""
    vm_count, instances, scale_sets, groups, page_size = row
    subscription = fake_arm.add_scale_sets(
        fake_arm.scaled_subscription(vm_count, groups), instances, scale_sets
    )
    config = workdir / "bench.azure_swarm.yml"
    config.write_text(
        json.dumps(
            {
                "plugin": "mixedswarm.swarm.azure_swarm",
                "subscription_id": subscription["subscription_id"],
                "resource_groups": subscription["resource_groups"],
            }
        )
    )
    transport = fake_arm.FakeArmTransport(subscription, page_size=page_size)
    build_inventory(transport, config)
    runs = [build_inventory(transport, config) for _ in range(repeat)]
    return runs[0][0], runs[0][1], statistics.median(r[2] for r in runs)


def through_ansible(mode: str, vm_count: int, workdir: Path) -> float:
    """Seconds of one inventory build in this process: the plugin alone (mode 'plugin') or
    `ansible-inventory <mode>` through InventoryCLI, after an untimed build that lets the offline
    transport encode its pages (a server's work)."""
    subscription = fake_arm.scaled_subscription(vm_count, 5)
    transport = fake_arm.FakeArmTransport(subscription, page_size=1000)
    plugin_class = type(inventory_loader.get("mixedswarm.swarm.azure_swarm"))
    plugin_class._sdk_options = lambda self: {"transport": transport}
    plugin_class._credential = lambda self, authority: fake_arm.FakeCredential()
    config = workdir / "cli.azure_swarm.yml"
    config.write_text(
        json.dumps(
            {
                "plugin": "mixedswarm.swarm.azure_swarm",
                "subscription_id": subscription["subscription_id"],
                "resource_groups": subscription["resource_groups"],
            }
        )
    )
    build_inventory(transport, config)
    if mode == "plugin":
        return build_inventory(transport, config)[2]
    from ansible.cli.inventory import InventoryCLI

    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        InventoryCLI(["ansible-inventory", "-i", str(config), mode]).run()
    return time.perf_counter() - start


def ansible_rows(vm_count: int, repeat: int) -> None:
    """Each mode `repeat` times, the modes taking turns (so a change of the machine's load falls on
    all of them), each in a fresh process; the median of each is shown."""
    print(f"\n| {vm_count:,} VMs | wall time (median of {repeat}) | ratio to the plugin alone |")
    print("|---|---:|---:|")
    modes = ("plugin", "--graph", "--list")
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    for _ in range(repeat):
        for mode in modes:
            result = subprocess.run(
                [sys.executable, __file__, f"--child={mode}", "--vms", str(vm_count)],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg")},
            )
            times[mode].append(float(result.stdout.strip().splitlines()[-1]))
    plugin = statistics.median(times["plugin"])
    for mode in modes:
        label = "plugin alone" if mode == "plugin" else f"ansible-inventory {mode}"
        median = statistics.median(times[mode])
        print(f"| {label} | {median:.2f} s | {median / plugin:.1f}x |")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="builds per row; the median is shown")
    parser.add_argument("--through-ansible", action="store_true", help="also time ansible-inventory")
    parser.add_argument("--vms", type=int, default=10000, help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        with tempfile.TemporaryDirectory() as tmp:
            print(through_ansible(args.child, args.vms, Path(tmp)))
        return 0

    print(
        "| VMs | scale-set instances (sets) | resource groups | items per page | hosts | requests | wall time (median) |"
    )
    print(
        "|----:|---------------------------:|----------------:|---------------:|------:|---------:|-------------------:|"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for row in ROWS:
            vm_count, instances, sets, groups, page_size = row
            hosts, requests, seconds = measure(row, args.repeat, Path(tmp))
            print(
                f"| {vm_count:,} | {instances} ({sets}) | {groups} | {page_size} | {hosts:,} | {requests} | {seconds:.2f} s |"
            )
    if args.through_ansible:
        ansible_rows(args.vms, args.repeat)
    print(f"\nReproduce: {COMMAND}{' --through-ansible' if args.through_ansible else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Cross-OS reachability of the verify stage: a TCP connect from a task of one service, over the
overlay network the two services share, to every task address of another.

A TCP connect rather than ping: ICMP is dropped on Windows overlay networks, and a connect to the
port the service listens on is what its clients do. The check runs inside a task container of the
source (`docker exec`) on a node that hosts that task and, where possible, no task of the target,
over that node's own connection: PowerShell's System.Net.Sockets.TcpClient in a Windows container,
busybox `nc` in a Linux one. Pure functions: the pairs' check, the plan, the commands and the verdict.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.mixedswarm.swarm.plugins.module_utils._report.data import attachments, task_label
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.verify import running_tasks

PAIR_KEYS = ("from", "to", "port")
CONNECT_SECONDS = 3


def pair_problems(pairs, declared: set[str], stacks: set[str]) -> list[str]:
    """Every problem with swarm_verify_reachability, before anything changes.

    `declared`: names of the services declared present; `stacks`: names of the stacks declared
    present (their services are STACK_SERVICE).
    """
    if not isinstance(pairs, list):
        return [
            f"swarm_verify_reachability: must be a list of {{from, to, port}}, got {type(pairs).__name__}"
        ]
    problems = []
    for i, pair in enumerate(pairs):
        where = f"swarm_verify_reachability[{i}]"
        if not isinstance(pair, dict):
            problems.append(f"{where}: must be a mapping with keys from, to, port")
            continue
        for key in sorted(set(pair) - set(PAIR_KEYS)):
            problems.append(f"{where}.{key}: unknown key; valid keys: from, to, port")
        for key in ("from", "to"):
            name = pair.get(key)
            if not isinstance(name, str) or not name:
                problems.append(f"{where}.{key}: required, the name of a service")
            elif name not in declared and not any(name.startswith(f"{s}_") for s in stacks):
                known = ", ".join(sorted(declared)) or "none"
                problems.append(
                    f"{where}.{key}: {name!r} is no declared service (swarm_services: {known}; "
                    "a stack's service is STACK_SERVICE)"
                )
        port = pair.get("port")
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            problems.append(f"{where}.port: {port!r} is not a TCP port (an integer from 1 to 65535)")
        if pair.get("from") and pair.get("from") == pair.get("to"):
            problems.append(
                f"{where}: from and to are the same service; a pair checks one service reaching another"
            )
    return problems


def _shared(task: dict, networks: set[str]) -> list[dict]:
    return [a for a in attachments(task) if a["network"] in networks and not a["ingress"] and a["address"]]


def reach_plan(
    pairs: list[dict],
    tasks: dict[str, list[dict]],
    nodes: dict[str, dict],
    probe_nodes: set[str] | None = None,
) -> tuple[list[dict], list[str]]:
    """One probe per pair (the source task, its node, every target task's address on a shared
    overlay), and the reasons of the pairs that cannot be probed (a failure, not a skip, since the
    pair was asked for)."""
    probes, problems = [], []
    for pair in pairs:
        source, target, port = pair["from"], pair["to"], pair["port"]
        name = f"{source} -> {target}:{port}"
        sources = running_tasks(tasks.get(source, []))
        targets = running_tasks(tasks.get(target, []))
        if not sources or not targets:
            problems.append(f"reachability {name}: no running task of {source if not sources else target}")
            continue
        target_nodes = {t.get("NodeID") for t in targets}
        usable = [t for t in sources if probe_nodes is None or t.get("NodeID") in probe_nodes]
        if not usable:
            problems.append(
                f"reachability {name}: no running task of {source} is on a node of the inventory, where the probe runs"
            )
            continue
        # Prefer a source task on a node that runs no target task: every connect then crosses nodes.
        usable.sort(key=lambda t: (t.get("NodeID") in target_nodes, t.get("Slot") or 0, t.get("NodeID", "")))
        chosen = usable[0]
        networks = {a["network"] for a in attachments(chosen) if not a["ingress"]}
        ends = []
        for task in sorted(targets, key=lambda t: task_label(t, target)):
            shared = _shared(task, networks)
            if shared:
                node = nodes.get(task.get("NodeID"), {})
                ends.append(
                    {
                        "task": task_label(task, target),
                        "node": node.get("hostname", task.get("NodeID", "")),
                        "os": node.get("os", ""),
                        "network": shared[0]["network"],
                        "address": shared[0]["address"],
                    }
                )
        if not ends:
            problems.append(f"reachability {name}: {source} and {target} share no overlay network")
            continue
        node = nodes.get(chosen.get("NodeID"), {})
        probes.append(
            {
                "from": source,
                "to": target,
                "port": port,
                "task": task_label(chosen, source),
                "task_id": chosen.get("ID", ""),
                "node_id": chosen.get("NodeID", ""),
                "hostname": node.get("hostname", chosen.get("NodeID", "")),
                "os": node.get("os", ""),
                "targets": ends,
            }
        )
    return probes, problems


def container_argv(task_id: str) -> list[str]:
    return [
        "docker",
        "ps",
        "--all",
        "--filter",
        f"label=com.docker.swarm.task.id={task_id}",
        "--format",
        "{{.ID}}",
    ]


def connect_argv(container: str, os: str, address: str, port: int) -> list[str]:
    """A TCP connect inside the container that exits 0 only when the connection is accepted.

    Windows: .NET's TcpClient.ConnectAsync with a Wait timeout (a refused connect throws), the
    documented socket client of PowerShell 5.1 (System.Net.Sockets.TcpClient, learn.microsoft.com);
    Test-NetConnection is absent from Server Core containers' default modules. Linux: busybox
    `nc -w SECONDS ADDRESS PORT` with nothing to send, which exits non-zero when the connect fails.
    The address and port are validated IPv4 and integer, so nothing in the script is user text.
    """
    address = str(ipaddress.ip_address(address))
    if os == "windows":
        script = (
            "$c=New-Object System.Net.Sockets.TcpClient;"
            f"if(-not $c.ConnectAsync('{address}',{int(port)}).Wait({CONNECT_SECONDS * 1000}))"
            f"{{throw 'no answer within {CONNECT_SECONDS} s'}};$c.Close()"
        )
        return [
            "docker",
            "exec",
            container,
            "powershell",
            "-NoProfile",
            "-NonInteractive",
            "-Command",
            script,
        ]
    return ["docker", "exec", container, "nc", "-w", str(CONNECT_SECONDS), address, str(int(port))]


def reach_verdict(probe: dict, outcomes: list) -> list[dict]:
    """One line per target task: passes, or names both tasks, their nodes and the error."""
    lines = []
    for end, outcome in zip(probe["targets"], outcomes, strict=True):
        route = (
            f"{probe['task']} on {probe['hostname']} ({probe['os']}) -> {end['task']} on {end['node']} "
            f"({end['os']}) {end['address']}:{probe['port']} over {end['network']}"
        )
        if outcome.ok:
            lines.append({"ok": True, "text": f"{route}: connected"})
        else:
            error = " ".join((outcome.text or f"exit {outcome.rc}").split())
            lines.append({"ok": False, "text": f"{route}: failed: {error}"})
    return lines

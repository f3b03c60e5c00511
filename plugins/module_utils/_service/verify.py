"""Check the cluster as a user would, plan the network probes, and write the summary.

Used by the verify stage: every node Ready; every declared service converged with each running
task on a node of the OS its placement pins; which node a DNS lookup should run from so it
crosses nodes; where an HTTP request to a published port can go; and a readable summary.
Pure functions, no Ansible.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.convergence import service_status
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.placement import (
    constraint_os,
    normalise_constraint,
)

_IPV4_RE = re.compile(r"\b(\d{1,3}(?:\.\d{1,3}){3})\b")


def node_problems(nodes: dict[str, dict]) -> list[str]:
    return [
        f"node {node['hostname']} ({node['id'][:12]}) is {node['status'] or 'unknown'}, not ready"
        for node in nodes.values()
        if node["status"] != "ready"
    ]


def pinned_os(service: dict) -> str | None:
    """The OS a service's placement constraints pin it to, if any."""
    constraints = (
        service.get("Spec", {}).get("TaskTemplate", {}).get("Placement", {}).get("Constraints") or []
    )
    pinned = {constraint_os(normalise_constraint(c)) for c in constraints} - {None}
    return pinned.pop() if len(pinned) == 1 else None


def running_tasks(tasks: list[dict]) -> list[dict]:
    return [
        t
        for t in tasks
        if t.get("DesiredState") == "running" and t.get("Status", {}).get("State") == "running"
    ]


def _ports(service: dict) -> list[str]:
    ports = (service.get("Spec", {}).get("EndpointSpec") or {}).get("Ports") or []
    return [
        f"{p.get('PublishedPort')}:{p.get('TargetPort')}/{p.get('Protocol', 'tcp')} ({p.get('PublishMode', 'ingress')})"
        for p in ports
    ]


def check_services(
    names: list[str], services: dict[str, dict], tasks: dict[str, list[dict]], nodes: dict[str, dict]
) -> tuple[list[dict], list[str]]:
    """One summary row per service and the problems: missing, not converged, task on the wrong OS."""
    rows, problems = [], []
    for name in names:
        service = services.get(name)
        if service is None:
            problems.append(f"service {name}: declared but not found in the swarm")
            continue
        status = service_status(service, tasks.get(name, []), set(), updated=False)
        expected_os = pinned_os(service)
        running = running_tasks(tasks.get(name, []))
        hosts = []
        for task in running:
            node = nodes.get(task.get("NodeID"), {})
            hosts.append(node.get("hostname", task.get("NodeID")))
            if expected_os and node.get("os") != expected_os:
                problems.append(
                    f"service {name}: task {name}.{task.get('Slot', '')} runs on {node.get('hostname')} "
                    f"({node.get('os')}), expected a {expected_os} node"
                )
        if not status["converged"]:
            problems.append(
                f"service {name}: not converged ({status['current']}/{status['desired']} tasks running the "
                f"current spec, update state {status['update_state'] or 'none'})"
            )
        elif status["desired"] == 0 and "Global" in service.get("Spec", {}).get("Mode", {}):
            problems.append(f"service {name}: global service with no task (no node satisfies its placement)")
        spec = service.get("Spec", {})
        rows.append(
            {
                "name": name,
                "mode": "global" if "Global" in spec.get("Mode", {}) else "replicated",
                "replicas": f"{status['running']}/{status['desired']}",
                "os": expected_os or "any",
                "constraints": spec.get("TaskTemplate", {}).get("Placement", {}).get("Constraints") or [],
                "endpoint_mode": (spec.get("EndpointSpec") or {}).get("Mode", "vip"),
                "ports": _ports(service),
                "nodes": sorted(hosts),
            }
        )
    return rows, problems


def dns_probe_plan(
    source: str,
    target: str,
    tasks: dict[str, list[dict]],
    nodes: dict[str, dict],
    probe_nodes: set[str] | None = None,
) -> tuple[dict | None, str]:
    """Where to look up `target` and `tasks.target` from a container of `source`, crossing nodes.

    `probe_nodes` are the NodeIDs a probe can run from (nodes of inventory hosts); None means any.
    Returns (plan, reason): plan is None with the reason when no such pair of nodes exists.
    """
    source_nodes = {t["NodeID"] for t in running_tasks(tasks.get(source, []))}
    target_nodes = {t["NodeID"] for t in running_tasks(tasks.get(target, []))}
    if not source_nodes or not target_nodes:
        return None, f"no running task of {source if not source_nodes else target}"
    if probe_nodes is not None:
        source_nodes &= probe_nodes
        if not source_nodes:
            return (
                None,
                f"no running task of {source} is on a node of the inventory, where the probe would run",
            )
    # Prefer a source node that runs no target task at all: then every answer is on another node.
    candidates = sorted(source_nodes - target_nodes) or sorted(n for n in source_nodes if target_nodes - {n})
    if not candidates:
        return (
            None,
            f"{source} and {target} run only on the same single node; no cross-node lookup is possible",
        )
    node_id = candidates[0]
    return {
        "node_id": node_id,
        "hostname": nodes.get(node_id, {}).get("hostname", node_id),
        "source": source,
        "target": target,
        "target_nodes": sorted(nodes.get(n, {}).get("hostname", n) for n in target_nodes),
        "target_tasks": len(running_tasks(tasks.get(target, []))),
    }, ""


def http_targets(
    checks: list[dict], services: dict[str, dict], tasks: dict[str, list[dict]], nodes: dict[str, dict]
) -> tuple[list[dict], list[str], list[str]]:
    """Node and port for each HTTP check, the problems, and the checks skipped with the reason.

    Host-mode ports answer only where a task runs; a service scaled to 0 replicas has nothing to ask.
    """
    targets, problems, skipped = [], [], []
    for check in checks:
        name = check.get("service")
        service = services.get(name)
        spec = (service or {}).get("Spec", {})
        if (spec.get("Mode", {}).get("Replicated") or {}).get("Replicas") == 0:
            skipped.append(f"{name}: 0 replicas, nothing to request")
            continue
        ports = (spec.get("EndpointSpec") or {}).get("Ports") or []
        wanted = check.get("port")
        port = next((p for p in ports if wanted in (None, p.get("PublishedPort"))), None)
        if port is None:
            problems.append(f"http check {name}: the service publishes no port {wanted or ''}".rstrip())
            continue
        if port.get("PublishMode") == "host":
            node_ids = sorted({t["NodeID"] for t in running_tasks(tasks.get(name, []))})
        else:
            node_ids = sorted(n for n, node in nodes.items() if node["status"] == "ready")
        if not node_ids:
            problems.append(f"http check {name}: no node to send the request to")
            continue
        node = nodes.get(node_ids[0], {})
        targets.append(
            {
                "service": name,
                "node_id": node_ids[0],
                "hostname": node.get("hostname"),
                "addr": node.get("addr"),
                "port": port.get("PublishedPort"),
                "mode": port.get("PublishMode", "ingress"),
                "path": check.get("path", "/"),
            }
        )
    return targets, problems, skipped


def lookup_addresses(output: str) -> list[str]:
    """IPv4 answers in nslookup output (busybox or Windows), skipping the DNS server lines.

    Both print the server first, then a 'Name:' line followed by the answer address(es).
    """
    _server, separator, answers = output.partition("Name:")
    if not separator:
        return []
    found = []
    for text in _IPV4_RE.findall(answers):
        try:
            ipaddress.IPv4Address(text)
        except ValueError:
            continue
        if text not in found:
            found.append(text)
    return found


def summary_lines(nodes: dict[str, dict], rows: list[dict]) -> list[str]:
    """A readable summary: nodes with OS, role and labels; services with replicas, placement and ports."""
    lines = ["Nodes:"]
    for node in sorted(nodes.values(), key=lambda n: (n["role"] != "manager", n["hostname"])):
        labels = ", ".join(f"{k}={v}" for k, v in sorted(node["labels"].items())) or "-"
        role = node["role"] + (" (leader)" if node["leader"] else "")
        lines.append(
            f"  {node['hostname']:<20} {node['os']:<8} {role:<17} {node['status']:<6} "
            f"{node['availability']:<7} labels: {labels}"
        )
    lines.append("Services:")
    for row in rows:
        ports = ", ".join(row["ports"]) or "-"
        placement = ", ".join(row["constraints"]) or "-"
        lines.append(
            f"  {row['name']:<20} {row['mode']:<10} {row['replicas']:<6} os: {row['os']:<8} "
            f"endpoint: {row['endpoint_mode']:<6} ports: {ports}"
        )
        lines.append(f"  {'':<20} placement: {placement}; on: {', '.join(row['nodes']) or '-'}")
    return lines


def lookup_invocations(container: str, names: list[str]) -> list[list[str]]:
    """nslookup inside a task container (busybox and Windows images both have it), A records only."""
    return [["docker", "exec", container, "nslookup", "-type=a", name] for name in names]


def judge_lookups(target: str, expected_tasks: int, lookups: dict[str, list[str]]) -> list[str]:
    """Problems with the answers: the name must resolve, tasks.<name> to one address per running task."""
    problems = []
    if not lookups.get(target):
        problems.append(
            f"{target} did not resolve (is the service on a user-defined overlay shared with the prober?)"
        )
    tasks_name = f"tasks.{target}"
    found = len(lookups.get(tasks_name, []))
    if found != expected_tasks:
        problems.append(
            f"{tasks_name} resolved to {found} address(es), expected {expected_tasks} (one per running task)"
        )
    return problems

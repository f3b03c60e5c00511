"""The report's document: one JSON-ready dict that the HTML page is drawn from and that is written
beside it for other tools.

Nodes and tasks come from the inspect documents swarm_verify reads (no extra round trip); the
findings from the verify stage's probes (DNS, HTTP, reachability) and its problems; the stage
times from the marks playbooks/site.yml sets as each stage starts.
"""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.windows_build import BUILD_LABEL

SCHEMA = 1
OS_LANES = ("windows", "linux")


def lane_of(node: dict) -> str:
    """The OS lane a node is drawn in: windows, linux, or other (an OS the swarm reports otherwise)."""
    return node.get("os") if node.get("os") in OS_LANES else "other"


def report_node(node: dict) -> dict:
    return {
        "id": node["id"],
        "hostname": node["hostname"],
        "os": node["os"],
        "lane": lane_of(node),
        "role": node["role"],
        "leader": node["leader"],
        "status": node["status"],
        "availability": node["availability"],
        "engine_version": node["engine_version"],
        "windows_build": node["labels"].get(BUILD_LABEL, "") if node["os"] == "windows" else "",
        "labels": dict(sorted(node["labels"].items())),
        "addr": node["addr"],
    }


def task_label(task: dict, service: str) -> str:
    """'web.2' for a replicated task, 'agent@lab-w1' style for a global one (by its NodeID)."""
    slot = task.get("Slot")
    return f"{service}.{slot}" if slot else f"{service}@{task.get('NodeID', '')[:12]}"


def attachments(task: dict) -> list[dict]:
    """Network name, driver, subnet and the task's address on each network it is attached to."""
    found = []
    for attachment in task.get("NetworksAttachments") or []:
        network = attachment.get("Network") or {}
        spec = network.get("Spec") or {}
        configs = (network.get("IPAMOptions") or {}).get("Configs") or []
        found.append(
            {
                "network": spec.get("Name", network.get("ID", "")),
                "driver": (network.get("DriverState") or {}).get("Name", ""),
                "subnet": ", ".join(c.get("Subnet", "") for c in configs if c.get("Subnet")),
                "ingress": bool(spec.get("Ingress")),
                "address": (attachment.get("Addresses") or [""])[0].split("/")[0],
            }
        )
    return found


def report_task(task: dict, service: str) -> dict:
    status = task.get("Status") or {}
    return {
        "id": task.get("ID", ""),
        "name": task_label(task, service),
        "service": service,
        "node_id": task.get("NodeID", ""),
        "state": status.get("State", "unknown"),
        "desired": task.get("DesiredState", ""),
        "error": status.get("Err", ""),
        "addresses": [
            {"network": a["network"], "address": a["address"]} for a in attachments(task) if a["address"]
        ],
    }


def current_tasks(tasks: list[dict]) -> list[dict]:
    """The tasks the swarm wants now (desired running), or, for a slot that has none, its newest
    task: a rejected task stays visible with its error instead of vanishing from the picture."""
    wanted = [t for t in tasks if t.get("DesiredState") == "running"]
    slots = {(t.get("Slot"), t.get("NodeID") if not t.get("Slot") else None) for t in wanted}
    newest = {}
    for task in tasks:
        key = (task.get("Slot"), task.get("NodeID") if not task.get("Slot") else None)
        if key in slots:
            continue
        stamp = (task.get("Status") or {}).get("Timestamp", "")
        if key not in newest or stamp > (newest[key].get("Status") or {}).get("Timestamp", ""):
            newest[key] = task
    return wanted + list(newest.values())


def cluster_picture(nodes: dict[str, dict], rows: list[dict], tasks: dict[str, list[dict]]) -> dict:
    """Nodes, services (the verify summary's rows) with their tasks, and the networks the tasks use."""
    services, networks = [], {}
    for row in rows:
        shown = sorted(
            (report_task(t, row["name"]) for t in current_tasks(tasks.get(row["name"], []))),
            key=lambda t: t["name"],
        )
        on = set()
        for task in current_tasks(tasks.get(row["name"], [])):
            for attachment in attachments(task):
                entry = networks.setdefault(
                    attachment["network"],
                    {
                        "name": attachment["network"],
                        "driver": attachment["driver"],
                        "subnet": attachment["subnet"],
                        "ingress": attachment["ingress"],
                        "services": [],
                    },
                )
                if row["name"] not in entry["services"]:
                    entry["services"].append(row["name"])
                on.add(attachment["network"])
        services.append({**row, "networks": sorted(on), "tasks": shown})
    return {
        "nodes": [
            report_node(n)
            for n in sorted(nodes.values(), key=lambda n: (lane_of(n), n["role"] != "manager", n["hostname"]))
        ],
        "services": services,
        "networks": sorted(networks.values(), key=lambda n: n["name"]),
    }


def stage_times(marks: dict[str, float], ended: float) -> list[dict]:
    """Seconds per stage from the time each stage started (epoch seconds) and when verify ended."""
    ordered = sorted(((float(t), name) for name, t in (marks or {}).items()))
    ends = [start for start, _name in ordered[1:]] + [ended]
    times = []
    for (start, name), end in zip(ordered, ends[: len(ordered)], strict=True):
        times.append({"stage": name, "seconds": round(max(0.0, end - start), 1)})
    return times


def finding(check: str, ok: bool | None, detail: str) -> dict:
    """ok None: skipped (the detail says why)."""
    return {
        "check": check,
        "result": "skipped" if ok is None else ("pass" if ok else "fail"),
        "detail": detail,
    }


def verify_findings(
    problems: list[str],
    dns: dict | None,
    dns_skipped: str,
    http: list[dict],
    http_skipped: list[str],
    reachability: list[dict],
    reachability_skipped: list[str],
) -> list[dict]:
    """One row per check: the cluster checks, the DNS probe, each HTTP request, each reachability pair."""
    rows = [finding("cluster", not problems, p) for p in problems] or [
        finding("cluster", True, "every node Ready, every declared service converged on the right OS")
    ]
    if dns is None:
        rows.append(finding("DNS", None, dns_skipped or "not run"))
    else:
        failed = dns.get("failed") or not dns.get("lookups")
        answers = "; ".join(
            f"{name} -> {', '.join(found) or 'nothing'}" for name, found in (dns.get("lookups") or {}).items()
        )
        rows.append(
            finding(
                "DNS",
                not failed,
                f"from {dns.get('source', '?')} on {dns.get('hostname', '?')}: {dns.get('msg') if failed and dns.get('msg') else answers}",
            )
        )
    for request in http:
        ok = not request.get("failed") and bool(request.get("status"))
        rows.append(
            finding(
                "HTTP",
                ok,
                f"{request.get('url', '?')} -> {request.get('status') or request.get('msg', 'failed')}",
            )
        )
    rows += [finding("HTTP", None, reason) for reason in http_skipped]
    if not http and not http_skipped:
        rows.append(finding("HTTP", None, "none requested"))
    for pair in reachability:
        rows.append(finding("reachability", pair["ok"], pair["text"]))
    rows += [finding("reachability", None, reason) for reason in reachability_skipped]
    if not reachability and not reachability_skipped:
        rows.append(finding("reachability", None, "none requested or run"))
    return rows


def report_document(picture: dict, findings: list[dict], stages: list[dict], taken_at: str) -> dict:
    return {"schema": SCHEMA, "taken_at": taken_at, **picture, "findings": findings, "stages": stages}


def reach_results(loop_results: list[dict]) -> list[dict]:
    """The pairs of every swarm_reach_probe loop item; an item that failed before connecting (no
    container of the task) counts as one failed pair with its message."""
    pairs = []
    for item in loop_results or []:
        if item.get("skipped"):
            continue
        if item.get("pairs"):
            pairs += item["pairs"]
        elif item.get("failed"):
            pairs.append({"ok": False, "text": str(item.get("msg", "failed"))})
    return pairs


def reach_lines(pairs: list[dict], requested: bool) -> list[str]:
    """The summary's reachability lines: one per pair, failures first."""
    if not pairs:
        return ["Reachability: " + ("not run" if requested else "none requested")]
    ordered = sorted(pairs, key=lambda p: p["ok"])
    failed = sum(1 for p in pairs if not p["ok"])
    head = f"Reachability: {len(pairs) - failed}/{len(pairs)} connections made"
    return [head, *(f"  {'ok  ' if p['ok'] else 'FAIL'} {p['text']}" for p in ordered)]

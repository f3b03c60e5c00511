"""The report as one self-contained HTML page: inline CSS and SVG, no external asset, no script.

Nodes stand in OS lanes (Windows, Linux, then any other OS and a lane for tasks on no node), each
with its role, leader mark, status, availability, engine version, Windows build and labels, and
the tasks it runs as boxes coloured by state. An SVG strip per lane shows every node's tasks at a
glance, which stays readable at 50 nodes and 100 services; tables list services, networks, the
verify findings and the run's time per stage. Every text that comes from the swarm or the
inventory (names, labels, errors) is escaped.
"""

from __future__ import annotations

from html import escape

from ansible_collections.mixedswarm.swarm.plugins.module_utils._report.data import OS_LANES

# Task states by the colour they are drawn in (docker's task states, moby api/types/swarm/task.go).
STATE_GROUPS = (
    ("running", "#2e9e4f", ("running",)),
    ("starting", "#e0a526", ("new", "pending", "assigned", "accepted", "preparing", "ready", "starting")),
    ("failed", "#d64541", ("failed", "rejected", "orphaned")),
    ("stopped", "#8c8c8c", ("complete", "shutdown", "remove")),
)
UNKNOWN_COLOUR = "#5b6ee1"
LANE_TITLES = {"windows": "Windows", "linux": "Linux", "other": "Other OS", "": "Not on a node"}

CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:16px;color:#1d2329;background:#f6f7f9}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:18px 0 6px}
.meta{color:#555}.lane{background:#fff;border:1px solid #d5d9de;border-radius:6px;padding:8px 10px;margin:10px 0}
.lane h2{margin:0 0 6px}.nodes{display:flex;flex-wrap:wrap;gap:8px}
.node{border:1px solid #c7ccd3;border-radius:5px;padding:6px 8px;width:250px;background:#fbfcfd}
.node.down{border-color:#d64541;background:#fff4f4}.node .head{font-weight:600;word-break:break-all}
.badge{display:inline-block;font-size:11px;padding:0 5px;border-radius:8px;background:#e4e8ee;margin-left:4px;font-weight:400}
.badge.leader{background:#ffd86b}.facts{font-size:12px;color:#444;margin:2px 0}
.chip{display:inline-block;font-size:11px;background:#eef1f5;border-radius:3px;padding:0 4px;margin:1px;word-break:break-all}
.tasks{margin-top:4px}.task{display:inline-block;font-size:11px;color:#fff;border-radius:3px;padding:1px 5px;margin:1px;word-break:break-all}
.err{font-size:11px;color:#a02b27;word-break:break-word}
table{border-collapse:collapse;background:#fff;width:100%;font-size:13px}
th,td{border:1px solid #d5d9de;padding:3px 6px;text-align:left;vertical-align:top}th{background:#eef1f5}
td.pass{color:#1f7a3b;font-weight:600}td.fail{color:#b3261e;font-weight:600}td.skipped{color:#777}
svg text{font:11px system-ui,sans-serif}
"""


def colour(state: str) -> str:
    return next((c for _name, c, states in STATE_GROUPS if state in states), UNKNOWN_COLOUR)


def _e(value) -> str:
    return escape(str(value), quote=True)


def legend() -> str:
    items = []
    for i, (name, fill, _states) in enumerate(STATE_GROUPS):
        x = i * 95
        items.append(
            f'<rect x="{x}" y="2" width="14" height="14" rx="2" fill="{fill}"/>'
            f'<text x="{x + 19}" y="13">{_e(name)}</text>'
        )
    return f'<svg role="img" aria-label="task states" width="{len(STATE_GROUPS) * 95}" height="18">{"".join(items)}</svg>'


def lane_strip(nodes: list[dict], tasks_by_node: dict[str, list[dict]]) -> str:
    """Every node of a lane as a column of squares, one per task: the lane at a glance."""
    size, gap, column = 8, 2, 14
    tallest = max((len(tasks_by_node.get(n["id"], [])) for n in nodes), default=0)
    height = max(1, tallest) * (size + gap) + 4
    parts = []
    for i, node in enumerate(nodes):
        x = i * column
        parts.append(
            f"<g><title>{_e(node['hostname'])}: {len(tasks_by_node.get(node['id'], []))} task(s)</title>"
        )
        parts.append(f'<rect x="{x}" y="0" width="{size + 2}" height="{height}" fill="#eef1f5"/>')
        for j, task in enumerate(tasks_by_node.get(node["id"], [])):
            parts.append(
                f'<rect x="{x + 1}" y="{height - (j + 1) * (size + gap)}" width="{size}" height="{size}" '
                f'fill="{colour(task["state"])}"><title>{_e(task["name"])} {_e(task["state"])}</title></rect>'
            )
        parts.append("</g>")
    width = max(1, len(nodes)) * column
    return f'<svg role="img" aria-label="tasks per node" width="{width}" height="{height}">{"".join(parts)}</svg>'


def task_box(task: dict) -> str:
    title = f"{task['name']} ({task['id'][:12]}): {task['state']}, desired {task['desired']}"
    if task["addresses"]:
        title += "; " + ", ".join(f"{a['network']} {a['address']}" for a in task["addresses"])
    return (
        f'<span class="task" data-task="{_e(task["name"])}" data-task-id="{_e(task["id"])}" '
        f'data-state="{_e(task["state"])}" style="background:{colour(task["state"])}" title="{_e(title)}">'
        f"{_e(task['name'])}</span>"
    )


def node_card(node: dict, tasks: list[dict]) -> str:
    badges = f'<span class="badge">{_e(node["role"])}</span>'
    if node["leader"]:
        badges += '<span class="badge leader">leader</span>'
    facts = [f"{node['status']}, {node['availability']}", f"engine {node['engine_version'] or '?'}"]
    if node["windows_build"]:
        facts.append(f"build {node['windows_build']}")
    if node["addr"]:
        facts.append(node["addr"])
    labels = "".join(f'<span class="chip">{_e(k)}={_e(v)}</span>' for k, v in node["labels"].items())
    errors = "".join(f'<div class="err">{_e(t["name"])}: {_e(t["error"])}</div>' for t in tasks if t["error"])
    down = " down" if node["status"] != "ready" else ""
    return (
        f'<div class="node{down}" data-node="{_e(node["hostname"])}" data-node-id="{_e(node["id"])}">'
        f'<div class="head">{_e(node["hostname"])}{badges}</div>'
        f'<div class="facts">{_e(" · ".join(facts))}</div>'
        f'<div class="labels">{labels}</div>'
        f'<div class="tasks">{"".join(task_box(t) for t in tasks)}</div>{errors}</div>'
    )


def lanes(document: dict) -> str:
    known = {n["id"] for n in document["nodes"]}
    tasks_by_node: dict[str, list[dict]] = {}
    for service in document["services"]:
        for task in service["tasks"]:
            tasks_by_node.setdefault(task["node_id"] if task["node_id"] in known else "", []).append(task)
    html = []
    for lane in (*OS_LANES, "other"):
        nodes = [n for n in document["nodes"] if n["lane"] == lane]
        if not nodes and lane == "other":
            continue
        cards = "".join(node_card(n, tasks_by_node.get(n["id"], [])) for n in nodes) or "<p>no node</p>"
        html.append(
            f'<section class="lane" data-lane="{lane}"><h2>{LANE_TITLES[lane]} ({len(nodes)} node(s))</h2>'
            f'{lane_strip(nodes, tasks_by_node) if nodes else ""}<div class="nodes">{cards}</div></section>'
        )
    unplaced = tasks_by_node.get("", [])
    if unplaced:
        errors = "".join(
            f'<div class="err">{_e(t["name"])}: {_e(t["error"])}</div>' for t in unplaced if t["error"]
        )
        html.append(
            f'<section class="lane" data-lane="none"><h2>{LANE_TITLES[""]} ({len(unplaced)} task(s))</h2>'
            f'<div class="tasks">{"".join(task_box(t) for t in unplaced)}</div>{errors}</section>'
        )
    return "".join(html)


def table(headers: list[str], rows: list[list[str]], classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        cells = "".join(
            f'<td class="{_e(classes[i])}">{_e(c)}</td>' if classes and j == 0 else f"<td>{_e(c)}</td>"
            for j, c in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def stage_chart(stages: list[dict]) -> str:
    if not stages:
        return "<p>no stage times (the run did not go through playbooks/site.yml)</p>"
    longest = max(s["seconds"] for s in stages) or 1
    rows = []
    for i, stage in enumerate(stages):
        y = i * 22
        width = max(1, round(stage["seconds"] / longest * 400))
        rows.append(
            f'<text x="0" y="{y + 14}">{_e(stage["stage"])}</text>'
            f'<rect x="90" y="{y + 3}" width="{width}" height="14" fill="#5b6ee1"/>'
            f'<text x="{96 + width}" y="{y + 14}">{stage["seconds"]:g} s</text>'
        )
    return f'<svg role="img" aria-label="time per stage" width="560" height="{len(stages) * 22}">{"".join(rows)}</svg>'


def render(document: dict) -> str:
    nodes, services = document["nodes"], document["services"]
    tasks = sum(len(s["tasks"]) for s in services)
    outcome = {
        r: sum(1 for f in document["findings"] if f["result"] == r) for r in ("pass", "fail", "skipped")
    }
    per_lane = ", ".join(f"{sum(1 for n in nodes if n['lane'] == lane)} {lane}" for lane in OS_LANES)
    summary = (
        f"Taken at {document['taken_at']} · {len(nodes)} nodes ({per_lane}) · {len(services)} services · "
        f"{tasks} tasks · findings: {outcome['pass']} pass, {outcome['fail']} fail, {outcome['skipped']} skipped"
    )
    service_rows = [
        [
            s["name"],
            s["mode"],
            s["replicas"],
            s["os"],
            ", ".join(s["ports"]) or "-",
            ", ".join(s["networks"]) or "-",
            ", ".join(s["constraints"]) or "-",
        ]
        for s in services
    ]
    network_rows = [
        [
            n["name"],
            n["driver"] + (" (ingress)" if n["ingress"] else ""),
            n["subnet"] or "-",
            ", ".join(n["services"]),
        ]
        for n in document["networks"]
    ]
    finding_rows = [[f["result"], f["check"], f["detail"]] for f in document["findings"]]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Swarm report {_e(document['taken_at'])}</title><style>{CSS}</style></head><body>"
        f'<h1>Docker Swarm report</h1><p class="meta">{_e(summary)}</p>{legend()}'
        f"{lanes(document)}"
        "<h2>Verify findings</h2>"
        f"{table(['result', 'check', 'detail'], finding_rows, [f['result'] for f in document['findings']])}"
        f"<h2>Services</h2>{table(['service', 'mode', 'replicas', 'os', 'ports', 'networks', 'placement'], service_rows)}"
        f"<h2>Networks</h2>{table(['network', 'driver', 'subnet', 'services'], network_rows)}"
        f"<h2>Time per stage</h2>{stage_chart(document['stages'])}"
        "</body></html>\n"
    )

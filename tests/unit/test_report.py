"""The cluster report: its data from the verify stage's reading, and the HTML page drawn from it."""

import json
import re
from html.parser import HTMLParser

from ansible_collections.mixedswarm.swarm.plugins.module_utils._report.data import (
    cluster_picture,
    current_tasks,
    reach_lines,
    reach_results,
    report_document,
    stage_times,
    verify_findings,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._report.html import colour, render


def node(i, os="linux", role="worker", labels=None, status="ready"):
    return {
        "id": f"node{i:03d}",
        "hostname": f"{os[:3]}-{i:03d}",
        "role": role,
        "availability": "active",
        "labels": labels if labels is not None else {"os": os},
        "status": status,
        "addr": f"10.0.0.{i}",
        "os": os,
        "architecture": "x86_64",
        "engine_version": "24.0.7",
        "leader": role == "manager" and i == 0,
        "reachability": "reachable" if role == "manager" else "",
        "manager_addr": "",
    }


def task(
    service_id, slot, node_id, state="running", desired="running", err="", address="10.0.1.2", stamp="1"
):
    return {
        "ID": f"{service_id}-{slot}-{state}",
        "ServiceID": service_id,
        "Slot": slot,
        "NodeID": node_id,
        "DesiredState": desired,
        "Status": {"State": state, "Err": err, "Timestamp": stamp},
        "NetworksAttachments": [
            {
                "Network": {
                    "Spec": {"Name": "appnet"},
                    "DriverState": {"Name": "overlay"},
                    "IPAMOptions": {"Configs": [{"Subnet": "10.0.1.0/24"}]},
                },
                "Addresses": [f"{address}/24"],
            }
        ],
    }


def row(name, os="linux", replicas="1/1"):
    return {
        "name": name,
        "mode": "replicated",
        "replicas": replicas,
        "os": os,
        "constraints": [f"node.platform.os=={os}"],
        "endpoint_mode": "vip",
        "ports": [],
        "nodes": [],
    }


def big_cluster(nodes=50, services=100, replicas=3):
    """50 nodes (3 Windows managers, half Windows), 100 services of 3 tasks each."""
    all_nodes = {}
    for i in range(nodes):
        os = "windows" if i % 2 == 0 else "linux"
        labels = {"os": os, "zone": f"z{i % 3}"}
        if os == "windows":
            labels["os.build"] = "10.0.20348"
        made = node(i, os, "manager" if i < 3 else "worker", labels)
        all_nodes[made["id"]] = made
    ids = sorted(all_nodes)
    rows, tasks = [], {}
    for s in range(services):
        name = f"service-{s:03d}"
        rows.append(row(name, "windows" if s % 2 == 0 else "linux", f"{replicas}/{replicas}"))
        tasks[name] = [
            task(name, r + 1, ids[(s * replicas + r) % nodes], "running" if (s + r) % 7 else "preparing")
            for r in range(replicas)
        ]
    return all_nodes, rows, tasks


class Elements(HTMLParser):
    """Every start tag with its attributes, and whether a script or an external reference appears."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parsed(page):
    elements = Elements()
    elements.feed(page)
    return elements.tags


def document_of(nodes, rows, tasks, findings=(), stages=()):
    return report_document(
        cluster_picture(nodes, rows, tasks), list(findings), list(stages), "2026-12-02 16:00:00 UTC"
    )


def test_a_report_of_50_nodes_and_100_services_holds_every_node_and_task_and_stays_readable():
    nodes, rows, tasks = big_cluster()
    page = render(document_of(nodes, rows, tasks))
    tags = parsed(page)
    drawn_nodes = [a["data-node"] for t, a in tags if "data-node" in a]
    drawn_tasks = [a["data-task-id"] for t, a in tags if "data-task-id" in a]
    assert sorted(drawn_nodes) == sorted(n["hostname"] for n in nodes.values())
    assert sorted(drawn_tasks) == sorted(t["ID"] for ts in tasks.values() for t in ts)
    lanes = {a["data-lane"]: a for t, a in tags if t == "section" and "data-lane" in a}
    assert set(lanes) == {"windows", "linux"}
    # Readable: cards wrap in lanes of fixed-width cards, no task box or strip is wider than a screen.
    assert "flex-wrap:wrap" in page and ".node{" in page
    widths = [int(a["width"]) for t, a in tags if t == "svg"]
    assert max(widths) <= 1200, widths
    assert len(page) < 600_000


def test_the_page_needs_nothing_from_outside_and_no_script():
    nodes, rows, tasks = big_cluster(4, 3)
    page = render(document_of(nodes, rows, tasks))
    tags = parsed(page)
    assert not [t for t, _a in tags if t in ("script", "link", "img", "iframe", "object")]
    assert not [a for _t, a in tags if {"src", "href"} & a.keys()]
    assert not re.search(r"url\(|@import|https?://", page)
    assert not [a for _t, a in tags if any(k.startswith("on") for k in a)]


def test_every_user_string_is_escaped():
    evil = '<script>alert("x")</script>&\''
    nodes = {"n1": node(1, labels={evil: evil})}
    nodes["n1"]["hostname"] = evil
    tasks = {evil: [task(evil, 1, "n1", "rejected", err=evil)]}
    findings = verify_findings([evil], None, evil, [], [evil], [{"ok": False, "text": evil}], [])
    page = render(document_of(nodes, [row(evil)], tasks, findings, [{"stage": evil, "seconds": 1}]))
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#x27;" in page
    tags = parsed(page)
    assert [a["data-node"] for _t, a in tags if "data-node" in a] == [evil]
    assert [a["data-task"] for _t, a in tags if "data-task" in a] == [f"{evil}.1"]


def test_nodes_carry_role_leader_availability_engine_build_and_labels():
    manager = node(0, "windows", "manager", {"os": "windows", "os.build": "10.0.20348", "zone": "a"})
    nodes = {"node000": manager, "node001": node(1)}
    page = render(document_of(nodes, [], {}))
    card = page.split('data-node="win-000"', 1)[1].split('<div class="node', 1)[0]
    for text in ("manager", "leader", "active", "engine 24.0.7", "build 10.0.20348", "zone=a"):
        assert text in card, text
    linux = page.split('data-lane="linux"', 1)[1]
    assert 'data-node="lin-001"' in linux and "build" not in linux.split("</section>", 1)[0]


def test_tasks_are_coloured_by_state_and_a_task_on_no_node_gets_a_lane_with_its_error():
    nodes = {"node001": node(1)}
    tasks = {
        "web": [
            task("web", 1, "node001", "running"),
            task("web", 2, "", "pending", err="no suitable node (scheduling constraints)"),
        ]
    }
    page = render(document_of(nodes, [row("web", replicas="1/2")], tasks))
    assert colour("running") != colour("pending") != colour("rejected")
    assert f'data-state="running" style="background:{colour("running")}"' in page
    unplaced = page.split('data-lane="none"', 1)[1]
    assert 'data-task="web.2"' in unplaced and "no suitable node" in unplaced


def test_a_slot_without_a_wanted_task_shows_its_newest_task():
    history = [
        task("web", 1, "n1", "rejected", desired="shutdown", err="old", stamp="1"),
        task("web", 1, "n1", "failed", desired="shutdown", err="new", stamp="2"),
        task("web", 2, "n1", "running"),
    ]
    shown = current_tasks(history)
    assert [(t["Slot"], t["Status"]["Err"]) for t in shown] == [(2, ""), (1, "new")]


def test_networks_list_the_services_attached():
    nodes, rows, tasks = big_cluster(2, 2, 1)
    picture = cluster_picture(nodes, rows, tasks)
    assert picture["networks"] == [
        {
            "name": "appnet",
            "driver": "overlay",
            "subnet": "10.0.1.0/24",
            "ingress": False,
            "services": ["service-000", "service-001"],
        }
    ]
    assert picture["services"][0]["networks"] == ["appnet"]


def test_stage_times_run_from_each_stage_start_to_the_next():
    assert stage_times({"swarm": 110, "engines": 100, "verify": 130.5}, 140) == [
        {"stage": "engines", "seconds": 10.0},
        {"stage": "swarm", "seconds": 20.5},
        {"stage": "verify", "seconds": 9.5},
    ]
    assert stage_times({}, 1) == []


def test_findings_cover_cluster_dns_http_and_reachability():
    dns = {"source": "console", "hostname": "w1", "lookups": {"web": ["10.0.1.3"]}}
    http = [
        {"url": "http://10.0.0.1:80/", "status": 200},
        {"url": "http://x/", "failed": True, "msg": "refused"},
    ]
    found = verify_findings([], dns, "", http, ["api: 0 replicas"], [{"ok": True, "text": "a -> b"}], [])
    assert [(f["check"], f["result"]) for f in found] == [
        ("cluster", "pass"),
        ("DNS", "pass"),
        ("HTTP", "pass"),
        ("HTTP", "fail"),
        ("HTTP", "skipped"),
        ("reachability", "pass"),
    ]
    assert found[3]["detail"] == "http://x/ -> refused"
    skipped = verify_findings(["node x is down"], None, "no dns_probe requested", [], [], [], [])
    assert skipped == [
        {"check": "cluster", "result": "fail", "detail": "node x is down"},
        {"check": "DNS", "result": "skipped", "detail": "no dns_probe requested"},
        {"check": "HTTP", "result": "skipped", "detail": "none requested"},
        {"check": "reachability", "result": "skipped", "detail": "none requested or run"},
    ]


def test_reach_results_and_summary_lines_put_failures_first():
    loop = [
        {"pairs": [{"ok": True, "text": "a.1 -> b.1"}]},
        {"failed": True, "msg": "no container"},
        {"skipped": True},
    ]
    pairs = reach_results(loop)
    assert pairs == [{"ok": True, "text": "a.1 -> b.1"}, {"ok": False, "text": "no container"}]
    assert reach_lines(pairs, True) == [
        "Reachability: 1/2 connections made",
        "  FAIL no container",
        "  ok   a.1 -> b.1",
    ]
    assert reach_lines([], False) == ["Reachability: none requested"]


def test_the_document_is_json():
    nodes, rows, tasks = big_cluster(3, 2)
    document = document_of(nodes, rows, tasks)
    assert json.loads(json.dumps(document)) == document
    assert document["schema"] == 1 and document["taken_at"].endswith("UTC")

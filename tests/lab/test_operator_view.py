"""The operator's view on the shared lab: progress lines while a rolling update converges, the
cluster report rendered by a real browser, and cross-node reachability over the overlay.

One module fixture creates two services of its own (an httpd and a client, both busybox) on an
overlay with the docker CLI, as the services stage would and owned by it (faster than a first
services stage run); the services stage then rolls a changed environment through the httpd one
task at a time, 3 s apart, long enough for the convergence wait to print progress lines. The verify stage then
checks the client reaching every httpd task on its port (passes) and on a port nothing listens
on (fails, naming both ends), and writes the report, which headless chromium renders to a PNG
(kept in .cache/lab-logs) and to its DOM.
"""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser

import pytest
import yaml
from harness import LOGS

pytestmark = pytest.mark.lab

WEB, CLIENT, NET = "view-web", "view-client", "viewnet"
REPORT = LOGS / "operator-view-report.html"
SCREENSHOT = LOGS / "operator-view-report.png"
DEPLOY = "Create, update or remove services, then wait until they converge"
REACH = "Connect from a task of each source service to every task of its target over the overlay"


def view_vars(registry: str, step: int, pairs: list[dict] | None = None) -> dict:
    image = f"{registry}/busybox:1"
    services = [
        {
            "name": WEB,
            "image": image,
            "os": "linux",
            "replicas": 2,
            "env": {"STEP": str(step)},
            "command": ["httpd", "-f", "-p", "8080"],
            "endpoint_mode": "dnsrr",
            "networks": [NET],
            "update_config": {"parallelism": 1, "delay": "3s", "monitor": "1s"},
        },
        {
            "name": CLIENT,
            "image": image,
            "os": "linux",
            "replicas": 1,
            "command": ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"],
            "endpoint_mode": "dnsrr",
            "networks": [NET],
        },
    ]
    return {
        "all": {
            "vars": {
                "swarm_networks": [{"name": NET, "attachable": True}],
                "swarm_services": services,
                "swarm_stacks": [],
                "swarm_service_timeout": 120,
                "swarm_verify_reachability": pairs or [],
                "swarm_report_path": str(REPORT),
            }
        }
    }


@pytest.fixture(scope="module")
def view(ops_lab, tmp_path_factory):
    """The two services created, then rolled (the run whose output the progress test reads)."""
    lab = ops_lab
    registry = yaml.safe_load(lab.inventory.read_text())["all"]["vars"]["lab_registry"]
    folder = tmp_path_factory.mktemp("view")

    def inventory(name, *args):
        path = folder / f"{name}.yml"
        path.write_text(yaml.safe_dump(view_vars(registry, *args), sort_keys=False))
        return [path]

    owned = ("--label", "mixedswarm.managed=true")
    lab.docker(
        "manager1", "network", "create", "--driver", "overlay", "--attachable", *owned, NET, check=False
    )
    common = ("service", "create", "--detach", *owned, "--endpoint-mode", "dnsrr", "--network", NET)
    common += ("--constraint", "node.platform.os==linux")
    for service in view_vars(registry, 1)["all"]["vars"]["swarm_services"]:
        flags = ["--name", service["name"], "--replicas", str(service["replicas"])]
        flags += [f"--env={k}={v}" for k, v in service.get("env", {}).items()]
        if "update_config" in service:
            flags += ["--update-parallelism", "1", "--update-delay", "3s", "--update-monitor", "1s"]
        lab.docker("manager1", *common, *flags, service["image"], *service["command"])
    lab.wait_for("the view services to run", lambda: converged(lab), timeout=120)
    rolled = lab.play(
        "playbooks/services.yml", inventories=inventory("roll", 2), label=f"{lab.name}-view-roll"
    )
    yield lab, rolled, inventory
    for name in (WEB, CLIENT):
        lab.docker("manager1", "service", "rm", name, check=False)
    lab.wait_for(
        "the view services to go",
        lambda: not lab.docker_json("manager1", "service", "ls", "--filter", "name=view-"),
    )
    lab.docker("manager1", "network", "rm", NET, check=False)


def converged(lab) -> bool:
    rows = {
        s["Name"]: s["Replicas"]
        for s in lab.docker_json("manager1", "service", "ls", "--filter", "name=view-")
    }
    return len(rows) == 2 and all(r.split("/")[0] == r.split("/")[1] for r in rows.values())


def test_a_rolling_update_prints_progress_lines_while_it_converges(view):
    _lab, rolled, _inventory = view
    assert rolled.rc == 0, rolled.describe()
    lines = re.findall(
        r"^  \[([^\]]+)\] convergence: (.*) \((\d+) s elapsed, deadline 120 s\)$", rolled.output, re.M
    )
    assert lines, f"no progress line in the output of {rolled.log}"
    assert all(DEPLOY in task for task, _state, _elapsed in lines), lines
    states = [state for _task, state, _elapsed in lines]
    assert any(re.search(rf"{WEB}: [01]/2 tasks running on the new spec", s) for s in states), states
    seconds = [int(elapsed) for _task, _state, elapsed in lines]
    assert seconds == sorted(seconds) and seconds[0] >= 3, seconds
    # Never a flood: a line per change of state or every 10 s, the wait polling every 2 s.
    assert len(lines) <= seconds[-1] // 2 + 1, lines


def test_reachability_passes_across_nodes_and_a_closed_port_fails_naming_both_ends(view):
    lab, _rolled, inventory = view
    pairs = [{"from": CLIENT, "to": WEB, "port": 8080}, {"from": CLIENT, "to": WEB, "port": 8089}]
    run = lab.play(
        "playbooks/verify.yml", inventories=inventory("reach", 2, pairs), label=f"{lab.name}-view-verify"
    )
    assert run.rc != 0, "the closed port must fail the verify stage"
    probes = run.results(REACH)
    assert len(probes) == 1, probes
    (result,) = probes.values()
    items = result["results"]
    assert [i["item"]["port"] for i in items] == [8080, 8089]
    client_node = items[0]["item"]["hostname"]
    web_nodes = {t["node"] for t in items[0]["item"]["targets"]}
    assert client_node not in web_nodes or len(web_nodes) > 1, "the probe should cross nodes"
    assert [p["ok"] for p in items[0]["pairs"]] == [True, True], items[0]["pairs"]
    for pair in items[0]["pairs"]:
        assert re.fullmatch(
            rf"{CLIENT}\.1 on \S+ \(linux\) -> {WEB}\.[12] on \S+ \(linux\) [\d.]+:8080 over {NET}: connected",
            pair["text"],
        )
    assert items[1]["failed"] and [p["ok"] for p in items[1]["pairs"]] == [False, False]
    for pair in items[1]["pairs"]:
        assert re.fullmatch(
            rf"{CLIENT}\.1 on {client_node} \(linux\) -> {WEB}\.[12] on \S+ \(linux\) [\d.]+:8089 over {NET}: failed: .*refused.*",
            pair["text"],
        ), pair["text"]
    summary = next(iter(run.results("Summary").values()))["msg"]
    assert "Reachability: 2/4 connections made" in summary and f"Report: {REPORT}" in summary


class Rendered(HTMLParser):
    def __init__(self):
        super().__init__()
        self.nodes, self.tasks = set(), set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-node" in attrs:
            self.nodes.add(attrs["data-node"])
        if "data-task-id" in attrs:
            self.tasks.add(attrs["data-task-id"])


def test_the_report_renders_in_a_real_browser_with_every_node_and_task(view):
    lab, _rolled, _inventory = view
    assert REPORT.exists(), "the verify stage wrote no report (run the reachability test first)"
    chromium = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"]
    # One run gives both: the screenshot file and the DOM after layout on stdout.
    dom = subprocess.run(
        [*chromium, f"--screenshot={SCREENSHOT}", "--dump-dom", REPORT.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert dom.returncode == 0 and SCREENSHOT.stat().st_size > 10_000, dom.stderr
    rendered = Rendered()
    rendered.feed(dom.stdout)
    hostnames = {n["Hostname"] for n in lab.nodes()}
    assert rendered.nodes == hostnames
    running = {
        t["ID"]
        for name in (WEB, CLIENT)
        for t in lab.docker_json(
            "manager1", "service", "ps", "--no-trunc", "--filter", "desired-state=running", name
        )
    }
    assert running and running <= rendered.tasks, (running, rendered.tasks)
    data = json.loads(REPORT.with_suffix(".json").read_text())
    assert {n["hostname"] for n in data["nodes"]} == hostnames
    assert [f["result"] for f in data["findings"] if f["check"] == "reachability"].count("fail") == 2


def test_a_bad_reachability_pair_stops_site_yml_before_any_change(view):
    lab, _rolled, inventory = view
    pairs = [{"from": CLIENT, "to": "view-wbe", "port": 70000}]
    run = lab.play("site.yml", inventories=inventory("bad", 2, pairs), label=f"{lab.name}-view-bad-pair")
    assert run.rc != 0 and run.changed == 0
    (failure,) = {(host, msg) for host, _task, msg in run.failures()}
    assert "swarm_verify_reachability[0].to: 'view-wbe' is no declared service" in failure[1]
    assert "swarm_verify_reachability[0].port: 70000 is not a TCP port" in failure[1]
    assert "nothing was changed" in failure[1]

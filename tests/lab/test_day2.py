"""Day-2 operations on the shared lab: an engine change rolls through the swarm node by node,
the swarm is backed up, restored after every manager is lost, and a bad restore is refused.

Leaves the lab as it found it: 3 managers and 2 workers Ready, no Down entries, the default
daemon options, none of its own services.
"""

from __future__ import annotations

import io
import json
import tarfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.lab

SERVICE = "day2-web"
PINNED = "day2-pinned"
# The lab's daemon options (the role's defaults) plus one option a day-2 change could bring.
DEFAULT_OPTIONS = {"log-driver": "json-file", "log-opts": {"max-size": "10m", "max-file": "3"}}
CHANGED_OPTIONS = {**DEFAULT_OPTIONS, "max-concurrent-uploads": 4}
# A task that stops as soon as it is told to (PID 1 ignores SIGTERM unless it traps it).
WORKLOAD = ("sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done")
PROBE = (
    # `docker version` needs only the engine; `docker info` on a manager waits for a leader.
    "docker version --format '{{.Server.Version}}' >/dev/null 2>&1 && echo up || echo down; "
    f"docker ps -q --filter label=com.docker.swarm.service.name={SERVICE} | wc -l; "
    # A manager waits for a leader to list nodes: bounded, so the lines above still count.
    "timeout 3 docker node ls --format '{{.Self}} {{.Status}} {{.ManagerStatus}}' 2>/dev/null || true"
)


def registry(lab) -> str:
    return yaml.safe_load(lab.inventory.read_text())["all"]["vars"]["lab_registry"]


def services_converged(lab, names, host="manager1"):
    rows = {s["Name"]: s["Replicas"] for s in lab.docker_json(host, "service", "ls")}
    return all(n in rows and rows[n].split("/")[0] == rows[n].split("/")[1].split(" ")[0] for n in names)


def healthy(lab, host="manager1"):
    nodes = lab.nodes(host)
    managers = [n for n in nodes if n["ManagerStatus"] in ("Leader", "Reachable")]
    return len(nodes) == 5 and all(n["Status"] == "Ready" for n in nodes) and len(managers) == 3


def placement(lab, name):
    spec = json.loads(lab.docker("manager1", "service", "inspect", name).stdout)[0]["Spec"]
    return spec["TaskTemplate"].get("Placement", {}).get("Constraints"), spec["Mode"]


def options_file(tmp_path: Path, options: dict, **more) -> str:
    path = tmp_path / "vars.json"
    path.write_text(json.dumps({"docker_linux_daemon_options": options, **more}))
    return f"@{path}"


def task_span(run, host, first, last) -> float:
    """Seconds from the start of task `first` to the end of task `last` for one host."""
    times = {}
    for play in run.plays:
        for task in play["tasks"]:
            name = task["task"]["name"].split(" : ", 1)[-1]
            if host in task["hosts"] and name in (first, last):
                times[name] = task["task"]["duration"]
    parse = datetime.fromisoformat
    return (parse(times[last]["end"].rstrip("Z")) - parse(times[first]["start"].rstrip("Z"))).total_seconds()


class Poller(threading.Thread):
    """Every second, from every node at once: does its engine answer, how many containers of
    SERVICE it runs, and (the leader) the status of every node in the swarm."""

    def __init__(self, lab):
        super().__init__(daemon=True)
        self.lab, self.samples, self.stop = lab, [], threading.Event()

    def probe(self, host):
        try:
            out = self.lab.exec(host, "sh", "-c", PROBE, check=False, timeout=8).stdout.split("\n")
        except Exception:  # a node that does not answer in time is down for this sample
            return host, False, 0, None
        nodes = [line.split() for line in out[2:] if line.strip()]
        # Only the leader's view counts: a manager that has just restarted lists the others as Unknown,
        # and so does a new leader until each node has reported to it (seconds).
        leader = any(row[0] == "true" and row[-1] == "Leader" for row in nodes)
        statuses = [row[1] for row in nodes] if leader else None
        return host, out[0].strip() == "up", int(out[1] or 0), statuses

    def run(self):
        with ThreadPoolExecutor(len(self.lab.hosts)) as pool:
            while not self.stop.is_set():
                started = time.monotonic()
                answers = list(pool.map(self.probe, self.lab.hosts))
                statuses = next((st for _, _, _, st in answers if st is not None), None)
                self.samples.append(
                    {
                        "up": {h for h, up, _, _ in answers if up},
                        "running": sum(r for _, _, r, _ in answers),
                        "statuses": statuses,
                    }
                )
                self.stop.wait(max(0.0, 1 - (time.monotonic() - started)))


@pytest.fixture(scope="module")
def day2(ops_lab, tmp_path_factory):
    """Two services of our own on the converged lab; removed, and the lab converged, at the end."""
    lab = ops_lab
    image = f"{registry(lab)}/busybox:1"
    create = ("service", "create", "--detach", "--endpoint-mode", "dnsrr")
    for name in (SERVICE, PINNED):
        lab.docker("manager1", "service", "rm", name, check=False)
    lab.docker("manager1", *create, "--name", SERVICE, "--replicas", "2", image, *WORKLOAD)
    lab.docker("manager1", *create, "--name", PINNED, "--constraint", "node.role==worker", image, *WORKLOAD)
    lab.wait_for("the day-2 services to run", lambda: services_converged(lab, [SERVICE, PINNED]), timeout=180)
    yield lab
    for name in (SERVICE, PINNED):
        lab.docker("manager1", "service", "rm", name, check=False)
    if not healthy(lab) or any(daemon_options(lab, h) != DEFAULT_OPTIONS for h in lab.hosts):
        assert lab.play("site.yml", label=f"{lab.name}-day2-reconverge").rc == 0


def daemon_options(lab, host) -> dict:
    """The node's daemon.json without the lab registry, which the lab's inventory adds."""
    options = json.loads(lab.exec(host, "cat", "/etc/docker/daemon.json").stdout)
    options.pop("insecure-registries", None)
    return options


def engine_started(lab, host) -> str:
    return lab.exec(host, "systemctl", "show", "docker", "-p", "ActiveEnterTimestampMonotonic").stdout.strip()


def test_engine_change_rolls_node_by_node(day2, tmp_path):
    lab = day2
    changed = options_file(tmp_path, CHANGED_OPTIONS)
    before = {h: lab.exec(h, "cat", "/etc/docker/daemon.json").stdout for h in lab.hosts}
    leader = next(
        n["Hostname"].removeprefix(f"{lab.name}-") for n in lab.nodes() if n["ManagerStatus"] == "Leader"
    )

    check = lab.play("playbooks/engines.yml", "--check", "-e", changed, label=f"{lab.name}-day2-roll-check")
    assert check.rc == 0, check.describe()
    plan = next(
        iter(check.results("Plan which engines change in place and which roll through the swarm").values())
    )
    assert plan["plan"]["order"][-1] == leader
    assert set(plan["plan"]["order"][:2]) == {"worker1", "worker2"}
    assert plan["msg"].startswith("would roll")
    for host in lab.hosts:
        assert f"{host} (" in plan["msg"] and plan["plan"]["reasons"][host] == ["daemon.json differs"]
    assert {h: lab.exec(h, "cat", "/etc/docker/daemon.json").stdout for h in lab.hosts} == before

    restarted_before = {h: engine_started(lab, h) for h in lab.hosts}
    poller = Poller(lab)
    poller.start()
    run = lab.play("site.yml", "-e", changed, "-e", "swarm_rolling_batch=1", label=f"{lab.name}-day2-roll")
    poller.stop.set()
    poller.join()
    assert run.rc == 0, run.describe()

    samples = poller.samples
    assert len(samples) > 20, "the poller took too few samples to judge the roll"
    down = [len(lab.hosts) - len(s["up"]) for s in samples]
    managers_up = [len({h for h in s["up"] if h.startswith("manager")}) for s in samples]
    assert max(down) == 1, f"nodes down at once per second: {down}"
    assert min(managers_up) >= 2, f"managers up per second (quorum needs 2): {managers_up}"
    assert min(s["running"] for s in samples) >= 1, [s["running"] for s in samples]
    views = [s["statuses"] for s in samples if s["statuses"] is not None]
    ready = [v.count("Ready") for v in views]
    assert max(v.count("Down") for v in views) <= 1, f"the leader's view per second: {views}"
    assert min(r + v.count("Unknown") for r, v in zip(ready, views, strict=True)) >= 4, views
    print(f"\nReady nodes per second (leader's view): {ready}")

    for host in lab.hosts:
        assert (
            json.loads(lab.exec(host, "cat", "/etc/docker/daemon.json").stdout)["max-concurrent-uploads"] == 4
        )
        assert engine_started(lab, host) != restarted_before[host], f"{host}'s engine did not restart"
    per_node = {
        h: task_span(
            run,
            h,
            "Drain the node and wait until its tasks run elsewhere",
            "Wait until the node is back in the swarm and restore its availability",
        )
        for h in lab.hosts
    }
    print(f"\nrolling change: {run.seconds:.0f} s for site.yml; per node {per_node}")
    assert all(n["Availability"] == "Active" for n in lab.nodes())

    again = lab.play("site.yml", "-e", changed, label=f"{lab.name}-day2-roll-again")
    assert again.rc == 0 and again.changed == 0, again.changed_tasks()


def test_a_failed_change_stops_the_roll_at_its_node(day2, tmp_path):
    """An engine version the nodes' apt sources do not have, with a daemon.json change: the first
    worker is drained, its install fails and its previous daemon.json is put back (nothing is left
    half-applied), it gets its availability back, and the roll stops there naming it; no other node
    changes."""
    lab = day2
    before = {h: (engine_started(lab, h), daemon_options(lab, h)) for h in lab.hosts}
    changed = options_file(
        tmp_path, {**CHANGED_OPTIONS, "max-concurrent-downloads": 2}, docker_linux_version="99.0.0"
    )
    run = lab.play("site.yml", "-e", changed, label=f"{lab.name}-day2-roll-fails")
    assert run.rc != 0
    assert {host for host, _, _ in run.failures()} == {"worker1"}, run.failures()
    stop = run.failures()[-1][2]
    assert stop.startswith("worker1: the engine change stopped the roll here: "), stop
    assert "docker.io=99.0.0" in stop and "It answers again and has its availability back." in stop
    assert "daemon.json is as it was before this run" in stop and "\n" not in stop
    assert {h: (engine_started(lab, h), daemon_options(lab, h)) for h in lab.hosts} == before
    files = lab.exec("worker1", "ls", "/etc/docker").stdout.split()
    assert [f for f in files if f.startswith("daemon.json")] == ["daemon.json"], f"a backup was left: {files}"
    assert healthy(lab) and all(n["Availability"] == "Active" for n in lab.nodes())


def test_an_interrupted_roll_is_finished_by_the_next_run(day2, tmp_path):
    """A roll that stopped at a node leaves it drained with the availability to give back in a label;
    the next run gives it back once the node is Ready, and changes nothing else."""
    lab = day2
    node_id = next(n["ID"] for n in lab.nodes() if n["Hostname"] == f"{lab.name}-worker1")
    label = "mixedswarm.roll-availability"
    lab.docker(
        "manager1", "node", "update", "--availability", "drain", "--label-add", f"{label}=active", node_id
    )
    changed = options_file(tmp_path, CHANGED_OPTIONS)
    run = lab.play("playbooks/engines.yml", "-e", changed, label=f"{lab.name}-day2-resume")
    assert run.rc == 0, run.describe()
    assert run.changed_tasks() == [("worker1", "Restore the availability an interrupted roll took away")]
    spec = json.loads(lab.docker("manager1", "node", "inspect", node_id).stdout)[0]["Spec"]
    assert spec["Availability"] == "active" and label not in spec.get("Labels", {})


@pytest.fixture(scope="module")
def backup(day2, tmp_path_factory):
    """One backup of the lab's swarm, taken by swarm_backup.yml; its path, run and the leader then."""
    lab = day2
    folder = tmp_path_factory.mktemp("swarm-backups")
    leader = next(n["Hostname"] for n in lab.nodes() if n["ManagerStatus"] == "Leader")
    run = lab.play(
        "playbooks/swarm_backup.yml", "-e", f"swarm_backup_dir={folder}", label=f"{lab.name}-day2-backup"
    )
    assert run.rc == 0, run.describe()
    (archive,) = folder.glob("swarm-*.tar.gz")
    return {"path": archive, "run": run, "leader": leader}


def test_backup_archive_holds_the_state_and_no_key(backup, day2):
    lab, archive = day2, backup["path"]
    chosen = next(iter(backup["run"].results("Choose the manager to stop and describe the backup").values()))
    assert f"{lab.name}-{chosen['host']}" != backup["leader"], (
        "the leader was stopped although others were up"
    )
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        description = json.load(tar.extractfile("mixedswarm-backup.json"))
    assert {"swarm/raft", "swarm/certificates", "swarm/docker-state.json"} <= set(names)
    assert description["managers"] == 3 and description["autolock"] is False
    assert description["node_id"] == chosen["node_id"]
    # No field for a key, and no key as a value (IDs are random base36 and may spell "key" by chance).
    assert [field for field in description if "key" in field.lower()] == []
    assert "SWMKEY-" not in json.dumps(description)
    lab.wait_for("the swarm to be whole again after the backup", lambda: healthy(lab))
    print(f"\nbackup: {archive.stat().st_size} bytes in {backup['run'].seconds:.1f} s")


def swarm_fingerprint(lab):
    """What a refused restore must leave alone: node IDs, each manager's state folder, engines up."""
    return (
        sorted(n["ID"] for n in lab.nodes()),
        {h: lab.exec(h, "stat", "-c", "%i %Y", "/var/lib/docker/swarm").stdout for h in lab.hosts},
        {h: lab.engine_state(h) for h in lab.hosts},
    )


def test_restore_refuses_bad_input_before_changing_anything(backup, day2, tmp_path):
    lab = day2
    corrupt = tmp_path / "corrupt.tar.gz"
    corrupt.write_bytes(backup["path"].read_bytes()[: backup["path"].stat().st_size // 2])
    not_a_backup = tmp_path / "other.tar.gz"
    with tarfile.open(not_a_backup, "w:gz") as tar:
        tar.add(str(lab.inventory), arcname="inventory.yml")
    locked = tmp_path / "locked.tar.gz"
    with tarfile.open(backup["path"]) as source, tarfile.open(locked, "w:gz") as tar:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name == "mixedswarm-backup.json":
                # The description of a backup made with autolock on (only this flag differs).
                text = json.dumps({**json.load(data), "autolock": True}).encode()
                member.size, data = len(text), io.BytesIO(text)
            tar.addfile(member, data)
    cases = {
        "missing": ([f"swarm_restore_archive={tmp_path / 'nope.tar.gz'}"], "no such file"),
        "corrupt": ([f"swarm_restore_archive={corrupt}"], "not a complete gzip'd tar archive"),
        "not a backup": ([f"swarm_restore_archive={not_a_backup}"], "no manager's swarm state"),
        "healthy swarm": ([f"swarm_restore_archive={backup['path']}"], "a restore replaces it"),
        "autolock, no key": (
            [f"swarm_restore_archive={locked}", "swarm_restore_force=true"],
            "swarm_unlock_key: the archive was made with autolock on",
        ),
    }
    before = swarm_fingerprint(lab)
    for case, (extra, expected) in cases.items():
        args = [a for e in extra for a in ("-e", e)]
        run = lab.play(
            "playbooks/swarm_restore.yml", *args, label=f"{lab.name}-day2-restore-{case.replace(' ', '-')}"
        )
        assert run.rc != 0 and run.changed == 0, (case, run.describe())
        (failure,) = {f[2] for f in run.failures()}
        assert expected in failure and "\n" not in failure, (case, failure)
        assert failure.startswith("Restore refused, nothing was changed: "), failure
    assert swarm_fingerprint(lab) == before


def test_disaster_drill_every_manager_lost(backup, day2):
    lab = day2
    placements = {name: placement(lab, name) for name in (SERVICE, PINNED)}
    workers = {n["Hostname"]: n["ID"] for n in lab.nodes() if not n["ManagerStatus"]}
    for host in (h for h in lab.hosts if h.startswith("manager")):
        # A re-imaged machine: its container and its engine's volume are gone.
        assert lab.replace(host).rc == 0, f"a fresh {host} did not start"
    # The restore goes onto the manager with the archived manager's address; it needs its engine
    # first, and the managers not in a swarm get theirs in parallel.
    engines = lab.play(
        "playbooks/engines.yml", "--limit", "swarm_managers", label=f"{lab.name}-day2-fresh-engines"
    )
    assert engines.rc == 0, engines.describe()

    started = time.monotonic()
    restore = lab.play(
        "playbooks/swarm_restore.yml",
        "-e",
        f"swarm_restore_archive={backup['path']}",
        label=f"{lab.name}-day2-restore",
    )
    assert restore.rc == 0, restore.describe()
    chosen = next(
        iter(restore.results("Check the archive and choose the target before changing anything").values())
    )
    assert f"{lab.name}-{chosen['host']}" == chosen["description"]["hostname"], (
        "not restored onto the archived address"
    )
    converge = lab.play("site.yml", label=f"{lab.name}-day2-after-restore")
    assert converge.rc == 0, converge.describe()
    lab.wait_for(
        "the restored services to run", lambda: services_converged(lab, [SERVICE, PINNED]), timeout=300
    )
    restored_in = time.monotonic() - started
    print(f"\nrestore to all services converged: {restored_in:.0f} s (restore {restore.seconds:.0f} s)")

    nodes = lab.nodes()
    assert healthy(lab), nodes
    assert not [n for n in nodes if n["Status"] != "Ready"], "Down entries are left"
    cluster = lab.docker("manager1", "info", "--format", "{{.Swarm.Cluster.ID}}").stdout.strip()
    assert cluster == chosen["description"]["cluster_id"], "the swarm is not the one backed up"
    assert {n["Hostname"]: n["ID"] for n in nodes if not n["ManagerStatus"]} == workers
    assert {name: placement(lab, name) for name in (SERVICE, PINNED)} == placements
    pinned_on = {
        t["Node"]
        for t in lab.docker_json("manager1", "service", "ps", PINNED, "--filter", "desired-state=running")
    }
    assert pinned_on <= set(workers)

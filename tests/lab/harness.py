"""One long-lived lab that many test cases use in turn (faults, day-2 operations, bad input).

A lab of real Linux nodes (playbooks/lab.yml) is started and converged once per pytest session
by the `ops_lab` fixture (tests/lab/conftest.py); each test case changes it, runs the project's
playbooks against it and leaves it converged for the next one. Everything here drives the real
tools: `ansible-playbook` with the project's ansible.cfg, and `docker exec` into the nodes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
ANSIBLE_PLAYBOOK = str(REPO / ".venv/bin/ansible-playbook")
LOGS = REPO / ".cache" / "lab-logs"


class NodeCommandError(subprocess.CalledProcessError):
    """A command in a lab node failed; unlike its parent, it says what the node printed on stderr."""

    def __str__(self) -> str:
        return f"{super().__str__()} It printed: {(self.stderr or self.stdout or '').strip()[-600:]!r}"


def json_report(out: str) -> dict:
    """The json callback prints one document per playbook file: their plays, and the last stats."""
    decoder, plays, stats, at = json.JSONDecoder(), [], {}, out.find("{")
    while at != -1:
        try:
            document, end = decoder.raw_decode(out, at)
        except json.JSONDecodeError:
            at = out.find("{", at + 1)
            continue
        if isinstance(document, dict):
            plays += document.get("plays", [])
            stats = document.get("stats", stats)
        at = out.find("{", end)
    return {"plays": plays, "stats": stats}


@dataclass
class Run:
    """One ansible-playbook run: exit code, per-host stats, every task result, the raw output."""

    rc: int
    stats: dict
    plays: list
    output: str
    seconds: float
    log: Path

    @property
    def changed(self) -> int:
        return sum(host.get("changed", 0) for host in self.stats.values())

    @property
    def failed(self) -> int:
        return sum(host.get("failures", 0) + host.get("unreachable", 0) for host in self.stats.values())

    def results(self, task_name: str) -> dict[str, dict]:
        """Results per host of every task whose name ends with task_name (role prefix ignored)."""
        found = {}
        for play in self.plays:
            for task in play["tasks"]:
                if task["task"]["name"].split(" : ", 1)[-1] == task_name:
                    found.update(task["hosts"])
        return found

    def failures(self) -> list[tuple[str, str, str]]:
        """(host, task name, message) of every failed task result; of a loop, each failed item's message."""
        found = []
        for play in self.plays:
            for task in play["tasks"]:
                for host, result in task["hosts"].items():
                    if result.get("failed") or result.get("unreachable"):
                        items = [r for r in result.get("results", []) if r.get("failed")] or [result]
                        found += [(host, task["task"]["name"], str(item.get("msg", ""))) for item in items]
        return found

    def changed_tasks(self) -> list[tuple[str, str]]:
        """(host, task name) of every result that reported a change."""
        return [
            (host, task["task"]["name"])
            for play in self.plays
            for task in play["tasks"]
            for host, result in task["hosts"].items()
            if result.get("changed")
        ]

    def describe(self) -> str:
        return f"rc={self.rc} changed={self.changed} failures={self.failures()} (log: {self.log})"


@dataclass
class Lab:
    """A started lab: its name, subnet, size, inventory, and ways to act on its nodes."""

    name: str
    subnet: str
    managers: int
    workers: int
    extra_inventories: list[Path] = field(default_factory=list)

    @property
    def inventory(self) -> Path:
        return REPO / ".lab" / self.name / "inventory.yml"

    @property
    def hosts(self) -> list[str]:
        return [f"manager{i + 1}" for i in range(self.managers)] + [
            f"worker{i + 1}" for i in range(self.workers)
        ]

    def container(self, host: str) -> str:
        return f"mixedswarm-{self.name}-{host}"

    def address(self, host: str) -> str:
        """The node's address as the lab inventory gives it (ansible_host)."""
        inventory = yaml.safe_load(self.inventory.read_text())
        groups = inventory["all"]["children"]["swarm"]["children"]
        return next(g["hosts"][host]["ansible_host"] for g in groups.values() if host in g.get("hosts", {}))

    def lab_vars(self) -> list[str]:
        return [
            f"lab_name={self.name}",
            f"lab_subnet={self.subnet}",
            f"lab_managers={self.managers}",
            f"lab_workers={self.workers}",
            "lab_example_services=false",
        ]

    def start(self) -> Run:
        """Start the lab's nodes (those missing) and write its inventory."""
        args = [a for v in self.lab_vars() for a in ("-e", v)]
        return playbook("playbooks/lab.yml", *args, label=f"{self.name}-start")

    def replace(self, host: str) -> Run:
        """Destroy a node (its container and its engine's volume) and start a fresh one with the same
        inventory name and address, as when a machine is re-imaged."""
        subprocess.run(
            ["docker", "rm", "--force", "--volumes", self.container(host)], check=True, capture_output=True
        )
        subprocess.run(
            ["docker", "volume", "rm", f"{self.container(host)}-docker"], check=True, capture_output=True
        )
        return self.start()

    def destroy(self) -> Run:
        return playbook(
            "playbooks/lab.yml",
            "-e",
            f"lab_name={self.name}",
            "-e",
            "lab_state=absent",
            label=f"{self.name}-destroy",
        )

    def play(
        self,
        path: str,
        *args: str,
        inventories: list[Path] | None = None,
        label: str = "",
        env: dict | None = None,
        timeout: int = 1800,
    ) -> Run:
        """ansible-playbook PATH against the lab inventory plus the suite's inventories."""
        sources = [self.inventory, *self.extra_inventories, *(inventories or [])]
        inventory_args = [a for source in sources for a in ("-i", str(source))]
        return playbook(
            path,
            *inventory_args,
            *args,
            label=label or f"{self.name}-{Path(path).stem}",
            env=env,
            timeout=timeout,
        )

    def exec(
        self, host: str, *command: str, check: bool = True, timeout: int = 120
    ) -> subprocess.CompletedProcess:
        """Run a command inside a lab node (as root, bypassing SSH and Ansible); with check, a failure
        raises NodeCommandError, which names what the node printed."""
        argv = ["docker", "exec", self.container(host), *command]
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=timeout)
        if check and done.returncode:
            raise NodeCommandError(done.returncode, argv, done.stdout, done.stderr)
        return done

    def docker(self, host: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """The node engine's docker CLI, e.g. lab.docker('manager1', 'node', 'ls')."""
        return self.exec(host, "docker", *args, check=check)

    def engine_state(self, host: str) -> str:
        """The node's engine unit as `systemctl is-active docker` says it (active, inactive, failed)."""
        return self.exec(host, "systemctl", "is-active", "docker", check=False).stdout.strip()

    def docker_json(self, host: str, *args: str) -> list[dict]:
        """A docker listing with --format '{{json .}}', one dict per line."""
        out = self.docker(host, *args, "--format", "{{json .}}").stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def nodes(self, host: str = "manager1") -> list[dict]:
        """`docker node ls` as seen from a manager."""
        return self.docker_json(host, "node", "ls")

    def wait_settled(self, host: str = "manager1", timeout: float = 180):
        """Wait until `host` sees a leader, every manager reachable and every node Ready: a swarm
        just restored or re-formed accepts reads before its managers agree on writes."""

        def settled():
            nodes = self.nodes(host)
            managers = [n["ManagerStatus"] for n in nodes if n["ManagerStatus"]]
            return (
                managers.count("Leader") == 1
                and all(m in ("Leader", "Reachable") for m in managers)
                and all(n["Status"] == "Ready" for n in nodes)
            )

        self.wait_for(
            f"{host} to see a leader, every manager reachable and every node Ready", settled, timeout
        )

    def wait_for(self, what: str, predicate, timeout: float = 120, interval: float = 2):
        """Poll predicate() until it returns a truthy value; fail naming `what` after timeout."""
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            try:
                value = predicate()
                if value:
                    return value
            except (subprocess.SubprocessError, ValueError, KeyError) as error:
                last_error = error
            time.sleep(interval)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last error: {last_error})")


def playbook(path: str, *args: str, label: str, env: dict | None = None, timeout: int = 1800) -> Run:
    """Run ansible-playbook from the repository root with the json callback; keep the whole log."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{label}.log"
    run_env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
        "ANSIBLE_NOCOLOR": "1",
        **(env or {}),
    }
    started = time.monotonic()
    proc = subprocess.run(
        [ANSIBLE_PLAYBOOK, path, *args],
        cwd=REPO,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    seconds = time.monotonic() - started
    log.write_text(f"$ ansible-playbook {path} {' '.join(args)}\n{proc.stdout}\n{proc.stderr}")
    report = json_report(proc.stdout)
    return Run(proc.returncode, report["stats"], report["plays"], proc.stdout + proc.stderr, seconds, log)


def run_killed_stage(lab, playbook: str, extra: Path, label: str, kill_when, timeout=600, interval=0.3):
    """Start `playbook`, SIGKILL its process group once kill_when() holds (asked every `interval`
    seconds); whether it fired."""
    LOGS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"}
    argv = [ANSIBLE_PLAYBOOK, playbook, "-i", str(lab.inventory), "-i", str(extra)]
    with (LOGS / f"{label}.log").open("w") as log:
        proc = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                if kill_when():
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                    return True
            except (subprocess.SubprocessError, ValueError, KeyError, IndexError):
                pass  # a node between states: read again
            time.sleep(interval)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        return False

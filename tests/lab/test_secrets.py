"""Secrets and configs on the shared lab: a service reads both, and the secret is rotated while a
poller watches the service. (Their bad input, a missing secret file and a wrong or unreachable
registry, is in test_bad_input.py, which writes docs/validation.md.)

The rotation must roll the service to the new version with at least one task running throughout,
remove the old version, and leave the next run with changed=0. What the tasks read is compared by
sha256 with what the controller sent; the contents are never printed.
"""

from __future__ import annotations

import hashlib
import threading
import time

import pytest
import yaml

pytestmark = pytest.mark.lab

SERVICE = "sec-web"
SECRET = "sec_app_password"
CONFIG = "sec_app_conf"


def inventory(tmp_path, secret_file, extra=None) -> object:
    data = {
        "all": {
            "vars": {
                "swarm_secrets": [{"name": SECRET, "file": str(secret_file)}],
                "swarm_configs": [{"name": CONFIG, "data": "listen = 8080\nname = 'lab'\n"}],
                "swarm_services": [
                    {
                        "name": SERVICE,
                        "image": "{{ lab_registry }}/busybox:1",
                        "os": "linux",
                        "replicas": 2,
                        "command": ["sleep", "86400"],
                        "secrets": [{"source": SECRET, "mode": "0400"}],
                        "configs": [{"source": CONFIG, "target": "/etc/app.conf"}],
                        "update_config": {"parallelism": 1, "order": "start-first", "delay": "1s"},
                    }
                ],
                **(extra or {}),
            }
        }
    }
    path = tmp_path / "secrets-inventory.yml"
    path.write_text(yaml.safe_dump(data))
    return path


def versions(lab, kind: str) -> set[str]:
    return {d["Name"] for d in lab.docker_json("manager1", kind, "ls") if d["Name"].startswith("sec_app_")}


def task_hashes(lab) -> set[tuple[str, str]]:
    """(secret sha256, config sha256) as each task the swarm wants running reads them. A task the
    update replaced keeps its container until it stops (`sleep` as PID 1 ignores SIGTERM, so up to
    the 10 s grace period): only containers of tasks whose desired state is running count."""
    wanted = set(
        lab.docker(
            "manager1", "service", "ps", SERVICE, "--no-trunc", "--quiet", "--filter", "desired-state=running"
        ).stdout.split()
    )
    seen = set()
    for host in lab.hosts:
        listed = lab.docker(
            host,
            "ps",
            "--filter",
            f"label=com.docker.swarm.service.name={SERVICE}",
            "--format",
            '{{.ID}} {{.Label "com.docker.swarm.task.id"}}',
        ).stdout
        for container, task in (line.split() for line in listed.splitlines() if line.strip()):
            if task not in wanted:
                continue
            out = lab.docker(
                host, "exec", container, "sha256sum", f"/run/secrets/{SECRET}", "/etc/app.conf"
            ).stdout
            seen.add(tuple(line.split()[0] for line in out.splitlines()))
    return seen


class Poller(threading.Thread):
    """Counts the service's running tasks every half second; keeps the minimum."""

    def __init__(self, lab):
        super().__init__(daemon=True)
        self.lab, self.minimum, self.samples, self.done = lab, None, 0, threading.Event()

    def run(self):
        while not self.done.is_set():
            states = self.lab.docker(
                "manager1",
                "service",
                "ps",
                SERVICE,
                "--filter",
                "desired-state=running",
                "--format",
                "{{.CurrentState}}",
                check=False,
            ).stdout.split("\n")
            running = sum(1 for s in states if s.startswith("Running"))
            self.minimum = running if self.minimum is None else min(self.minimum, running)
            self.samples += 1
            time.sleep(0.5)


def test_rotate_a_secret_while_the_service_keeps_running(ops_lab, tmp_path):
    lab = ops_lab
    secret_file = tmp_path / "password.txt"
    first_hash = hashlib.sha256(b"first-Secret-value\n").hexdigest()
    secret_file.write_bytes(b"first-Secret-value\n")
    config_hash = hashlib.sha256(b"listen = 8080\nname = 'lab'\n").hexdigest()
    source = inventory(tmp_path, secret_file)
    try:
        first = lab.play("playbooks/services.yml", inventories=[source], label="secrets-first")
        assert first.rc == 0, first.describe()
        (old,) = versions(lab, "secret")
        assert old == f"{SECRET}-{first_hash[:12]}"
        assert task_hashes(lab) == {(first_hash, config_hash)}
        assert b"first-Secret-value" not in first.output.encode()

        secret_file.write_bytes(b"second-Secret-value")  # no line end: the content is sent byte for byte
        poller = Poller(lab)
        poller.start()
        started = time.monotonic()
        rotated = lab.play("playbooks/services.yml", "-vvvvv", inventories=[source], label="secrets-rotate")
        seconds = time.monotonic() - started
        poller.done.set()
        poller.join()
        assert rotated.rc == 0, rotated.describe()
        new_hash = hashlib.sha256(b"second-Secret-value").hexdigest()
        assert versions(lab, "secret") == {f"{SECRET}-{new_hash[:12]}"}, "the old version is removed"
        assert task_hashes(lab) == {(new_hash, config_hash)}
        assert poller.samples > 3 and poller.minimum >= 1, f"running tasks fell to {poller.minimum}"
        assert "second-Secret-value" not in rotated.output, "the secret reached the -vvvvv output"
        print(
            f"rotation: {seconds:.1f} s, minimum running tasks {poller.minimum} over {poller.samples} samples"
        )

        again = lab.play("playbooks/services.yml", inventories=[source], label="secrets-again")
        assert again.rc == 0 and again.changed == 0, again.changed_tasks()
    finally:
        lab.docker("manager1", "service", "rm", SERVICE, check=False)
        for kind in ("secret", "config"):
            for name in versions(lab, kind):
                lab.docker("manager1", kind, "rm", name, check=False)

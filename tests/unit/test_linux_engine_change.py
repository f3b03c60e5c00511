"""docker_linux, offline: a change of docker_linux_version is an engine change, planned as a roll.

The role's `engine_change` entry point runs for real on the controller
(tests/fixtures/linux/engine_change.yml) with recorded dpkg-query reads; its reasons then go
through the engines stage's planner as they would on a 3-manager + 2-worker swarm.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml
from role_runner import REPO, run_per_host
from test_engine_roll import cluster, hosts_of

from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.roll import (
    IN_PLACE,
    ROLL_WORKERS,
    plan_engine_roll,
)

PLAYBOOK = REPO / "tests" / "fixtures" / "linux" / "engine_change.yml"
# What the validate step's dpkg-query prints on Debian 12 with the distribution's engine.
DEBIAN_DPKG = ["installed docker.io=20.10.24+dfsg1-1+deb12u1", "installed python3-apt=2.6.0"]
UPSTREAM_DPKG = ["installed docker-ce=5:27.5.1-1~ubuntu.24.04~noble", "installed python3-apt=2.7.7"]
UPSTREAM_EXTRAS = ["docker-ce-cli", "containerd.io", "docker-buildx-plugin", "docker-compose-plugin"]


def engine_change(tmp_path: Path, cases: dict[str, dict]) -> dict[str, dict]:
    outcome = run_per_host(PLAYBOOK, tmp_path, cases, {})
    for host, result in outcome.items():
        assert result["failed_task"] == "Report the reasons and the packages", (host, result["msg"])
    return {host: json.loads(result["msg"]) for host, result in outcome.items()}


def test_a_version_change_is_an_engine_change_and_pins_the_packages(tmp_path):
    distro = {"docker_linux_package_source": "distro", "recorded_dpkg_lines": DEBIAN_DPKG}
    upstream = {"docker_linux_package_source": "upstream", "recorded_dpkg_lines": UPSTREAM_DPKG}
    found = engine_change(
        tmp_path,
        {
            "newer": {**distro, "docker_linux_version": "26.1.5"},
            "same": {**distro, "docker_linux_version": "20.10.24"},
            "unset": {**distro, "docker_linux_version": ""},
            "upstream": {**upstream, "docker_linux_version": "28.0.1"},
            "fresh": {**distro, "docker_linux_version": "26.1.5", "recorded_dpkg_lines": []},
        },
    )
    assert "engine 20.10.24 -> 26.1.5" in found["newer"]["reasons"]
    assert found["newer"]["packages"] == ["docker.io=26.1.5[+-]*"]
    assert not [r for r in found["same"]["reasons"] if r.startswith("engine ")]
    assert found["same"]["packages"] == ["docker.io=20.10.24[+-]*"]
    assert not [r for r in found["unset"]["reasons"] if r.startswith("engine ")]
    assert found["unset"]["packages"] == ["docker.io"]
    assert "engine 27.5.1 -> 28.0.1" in found["upstream"]["reasons"]
    assert found["upstream"]["packages"][:2] == ["docker-ce=5:28.0.1-*", "docker-ce-cli=5:28.0.1-*"]
    assert found["fresh"]["reasons"] == ["engine not installed"]

    # On a running swarm that reason rolls the node like any other engine change.
    reasons = [r for r in found["newer"]["reasons"] if r.startswith("engine ")]
    plan = plan_engine_roll(hosts_of(cluster(), changes=reasons), 1)
    assert plan["order"][:2] == ["worker1", "worker2"] and plan["order"][-1] == "manager2"
    assert plan["phase"]["worker1"] == ROLL_WORKERS
    assert IN_PLACE not in plan["phase"].values()


def test_daemon_json_differs_unless_the_read_has_its_checksum(tmp_path):
    options = {
        "docker_linux_daemon_options": {"log-driver": "json-file"},
        "docker_linux_insecure_registries": [],
    }
    written = hashlib.sha1(b'{\n  "log-driver": "json-file"\n}\n').hexdigest()
    found = engine_change(
        tmp_path,
        {
            "as-written": {
                **options,
                "recorded_dpkg_lines": [*DEBIAN_DPKG, f"{written}  /etc/docker/daemon.json"],
            },
            "edited": {
                **options,
                "recorded_dpkg_lines": [*DEBIAN_DPKG, f"{'0' * 40}  /etc/docker/daemon.json"],
            },
            "missing": {**options, "recorded_dpkg_lines": DEBIAN_DPKG},
        },
    )
    assert found["as-written"]["reasons"] == []
    assert found["edited"]["reasons"] == found["missing"]["reasons"] == ["daemon.json differs"]


def test_a_stopped_engine_is_reported_not_running(tmp_path):
    # `systemctl show` lines of the role's read; a docker CLI call would start a stopped engine.
    found = engine_change(
        tmp_path,
        {
            "active": {"recorded_dpkg_lines": [*DEBIAN_DPKG, "ActiveState=active", "UnitFileState=enabled"]},
            "stopped": {
                "recorded_dpkg_lines": [*DEBIAN_DPKG, "ActiveState=inactive", "UnitFileState=enabled"]
            },
            "fresh": {"recorded_dpkg_lines": []},
        },
    )
    assert found["active"]["running"] is True
    assert found["stopped"]["running"] is False
    assert found["fresh"]["running"] is False


def test_the_role_is_idle_only_when_its_run_would_find_nothing_to_do(tmp_path):
    """docker_linux_idle: the engines stage then skips the role's run on that node."""
    options = {
        "docker_linux_package_source": "distro",
        "docker_linux_daemon_options": {},
        "docker_linux_insecure_registries": [],
    }
    written = hashlib.sha1(b"{}\n").hexdigest()  # daemon.json as the role writes {}
    unit_and_files = [
        "ActiveState=active",
        "UnitFileState=enabled",
        "stat /etc/docker root:root:755",
        "stat /etc/docker/daemon.json root:root:644",
        f"{written}  /etc/docker/daemon.json",
    ]
    settled = [*DEBIAN_DPKG, *unit_and_files]
    found = engine_change(
        tmp_path,
        {
            "settled": {**options, "recorded_dpkg_lines": settled},
            "users": {**options, "recorded_dpkg_lines": settled, "docker_linux_users": ["deploy"]},
            "ufw": {**options, "recorded_dpkg_lines": [*settled, "installed ufw=0.36.2-1"]},
            "mode": {
                **options,
                "recorded_dpkg_lines": [line.replace("root:root:644", "root:root:600") for line in settled],
            },
            "disabled": {
                **options,
                "recorded_dpkg_lines": [line.replace("=enabled", "=disabled") for line in settled],
            },
            # Every package of Docker's repository in place: the repository itself is still kept.
            "upstream": {
                **options,
                "docker_linux_package_source": "upstream",
                "recorded_dpkg_lines": [
                    *UPSTREAM_DPKG,
                    *(f"installed {name}=1.0-1" for name in UPSTREAM_EXTRAS),
                    *unit_and_files,
                ],
            },
        },
    )
    assert found["settled"]["idle"] is True and found["settled"]["reasons"] == []
    assert found["upstream"]["reasons"] == []
    for case in ("users", "ufw", "mode", "disabled", "upstream"):
        assert found[case]["idle"] is False, case


def test_an_engine_older_than_its_daemon_json_or_binary_restarts_and_leftover_backups_go(tmp_path):
    """A run killed between writing daemon.json (or upgrading) and restarting left the file as wanted
    but the engine running with the old one: the read's times and /proc's exe say so, the engine
    restarts (a roll on a swarm member), and copy's backups that run left make the role run again."""
    options = {
        "docker_linux_package_source": "distro",
        "docker_linux_daemon_options": {},
        "docker_linux_insecure_registries": [],
    }
    written = hashlib.sha1(b"{}\n").hexdigest()
    settled = [
        *DEBIAN_DPKG,
        "ActiveState=active",
        "UnitFileState=enabled",
        "stat /etc/docker root:root:755",
        "stat /etc/docker/daemon.json root:root:644",
        f"{written}  /etc/docker/daemon.json",
        "engine-binary=/usr/sbin/dockerd",
    ]
    found = engine_change(
        tmp_path,
        {
            "applied": {
                **options,
                "recorded_dpkg_lines": [*settled, "engine-started=1000", "config-mtime=1000"],
            },
            "written-after": {
                **options,
                "recorded_dpkg_lines": [*settled, "engine-started=1000", "config-mtime=1001"],
            },
            "upgraded": {
                **options,
                "recorded_dpkg_lines": [
                    *settled[:-1],
                    "engine-binary=/usr/sbin/dockerd (deleted)",
                    "engine-started=1000",
                    "config-mtime=900",
                ],
            },
            # Running without /var/run/docker.sock (the TLS API's dockerd had unlinked the socket
            # unit's path): restarted with its socket unit.
            "socket-missing": {
                **options,
                "recorded_dpkg_lines": [
                    *settled,
                    "engine-started=1000",
                    "config-mtime=900",
                    "engine-socket=missing",
                ],
            },
            # Stopped engine: nothing to compare; starting it applies the file.
            "stopped": {**options, "recorded_dpkg_lines": [*settled, "config-mtime=1001"]},
            "backup-left": {
                **options,
                "recorded_dpkg_lines": [
                    *settled,
                    "engine-started=1000",
                    "config-mtime=900",
                    "backup /etc/docker/daemon.json.4242.2026-12-02@16:10:00~",
                ],
            },
        },
    )
    stale = "engine not restarted since its configuration or packages changed"
    assert found["applied"]["reasons"] == [] and found["applied"]["idle"] is True
    assert found["written-after"]["reasons"] == [stale] and found["written-after"]["idle"] is False
    assert found["upgraded"]["reasons"] == [stale]
    assert found["socket-missing"]["reasons"] == [stale]
    assert found["stopped"]["reasons"] == [] and found["stopped"]["idle"] is True
    assert found["backup-left"]["reasons"] == [] and found["backup-left"]["idle"] is False
    # On a running swarm the reason rolls the node like any other engine change.
    plan = plan_engine_roll(hosts_of(cluster(), changing={"worker1"}, changes=[stale]), 1)
    assert plan["order"] == ["worker1"] and plan["phase"]["worker1"] == ROLL_WORKERS


def test_the_tls_api_is_an_engine_change_until_its_files_and_drop_in_are_as_written(tmp_path):
    """docker_linux_tls_enabled: daemon.json gains the listeners and tls* keys, the node's TLS files
    and the unit drop-in are compared by owner, mode and sha1sum; turned off, a drop-in left is one."""
    role_vars = yaml.safe_load((REPO / "roles" / "docker_linux" / "vars" / "main.yml").read_text())
    dropin_path = role_vars["_docker_linux_tls_dropin"]
    dropin = hashlib.sha1(role_vars["_docker_linux_tls_dropin_text"].encode()).hexdigest()
    files = {}
    for name in ("ca.pem", "server-cert.pem", "server-key.pem"):
        (tmp_path / name).write_text(f"-----BEGIN {name}-----\n")
        files[name] = hashlib.sha1((tmp_path / name).read_bytes()).hexdigest()
    tls_options = {
        "docker_linux_tls_enabled": True,
        "docker_linux_tls_source": "supplied",
        "docker_linux_tls_port": 2376,
        "docker_linux_tls_ca_cert": str(tmp_path / "ca.pem"),
        "docker_linux_tls_server_cert": str(tmp_path / "server-cert.pem"),
        "docker_linux_tls_server_key": str(tmp_path / "server-key.pem"),
    }
    options = {
        "docker_linux_package_source": "distro",
        "docker_linux_daemon_options": {},
        "docker_linux_insecure_registries": [],
    }
    with_tls = {
        "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"],
        "tlscacert": "/etc/docker/tls/ca.pem",
        "tlscert": "/etc/docker/tls/server-cert.pem",
        "tlskey": "/etc/docker/tls/server-key.pem",
        "tlsverify": True,
    }

    def daemon_json(options: dict) -> str:
        text = json.dumps(options, indent=2, sort_keys=True, separators=(",", ": ")) + "\n"
        return f"{hashlib.sha1(text.encode()).hexdigest()}  /etc/docker/daemon.json"

    unit = [*DEBIAN_DPKG, "ActiveState=active", "UnitFileState=enabled", "stat /etc/docker root:root:755"]
    unit += ["stat /etc/docker/daemon.json root:root:644"]
    tls_files = ["stat /etc/docker/tls root:root:755"]
    for name, mode in (("ca.pem", 644), ("server-cert.pem", 644), ("server-key.pem", 600)):
        tls_files += [
            f"stat /etc/docker/tls/{name} root:root:{mode}",
            f"{files[name]}  /etc/docker/tls/{name}",
        ]
    tls_files += [f"stat {dropin_path} root:root:644", f"{dropin}  {dropin_path}"]
    off = [*unit, daemon_json({})]
    on = [*unit, daemon_json(with_tls), *tls_files]
    differ = "TLS files or the unit drop-in differ"
    found = engine_change(
        tmp_path,
        {
            "off": {**options, "recorded_dpkg_lines": off},
            "turned-on": {**options, **tls_options, "recorded_dpkg_lines": off},
            "on": {**options, **tls_options, "recorded_dpkg_lines": on},
            "key-readable": {
                **options,
                **tls_options,
                "recorded_dpkg_lines": [
                    line.replace("server-key.pem root:root:600", "server-key.pem root:root:644")
                    for line in on
                ],
            },
            "key-replaced": {
                **options,
                **tls_options,
                "recorded_dpkg_lines": [line.replace(files["server-key.pem"], "0" * 40) for line in on],
            },
            "drop-in-edited": {
                **options,
                **tls_options,
                "recorded_dpkg_lines": [line.replace(dropin, "0" * 40) for line in on],
            },
            "turned-off": {**options, "recorded_dpkg_lines": [*off, f"stat {dropin_path} root:root:644"]},
            "written-after-start": {
                **options,
                **tls_options,
                "recorded_dpkg_lines": [*on, "engine-started=1000", "config-mtime=1001"],
            },
        },
    )
    assert found["off"]["reasons"] == [] and found["off"]["idle"] is True
    assert found["turned-on"]["reasons"] == ["daemon.json differs", differ]
    assert found["on"]["reasons"] == [] and found["on"]["idle"] is True
    for case in ("key-readable", "key-replaced", "drop-in-edited", "turned-off"):
        assert found[case]["reasons"] == [differ], case
        assert found[case]["idle"] is False, case
    assert found["written-after-start"]["reasons"] == [
        "engine not restarted since its configuration or packages changed"
    ]

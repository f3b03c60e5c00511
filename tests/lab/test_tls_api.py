"""The Docker API over mutual TLS on the Linux nodes of the shared lab, turned on and off again.

docker_linux_tls_enabled makes a CA, one client certificate and a server certificate per node on
the controller (role docker_tls), installs them in /etc/docker/tls, lists the listeners in
daemon.json and takes `-H fd://` off dockerd's command line with a unit drop-in. The change rolls
through the swarm like any engine change. Checked here from this machine with the real docker CLI:
every node answers on 2376 with the client certificate and refuses a client without one, the local
socket still answers, the next run changes nothing; turned off, the port is closed, the drop-in is
gone and the next run changes nothing. Leaves the lab as it found it (TLS off).
"""

from __future__ import annotations

import json
import subprocess

import pytest

pytestmark = pytest.mark.lab

DROPIN = "/etc/systemd/system/docker.service.d/mixedswarm-tls.conf"


def remote_docker(lab, host: str, *tls: str) -> subprocess.CompletedProcess:
    """This machine's docker CLI against the node's TCP listener, with the TLS flags given."""
    return subprocess.run(
        [
            "docker",
            "-H",
            f"tcp://{lab.address(host)}:2376",
            *tls,
            "info",
            "--format",
            "{{.Swarm.LocalNodeState}}",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def switch(lab, tmp_path, enabled: bool, label: str):
    extra = tmp_path / f"{label}.json"
    extra.write_text(
        json.dumps(
            {"docker_linux_tls_enabled": enabled, "docker_linux_tls_generate_dir": str(tmp_path / "tls")}
        )
    )
    return lab.play("site.yml", f"--extra-vars=@{extra}", label=f"{lab.name}-tls-{label}")


def test_the_tls_api_is_turned_on_reached_with_the_client_certificate_and_turned_off(ops_lab, tmp_path):
    on = switch(ops_lab, tmp_path, True, "on")
    assert on.rc == 0, on.describe()
    tls = tmp_path / "tls"
    client = [
        "--tlsverify",
        f"--tlscacert={tls / 'ca.pem'}",
        f"--tlscert={tls / 'client-cert.pem'}",
        f"--tlskey={tls / 'client-key.pem'}",
    ]
    for host in ops_lab.hosts:
        answer = remote_docker(ops_lab, host, *client)
        assert answer.returncode == 0 and answer.stdout.strip() == "active", (host, answer.stderr)
        # A client that only checks the server, without a certificate of its own, is refused.
        refused = remote_docker(ops_lab, host, "--tlsverify", f"--tlscacert={tls / 'ca.pem'}")
        assert refused.returncode != 0, host
        assert "certificate" in refused.stderr.lower(), (host, refused.stderr)
        # The node's own CLI still talks to the local socket.
        assert (
            ops_lab.docker(host, "info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip() == "active"
        )
        mode = ops_lab.exec(host, "stat", "-c", "%a %U", "/etc/docker/tls/server-key.pem").stdout.split()
        assert mode == ["600", "root"], (host, mode)
    again = switch(ops_lab, tmp_path, True, "on-again")
    assert again.rc == 0 and again.changed == 0, again.changed_tasks()

    off = switch(ops_lab, tmp_path, False, "off")
    assert off.rc == 0, off.describe()
    for host in ops_lab.hosts:
        closed = remote_docker(ops_lab, host, *client)
        assert closed.returncode != 0, host
        assert ops_lab.exec(host, "test", "-e", DROPIN, check=False).returncode == 1, host
        # The certificates stay where they were (the role removes only what changes the engine).
        assert (
            ops_lab.exec(host, "test", "-s", "/etc/docker/tls/server-cert.pem", check=False).returncode == 0
        )
        assert (
            ops_lab.docker(host, "info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip() == "active"
        )
    after = switch(ops_lab, tmp_path, False, "off-again")
    assert after.rc == 0 and after.changed == 0, after.changed_tasks()

"""docker_linux role and lab, offline: bad input stops before anything is installed or started.

The role's checks run for real on the controller (tests/fixtures/linux/role_check.yml) with the
release its read would find on each recorded os-release file, one inventory host per case; each must stop with a message naming what is wrong and
what is valid, and good input must pass.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from role_runner import REPO, run_per_host

PLAYBOOK = REPO / "tests" / "fixtures" / "linux" / "role_check.yml"


OS_RELEASES = REPO / "tests" / "fixtures" / "linux" / "os-release"


def release_read(release: str, arch: str = "x86_64") -> dict:
    """What the role's read (its own state script, run here with a recorded os-release file in
    place of /etc/os-release) prints about the release of a node, as the registered result the
    role reuses instead of reading again."""
    script = yaml.safe_load((REPO / "roles" / "docker_linux" / "vars" / "main.yml").read_text())[
        "_docker_linux_state_script"
    ].replace("/etc/os-release", str(OS_RELEASES / release))
    printed = subprocess.run(
        [
            "/bin/sh",
            "-c",
            script,
            "sh",
            "--showformat=",
            "/etc/docker",
            "/etc/docker/daemon.json",
            "no-such-package",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    lines = [line for line in printed if line.startswith("os-") and not line.startswith("os-arch=")]
    return {"_docker_linux_read": {"stdout_lines": [*lines, f"os-arch={arch}"]}}


@pytest.mark.parametrize("release", ["ubuntu-22.04", "ubuntu-24.04", "debian-12"])
def test_supported_releases_pass(tmp_path: Path, release):
    outcome = run_per_host(PLAYBOOK, tmp_path, {"node": release_read(release)}, {})
    assert outcome["node"]["failed_task"] is None, outcome["node"]["msg"]
    assert "Check the release, daemon.json options and the engine version" in outcome["node"]["tasks"]


@pytest.mark.parametrize(
    ("release", "name"),
    [
        ("ubuntu-20.04", "Ubuntu 20.04.6 LTS"),
        ("debian-11", "Debian GNU/Linux 11 (bullseye)"),
        ("centos-9", "CentOS Stream 9"),
    ],
)
def test_unsupported_release_names_the_supported_ones(tmp_path: Path, release, name):
    outcome = run_per_host(PLAYBOOK, tmp_path, {"node1": release_read(release)}, {})
    result = outcome["node1"]
    assert result["failed_task"] == "Check the release, daemon.json options and the engine version"
    assert f"node1: release {name} is not supported by this role" in result["msg"]
    assert "use Ubuntu 22.04 (jammy), Ubuntu 24.04 (noble) or Debian 12 (bookworm)" in result["msg"]


def test_the_read_on_this_machine_finds_its_release(tmp_path: Path):
    """The read itself (raw, no recorded lines) on the controller, a Debian 12 machine like the lab nodes."""
    outcome = run_per_host(PLAYBOOK, tmp_path, {"node": {}}, {})
    assert outcome["node"]["failed_task"] is None, outcome["node"]["msg"]
    assert (
        "Read the release, the engine's packages, unit and daemon.json in one round trip"
        in outcome["node"]["tasks"]
    )


def test_bad_inputs_are_rejected_with_the_field_and_what_is_valid(tmp_path: Path):
    cases = {
        "unknown_source": {"docker_linux_package_source": "snap"},
        "options_not_a_dict": {"docker_linux_daemon_options": ["log-driver=json-file"]},
        "log_opts_not_strings": {"docker_linux_daemon_options": {"log-opts": {"max-file": 3}}},
        "live_restore": {"docker_linux_daemon_options": {"live-restore": True}},
        "unknown_option": {"docker_linux_daemon_options": {"bogus-option": 1}},
        "bad_port_proto": {"docker_linux_swarm_ports": [{"port": "2377", "proto": "sctp"}]},
        "tls_hosts_clash": {
            "docker_linux_tls_enabled": True,
            "docker_linux_daemon_options": {"hosts": ["tcp://0.0.0.0:2375"]},
        },
        "tls_supplied_files_missing": {
            "docker_linux_tls_enabled": True,
            "docker_linux_tls_source": "supplied",
        },
        "tls_source_unknown": {"docker_linux_tls_enabled": True, "docker_linux_tls_source": "letsencrypt"},
        "tls_port_not_a_number": {"docker_linux_tls_enabled": True, "docker_linux_tls_port": "tls"},
    }
    cases = {case: {**release_read("ubuntu-24.04"), **variables} for case, variables in cases.items()}
    outcome = run_per_host(PLAYBOOK, tmp_path, cases, {})
    expected = {
        "unknown_source": ("docker_linux_package_source", "upstream, distro"),
        "options_not_a_dict": ("docker_linux_daemon_options", "dict"),
        "log_opts_not_strings": ("log_opts_not_strings: docker_linux_daemon_options", "log-opts.max-file"),
        "live_restore": ("live_restore: docker_linux_daemon_options", "refuses it on swarm nodes"),
        "unknown_option": (
            "unknown_option: docker_linux_daemon_options: option 'bogus-option'",
            "no such option",
        ),
        "bad_port_proto": ("proto", "tcp, udp"),
        "tls_hosts_clash": (
            "tls_hosts_clash: docker_linux_daemon_options",
            "option 'hosts': set by the role itself",
        ),
        "tls_supplied_files_missing": (
            'tls_supplied_files_missing: docker_linux_tls_source is "supplied" but',
            "set docker_linux_tls_source: generate",
        ),
        "tls_source_unknown": ("docker_linux_tls_source", "generate, supplied"),
        "tls_port_not_a_number": ("docker_linux_tls_port", "int"),
    }
    for case, needles in expected.items():
        result = outcome[case]
        assert result["failed_task"] is not None, f"{case}: accepted"
        for needle in needles:
            assert needle in result["msg"], f"{case}: {needle!r} not in {result['msg']!r}"


def test_a_lab_without_managers_is_refused_before_anything_starts(tmp_path: Path):
    proc = subprocess.run(
        [
            str(REPO / ".venv/bin/ansible-playbook"),
            str(REPO / "playbooks" / "lab.yml"),
            "-e",
            "lab_managers=0",
            "-e",
            "lab_name=never-started",
            "-e",
            f"lab_root={tmp_path}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "Invalid lab setting lab_managers=0: at least 1 (a swarm needs a manager)" in proc.stdout
    assert "Start the lab" not in proc.stdout
    assert not (tmp_path / "never-started").exists()


@pytest.mark.parametrize(
    ("release", "distribution", "suite", "arch", "machine"),
    [
        ("ubuntu-24.04", "ubuntu", "noble", "amd64", "x86_64"),
        ("ubuntu-22.04", "ubuntu", "jammy", "arm64", "aarch64"),
        ("debian-12", "debian", "bookworm", "amd64", "x86_64"),
    ],
)
def test_docker_repository_is_a_deb822_source_with_its_own_keyring(
    tmp_path: Path, release, distribution, suite, arch, machine
):
    rendered = tmp_path / "docker.sources"
    outcome = run_per_host(
        REPO / "tests" / "fixtures" / "linux" / "render_sources.yml",
        tmp_path,
        {"node": {"rendered_sources": str(rendered), **release_read(release, machine)}},
        {},
    )
    assert outcome["node"]["failed_task"] is None, outcome["node"]["msg"]
    fields = dict(
        line.split(": ", 1) for line in rendered.read_text().splitlines() if line and not line.startswith("#")
    )
    assert fields == {
        "Types": "deb",
        "URIs": f"https://download.docker.com/linux/{distribution}",
        "Suites": suite,
        "Components": "stable",
        "Architectures": arch,
        "Signed-By": "/etc/apt/keyrings/docker.asc",
    }

"""docker_linux role and lab, offline: bad input stops before anything is installed or started.

The role's checks run for real on the controller (tests/fixtures/linux/role_check.yml) with
fake facts, one inventory host per case; each must stop with a message naming what is wrong and
what is valid, and good input must pass.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from role_runner import REPO, run_per_host

PLAYBOOK = REPO / "tests" / "fixtures" / "linux" / "role_check.yml"


def facts(distribution: str, version: str) -> dict:
    return {
        "distribution": distribution,
        "distribution_version": version,
        "distribution_major_version": version.split(".")[0],
        "architecture": "x86_64",
    }


@pytest.mark.parametrize(
    ("distribution", "version"), [("Ubuntu", "22.04"), ("Ubuntu", "24.04"), ("Debian", "12.7")]
)
def test_supported_releases_pass(tmp_path: Path, distribution, version):
    outcome = run_per_host(PLAYBOOK, tmp_path, {"node": {}}, {"ansible_facts": facts(distribution, version)})
    assert outcome["node"]["failed_task"] is None, outcome["node"]["msg"]
    assert "Check daemon.json options" in outcome["node"]["tasks"]


@pytest.mark.parametrize(
    ("distribution", "version"), [("Ubuntu", "20.04"), ("Debian", "11.9"), ("CentOS", "9")]
)
def test_unsupported_release_names_the_supported_ones(tmp_path: Path, distribution, version):
    outcome = run_per_host(PLAYBOOK, tmp_path, {"node1": {}}, {"ansible_facts": facts(distribution, version)})
    result = outcome["node1"]
    assert result["failed_task"] == "Check that this release is supported"
    assert f"node1 runs {distribution} {version}" in result["msg"]
    assert "Supported: Ubuntu 22.04 (jammy), Ubuntu 24.04 (noble), Debian 12 (bookworm)" in result["msg"]


def test_bad_inputs_are_rejected_with_the_field_and_what_is_valid(tmp_path: Path):
    cases = {
        "unknown_source": {"docker_linux_package_source": "snap"},
        "options_not_a_dict": {"docker_linux_daemon_options": ["log-driver=json-file"]},
        "log_opts_not_strings": {"docker_linux_daemon_options": {"log-opts": {"max-file": 3}}},
        "live_restore": {"docker_linux_daemon_options": {"live-restore": True}},
        "unknown_option": {"docker_linux_daemon_options": {"bogus-option": 1}},
        "bad_port_proto": {"docker_linux_swarm_ports": [{"port": "2377", "proto": "sctp"}]},
    }
    outcome = run_per_host(PLAYBOOK, tmp_path, cases, {"ansible_facts": facts("Ubuntu", "24.04")})
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
    ("distribution", "version", "suite", "arch", "machine"),
    [
        ("Ubuntu", "24.04", "noble", "amd64", "x86_64"),
        ("Ubuntu", "22.04", "jammy", "arm64", "aarch64"),
        ("Debian", "12.7", "bookworm", "amd64", "x86_64"),
    ],
)
def test_docker_repository_is_a_deb822_source_with_its_own_keyring(
    tmp_path: Path, distribution, version, suite, arch, machine
):
    rendered = tmp_path / "docker.sources"
    host_facts = {**facts(distribution, version), "architecture": machine}
    outcome = run_per_host(
        REPO / "tests" / "fixtures" / "linux" / "render_sources.yml",
        tmp_path,
        {"node": {"rendered_sources": str(rendered)}},
        {"ansible_facts": host_facts},
    )
    assert outcome["node"]["failed_task"] is None, outcome["node"]["msg"]
    fields = dict(
        line.split(": ", 1) for line in rendered.read_text().splitlines() if line and not line.startswith("#")
    )
    assert fields == {
        "Types": "deb",
        "URIs": f"https://download.docker.com/linux/{distribution.lower()}",
        "Suites": suite,
        "Components": "stable",
        "Architectures": arch,
        "Signed-By": "/etc/apt/keyrings/docker.asc",
    }

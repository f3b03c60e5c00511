"""The collection as its users get it: built into a tarball, installed into an empty directory
outside the repository (no ansible.cfg of ours), its docs read there, and one of its roles reused
on its own by a ten-line playbook that converges a lab node and changes nothing the second time.

MIXEDSWARM_REUSE_LAB / MIXEDSWARM_REUSE_LAB_SUBNET name the one-node lab (default `reuse` on
172.29.245.0/24); MIXEDSWARM_KEEP_LAB=1 keeps it, and a kept lab is reused by the next run.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from lab.harness import Lab, Run, json_report

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / ".venv" / "bin"
GALAXY = yaml.safe_load((REPO / "galaxy.yml").read_text())
LAB_NAME = os.environ.get("MIXEDSWARM_REUSE_LAB", "reuse")
LAB_SUBNET = os.environ.get("MIXEDSWARM_REUSE_LAB_SUBNET", "172.29.245.0/24")

REUSE_PLAYBOOK = """\
---
# Only the role, by its fully qualified name, from the installed collection.
- name: Docker Engine from mixedswarm.swarm on Linux nodes
  hosts: linux
  become: true
  roles:
    - role: mixedswarm.swarm.docker_linux
"""


class EngineOnlyLab(Lab):
    """A lab without the image registry: the role needs nothing but the node."""

    def lab_vars(self) -> list[str]:
        return [*super().lab_vars(), "lab_registry_enabled=false"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """The built tarball and a directory holding nothing but the collection installed from it."""
    home = tmp_path_factory.mktemp("user")
    built = subprocess.run(
        [BIN / "ansible-galaxy", "collection", "build", "--output-path", home, REPO],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    tarball = home / f"{GALAXY['namespace']}-{GALAXY['name']}-{GALAXY['version']}.tar.gz"
    env = user_env(home)
    # The dependencies ship in the ansible package this environment installed (no Galaxy server
    # is reachable here); --offline still checks that each one is there in a matching version.
    install = subprocess.run(
        [BIN / "ansible-galaxy", "collection", "install", "--offline", tarball, "-p", home / "collections"],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    return {"home": home, "tarball": tarball, "env": env}


def user_env(home: Path) -> dict:
    """A user's environment: their own directory, none of the repository's ansible settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "MOLECULE_"))}
    env.update(
        HOME=str(home),
        ANSIBLE_COLLECTIONS_PATH=str(home / "collections"),
        ANSIBLE_HOME=str(home / ".ansible"),
        ANSIBLE_NOCOLOR="1",
        PATH=f"{BIN}:{env.get('PATH', '')}",
    )
    return env


def run(installed: dict, *argv) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*argv], cwd=installed["home"], env=installed["env"], capture_output=True, text=True, check=False
    )


def test_the_tarball_holds_the_collection_and_none_of_the_development_files(installed):
    listing = subprocess.run(
        ["tar", "-tzf", installed["tarball"]], capture_output=True, text=True, check=True
    ).stdout.split()
    for shipped in (
        "MANIFEST.json",
        "meta/runtime.yml",
        "playbooks/site.yml",
        "roles/docker_linux/tasks/main.yml",
        "plugins/action/swarm_service.py",
        "CHANGELOG.rst",
        # Galaxy's importer runs ansible-test sanity on the tarball: it must see the licence ignores.
        "tests/sanity/ignore-2.19.txt",
        "tests/config.yml",
    ):
        assert shipped in listing, f"{shipped} missing from the tarball"
    for left_out in (".venv/", "molecule/", ".lab/", "collections/", "ansible.cfg"):
        assert not [f for f in listing if f == left_out.rstrip("/") or f.startswith(left_out)], left_out
    # Of tests/, only what ansible-test reads: its config and the sanity ignore file.
    assert sorted(f for f in listing if f.startswith("tests")) == [
        "tests/",
        "tests/config.yml",
        "tests/sanity/",
        "tests/sanity/ignore-2.19.txt",
    ]
    assert installed["tarball"].stat().st_size < 400_000


def test_ansible_doc_reads_the_installed_plugins(installed):
    root = installed["home"] / "collections" / "ansible_collections" / "mixedswarm" / "swarm"
    service = run(installed, "ansible-doc", "mixedswarm.swarm.swarm_service")
    assert service.returncode == 0, service.stderr
    assert str(root / "plugins" / "modules" / "swarm_service.py") in service.stdout
    assert "routing_mesh" in service.stdout  # a suboption of services
    inventory = run(installed, "ansible-doc", "-t", "inventory", "mixedswarm.swarm.azure_swarm")
    assert inventory.returncode == 0, inventory.stderr
    assert str(root / "plugins" / "inventory" / "azure_swarm.py") in inventory.stdout
    playbooks = run(installed, "ansible-playbook", "--syntax-check", "mixedswarm.swarm.site")
    assert playbooks.returncode == 0, playbooks.stdout + playbooks.stderr


@pytest.mark.lab
def test_a_playbook_reuses_one_role_of_the_installed_collection(installed):
    lab = EngineOnlyLab(name=LAB_NAME, subnet=LAB_SUBNET, managers=1, workers=0)
    started = lab.start()
    assert started.rc == 0, f"the lab did not start: {started.describe()}"
    try:
        playbook = installed["home"] / "engine.yml"
        playbook.write_text(REUSE_PLAYBOOK)
        assert len(REUSE_PLAYBOOK.splitlines()) <= 10

        first = reuse_run(installed, lab, playbook)
        assert first.rc == 0, first.describe()
        assert lab.exec("manager1", "systemctl", "is-active", "docker").stdout.strip() == "active"

        second = reuse_run(installed, lab, playbook)
        assert second.rc == 0, second.describe()
        assert second.changed == 0, f"not idempotent: {second.changed_tasks()}"
    finally:
        if os.environ.get("MIXEDSWARM_KEEP_LAB") != "1":
            lab.destroy()


def reuse_run(installed: dict, lab: Lab, playbook: Path) -> Run:
    env = {**installed["env"], "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"}
    started = time.monotonic()
    proc = subprocess.run(
        [BIN / "ansible-playbook", "-i", lab.inventory, playbook],
        cwd=installed["home"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    seconds = time.monotonic() - started
    report = json_report(proc.stdout)
    log = installed["home"] / f"{playbook.stem}.log"
    log.write_text(proc.stdout + proc.stderr)
    return Run(proc.returncode, report["stats"], report["plays"], proc.stdout + proc.stderr, seconds, log)

"""`site.yml --check --diff` on fresh machines (no Docker Engine yet) runs to the end and says what it would do.

A small lab of its own (1 manager + 1 worker, never converged; MIXEDSWARM_FRESH_LAB and
MIXEDSWARM_FRESH_LAB_SUBNET choose its name and subnet) is started, the whole site.yml runs in
check mode with a network, a service and a stack declared, and the test asserts that the output
names the package installs, the swarm init and the join, and the network, service and stack it
would create, and that nothing on the nodes changed. The lab is removed afterwards.
"""

from __future__ import annotations

import os

import pytest
import yaml
from harness import Lab

pytestmark = pytest.mark.lab

FRESH_NAME = os.environ.get("MIXEDSWARM_FRESH_LAB", "fresh")
FRESH_SUBNET = os.environ.get("MIXEDSWARM_FRESH_LAB_SUBNET", "172.29.246.0/24")
IMAGE = "{{ lab_registry }}/busybox:1"
DECLARED = {
    "swarm_networks": [{"name": "appnet"}],
    "swarm_services": [{"name": "web", "image": IMAGE, "os": "linux", "networks": ["appnet"]}],
    "swarm_stacks": [
        {"name": "shop", "definition": {"services": {"api": {"image": IMAGE, "x-os": "linux"}}}},
    ],
}


def node_state(lab: Lab, host: str) -> dict:
    """What a run that changed anything would have touched on a node."""
    return {
        "packages": lab.exec(host, "dpkg-query", "--show", "--showformat=${Package} ${Version}\\n").stdout,
        "etc docker": lab.exec(host, "ls", "-la", "/etc/docker", check=False).stdout,
        "docker units": lab.exec(host, "systemctl", "list-unit-files", "docker*", check=False).stdout,
        "apt sources": lab.exec(
            host, "ls", "/etc/apt/sources.list.d", "/etc/apt/keyrings", check=False
        ).stdout,
    }


@pytest.fixture(scope="module")
def fresh_lab():
    lab = Lab(name=FRESH_NAME, subnet=FRESH_SUBNET, managers=1, workers=1)
    started = lab.start()
    assert started.rc == 0, f"the fresh lab did not start: {started.describe()}"
    yield lab
    if os.environ.get("MIXEDSWARM_KEEP_LAB") != "1":
        lab.destroy()


def test_check_mode_on_fresh_machines_says_what_every_stage_would_do(fresh_lab, tmp_path):
    lab = fresh_lab
    declared = tmp_path / "declared.yml"
    declared.write_text(yaml.safe_dump({"all": {"vars": DECLARED}}))
    before = {h: node_state(lab, h) for h in lab.hosts}
    assert "docker.io" not in before["manager1"]["packages"], "the fresh lab already has an engine"

    run = lab.play("site.yml", "--check", "--diff", inventories=[declared], label=f"{lab.name}-check-mode")

    assert run.rc == 0, run.describe()
    predicted = run.results("Predict the packages check mode would install")
    assert set(predicted) == set(lab.hosts)
    assert all("docker.io" in r["msg"] and r["changed"] for r in predicted.values()), predicted
    init = run.results("Initialize the swarm on the first manager")
    assert init["manager1"]["changed"] and "would initialize the swarm" in init["manager1"]["msg"]
    joined = run.results("Join workers")
    assert joined["worker1"]["changed"], joined
    networks = run.results("Create or remove overlay networks")
    assert next(iter(networks.values()))["networks"] == {"appnet": "create"}
    services = run.results("Create, update or remove services, then wait until they converge")
    assert next(iter(services.values()))["services"]["web"]["action"] == "create"
    stacks = run.results("Deploy or remove stacks, then wait until their services converge")
    assert next(iter(stacks.values()))["changed"], stacks
    summary = run.results("Summary")
    assert "No swarm yet (check mode)" in next(iter(summary.values()))["msg"]

    assert {h: node_state(lab, h) for h in lab.hosts} == before, "check mode changed a node"

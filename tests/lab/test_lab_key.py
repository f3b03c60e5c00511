"""The lab's SSH key reaches its nodes at every start, and a node that refuses it stops the start.

playbooks/lab.yml writes the key into each node as root's authorized key (through the Engine, not
a bind mount) and then logs in to each node once with it, so that a node the inventory could not
reach fails the lab start, naming the node and what ssh said, and not the next playbook's first
task. Both run here on the shared lab's worker2 and leave it as they found it.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.lab

WRITE_TASK = "Give every lab node the lab's key as root's authorized key"
REFUSING = "/etc/ssh/sshd_config.d/zz-refuse-keys.conf"


def written_nodes(run) -> list[str]:
    items = run.results(WRITE_TASK)["localhost"]["results"]
    return [item["item"]["name"] for item in items if item.get("changed")]


def test_a_node_whose_key_was_spoiled_gets_it_back_at_the_next_start(ops_lab):
    ops_lab.exec(
        "worker2",
        "sh",
        "-c",
        "echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAInotthelabkey x' > /root/.ssh/authorized_keys"
        " && chmod 0666 /root/.ssh/authorized_keys",
    )
    started = ops_lab.start()
    assert started.rc == 0, started.describe()
    assert written_nodes(started) == ["worker2"]
    key = (ops_lab.inventory.parent / "id_ed25519.pub").read_text().strip()
    assert ops_lab.exec("worker2", "cat", "/root/.ssh/authorized_keys").stdout.strip() == key
    assert ops_lab.exec("worker2", "stat", "-c", "%a %u", "/root/.ssh/authorized_keys").stdout.split() == [
        "600",
        "0",
    ]
    again = ops_lab.start()
    assert again.rc == 0 and written_nodes(again) == [], again.describe()


def test_a_node_that_refuses_the_key_stops_the_lab_start_naming_it(ops_lab):
    ops_lab.exec(
        "worker2", "sh", "-c", f"echo 'AuthorizedKeysFile /nowhere' > {REFUSING} && systemctl reload ssh"
    )
    try:
        started = ops_lab.start()
        assert started.rc != 0
        messages = [message for host, task, message in started.failures()]
        address = ops_lab.address("worker2")
        assert any(
            f"Lab node worker2 ({address}) refuses the lab's key" in m
            and "Permission denied (publickey)" in m
            for m in messages
        ), messages
        assert not any("manager" in m for m in messages), messages
    finally:
        ops_lab.exec("worker2", "sh", "-c", f"rm -f {REFUSING} && systemctl reload ssh")
    assert ops_lab.start().rc == 0

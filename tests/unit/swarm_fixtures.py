"""Recorded docker output (tests/fixtures/docker) turned into the states the swarm plugins see."""

import copy
import json
from pathlib import Path

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import (
    local_state,
    node_from_inspect,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def load(name: str):
    """A recorded document (.json) or documents, one per line (.jsonl)."""
    path = FIXTURES / "docker" / name
    if name.endswith(".jsonl"):
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return json.loads(path.read_text())


def state(info_name: str, nodes_name: str | None = None, **swarm) -> dict:
    """local_state of a recorded `docker info`, with Swarm fields overridden, plus the node list."""
    info = copy.deepcopy(load(info_name))
    info["Swarm"].update(swarm)
    result = local_state(info)
    result["nodes"] = [node_from_inspect(d) for d in load(nodes_name)] if nodes_name else []
    return result


def linux_facts(address: str, *others: str) -> dict:
    return {
        "ansible_facts": {
            "default_ipv4": {"address": address, "interface": "eth0"},
            "all_ipv4_addresses": [address, *others],
            "all_ipv6_addresses": ["fe80::42:acff:fe1d:df0b"],
        }
    }


def windows_facts() -> dict:
    return load("windows_facts.json")

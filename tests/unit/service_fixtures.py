"""Recorded lab payloads (tests/fixtures/services) and a fake docker runner for the service plugins.

The .jsonl files are real `--format '{{json .}}'` output of a three-node lab swarm (Docker 20.10).
"""

import copy
import json
from pathlib import Path

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import Result

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def load(name: str) -> list:
    """The documents of one recorded file, one per line."""
    path = FIXTURES / "services" / name
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def by_name(name: str) -> dict:
    return {doc["Spec"]["Name"]: doc for doc in load(name)}


def windows_node(linux_node: dict, hostname: str) -> dict:
    """A Windows node: the recorded Linux node with the platform a Windows engine reports."""
    node = copy.deepcopy(linux_node)
    node["ID"] = "win" + node["ID"][3:]
    node["Description"]["Hostname"] = hostname
    node["Description"]["Platform"] = {"Architecture": "x86_64", "OS": "windows"}
    return node


class FakeDocker:
    """Answers batches from canned results, in order, and records what was asked."""

    def __init__(self, *batches):
        self.batches = list(batches)
        self.calls = []

    def __call__(self, invocations):
        self.calls.append(invocations)
        documents_per_invocation = self.batches.pop(0)
        return [
            Result(list(argv), 0, docs, "") if not isinstance(docs, Result) else docs
            for argv, docs in zip(invocations, documents_per_invocation, strict=True)
        ]

"""swarm_backup: what a backup archive must hold, and what stops a restore before it starts."""

import io
import json
import tarfile

import pytest
from swarm_fixtures import state

from ansible_collections.mixedswarm.swarm.plugins.module_utils.swarm_backup import (
    DESCRIPTION,
    backup_description,
    engine_release,
    read_archive,
    restore_problems,
    restore_target,
)

MANAGER = state("linux_info_manager.json", "linux_node_inspect.jsonl")
DESCRIBED = backup_description(MANAGER, "20261126T120000Z")
# The address of the archived manager (its raft address without the port).
ADDR = "172.29.223.10"


def archive(
    path,
    members=(
        "swarm/raft/wal-v3-encrypted/0.wal",
        "swarm/certificates/swarm-node.key",
        "swarm/docker-state.json",
    ),
    description=DESCRIBED,
):
    with tarfile.open(path, "w:gz") as tar:
        for name in members:
            data = b"x" * 100
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if description is not None:
            text = json.dumps(description).encode()
            info = tarfile.TarInfo(DESCRIPTION)
            info.size = len(text)
            tar.addfile(info, io.BytesIO(text))
    return str(path)


def test_description_of_a_recorded_manager_holds_no_key():
    assert DESCRIBED == {
        "engine_version": "20.10.24+dfsg1",
        "node_id": "tqc3fk9a8ney8bhtje7b1z3j1",
        "cluster_id": "xn7m5qhjrriph9kxisvr357p0",
        "hostname": "swarm-manager1",
        "manager_addr": "172.29.223.10:2377",
        "managers": 3,
        "nodes": 4,
        "autolock": False,
        "created": "20261126T120000Z",
    }


def test_a_complete_archive_reads_back(tmp_path):
    assert read_archive(archive(tmp_path / "a.tar.gz")) == (DESCRIBED, [])


def test_missing_truncated_and_foreign_archives_are_named(tmp_path):
    assert read_archive(str(tmp_path / "none.tar.gz"))[1] == [
        "no such file; give the path swarm_backup.yml printed"
    ]
    whole = tmp_path / "whole.tar.gz"
    archive(whole)
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole.read_bytes()[:-40])
    assert "not a complete gzip'd tar archive" in read_archive(str(cut))[1][0]
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not an archive at all")
    assert "not a complete gzip'd tar archive" in read_archive(str(garbage))[1][0]
    foreign = archive(tmp_path / "f.tar.gz", members=("etc/hosts",), description=None)
    description, problems = read_archive(foreign)
    assert description is None
    assert problems[0].startswith("it holds no swarm/raft/, swarm/certificates/, swarm/docker-state.json")
    assert "no readable mixedswarm-backup.json" in problems[1]
    partial = {k: v for k, v in DESCRIBED.items() if k != "autolock"}
    assert read_archive(archive(tmp_path / "p.tar.gz", description=partial))[1] == [
        "its mixedswarm-backup.json lacks autolock"
    ]


FRESH = state("linux_info_inactive.json")


def test_a_fresh_host_with_the_same_release_is_accepted():
    assert restore_problems("manager1", DESCRIBED, FRESH, False, False, ADDR) == []


def test_autolock_needs_the_key():
    locked = {**DESCRIBED, "autolock": True}
    assert restore_problems("manager1", locked, FRESH, False, False, ADDR)[0].startswith("swarm_unlock_key:")
    assert restore_problems("manager1", locked, FRESH, True, False, ADDR) == []


def test_a_working_swarm_is_replaced_only_when_forced():
    (problem,) = restore_problems("manager1", DESCRIBED, MANAGER, False, False, ADDR)
    assert problem.startswith(
        "host manager1: is a manager of a working swarm (xn7m5qhjrriph9kxisvr357p0, 4 nodes"
    )
    assert restore_problems("manager1", DESCRIBED, MANAGER, False, True, ADDR) == []
    # A manager that lost quorum lists no nodes: that is the disaster a restore is for.
    assert restore_problems("manager1", DESCRIBED, {**MANAGER, "nodes": []}, False, False, ADDR) == []


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (None, "host manager1: unreachable"),
        (
            {"state": "unavailable", "engine_error": "Cannot connect"},
            "no Docker Engine answers (Cannot connect)",
        ),
        (
            {**FRESH, "engine_version": "26.1.5+dfsg1"},
            "runs Engine 26.1.5+dfsg1 but the archive was made by 20.10.24",
        ),
    ],
)
def test_target_problems(target, expected):
    assert expected in restore_problems("manager1", DESCRIBED, target, False, False, ADDR)[-1]


def test_engine_release_ignores_packaging_suffixes():
    assert engine_release("20.10.24+dfsg1") == engine_release("20.10.24") == "20.10.24"
    assert engine_release("27.5.1-1~ubuntu.24.04~noble") == "27.5.1"


def test_the_restore_goes_to_the_host_with_the_archived_managers_address():
    addrs = {"manager1": "172.29.223.12", "manager2": "172.29.223.10", "manager3": "172.29.223.11"}
    candidates = list(addrs)
    assert restore_target(DESCRIBED, addrs, candidates) == "manager2"
    assert restore_target(DESCRIBED, addrs, candidates, "manager3") == "manager3"
    # No host has the address (the old machine is gone for good): the first, which the check refuses.
    assert restore_target(DESCRIBED, {"manager1": "10.0.0.5"}, ["manager1", "manager2"]) == "manager1"


def test_a_host_with_another_address_is_refused():
    (problem,) = restore_problems("manager1", DESCRIBED, FRESH, False, False, "172.29.223.12")
    assert problem.startswith(
        "host manager1: advertises 172.29.223.12 but the archived manager (swarm-manager1)"
    )
    assert "172.29.223.10:2377" in problem and "\n" not in problem

"""swarm_backup: what a backup archive must hold, and what stops a restore before it starts."""

import io
import json
import random
import re
import tarfile

import pytest
from swarm_fixtures import state

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.backup import (
    DESCRIPTION,
    backup_description,
    engine_release,
    read_archive,
    restore_host_problem,
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
            text = description if isinstance(description, bytes) else json.dumps(description).encode()
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


MAKE_BACKUPS = "give an archive made by playbooks/swarm_backup.yml"
CUT_RULE = "copy it again from where swarm_backup.yml fetched it, or use another backup"


def test_a_missing_archive_is_named(tmp_path):
    assert read_archive(str(tmp_path / "none.tar.gz")) == (
        None,
        ["no such file; give the path swarm_backup.yml printed"],
    )


def test_truncated_and_garbage_files_are_not_archives(tmp_path):
    whole = tmp_path / "whole.tar.gz"
    archive(whole)
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole.read_bytes()[:-40])
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not an archive at all")
    for path in (cut, garbage):
        description, (problem,) = read_archive(str(path))
        assert description is None
        # The reason is Python's own words (they vary by release); the frame and the remedy are ours.
        assert re.fullmatch(rf"it is not a complete gzip'd tar archive \((\w+): .+\); {CUT_RULE}", problem)


def test_a_foreign_archive_is_no_swarm_backup(tmp_path):
    foreign = archive(tmp_path / "f.tar.gz", members=("etc/hosts",), description=None)
    assert read_archive(foreign) == (
        None,
        [
            "it holds no swarm/raft/, swarm/certificates/, swarm/docker-state.json, so it is no manager's swarm "
            f"state; {MAKE_BACKUPS}",
            f"it has no readable mixedswarm-backup.json; {MAKE_BACKUPS}",
        ],
    )


@pytest.mark.parametrize("missing", ["autolock", "hostname", "manager_addr"])
def test_a_description_without_a_key_the_restore_reads_is_refused(tmp_path, missing):
    partial = {k: v for k, v in DESCRIBED.items() if k != missing}
    assert read_archive(archive(tmp_path / "p.tar.gz", description=partial)) == (
        None,
        [f"its mixedswarm-backup.json lacks {missing}; {MAKE_BACKUPS}"],
    )


def test_a_description_with_values_of_another_kind_is_refused(tmp_path):
    odd = {**DESCRIBED, "manager_addr": 2377, "autolock": "no", "managers": True}
    assert read_archive(archive(tmp_path / "o.tar.gz", description=odd))[1] == [
        "its mixedswarm-backup.json has manager_addr=2377, managers=True, autolock='no', not what "
        f"swarm_backup.yml writes; {MAKE_BACKUPS}"
    ]


def test_a_description_that_is_not_json_is_unreadable(tmp_path):
    assert read_archive(archive(tmp_path / "j.tar.gz", description=b"{not json"))[1] == [
        f"it has no readable mixedswarm-backup.json; {MAKE_BACKUPS}"
    ]


def test_an_archive_with_any_byte_of_its_data_changed_is_refused(tmp_path):
    """tarfile alone stops at the end of the tar and never checks the gzip checksum after it."""
    whole = tmp_path / "a.tar.gz"
    archive(whole)
    raw = whole.read_bytes()
    data_starts = raw.index(b"a.tar\x00") + len(b"a.tar\x00")  # after the gzip header and file name
    corrupt = tmp_path / "corrupt.tar.gz"
    for at in range(data_starts, len(raw)):
        corrupt.write_bytes(raw[:at] + bytes([raw[at] ^ 0xFF]) + raw[at + 1 :])
        description, (problem,) = read_archive(str(corrupt))
        assert description is None
        assert problem.startswith("it is not a complete gzip'd tar archive ("), (at, problem)


def test_a_large_archive_altered_past_its_first_megabytes_is_refused(tmp_path):
    """The check reads the stream to its end, not only its beginning."""
    large = tmp_path / "large.tar.gz"
    with tarfile.open(large, "w:gz") as tar:
        data = random.Random(0).randbytes(3 << 20)  # incompressible: stored as it is
        info = tarfile.TarInfo("swarm/raft/wal-v3-encrypted/0.wal")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    raw = large.read_bytes()
    at = len(raw) * 3 // 4
    large.write_bytes(raw[:at] + bytes([raw[at] ^ 0xFF]) + raw[at + 1 :])
    (problem,) = read_archive(str(large))[1]
    assert problem.startswith("it is not a complete gzip'd tar archive (BadGzipFile: CRC check failed")


def test_a_folder_counts_when_listed_itself_or_holding_a_member(tmp_path):
    members = ("swarm/raft/", "swarm/certificates/swarm-node.key", "swarm/docker-state.json")
    assert read_archive(archive(tmp_path / "a.tar.gz", members=members)) == (DESCRIBED, [])
    assert read_archive(archive(tmp_path / "b.tar.gz", members=members[1:])) == (
        None,
        [f"it holds no swarm/raft/, so it is no manager's swarm state; {MAKE_BACKUPS}"],
    )


FRESH = state("linux_info_inactive.json")


def test_a_fresh_host_with_the_same_release_is_accepted():
    assert restore_problems("manager1", DESCRIBED, FRESH, False, False, ADDR) == []


def test_autolock_needs_the_key():
    locked = {**DESCRIBED, "autolock": True}
    assert restore_problems("manager1", locked, FRESH, False, False, ADDR) == [
        "swarm_unlock_key: the archive was made with autolock on, so its state is encrypted; "
        "give the unlock key the swarm had then (from your vault)"
    ]
    assert restore_problems("manager1", locked, FRESH, True, False, ADDR) == []


def test_a_working_swarm_is_replaced_only_when_forced():
    assert restore_problems("manager1", DESCRIBED, MANAGER, False, False, ADDR) == [
        "host manager1: is a manager of a working swarm (xn7m5qhjrriph9kxisvr357p0, 4 nodes listed); a restore "
        "replaces it. Set swarm_restore_force=true only if you mean to"
    ]
    assert restore_problems("manager1", DESCRIBED, MANAGER, False, True, ADDR) == []
    # A manager that lost quorum lists no nodes: that is the disaster a restore is for.
    assert restore_problems("manager1", DESCRIBED, {**MANAGER, "nodes": []}, False, False, ADDR) == []


def test_any_member_of_a_working_swarm_is_replaced_only_when_forced():
    member = {**FRESH, "state": "active", "is_manager": False, "cluster_id": "", "nodes": []}
    assert restore_problems("manager1", DESCRIBED, member, False, False, ADDR) == [
        "host manager1: is a member of a working swarm; a restore replaces it. Set swarm_restore_force=true only "
        "if you mean to"
    ]
    assert restore_problems("manager1", DESCRIBED, member, False, True, ADDR) == []


def test_a_locked_member_is_replaced_only_when_forced():
    locked = {**FRESH, "state": "locked", "is_manager": False, "cluster_id": "", "nodes": []}
    assert restore_problems("manager1", DESCRIBED, locked, False, False, ADDR) == [
        "host manager1: is a member of a working swarm; a restore replaces it. Set swarm_restore_force=true only "
        "if you mean to"
    ]
    assert restore_problems("manager1", DESCRIBED, locked, False, True, ADDR) == []


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (
            None,
            "host manager1: unreachable, and the restore needs its engine; make it reachable "
            "(playbooks/engines.yml --limit manager1 gives it its engine) or name another with swarm_restore_host",
        ),
        (
            {"state": "unavailable", "engine_error": "Cannot connect"},
            "host manager1: no Docker Engine answers (Cannot connect); run playbooks/engines.yml --limit manager1 first",
        ),
        (
            {**FRESH, "engine_version": "26.1.5+dfsg1"},
            "host manager1: runs Engine 26.1.5+dfsg1 but the archive was made by 20.10.24+dfsg1; restore onto "
            "the same release (docker_linux_version)",
        ),
    ],
)
def test_target_problems(target, expected):
    assert restore_problems("manager1", DESCRIBED, target, False, False, ADDR) == [expected]


def test_engine_release_ignores_packaging_suffixes():
    assert engine_release("20.10.24+dfsg1") == engine_release("20.10.24") == "20.10.24"
    assert engine_release("27.5.1-1~ubuntu.24.04~noble") == "27.5.1"
    assert engine_release("27.5.1+dfsg1-2") == "27.5.1"


def test_the_restore_goes_to_the_host_with_the_archived_managers_address():
    addrs = {"manager1": "172.29.223.12", "manager2": "172.29.223.10", "manager3": "172.29.223.11"}
    candidates = list(addrs)
    assert restore_target(DESCRIBED, addrs, candidates) == "manager2"
    assert restore_target(DESCRIBED, addrs, candidates, "manager3") == "manager3"
    # No host has the address (the old machine is gone for good): the first, which the check refuses.
    assert restore_target(DESCRIBED, {"manager1": "10.0.0.5"}, ["manager1", "manager2"]) == "manager1"


def test_an_ipv6_raft_address_is_matched_without_brackets_and_port():
    described = {**DESCRIBED, "manager_addr": "[fd00::5]:2377"}
    assert restore_target(
        described, {"manager1": "fd00::4", "manager2": "fd00::5"}, ["manager1", "manager2"]
    ) == ("manager2")


def test_a_host_with_another_address_is_refused():
    assert restore_problems("manager1", DESCRIBED, FRESH, False, False, "172.29.223.12") == [
        "host manager1: advertises 172.29.223.12 but the archived manager (swarm-manager1) was 172.29.223.10:2377, "
        "which `docker swarm init --force-new-cluster` keeps (it ignores --advertise-addr) and every joining node "
        "would be sent to; restore onto the host with that address (swarm_restore_host) or give this host that "
        "address"
    ]


def test_the_restore_host_must_be_a_linux_manager_of_the_inventory():
    assert restore_host_problem([], "") == (
        "no host is in both swarm_managers and linux, and the archive is a Linux manager's state; put the "
        "Linux host with the archived manager's address (manager_addr) in both groups"
    )
    assert restore_host_problem([], "win1") == restore_host_problem([], "")
    assert restore_host_problem(["manager1", "manager2"], "win1") == (
        "swarm_restore_host='win1' is not a Linux host of swarm_managers; pick one of manager1, manager2"
    )
    assert restore_host_problem(["manager1"], "") is None
    assert restore_host_problem(["manager1"], "manager1") is None

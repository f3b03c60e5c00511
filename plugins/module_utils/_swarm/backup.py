"""What a swarm backup archive holds, and what must be true before one is restored.

A backup is a gzip'd tar of a manager's /var/lib/docker/swarm (raft log and snapshots, the
node's certificates and keys) plus a description, mixedswarm-backup.json: engine version,
node and cluster ID, the manager's raft address, manager count, whether autolock was on. Never
the unlock key. Pure functions, except read_archive, which reads the archive file on the controller.

The raft address matters: `docker swarm init --force-new-cluster` keeps the restored manager's
address from the raft membership in the archive and ignores --advertise-addr (docker/for-linux#523,
moby/swarmkit#642). Restored onto a host with another address, the new swarm's only manager
tells joining managers and workers to reach it at the old address, and their joins fail. So a
restore goes onto the host that has the archived manager's address.
"""

from __future__ import annotations

import gzip
import json
import tarfile
import zlib

from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.roll import RollRefused
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import (
    ACTIVE,
    LOCKED,
    MANAGER,
    managers_node_list,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.quorum import (
    manager_stop_problem,
    manager_up,
)

DESCRIPTION = "mixedswarm-backup.json"
# What `docker swarm init --force-new-cluster` needs of a manager's state.
REQUIRED = ("swarm/raft/", "swarm/certificates/", "swarm/docker-state.json")
# The description's keys a restore reads, and the kind of value each holds.
DESCRIPTION_KEYS = {
    "engine_version": str,
    "node_id": str,
    "cluster_id": str,
    "hostname": str,
    "manager_addr": str,
    "managers": int,
    "autolock": bool,
    "created": str,
}
MAKE_BACKUPS = "give an archive made by playbooks/swarm_backup.yml"


def backup_description(state: dict, created: str) -> dict:
    """The description stored beside the state, from the source manager's swarm_node_info state."""
    node = next(n for n in state.get("nodes", []) if n["id"] == state["node_id"])
    return {
        "engine_version": state["engine_version"],
        "node_id": state["node_id"],
        "cluster_id": state["cluster_id"],
        "hostname": state["hostname"],
        "manager_addr": node["manager_addr"],
        "managers": sum(1 for n in state.get("nodes", []) if n["role"] == MANAGER),
        "nodes": len(state.get("nodes", [])),
        "autolock": state["autolock"],
        "created": created,
    }


def _is(value, kind: type) -> bool:
    # bool is an int in Python: a count must not be true or false.
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def archive_problems(members: list[str], description) -> list[str]:
    """What makes a list of archive members and its description unusable for a restore."""
    names = {m.rstrip("/") for m in members}
    # A folder is there when it is listed itself or holds a member.
    missing = [r for r in REQUIRED if r.rstrip("/") not in names and not any(m.startswith(r) for m in names)]
    problems = (
        [f"it holds no {', '.join(missing)}, so it is no manager's swarm state; {MAKE_BACKUPS}"]
        if missing
        else []
    )
    if not isinstance(description, dict):
        problems.append(f"it has no readable {DESCRIPTION}; {MAKE_BACKUPS}")
        return problems
    absent = [k for k in DESCRIPTION_KEYS if k not in description]
    if absent:
        problems.append(f"its {DESCRIPTION} lacks {', '.join(absent)}; {MAKE_BACKUPS}")
    mistyped = [
        k for k, kind in DESCRIPTION_KEYS.items() if k in description and not _is(description[k], kind)
    ]
    if mistyped:
        problems.append(
            f"its {DESCRIPTION} has {', '.join(f'{k}={description[k]!r}' for k in mistyped)}, not what "
            f"swarm_backup.yml writes; {MAKE_BACKUPS}"
        )
    return problems


def _json_or_none(data: bytes):
    try:
        return json.loads(data)
    except ValueError:  # not JSON, or not UTF-8 text
        return None


def read_archive(path: str) -> tuple[dict | None, list[str]]:
    """(description, problems) of the archive at `path`; the whole gzip stream is read, so a truncated
    or corrupt file is found here and not halfway through a restore (tarfile stops at the end of
    the tar and never reaches the gzip checksum after it)."""
    try:
        with gzip.open(path) as stream:
            while stream.read(1 << 20):
                pass
        with tarfile.open(path, "r:gz") as archive:
            members = [m.name + ("/" if m.isdir() else "") for m in archive.getmembers()]
            description = None
            if DESCRIPTION in members:
                description = _json_or_none(archive.extractfile(DESCRIPTION).read())
    except FileNotFoundError:
        return None, ["no such file; give the path swarm_backup.yml printed"]
    except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error) as exc:
        return None, [
            f"it is not a complete gzip'd tar archive ({type(exc).__name__}: {exc}); copy it again from where "
            "swarm_backup.yml fetched it, or use another backup"
        ]
    problems = archive_problems(members, description)
    return (description if not problems else None), problems


def engine_release(version: str) -> str:
    """`20.10.24+dfsg1` and `20.10.24` are the same release."""
    return version.split("+", 1)[0].split("-", 1)[0]


def raft_host(description: dict) -> str:
    """The address part of the archived manager's raft address (10.0.1.5 of 10.0.1.5:2377, [fd00::5]:2377)."""
    return description["manager_addr"].rsplit(":", 1)[0].strip("[]")


def restore_host_problem(candidates: list[str], chosen: str) -> str | None:
    """Why no restore host can be taken from `candidates`, the Linux hosts of swarm_managers
    (`chosen`: swarm_restore_host, '' when not given); None when one can."""
    if not candidates:
        return (
            "no host is in both swarm_managers and linux, and the archive is a Linux manager's state; put the "
            "Linux host with the archived manager's address (manager_addr) in both groups"
        )
    if chosen and chosen not in candidates:
        return f"swarm_restore_host={chosen!r} is not a Linux host of swarm_managers; pick one of {', '.join(candidates)}"
    return None


def restore_target(description: dict, addrs: dict[str, str], candidates: list[str], chosen: str = "") -> str:
    """The host to restore onto: `chosen` when given, else the candidate whose advertise address
    (`addrs`, by inventory host) is the archived manager's, else the first candidate. Only for
    candidates and a choice restore_host_problem() accepts."""
    matching = [h for h in candidates if addrs.get(h) == raft_host(description)]
    return chosen or (matching or candidates)[0]


def restore_problems(
    host: str, description: dict, target: dict | None, unlock_key_given: bool, force: bool, addr: str | None
) -> list[str]:
    """Why restoring `description`'s archive onto `host` (its swarm_node_info state `target`, the address
    it would advertise `addr`) must not start."""
    problems = []
    if description.get("autolock") and not unlock_key_given:
        problems.append(
            "swarm_unlock_key: the archive was made with autolock on, so its state is encrypted; "
            "give the unlock key the swarm had then (from your vault)"
        )
    if not target:
        return [
            *problems,
            f"host {host}: unreachable, and the restore needs its engine; make it reachable "
            f"(playbooks/engines.yml --limit {host} gives it its engine) or name another with swarm_restore_host",
        ]
    if target["state"] == "unavailable":
        return [
            *problems,
            f"host {host}: no Docker Engine answers ({target['engine_error']}); "
            f"run playbooks/engines.yml --limit {host} first",
        ]
    if addr != raft_host(description):
        problems.append(
            f"host {host}: advertises {addr} but the archived manager ({description['hostname']}) was "
            f"{description['manager_addr']}, which `docker swarm init --force-new-cluster` keeps (it ignores "
            "--advertise-addr) and every joining node would be sent to; restore onto the host with that address "
            "(swarm_restore_host) or give this host that address"
        )
    if engine_release(target["engine_version"]) != engine_release(description["engine_version"]):
        problems.append(
            f"host {host}: runs Engine {target['engine_version']} but the archive was made by "
            f"{description['engine_version']}; restore onto the same release (docker_linux_version)"
        )
    healthy = target["state"] in (ACTIVE, LOCKED) and (not target.get("is_manager") or target.get("nodes"))
    if healthy and not force:
        # Only a manager answering as one knows the cluster ID and lists the nodes; a worker or locked node does not.
        member = (
            f"a manager of a working swarm ({target['cluster_id']}, {len(target['nodes'])} nodes listed)"
            if target.get("is_manager")
            else "a member of a working swarm"
        )
        problems.append(
            f"host {host}: is {member}; a restore replaces it. Set swarm_restore_force=true only if you mean to"
        )
    return problems


def backup_source(states: dict[str, dict]) -> str:
    """The manager host a backup stops: a Ready non-leader when there is one, else the leader.

    `states` maps manager hosts (inventory order) to swarm_node_info's state. Raises RollRefused.
    """
    nodes = managers_node_list(states)
    by_id = {n["id"]: n for n in nodes}
    candidates = [
        (host, by_id[s["node_id"]])
        for host, s in states.items()
        if s and s.get("state") == ACTIVE and s.get("is_manager") and s.get("node_id") in by_id
    ]
    if not candidates:
        raise RollRefused(
            ["no manager in swarm_managers answers as an active swarm manager; nothing to back up from"]
        )
    ranked = sorted(candidates, key=lambda c: (c[1]["leader"], not manager_up(c[1])))
    host, node = ranked[0]
    problem = manager_stop_problem(node["id"], nodes)
    if problem:
        raise RollRefused([f"host {host}: {problem}"])
    return host

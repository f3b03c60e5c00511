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

from ansible_collections.mixedswarm.swarm.plugins.module_utils.swarm_reconcile import MANAGER
from ansible_collections.mixedswarm.swarm.plugins.module_utils.swarm_state import ACTIVE, LOCKED

DESCRIPTION = "mixedswarm-backup.json"
# What `docker swarm init --force-new-cluster` needs of a manager's state.
REQUIRED = ("swarm/raft/", "swarm/certificates/", "swarm/docker-state.json")
DESCRIPTION_KEYS = (
    "engine_version",
    "node_id",
    "cluster_id",
    "manager_addr",
    "managers",
    "autolock",
    "created",
)


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


def archive_problems(members: list[str], description) -> list[str]:
    """What makes a list of archive members and its description unusable for a restore."""
    names = {m.rstrip("/") for m in members}
    # A folder is there when it is listed itself or holds a member.
    missing = [r for r in REQUIRED if r.rstrip("/") not in names and not any(m.startswith(r) for m in names)]
    problems = [f"it holds no {', '.join(missing)}, so it is no manager's swarm state"] if missing else []
    if not isinstance(description, dict):
        problems.append(f"it has no readable {DESCRIPTION}; make backups with playbooks/swarm_backup.yml")
    else:
        absent = [k for k in DESCRIPTION_KEYS if k not in description]
        if absent:
            problems.append(f"its {DESCRIPTION} lacks {', '.join(absent)}")
    return problems


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
                description = json.load(archive.extractfile(DESCRIPTION))
    except FileNotFoundError:
        return None, ["no such file; give the path swarm_backup.yml printed"]
    except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error) as exc:
        return None, [f"it is not a complete gzip'd tar archive ({type(exc).__name__}: {exc})"]
    problems = archive_problems(members, description)
    return (description if not problems else None), problems


def engine_release(version: str) -> str:
    """`20.10.24+dfsg1` and `20.10.24` are the same release."""
    return version.split("+", 1)[0].split("-", 1)[0]


def raft_host(description: dict) -> str:
    """The address part of the archived manager's raft address (10.0.1.5 of 10.0.1.5:2377, [fd00::5]:2377)."""
    return description["manager_addr"].rsplit(":", 1)[0].strip("[]")


def restore_target(description: dict, addrs: dict[str, str], candidates: list[str], chosen: str = "") -> str:
    """The host to restore onto: `chosen` when given, else the candidate whose advertise address
    (`addrs`, by inventory host) is the archived manager's, else the first candidate."""
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
        return [*problems, f"host {host}: unreachable; the restore needs its engine"]
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
        problems.append(
            f"host {host}: is a {'manager' if target.get('is_manager') else 'node'} of a working swarm "
            f"({target['cluster_id'] or 'cluster ID known to its managers'}, {len(target.get('nodes', []))} nodes "
            "listed); a restore replaces it. Set swarm_restore_force=true only if you mean to"
        )
    return problems

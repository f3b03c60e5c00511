"""What the docker CLI says about a node and its swarm, reduced to the fields the plan needs.

Input is `docker info --format '{{json .}}'` and `docker node inspect --format '{{json .}}'`
(one document per node) as Linux and Windows engines print them. Pure functions.
"""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import OutputOf
from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.windows_build import (
    engine_build,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.settings import current_settings

JSON = "{{json .}}"
INFO_ARGV = ["docker", "info", "--format", JSON]
NODE_IDS_ARGV = ["docker", "node", "ls", "--quiet"]
# Every node of the swarm in one invocation; fails on a node that is no manager.
NODES_ARGV = ["docker", "node", "inspect", OutputOf(NODE_IDS_ARGV), "--format", JSON]

# Whether systemd would start a stopped engine on the first docker CLI call (socket activation).
ENGINE_UNITS_ARGV = ["systemctl", "is-active", "docker.service", "docker.socket"]

# LocalNodeState values the engine reports (moby api/types/swarm LocalNodeState).
INACTIVE, PENDING, ACTIVE, ERROR, LOCKED = "inactive", "pending", "active", "error", "locked"
NEEDS_JOIN = (INACTIVE, PENDING, ERROR)
# Node roles and status values (moby api/types/swarm NodeRole, NodeState).
MANAGER, WORKER = "manager", "worker"
READY, DOWN = "ready", "down"


def local_state(info: dict) -> dict:
    """The local view of one engine: swarm membership, identity and platform."""
    swarm = info.get("Swarm") or {}
    return {
        "state": swarm.get("LocalNodeState") or INACTIVE,
        "node_id": swarm.get("NodeID") or "",
        "cluster_id": (swarm.get("Cluster") or {}).get("ID") or "",
        # Known to managers only: whether manager keys are locked (docker swarm update --autolock).
        "autolock": bool(
            (((swarm.get("Cluster") or {}).get("Spec") or {}).get("EncryptionConfig") or {}).get(
                "AutoLockManagers"
            )
        ),
        "is_manager": bool(swarm.get("ControlAvailable")),
        # The swarm's settings (settings.current_settings): known to managers only, else {}.
        "settings": current_settings(info),
        "node_addr": swarm.get("NodeAddr") or "",
        "remote_managers": [
            {"node_id": m.get("NodeID", ""), "addr": m.get("Addr", "")}
            for m in swarm.get("RemoteManagers") or []
        ],
        "error": swarm.get("Error") or "",
        "os_type": info.get("OSType") or "",
        "os_build": engine_build(info),
        "architecture": info.get("Architecture") or "",
        "engine_version": info.get("ServerVersion") or "",
        "hostname": info.get("Name") or "",
    }


def node_from_inspect(doc: dict) -> dict:
    """One node as a manager sees it (docker node inspect): the one reading of that payload the
    swarm and service plugins share."""
    spec = doc.get("Spec") or {}
    description = doc.get("Description") or {}
    platform = description.get("Platform") or {}
    status = doc.get("Status") or {}
    manager = doc.get("ManagerStatus") or {}
    return {
        "id": doc.get("ID", ""),
        "hostname": description.get("Hostname", ""),
        "role": spec.get("Role", ""),
        "availability": spec.get("Availability", ""),
        "labels": dict(spec.get("Labels") or {}),
        "status": status.get("State", ""),
        "addr": status.get("Addr", ""),
        "os": platform.get("OS", "").lower(),
        "architecture": platform.get("Architecture", ""),
        "engine_version": (description.get("Engine") or {}).get("EngineVersion", ""),
        # What the scheduler can reserve on it (services' reservations are held against these).
        "nano_cpus": int((description.get("Resources") or {}).get("NanoCPUs") or 0),
        "memory_bytes": int((description.get("Resources") or {}).get("MemoryBytes") or 0),
        "leader": bool(manager.get("Leader")),
        "reachability": manager.get("Reachability", ""),
        "manager_addr": manager.get("Addr", ""),
    }


def nodes_from_result(nodes_result) -> list[dict] | None:
    """node_from_inspect of every node a finished NODES_ARGV invocation printed; None when it failed
    (the node is no manager, or the manager does not answer yet)."""
    return [node_from_inspect(d) for d in nodes_result.documents] if nodes_result.ok else None


def node_read(info_result, nodes_result) -> dict:
    """The node's state from the two invocations of INFO_ARGV and NODES_ARGV.

    An engine that does not answer gets state 'unavailable' and the engine's message, so the
    planner can report every broken node at once instead of the run stopping at the first.
    """
    if not info_result.ok or not info_result.documents:
        return {
            "state": "unavailable",
            "engine_error": info_result.text or f"docker info exited {info_result.rc}",
        }
    state = local_state(info_result.documents[0])
    state["nodes"] = nodes_from_result(nodes_result) or []
    return state


def socket_would_start_engine(units_result) -> bool:
    """Whether ENGINE_UNITS_ARGV found the engine stopped (inactive, failed, ...) while docker.socket
    listens: any docker CLI call would then start it. False without systemd (nothing can tell)."""
    lines = units_result.text.splitlines()
    return len(lines) == 2 and lines[0] != "active" and lines[1] == "active"


def stopped_engine_state() -> dict:
    """The read of a node left unread because reading would start its stopped engine (check mode)."""
    return {
        "state": "unavailable",
        "engine_error": "the engine is stopped and docker.socket would start it; check mode leaves it stopped",
        "engine_stopped": True,
    }


def local_state_of(info_result) -> dict:
    """local_state of a finished INFO_ARGV invocation, or {} when docker info failed."""
    return local_state(info_result.documents[0]) if info_result.ok and info_result.documents else {}


def managers_node_list(states: dict[str, dict]) -> list[dict]:
    """The swarm's node list as an active manager of the inventory reads it (the leader's when read)."""
    lists = [
        s.get("nodes") or []
        for s in states.values()
        if s and s.get("state") == ACTIVE and s.get("is_manager")
    ]
    return max(lists, key=lambda nodes: any(n["leader"] for n in nodes), default=[])

"""The docker commands that make a node a swarm member or unlock it, and what their output says:
init, join (after a forced leave when the node is stuck), the join tokens and the address to join,
and the unlock with its key on stdin. Pure functions.
"""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import Invocation


def _data_path(addr: str | None) -> list[str]:
    return ["--data-path-addr", addr] if addr else []


def init_argv(
    advertise_addr: str,
    force_new_cluster: bool,
    flags: list[str] | None = None,
    data_path_addr: str | None = None,
) -> list[str]:
    """Create the swarm; with force_new_cluster, a one-manager swarm from this node's own state.
    `flags` set what is fixed at init (settings.init_flags); `data_path_addr` is this node's data path address."""
    force = ["--force-new-cluster"] if force_new_cluster else []
    extra = [*(flags or []), *_data_path(data_path_addr)]
    return ["docker", "swarm", "init", "--advertise-addr", advertise_addr, *extra, *force]


def join_argvs(
    token: str, manager_addr: str, advertise_addr: str, recover: bool, data_path_addr: str | None = None
) -> list[list[str]]:
    """The join, preceded by a forced leave when the node is stuck in pending or error."""
    leave = [["docker", "swarm", "leave", "--force"]] if recover else []
    join = ["docker", "swarm", "join", "--token", token, "--advertise-addr", advertise_addr]
    return [*leave, [*join, *_data_path(data_path_addr), manager_addr]]


def token_argvs(rotate: bool) -> list[list[str]]:
    extra = ["--rotate"] if rotate else []
    return [["docker", "swarm", "join-token", "--quiet", *extra, role] for role in ("worker", "manager")]


def token_in(text: str) -> str | None:
    """The token line of `docker swarm join-token --quiet` output (warnings may precede it)."""
    return next((line.strip() for line in text.splitlines() if line.strip().startswith("SWMTKN-")), None)


def join_addr(state: dict) -> str | None:
    """This manager's own address for joins (the RemoteManagers entry with its own NodeID)."""
    own = [m["addr"] for m in state["remote_managers"] if m["node_id"] == state["node_id"]]
    return (own or [m["addr"] for m in state["remote_managers"]] or [None])[0]


def unlock_key_argv(rotate: bool) -> list[str]:
    """The unlock key alone on stdout; with rotate, a new one (the old stops working)."""
    return ["docker", "swarm", "unlock-key", "--quiet", *(["--rotate"] if rotate else [])]


def unlock_key_in(text: str) -> str | None:
    """The key line of `docker swarm unlock-key --quiet` output (warnings may precede it)."""
    return next((line.strip() for line in text.splitlines() if line.strip().startswith("SWMKEY-")), None)


def unlock_invocation(key: str) -> Invocation:
    """`docker swarm unlock` reads the key from stdin, so it is never an argument."""
    return Invocation(["docker", "swarm", "unlock"], stdin=key)

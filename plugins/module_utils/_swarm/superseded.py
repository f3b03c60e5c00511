"""Entries a node left behind: a node that left the swarm (or was re-installed) and joined
again gets a new NodeID; its old entry stays in the node list as `down` until it is removed.
superseded_entries() finds those, superseded_now() says which can go now. Pure functions.
"""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import DOWN, READY


def superseded_entries(
    nodes: list[dict], hostnames: dict[str, str], member_ids: set[str], outside: set[str] = frozenset()
) -> tuple[dict[str, str], list[str]]:
    """Entries left behind by inventory hosts that are, or are about to be, members under another NodeID.

    `nodes` are node_from_inspect dicts; `hostnames` maps each inventory host that is or will be a member to
    the hostname its engine reports; `member_ids` are the NodeIDs inventory hosts have now; `outside`
    are the hosts not in the swarm now (about to join). An entry is superseded when it is no inventory
    host's NodeID, carries the hostname of exactly one inventory host, and is down, or belongs to a
    host whose engine says it is outside the swarm (it just left: the managers have not marked its old
    entry down yet; it is removed only once it is). Entries whose hostname matches no inventory host
    are not touched; a hostname several inventory hosts report is ambiguous, so its entries are kept
    with a warning. Returns ({old NodeID: host}, warnings).
    """
    hosts_by_name: dict[str, list[str]] = {}
    for host, name in hostnames.items():
        if name:
            hosts_by_name.setdefault(name, []).append(host)
    superseded, warnings = {}, []
    for node in nodes:
        hosts = hosts_by_name.get(node["hostname"], [])
        if node["id"] in member_ids or not hosts:
            continue
        if node["status"] != DOWN and not (len(hosts) == 1 and hosts[0] in outside):
            continue
        if len(hosts) > 1:
            warnings.append(
                f"node {node['hostname']} ({node['id']}) is down and hosts {', '.join(hosts)} all report its "
                "hostname, so it is kept; remove it by hand (docker node rm) once you know it is stale"
            )
            continue
        superseded[node["id"]] = hosts[0]
    return superseded, warnings


def removal_argvs(node_id: str) -> list[list[str]]:
    """Drain, then remove, a node gone from the inventory or superseded (managers are demoted
    before, by role_changes)."""
    return [
        ["docker", "node", "update", "--availability", "drain", node_id],
        ["docker", "node", "rm", "--force", node_id],
    ]


def superseded_now(
    by_id: dict[str, dict], superseded: dict[str, str], node_ids: dict
) -> tuple[dict[str, str], list[str]]:
    """Which planned superseded entries can go now ({old NodeID: host}), and which to wait for.

    An entry goes once it is down and the entry that replaces it (the host's NodeID, same hostname)
    is Ready; an entry not down yet (its node just left) is waited for. An entry that is gone or is
    an inventory host's NodeID again is left alone. A host without a node yet (check mode before its
    join) is a prediction.
    """
    removable, waiting = {}, []
    for old_id, host in superseded.items():
        old = by_id.get(old_id)
        if old is None or old_id in node_ids.values():
            continue
        new = by_id.get(node_ids.get(host) or "")
        if new is not None and new["hostname"] != old["hostname"]:
            continue
        if old["status"] != DOWN and new is not None:
            waiting.append(old_id)
        elif new is None or new["status"] == READY:
            removable[old_id] = host
    return removable, waiting

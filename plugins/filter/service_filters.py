"""Filters of the services and verify stages: reach a swarm node by NodeID, check stack entries
(docs: swarm_host_for_node.yml, swarm_http_url.yml, stack_entry_problems.yml)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.stack import stack_entry_problems


def swarm_host_for_node(node_id: str, hostvars, hosts: list[str]) -> str:
    """The inventory host whose swarm_node_id fact (set by swarm_node_info) is node_id."""
    for host in hosts:
        if hostvars[host].get("swarm_node_id") == node_id:
            return host
    raise AnsibleFilterError(
        f"no inventory host has swarm_node_id {node_id!r}; run swarm_node_info on every host first "
        "(a node outside the inventory cannot be probed)"
    )


def swarm_http_url(target: dict, hostvars, hosts: list[str]) -> str:
    """http://ADDRESS:PORT/PATH for a target of swarm_verify's http_targets.

    ADDRESS is the inventory address of the node (what a user reaches it by), or the node's
    swarm address when the node is not in the inventory.
    """
    address = target.get("addr")
    for host in hosts:
        if hostvars[host].get("swarm_node_id") == target.get("node_id"):
            address = hostvars[host].get("ansible_host", host)
            break
    if not address:
        raise AnsibleFilterError(f"no address for node {target.get('hostname')} ({target.get('node_id')})")
    path = target.get("path") or "/"
    return f"http://{address}:{target['port']}{path if path.startswith('/') else '/' + path}"


class FilterModule:
    def filters(self):
        return {
            "swarm_host_for_node": swarm_host_for_node,
            "swarm_http_url": swarm_http_url,
            "stack_entry_problems": stack_entry_problems,
        }

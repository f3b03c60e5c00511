"""Filters for playbooks that need the swarm's address choice (docs: swarm_advertise_addr.yml)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.address import (
    AddressError,
    host_advertise_addr,
)


def swarm_advertise_addr(host_vars: dict, subnet: str | None = None) -> str:
    """The address a host advertises to the swarm, chosen as the swarm stage chooses it."""
    try:
        return host_advertise_addr(host_vars, subnet)
    except AddressError as exc:
        raise AnsibleFilterError(f"{host_vars.get('inventory_hostname', 'host')}: {exc}") from None


class FilterModule:
    def filters(self):
        return {"swarm_advertise_addr": swarm_advertise_addr}

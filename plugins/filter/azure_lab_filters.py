"""Filters for the azure_lab role (docs: azure_lab_quota_problems.yml)."""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils._azure.quota import quota_problems


def azure_lab_quota_problems(
    new_vm_sizes: list, location: str, new_public_ips: int, skus: list, usages: list
) -> list:
    """The quota rows that the lab's VMs and public IPs still to create would exceed."""
    return quota_problems(location, list(new_vm_sizes), int(new_public_ips), skus, usages)


class FilterModule:
    def filters(self):
        return {"azure_lab_quota_problems": azure_lab_quota_problems}

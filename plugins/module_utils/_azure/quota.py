"""Whether a subscription's quota in a region leaves room for the VMs and public IPs a lab still
has to create, from Compute's and Network's usage listings (Usage_List, Usages_List: each row a
name, a currentValue and a limit). Only rows the listings hold are judged: a quota the API does not
report is not guessed at.
"""

from __future__ import annotations

from collections import Counter

# Compute's usage rows that a new VM counts against besides its size's family (the row whose name
# is the resource SKU's `family`, e.g. standardDSv5Family): regional vCPUs and the VM count.
# learn.microsoft.com/azure/virtual-machines/quotas ("vCPU quotas": total regional vCPUs and
# per-family vCPUs are both enforced).
REGIONAL_VCPUS, VM_COUNT = "cores", "virtualMachines"
# Network's rows a new Standard public IP counts against; the name of the Standard row differs
# between listings (StandardSkuPublicIpAddresses, IPv4StandardSkuPublicIpAddresses), so every one
# of them that a listing holds is judged.
# learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits
# ("Public IP addresses - Standard" is limited per region).
PUBLIC_IP_ROWS = ("PublicIPAddresses", "StandardSkuPublicIpAddresses", "IPv4StandardSkuPublicIpAddresses")


def size_shapes(skus: list[dict]) -> dict[str, tuple[str, int]]:
    """Each VM size's (family, vCPUs) from Compute's resource SKUs; a size without either is left
    out, since what it counts against cannot be told."""
    shapes = {}
    for sku in skus:
        capabilities = {c.get("name"): c.get("value") for c in sku.get("capabilities") or []}
        vcpus = str(capabilities.get("vCPUs", ""))
        if sku.get("family") and vcpus.isdigit():
            shapes[sku["name"]] = (sku["family"], int(vcpus))
    return shapes


def needs(new_vm_sizes: list[str], new_public_ips: int, shapes: dict[str, tuple[str, int]]) -> Counter:
    """How much of each usage row (by lower-case name) the new VMs and public IPs take."""
    taken: Counter = Counter()
    for size in new_vm_sizes:
        taken[VM_COUNT.lower()] += 1
        if size in shapes:
            family, vcpus = shapes[size]
            taken[family.lower()] += vcpus
            taken[REGIONAL_VCPUS.lower()] += vcpus
    for row in PUBLIC_IP_ROWS:
        taken[row.lower()] += new_public_ips
    return taken


def shortfalls(location: str, taken: Counter, usages: list[dict]) -> list[str]:
    """One message per usage row whose free amount (limit - currentValue) is less than taken."""
    found = []
    for usage in usages:
        name = usage.get("name") or {}
        wanted = taken.get(str(name.get("value", "")).lower(), 0)
        limit, used = usage.get("limit"), usage.get("currentValue")
        if not wanted or not isinstance(limit, int) or not isinstance(used, int):
            continue
        if wanted > limit - used:
            found.append(
                f"the quota {name.get('localizedValue') or name['value']} ({name['value']}) in {location}"
                f" has {max(limit - used, 0)} of {limit} free, and the lab needs {wanted} more"
            )
    return found


def quota_problems(
    location: str,
    new_vm_sizes: list[str],
    new_public_ips: int,
    skus: list[dict],
    usages: list[dict],
) -> list[str]:
    """The quota rows (Compute's and Network's usages together) that the VMs of new_vm_sizes (one
    entry per VM still to create) and new_public_ips would exceed, each named with its numbers."""
    return shortfalls(location, needs(new_vm_sizes, new_public_ips, size_shapes(skus)), usages)

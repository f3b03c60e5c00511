"""plugins/module_utils/_azure/quota.py: does the region's quota leave room for the lab's new VMs and IPs.

The rows are shaped as Compute's Usage_List and Network's Usages_List answer (name.value,
name.localizedValue, currentValue, limit; what `az vm list-usage` and `az network list-usages`
print), the sizes as Compute's ResourceSkus_List (family, capabilities vCPUs).
"""

import pytest

from ansible_collections.mixedswarm.swarm.plugins.module_utils._azure.quota import quota_problems

SKUS = [
    {
        "name": "Standard_D2s_v5",
        "family": "standardDSv5Family",
        "capabilities": [{"name": "vCPUs", "value": "2"}, {"name": "MemoryGB", "value": "8"}],
    },
    {"name": "Standard_B2s", "family": "standardBSFamily", "capabilities": [{"name": "vCPUs", "value": "2"}]},
    {"name": "Standard_Q9", "capabilities": [{"name": "vCPUs", "value": "9"}]},  # no family: not judged
]


def row(value: str, used: int, limit: int, localized: str = "") -> dict:
    return {
        "unit": "Count",
        "currentValue": used,
        "limit": limit,
        "name": {"value": value, "localizedValue": localized},
    }


def usages(**overrides) -> list[dict]:
    """A region with room for the default lab (3 D2s_v5 + 1 B2s, 4 IPs), rows overridden by name."""
    rows = {
        "cores": row("cores", 0, 10, "Total Regional vCPUs"),
        "virtualMachines": row("virtualMachines", 0, 25000, "Virtual Machines"),
        "standardDSv5Family": row("standardDSv5Family", 0, 10, "Standard DSv5 Family vCPUs"),
        "standardBSFamily": row("standardBSFamily", 0, 10, "Standard BS Family vCPUs"),
        "PublicIPAddresses": row("PublicIPAddresses", 0, 1000, "Public IP Addresses"),
        "StandardSkuPublicIpAddresses": row(
            "StandardSkuPublicIpAddresses", 0, 1000, "Public IP Addresses - Standard"
        ),
    }
    rows.update(overrides)
    return list(rows.values())


LAB = ["Standard_D2s_v5"] * 3 + ["Standard_B2s"]


def problems(sizes=LAB, ips=4, rows=None):
    return quota_problems("westeurope", sizes, ips, SKUS, usages() if rows is None else rows)


def test_a_lab_that_fits_has_no_problem():
    assert problems() == []


def test_exactly_the_free_amount_is_enough_and_one_more_is_not():
    assert problems(rows=usages(cores=row("cores", 2, 10, "Total Regional vCPUs"))) == []
    assert problems(rows=usages(cores=row("cores", 3, 10, "Total Regional vCPUs"))) == [
        "the quota Total Regional vCPUs (cores) in westeurope has 7 of 10 free, and the lab needs 8 more"
    ]


def test_the_family_of_each_size_is_judged_on_its_own():
    (only,) = problems(
        rows=usages(standardDSv5Family=row("standardDSv5Family", 6, 10, "Standard DSv5 Family vCPUs"))
    )
    assert only == (
        "the quota Standard DSv5 Family vCPUs (standardDSv5Family) in westeurope has 4 of 10 free,"
        " and the lab needs 6 more"
    )
    # the B2s's 2 vCPUs count against its own family only
    assert problems(rows=usages(standardBSFamily=row("standardBSFamily", 8, 10))) == []
    assert problems(rows=usages(standardBSFamily=row("standardBSFamily", 9, 10))) != []


def test_the_vm_count_and_every_public_ip_row_are_judged():
    found = problems(
        rows=usages(
            virtualMachines=row("virtualMachines", 23, 25, "Virtual Machines"),
            StandardSkuPublicIpAddresses=row(
                "StandardSkuPublicIpAddresses", 997, 1000, "Public IP Addresses - Standard"
            ),
            IPv4=row("IPv4StandardSkuPublicIpAddresses", 10, 10, "Public IPv4 Addresses - Standard"),
        )
    )
    assert found == [
        "the quota Virtual Machines (virtualMachines) in westeurope has 2 of 25 free, and the lab needs 4 more",
        "the quota Public IP Addresses - Standard (StandardSkuPublicIpAddresses) in westeurope has 3 of 1000 free,"
        " and the lab needs 4 more",
        "the quota Public IPv4 Addresses - Standard (IPv4StandardSkuPublicIpAddresses) in westeurope has 0 of 10"
        " free, and the lab needs 4 more",
    ]


def test_names_are_matched_whatever_their_case_and_an_overdrawn_row_shows_nothing_free():
    (only,) = problems(rows=[row("standardFSv2Family", 0, 10), row("Cores", 12, 10)])
    assert only == "the quota Cores (Cores) in westeurope has 0 of 10 free, and the lab needs 8 more"


@pytest.mark.parametrize(
    "sizes, ips, rows",
    [
        ([], 0, usages(cores=row("cores", 10, 10))),  # nothing to create (a re-run): nothing needed
        # rows the lab takes nothing from, one of them overdrawn
        (LAB, 4, [row("standardFSv2Family", 12, 10), row("NetworkSecurityGroups", 5000, 5000)]),
        (["Standard_Q9"], 0, [row("cores", 10, 10)]),  # a size without a family: its vCPUs cannot be placed
        (LAB, 4, [{"name": {"value": "cores"}, "currentValue": 9, "limit": None}]),  # no limit: not judged
        (LAB, 4, [{"name": {"value": "cores"}, "currentValue": "9", "limit": 10}]),  # no count: not judged
    ],
)
def test_what_the_listings_cannot_tell_is_not_refused(sizes, ips, rows):
    assert quota_problems("westeurope", sizes, ips, SKUS, rows) == []


def test_a_size_without_a_family_still_counts_as_a_vm():
    assert problems(["Standard_Q9"], 0, [row("virtualMachines", 1, 1, "Virtual Machines")]) == [
        "the quota Virtual Machines (virtualMachines) in westeurope has 0 of 1 free, and the lab needs 1 more"
    ]

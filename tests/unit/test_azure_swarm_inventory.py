"""_azure.inventory: the pure joins and decisions behind the azure_swarm inventory plugin."""

import pytest

from ansible_collections.mixedswarm.swarm.plugins.module_utils._azure.inventory import (
    Options,
    build_hosts,
    groups_missing,
    os_family,
    power_state,
    resolve_cloud,
    resource_group_of,
    scale_set_instances,
    swarm_labels,
    swarm_role,
    tags_match,
)

SUB = "/subscriptions/0000"


def vm(name, group="rg", os_type="Linux", tags=None, nics=(), provisioning="Succeeded"):
    return {
        "id": f"{SUB}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachines/{name}",
        "name": name,
        "location": "westeurope",
        "tags": tags if tags is not None else {"swarm-role": "worker"},
        "properties": {
            "provisioningState": provisioning,
            "hardwareProfile": {"vmSize": "Standard_B2s"},
            "storageProfile": {"osDisk": {"osType": os_type}},
            "osProfile": {"computerName": name},
            "networkProfile": {"networkInterfaces": [{"id": n} for n in nics]},
        },
    }


def nic_id(name, group="rg"):
    return f"{SUB}/resourceGroups/{group}/providers/Microsoft.Network/networkInterfaces/{name}"


def nic(name, *addresses, group="rg"):
    """addresses: (private IP, public IP resource ID or None) per IP configuration."""
    return {
        "id": nic_id(name, group),
        "name": name,
        "properties": {
            "ipConfigurations": [
                {
                    "name": f"ipconfig{i}",
                    "properties": {
                        "privateIPAddress": private,
                        "primary": i == 0,
                        **({"publicIPAddress": {"id": pip}} if pip else {}),
                    },
                }
                for i, (private, pip) in enumerate(addresses)
            ]
        },
    }


def status(machine, power="running"):
    return {
        "id": machine["id"],
        "properties": {"instanceView": {"statuses": [{"code": f"PowerState/{power}"}]}},
    }


@pytest.mark.parametrize(
    ("cloud", "endpoint", "expected"),
    [
        (
            "AzureCloud",
            None,
            (
                "https://management.azure.com/",
                "https://management.azure.com/.default",
                "login.microsoftonline.com",
            ),
        ),
        (
            "AzureUSGovernment",
            None,
            (
                "https://management.usgovcloudapi.net/",
                "https://management.core.usgovcloudapi.net/.default",
                "login.microsoftonline.us",
            ),
        ),
        (
            "AzureCloud",
            "https://management.region.stack.example",
            (
                "https://management.region.stack.example/",
                "https://management.region.stack.example/.default",
                None,
            ),
        ),
    ],
)
def test_resolve_cloud(cloud, endpoint, expected):
    assert resolve_cloud(cloud, endpoint) == expected


def test_resolve_cloud_rejects_unknown_cloud_and_plain_http():
    with pytest.raises(
        ValueError, match=r"AzureGermanCloud.*valid: AzureCloud, AzureChinaCloud, AzureUSGovernment"
    ):
        resolve_cloud("AzureGermanCloud")
    with pytest.raises(ValueError, match="https://"):
        resolve_cloud("AzureCloud", "http://management.local")
    assert resolve_cloud("AzureCloud", "https://arm.local/", "login.local")[2] == "login.local"


def test_resource_group_of_and_groups_missing():
    assert resource_group_of(nic_id("a", "Net-RG")) == "Net-RG"
    assert resource_group_of("/subscriptions/0000/providers/x/y") == ""
    ids = [nic_id("a", "lab"), nic_id("b", "Net-RG"), nic_id("c", "net-rg"), None]
    assert groups_missing(ids, ["LAB"]) == ["net-rg"]
    assert groups_missing(ids, ["lab", "net-rg"]) == []


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([{"code": "ProvisioningState/succeeded"}, {"code": "PowerState/deallocated"}], "deallocated"),
        ([{"code": "PowerState/running"}], "running"),
        ([{"code": "ProvisioningState/failed/InternalError"}], "unknown"),
        ([], "unknown"),
    ],
)
def test_power_state(statuses, expected):
    assert power_state({"statuses": statuses}) == expected
    assert power_state(None) == "unknown"


def test_tags_match():
    tags = {"Cluster": "classic-lab", "env": "test"}
    assert tags_match(tags, {})
    assert tags_match(tags, {"cluster": "classic-lab"})
    assert not tags_match(tags, {"cluster": "Classic-Lab"})  # values are exact
    assert tags_match(tags, {"cluster": ["blue", "classic-lab"]})
    assert tags_match(tags, {"env": None})
    assert not tags_match(tags, {"owner": None})
    assert not tags_match(None, {"cluster": "classic-lab"})


@pytest.mark.parametrize(
    ("tags", "role", "problem"),
    [
        ({"swarm-role": "manager"}, "manager", None),
        ({"Swarm-Role": " Worker "}, "worker", None),
        ({"swarm-role": "leader"}, None, "tag 'swarm-role' is 'leader'; valid: manager, worker"),
        ({}, None, "no 'swarm-role' tag"),
    ],
)
def test_swarm_role(tags, role, problem):
    assert swarm_role(tags, "swarm-role") == (role, problem)


def test_swarm_labels_from_prefixed_tags():
    tags = {"swarm-label.zone": "a", "Swarm-Label.disk": "ssd", "swarm-label.": "x", "cluster": "c"}
    assert swarm_labels(tags, "swarm-label.") == {"zone": "a", "disk": "ssd"}
    assert swarm_labels(tags, "") == {}


def test_os_family_falls_back_to_os_profile():
    assert os_family(vm("a", os_type="Windows")) == "windows"
    machine = vm("b", os_type="")
    machine["properties"]["osProfile"]["windowsConfiguration"] = {"provisionVMAgent": True}
    assert os_family(machine) == "windows"
    assert os_family({"properties": {}}) == "linux"


def test_build_hosts_joins_and_orders_addresses():
    pip = f"{SUB}/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/p1"
    machine = vm("n1", nics=[nic_id("second"), nic_id("first")])
    machine["properties"]["networkProfile"]["networkInterfaces"][1]["properties"] = {"primary": True}
    public_ips = [
        {"id": pip.upper(), "properties": {"ipAddress": "20.1.1.1", "dnsSettings": {"fqdn": "n1.example"}}}
    ]
    hosts, warnings = build_hosts(
        [machine],
        [status(machine)],
        [nic("second", ("10.0.2.4", None)), nic("first", ("10.0.1.4", None), ("10.0.1.5", pip))],
        public_ips,
        Options(),
    )
    assert warnings == []
    (host,) = hosts
    assert host.groups == ["swarm_workers", "linux"]
    assert host.hostvars["azure_private_ips"] == ["10.0.1.4", "10.0.1.5", "10.0.2.4"]
    assert host.hostvars["azure_public_ips"] == ["20.1.1.1"]  # IDs matched case-insensitively
    assert host.hostvars["azure_fqdn"] == "n1.example"
    assert host.hostvars["ansible_host"] == host.hostvars["swarm_advertise_addr"] == "10.0.1.4"


def test_build_hosts_skips_with_named_warnings():
    good = vm("good", nics=[nic_id("good")])
    failed = vm("failed", nics=[nic_id("failed")], provisioning="Failed")
    deleting = vm("deleting", nics=[nic_id("deleting")], provisioning="Deleting")
    no_nic = vm("no-nic", nics=[nic_id("gone")])
    no_ip = vm("no-ip", nics=[nic_id("no-ip")])
    twin = vm("good", group="other", nics=[nic_id("twin", "other")])
    machines = [good, failed, deleting, no_nic, no_ip, twin]
    hosts, warnings = build_hosts(
        machines,
        [status(m) for m in machines],
        [
            nic("good", ("10.0.0.4", None)),
            nic("no-ip", (None, None)),
            nic("twin", ("10.0.0.9", None), group="other"),
        ],
        [],
        Options(),
    )
    assert [h.name for h in hosts] == ["good"]
    assert hosts[0].hostvars["azure_resource_group"] == "other"  # sorted by ID: 'other' before 'rg'
    assert warnings == [
        "VM deleting skipped: provisioning state Deleting",
        "VM failed skipped: provisioning state Failed",
        "VM good in resource group rg skipped: the name is already used by the VM " + twin["id"],
        "VM no-ip skipped: its network interfaces have no private IP",
        "VM no-nic skipped: no network interface found",
    ]


def test_build_hosts_power_state_and_filters():
    running = vm("running", nics=[nic_id("a")], tags={"swarm-role": "manager", "cluster": "x"})
    stopped = vm("stopped", nics=[nic_id("b")], tags={"swarm-role": "worker", "cluster": "x"})
    unknown = vm("unknown", nics=[nic_id("c")], tags={"swarm-role": "worker", "cluster": "x"})
    other = vm("other", nics=[nic_id("d")], tags={"swarm-role": "worker", "cluster": "y"})
    machines = [running, stopped, unknown, other]
    listings = (
        machines,
        [status(running), status(stopped, "stopped"), status(other)],
        [nic(n, (f"10.0.0.{i}", None)) for i, n in enumerate("abcd", 4)],
        [],
    )
    hosts, _ = build_hosts(*listings, Options(tag_filters={"cluster": "x"}))
    assert [h.name for h in hosts] == ["running"]
    hosts, _ = build_hosts(*listings, Options(tag_filters={"cluster": "x"}, include_stopped=True))
    assert {h.name: h.hostvars["azure_power_state"] for h in hosts} == {
        "running": "running",
        "stopped": "stopped",
        "unknown": "unknown",
    }


def test_build_hosts_vms_without_a_swarm_role_are_no_hosts():
    machine = vm("w", os_type="Windows", nics=[nic_id("w")], tags={"role": "manager", "swarm-role": "boss"})
    hosts, warnings = build_hosts([machine], [status(machine)], [nic("w", ("10.0.0.4", None))], [], Options())
    assert hosts == []  # not even in `windows`: the engines stage would install Docker on it
    assert warnings == [
        "VM w skipped: it is not a swarm node (tag 'swarm-role' is 'boss'; valid: manager, worker)"
    ]
    hosts, warnings = build_hosts(
        [machine], [status(machine)], [nic("w", ("10.0.0.4", None))], [], Options(role_tag="role")
    )
    assert hosts[0].groups == ["swarm_managers", "windows"]
    assert warnings == []


@pytest.mark.parametrize("source", ["public_ip", "fqdn"])
def test_build_hosts_address_fallback(source):
    machine = vm("n", nics=[nic_id("n")])
    hosts, warnings = build_hosts(
        [machine], [status(machine)], [nic("n", ("10.0.0.4", None))], [], Options(ansible_host_source=source)
    )
    assert hosts[0].hostvars["ansible_host"] == "10.0.0.4"
    assert warnings == [f"VM n: no {source.replace('_', ' ')}; ansible_host is its private IP"]


def test_a_scale_sets_tags_apply_to_its_instances_and_an_instances_own_tag_wins():
    scale_set = {"name": "workers", "tags": {"swarm-role": "worker", "cluster": "blue"}}
    instances = [{"name": "workers_0", "tags": {"swarm-role": "manager"}}, {"name": "workers_1"}]
    assert scale_set_instances(scale_set, instances) == [
        {"name": "workers_0", "tags": {"swarm-role": "manager", "cluster": "blue"}, "scale_set": "workers"},
        {"name": "workers_1", "tags": {"swarm-role": "worker", "cluster": "blue"}, "scale_set": "workers"},
    ]

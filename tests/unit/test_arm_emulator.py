"""The ARM emulator answers as Resource Manager does (published behaviour), before tests trust it.

Shapes checked against the REST API reference and azure-rest-api-specs examples: the error body
({"error": {"code", "message"}}) and its codes, 201 for a create and 200 for an update,
resource-group deletion as a long-running operation (202 + Location), nextLink paging, read-only
properties filled in by the service (provisioningState, a static public IP's ipAddress and
ipConfiguration back-reference) and secrets never returned.
"""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "azure"))
from arm_emulator import ArmEmulator

RG = "/subscriptions/{sub}/resourceGroups/lab"


@pytest.fixture
def arm(tmp_path):
    emulator = ArmEmulator(tmp_path, page_size=2)  # not started: answer() is the whole server
    emulator.token = emulator.issue_token("test")["access_token"]
    return emulator


def call(arm, method, path, body=None, api_version="2024-07-01", token=True):
    headers = {"host": "management.azure.com", **({"authorization": f"Bearer {arm.token}"} if token else {})}
    separator = "&" if "?" in path else "?"
    url = path.format(sub=arm.subscription) + f"{separator}api-version={api_version}"
    return arm.answer(method, url, headers, json.dumps(body).encode() if body is not None else b"")


def test_errors_have_arms_shape_and_codes(arm):
    missing_group = call(arm, "GET", RG)
    assert missing_group.status == 404
    assert missing_group.body == {
        "error": {"code": "ResourceGroupNotFound", "message": "Resource group 'lab' could not be found."}
    }
    call(arm, "PUT", RG, {"location": "westeurope"})
    missing_vm = call(arm, "GET", RG + "/providers/Microsoft.Compute/virtualMachines/vm1")
    assert missing_vm.status == 404 and missing_vm.body["error"]["code"] == "ResourceNotFound"
    assert missing_vm.body["error"]["message"].startswith(
        "The Resource 'Microsoft.Compute/virtualMachines/vm1' under resource group 'lab' was not found."
    )
    unknown = call(arm, "GET", RG + "/providers/Microsoft.Web/sites/app")
    assert unknown.status == 404 and unknown.body["error"]["code"] == "InvalidResourceType"
    assert (
        "GET",
        f"/subscriptions/{arm.subscription}/resourceGroups/lab/providers/Microsoft.Web/sites/app",
    ) in arm.unknown
    assert call(arm, "GET", RG, token=False).body["error"]["code"] == "AuthenticationFailed"
    no_version = arm.answer(
        "GET", RG.format(sub=arm.subscription), {"authorization": f"Bearer {arm.token}"}, b""
    )
    assert no_version.status == 400 and no_version.body["error"]["code"] == "MissingApiVersionParameter"


def test_create_update_list_and_delete_a_group_with_its_resources(arm):
    assert call(arm, "PUT", RG, {"location": "westeurope"}).status == 201
    assert call(arm, "PUT", RG, {"location": "westeurope", "tags": {"a": "b"}}).status == 200
    for name in ("a", "b", "c"):
        created = call(
            arm,
            "PUT",
            RG + f"/providers/Microsoft.Network/publicIPAddresses/{name}",
            {"location": "westeurope", "properties": {"publicIPAllocationMethod": "Static"}},
            "2024-05-01",
        )
        assert created.status == 201
        assert created.body["properties"]["provisioningState"] == "Succeeded"
        assert created.body["properties"]["ipAddress"].startswith("203.0.113.")
    first = call(arm, "GET", RG + "/providers/Microsoft.Network/publicIPAddresses", api_version="2024-05-01")
    assert [item["name"] for item in first.body["value"]] == ["a", "b"]
    assert first.body["nextLink"].startswith("https://127.0.0.1:") or first.body["nextLink"].startswith(
        "https://"
    )
    deleted = call(arm, "DELETE", RG, api_version="2021-04-01")
    assert deleted.status == 202 and "Location" in deleted.headers and "Retry-After" in deleted.headers
    assert arm.store.is_empty()


def test_server_side_properties_and_hidden_secrets(arm):
    call(arm, "PUT", RG, {"location": "westeurope"})
    net = RG + "/providers/Microsoft.Network"
    call(
        arm,
        "PUT",
        net + "/virtualNetworks/vnet",
        {
            "location": "westeurope",
            "properties": {
                "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                "subnets": [{"name": "s", "properties": {"addressPrefix": "10.0.1.0/24"}}],
            },
        },
        "2024-05-01",
    )
    pip = call(
        arm,
        "PUT",
        net + "/publicIPAddresses/p",
        {"location": "westeurope", "properties": {"publicIPAllocationMethod": "Static"}},
    )
    subnet_id = (
        RG.format(sub=arm.subscription) + "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/s"
    )
    nic = call(
        arm,
        "PUT",
        net + "/networkInterfaces/n",
        {
            "location": "westeurope",
            "properties": {
                "ipConfigurations": [
                    {
                        "name": "c",
                        "properties": {
                            "subnet": {"id": subnet_id},
                            "publicIPAddress": {"id": pip.body["id"]},
                        },
                    }
                ]
            },
        },
    )
    config = nic.body["properties"]["ipConfigurations"][0]
    assert config["properties"]["privateIPAddress"] == "10.0.1.4"  # Azure keeps .1-.3 for itself
    linked = call(arm, "GET", net + "/publicIPAddresses/p")
    assert linked.body["properties"]["ipConfiguration"] == {"id": config["id"]}
    vnet = call(arm, "GET", net + "/virtualNetworks/vnet")
    assert vnet.body["properties"]["subnets"][0]["properties"]["ipConfigurations"] == [{"id": config["id"]}]
    vm = call(
        arm,
        "PUT",
        RG + "/providers/Microsoft.Compute/virtualMachines/vm",
        {
            "location": "westeurope",
            "properties": {
                "storageProfile": {
                    "imageReference": {
                        "publisher": "Canonical",
                        "offer": "ubuntu-24_04-lts",
                        "sku": "server",
                        "version": "latest",
                    }
                },
                "osProfile": {
                    "computerName": "vm",
                    "adminUsername": "u",
                    "adminPassword": "Secr3t-Passw0rd",
                    "customData": "c2VjcmV0",
                },
                "networkProfile": {"networkInterfaces": [{"id": nic.body["id"]}]},
            },
        },
    )
    assert vm.status == 201 and "Azure-AsyncOperation" in vm.headers  # a long-running create
    stored = call(arm, "GET", RG + "/providers/Microsoft.Compute/virtualMachines/vm?$expand=instanceView")
    assert "adminPassword" not in stored.body["properties"]["osProfile"]
    assert "customData" not in stored.body["properties"]["osProfile"]
    assert stored.body["properties"]["instanceView"]["statuses"][1]["code"] == "PowerState/running"


# What ARM refuses: one case per rule, each rule cited next to its code in arm_emulator.py ---------
NET = RG + "/providers/Microsoft.Network"
WINDOWS_IMAGE = {
    "publisher": "MicrosoftWindowsServer",
    "offer": "WindowsServer",
    "sku": "2022-datacenter-azure-edition",
    "version": "latest",
}


@pytest.fixture
def lab(arm):
    """A group with a VNet 10.0.0.0/16, subnet s 10.0.1.0/24, an NSG and a NIC at 10.0.1.4."""
    call(arm, "PUT", RG, {"location": "westeurope"})
    vnet = {
        "location": "westeurope",
        "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [{"name": "s", "properties": {"addressPrefix": "10.0.1.0/24"}}],
        },
    }
    assert call(arm, "PUT", NET + "/virtualNetworks/vnet", vnet, "2024-05-01").status == 201
    assert call(arm, "PUT", NET + "/networkSecurityGroups/nsg", {"location": "westeurope"}).status == 201
    assert call(arm, "PUT", NET + "/networkInterfaces/taken", _nic(arm, "10.0.1.4")).status == 201
    return arm


def _nic(arm, address):
    subnet = RG.format(sub=arm.subscription) + "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/s"
    return {
        "location": "westeurope",
        "properties": {
            "ipConfigurations": [
                {
                    "name": "c",
                    "properties": {
                        "subnet": {"id": subnet},
                        "privateIPAllocationMethod": "Static",
                        "privateIPAddress": address,
                    },
                }
            ]
        },
    }


def _rule(name, priority, direction="Inbound"):
    return {
        "name": name,
        "properties": {"protocol": "Tcp", "access": "Allow", "priority": priority, "direction": direction},
    }


def _vm(arm, size="Standard_D2s_v5", username="swarmadmin", password="Sw4rm-lab-Passw0rd!"):
    nic = RG.format(sub=arm.subscription) + "/providers/Microsoft.Network/networkInterfaces/taken"
    return {
        "location": "westeurope",
        "properties": {
            "hardwareProfile": {"vmSize": size},
            "storageProfile": {"imageReference": WINDOWS_IMAGE},
            "osProfile": {"computerName": "vm", "adminUsername": username, "adminPassword": password},
            "networkProfile": {"networkInterfaces": [{"id": nic}]},
        },
    }


def _public_ip(sku, allocation):
    body = {
        "location": "westeurope",
        "sku": {"name": sku},
        "properties": {"publicIPAllocationMethod": allocation},
    }
    return ("PUT", NET + "/publicIPAddresses/p", body, "2024-05-01")


VM = RG + "/providers/Microsoft.Compute/virtualMachines/vm"


def _put_vm(arm, **settings):
    return ("PUT", VM, _vm(arm, **settings), "2024-07-01")


def _put_nic(arm, address):
    return ("PUT", NET + "/networkInterfaces/n", _nic(arm, address), "2024-05-01")


REFUSALS = {
    "api-version not a date": (lambda a: ("GET", RG, None, "2024-13-45"), "InvalidApiVersionParameter"),
    "api-version from the future": (lambda a: ("GET", RG, None, "2999-01-01"), "InvalidApiVersionParameter"),
    "Basic public IP": (lambda a: _public_ip("Basic", "Static"), "BasicSkuPublicIpAddressCreationNotAllowed"),
    "Standard public IP with Dynamic allocation": (
        lambda a: _public_ip("Standard", "Dynamic"),
        "StandardSkuPublicIPAddressesCannotBeDynamic",
    ),
    "NSG priority below 100": (
        lambda a: (
            "PUT",
            NET + "/networkSecurityGroups/nsg",
            {"location": "westeurope", "properties": {"securityRules": [_rule("r", 99)]}},
            "2024-05-01",
        ),
        "SecurityRuleInvalidPriority",
    ),
    "NSG priority above 4096": (
        lambda a: (
            "PUT",
            NET + "/networkSecurityGroups/nsg/securityRules/r",
            {"properties": _rule("r", 4097)["properties"]},
            "2024-05-01",
        ),
        "SecurityRuleInvalidPriority",
    ),
    "NSG priority used twice in one direction": (
        lambda a: (
            "PUT",
            NET + "/networkSecurityGroups/nsg",
            {"location": "westeurope", "properties": {"securityRules": [_rule("a", 300), _rule("b", 300)]}},
            "2024-05-01",
        ),
        "SecurityRuleConflict",
    ),
    "subnet outside its VNet": (
        lambda a: (
            "PUT",
            NET + "/virtualNetworks/vnet/subnets/far",
            {"properties": {"addressPrefix": "10.1.0.0/24"}},
            "2024-05-01",
        ),
        "NetcfgSubnetRangeOutsideVnet",
    ),
    "static IP outside the subnet": (lambda a: _put_nic(a, "10.0.2.10"), "PrivateIPAddressNotInSubnet"),
    "static IP among the first four": (lambda a: _put_nic(a, "10.0.1.3"), "PrivateIPAddressIsReserved"),
    "static IP the last address": (lambda a: _put_nic(a, "10.0.1.255"), "PrivateIPAddressIsReserved"),
    "static IP in use": (lambda a: _put_nic(a, "10.0.1.4"), "PrivateIPAddressInUse"),
    "unknown VM size": (lambda a: _put_vm(a, size="Standard_Z99"), "InvalidParameter"),
    "Gen2 image on a Gen1-only size": (lambda a: _put_vm(a, size="Standard_A2_v2"), "BadRequest"),
    "reserved user name": (lambda a: _put_vm(a, username="support_388945a0"), "InvalidParameter"),
    "Windows user name ending in a dot": (lambda a: _put_vm(a, username="swarm."), "InvalidParameter"),
    "weak password": (lambda a: _put_vm(a, password="lowercaseonly1"), "InvalidParameter"),
    "password refused by name": (lambda a: _put_vm(a, password="P@ssword123"), "InvalidParameter"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_arm_refuses_it_and_stores_nothing(lab, case):
    request, code = REFUSALS[case]
    method, path, body, version = request(lab)
    before = json.dumps(lab.store.resources, sort_keys=True)
    answer = call(lab, method, path, body, version)
    assert (answer.status, answer.body["error"]["code"]) == (400, code), answer.body
    assert json.dumps(lab.store.resources, sort_keys=True) == before


def test_what_arm_accepts_next_to_each_refusal(lab):
    """The same requests with valid values are accepted: the rules refuse no more than ARM does."""
    accepted = [
        _public_ip("Standard", "Static"),
        (
            "PUT",
            NET + "/networkSecurityGroups/nsg",
            {
                "location": "westeurope",
                "properties": {
                    "securityRules": [_rule("a", 100), _rule("b", 4096), _rule("c", 100, "Outbound")]
                },
            },
            "2024-05-01",
        ),
        (
            "PUT",
            NET + "/virtualNetworks/vnet/subnets/near",
            {"properties": {"addressPrefix": "10.0.2.0/24"}},
            "2024-05-01",
        ),
        ("PUT", NET + "/networkInterfaces/n", _nic(lab, "10.0.1.254"), "2024-05-01"),
        ("PUT", VM, _vm(lab, size="Standard_B2s"), "2024-07-01"),
    ]
    for method, path, body, version in accepted:
        answer = call(lab, method, path, body, version)
        assert answer.status in (200, 201), (path, answer.body)


def test_usages_count_what_the_location_holds_against_each_limit(lab):
    """Compute's Usage_List and Network's Usages_List rows (name, currentValue, limit) count the
    stored VMs by their size's family and in all, and the stored public IPs, of that location only."""
    assert call(lab, *_public_ip("Standard", "Static")).status == 201
    assert call(lab, *_put_vm(lab, size="Standard_D4s_v5")).status == 201
    compute = "/subscriptions/{sub}/providers/Microsoft.Compute/locations/{where}/usages"
    network = "/subscriptions/{sub}/providers/Microsoft.Network/locations/{where}/usages"

    def used(path, where, version):
        answer = call(lab, "GET", path.replace("{where}", where), api_version=version)
        assert answer.status == 200, answer.body
        return {r["name"]["value"]: (r["currentValue"], r["limit"]) for r in answer.body["value"]}

    here = used(compute, "westeurope", "2024-07-01")
    assert here["cores"] == (4, 100) and here["standardDSv5Family"] == (4, 100)
    assert here["virtualMachines"] == (1, 25000) and here["standardBSFamily"] == (0, 100)
    assert used(network, "westeurope", "2024-05-01") == {
        "PublicIPAddresses": (1, 1000),
        "StandardSkuPublicIpAddresses": (1, 1000),
    }
    elsewhere = used(compute, "eastus", "2024-07-01")
    assert elsewhere["cores"] == (0, 100) and elsewhere["virtualMachines"] == (0, 25000)
    lab.quota_limits[("microsoft.compute", "cores")] = 6
    assert used(compute, "westeurope", "2024-07-01")["cores"] == (4, 6)

"""azure_swarm against the ARM emulator over HTTPS: the SDK's own requests transport, the
emulator's CA, the stand-in az (AzureCliCredential and the CLI's selected subscription).

Covers what the canned fake transport cannot: scale-set instances, zones, the OS build the
agent reports, the per-resource-group fallback when the subscription-wide power-state list is
forbidden, and tokens that ARM checks.
"""

import sys
from pathlib import Path

import pytest
from test_azure_swarm_plugin import parse  # noqa: F401 (the fixture)

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "fixtures" / "azure"))
from arm_emulator import ArmEmulator  # noqa: E402

GROUP = "swarm-lab"
TAGS = {"cluster": "classic-lab", "managed-by": "test"}


def _seed_vm(arm: ArmEmulator, name: str, role: str, image: dict, zone: str) -> None:
    rg = f"/subscriptions/{arm.subscription}/resourceGroups/{GROUP}"
    subnet = f"{rg}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/swarm"
    nic = arm.put(
        f"{rg}/providers/Microsoft.Network/networkInterfaces/{name}-nic",
        {
            "location": "westeurope",
            "properties": {
                "ipConfigurations": [
                    {"name": "ipconfig1", "properties": {"subnet": {"id": subnet}, "primary": True}}
                ]
            },
        },
        "2024-05-01",
    )
    arm.put(
        f"{rg}/providers/Microsoft.Compute/virtualMachines/{name}",
        {
            "location": "westeurope",
            "zones": [zone],
            "tags": {**TAGS, "swarm-role": role},
            "properties": {
                "hardwareProfile": {"vmSize": "Standard_D2s_v5"},
                "storageProfile": {"imageReference": image},
                "osProfile": {"computerName": name, "adminUsername": "swarmadmin"},
                "networkProfile": {"networkInterfaces": [{"id": nic["id"]}]},
            },
        },
    )


@pytest.fixture(scope="module")
def arm(tmp_path_factory):
    emulator = ArmEmulator(tmp_path_factory.mktemp("arm")).start()
    rg = f"/subscriptions/{emulator.subscription}/resourceGroups/{GROUP}"
    emulator.put(rg, {"location": "westeurope", "tags": TAGS}, "2021-04-01")
    emulator.put(
        f"{rg}/providers/Microsoft.Network/virtualNetworks/vnet",
        {
            "location": "westeurope",
            "properties": {
                "addressSpace": {"addressPrefixes": ["10.42.0.0/16"]},
                "subnets": [{"name": "swarm", "properties": {"addressPrefix": "10.42.1.0/24"}}],
            },
        },
        "2024-05-01",
    )
    windows = {
        "publisher": "MicrosoftWindowsServer",
        "offer": "WindowsServer",
        "sku": "2022-datacenter-azure-edition",
        "version": "latest",
    }
    ubuntu = {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"}
    _seed_vm(emulator, "win1", "manager", windows, "1")
    _seed_vm(emulator, "ubuntu1", "manager", ubuntu, "2")
    emulator.seed_scale_set(GROUP, "workers", 5, {**TAGS, "swarm-role": "worker"})
    yield emulator
    emulator.stop()


@pytest.fixture
def cli_signed_in(arm, monkeypatch):
    """The environment of a user signed in with `az login` who selected the emulator's subscription."""
    monkeypatch.setenv("PATH", f"{ArmEmulator.az_directory()}:{Path(sys.executable).parent}:/usr/bin:/bin")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(arm.ca_path))
    monkeypatch.setenv("ARM_EMULATOR_URL", arm.direct_url)
    monkeypatch.setenv("ARM_EMULATOR_SUBSCRIPTION", arm.subscription)
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    arm.forbidden.clear()
    return {
        "plugin": "mixedswarm.swarm.azure_swarm",
        "auth_source": "cli",
        "resource_manager_endpoint": arm.direct_url,
        "resource_groups": [GROUP],
        "tag_filters": {"cluster": "classic-lab"},
    }


def test_vms_and_scale_set_instances_with_zone_and_os_build(parse, arm, cli_signed_in):  # noqa: F811
    before = len(arm.requests)
    run = parse(cli_signed_in, real_transport=True, real_credential=True)
    workers = [f"workers_{i}" for i in range(5)]
    assert run.members("swarm_managers") == ["ubuntu1", "win1"]
    assert run.members("swarm_workers") == workers
    win1 = run.hostvars("win1")
    assert (win1["azure_os_name"], win1["azure_os_version"]) == (
        "Windows Server 2022 Datacenter Azure Edition",
        "10.0.20348.2340",
    )
    assert win1["azure_zone"] == "1" and run.hostvars("ubuntu1")["azure_zone"] == "2"
    instance = run.hostvars("workers_3")
    assert instance["azure_scale_set"] == "workers"
    assert instance["azure_tags"]["swarm-role"] == "worker"  # the scale set's tags
    assert instance["swarm_advertise_addr"] == "10.43.0.7"
    assert instance["azure_power_state"] == "running"
    # statuses 1 + (VMs, NICs, public IPs, scale sets) 4 + one scale set's 3 lists, each one page;
    # the subscription came from `az account show`, the token from `az account get-access-token`.
    paths = [path for _, path in arm.requests[before:] if path.startswith("/subscriptions/")]
    assert len(paths) == 8, paths
    assert sum("/virtualMachineScaleSets/workers/" in p for p in paths) == 3


def test_forbidden_subscription_wide_power_states_fall_back_per_group(parse, arm, cli_signed_in):  # noqa: F811
    arm.forbidden[
        f"/subscriptions/{arm.subscription}/providers/microsoft.compute/virtualmachines".lower()
    ] = 403
    run = parse(cli_signed_in, real_transport=True, real_credential=True)
    assert run.members("swarm_managers") == ["ubuntu1", "win1"]
    assert run.hostvars("win1")["azure_power_state"] == "running"
    assert run.hostvars("win1")["azure_os_version"] == "10.0.20348.2340"
    forbidden = [w for w in run.warnings if "HTTP 403" in w]
    assert len(forbidden) == 1 and "read per resource group" in forbidden[0]


def test_a_token_arm_did_not_issue_is_refused(parse, arm, cli_signed_in, monkeypatch):  # noqa: F811
    monkeypatch.setenv("ARM_EMULATOR_URL", "https://127.0.0.1:9")  # az cannot get a token
    with pytest.raises(Exception, match=r"cannot authenticate to Azure \(auth_source=cli\)"):
        parse(cli_signed_in, real_transport=True, real_credential=True)

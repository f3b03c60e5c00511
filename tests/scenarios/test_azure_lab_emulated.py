"""playbooks/azure_lab.yml through the real azure.azcollection modules against the ARM emulator.

One round trip per session: present, the azure_swarm inventory over what present made, present
again, absent. The modules and the SDK run unchanged; their HTTPS to management.azure.com and
login.microsoftonline.com reaches the emulator (tests/fixtures/azure/arm_emulator.py) through its
proxy port on 127.0.0.1, trusting its CA. The plugin reaches the same emulator as a custom cloud
(resource_manager_endpoint) with the stand-in az. Any request the emulator does not know fails
the round trip by name. Wall times are printed (docs/azure.md has them).
"""

import base64
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "fixtures" / "azure"))
from arm_emulator import ArmEmulator  # noqa: E402

BIN = Path(sys.executable).parent
ADMIN_CIDR = "198.51.100.7/32"
SUBNET = "10.42.1.0/24"
NODES = {"win1": "10.42.1.4", "win2": "10.42.1.5", "win3": "10.42.1.6", "ubuntu1": "10.42.1.7"}
SWARM_PORTS = {("Tcp", "2377"), ("Tcp", "7946"), ("Udp", "7946"), ("Udp", "4789")}


def _plain(value: dict):
    """ansible-inventory marks values from inventory sources as untrusted: {"__ansible_unsafe": v}."""
    return value["__ansible_unsafe"] if set(value) == {"__ansible_unsafe"} else value


class RoundTrip:
    """The emulator and what each step of the round trip left behind."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.pki = workdir / "pki"
        self.emulator = ArmEmulator(workdir / "arm").start()
        self.env = {
            **os.environ,
            **self.emulator.environment(),
            "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default",
            "AZURE_LAB_ADMIN_PASSWORD": "Emulated-Lab-Passw0rd",
            "AZURE_LAB_SSH_PUBLIC_KEY": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAmixedswarmemulatedlabkey admin@lab",
            "ARM_EMULATOR_SUBSCRIPTION": self.emulator.subscription,
            "PATH": os.pathsep.join([str(ArmEmulator.az_directory()), str(BIN), os.environ["PATH"]]),
        }
        self.steps: dict[str, dict] = {}

    def playbook(self, step: str, state: str, *extra: str, env: dict | None = None, succeeds=True) -> dict:
        before, writes_before = len(self.emulator.requests), len(self.emulator.writes)
        start = time.monotonic()
        result = subprocess.run(
            [
                str(BIN / "ansible-playbook"),
                "playbooks/azure_lab.yml",
                "-e",
                f"azure_lab_state={state}",
                "-e",
                f"azure_lab_admin_cidr={ADMIN_CIDR}",
                "-e",
                f"azure_lab_pki_dir={self.pki}",
                *[arg for var in extra for arg in ("-e", var)],
            ],
            cwd=REPO,
            env=env or self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        self.steps[step] = {
            "seconds": time.monotonic() - start,
            "requests": len(self.emulator.requests) - before,
            "writes": self.emulator.writes[writes_before:],
            "result": result,
            "recap": result.stdout.split("PLAY RECAP", 1)[-1],
            "store": json.loads(json.dumps(self.emulator.store.resources)),
            "groups": json.loads(json.dumps(self.emulator.store.groups)),
        }
        assert (result.returncode == 0) == succeeds, result.stdout[-6000:] + result.stderr[-3000:]
        assert self.emulator.unknown == [], f"requests the emulator does not know: {self.emulator.unknown}"
        return self.steps[step]

    def inventory(self) -> dict:
        """The shipped inventory file as shipped, for a user who ran `az login` and nothing else."""
        signed_out = ("AZURE_SUBSCRIPTION_ID", "AZURE_CLIENT_ID", "AZURE_SECRET", "AZURE_TENANT")
        env = {k: v for k, v in self.env.items() if k not in signed_out}
        # DefaultAzureCredential asks IMDS for a managed identity before the CLI: nothing listens here.
        env["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = "http://127.0.0.1:9"
        result = subprocess.run(
            [
                str(BIN / "ansible-inventory"),
                "-i",
                "inventory/classic_lab.azure_swarm.yml",
                "--list",
                "--export",
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout, object_hook=_plain)

    def of_type(self, store: dict, kind: str) -> dict:
        return {doc["name"]: doc for doc in store.values() if doc["type"] == kind}


FULL_QUOTA = {
    ("microsoft.compute", "cores"): 8,
    ("microsoft.compute", "virtualMachines"): 4,
    ("microsoft.compute", "standardDSv5Family"): 6,
    ("microsoft.compute", "standardBSFamily"): 2,
    ("microsoft.network", "PublicIPAddresses"): 4,
    ("microsoft.network", "StandardSkuPublicIpAddresses"): 4,
}


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    trip = RoundTrip(tmp_path_factory.mktemp("azure-lab"))
    trip.playbook("present", "present")
    trip.pinned = (trip.pki / "winrm-pinned.pem").read_text()
    trip.listed = trip.inventory()
    # The service principal under azure-identity's names this time (the inventory plugin's).
    identity_names = {k: v for k, v in trip.env.items() if k not in ("AZURE_SECRET", "AZURE_TENANT")}
    identity_names.update(
        AZURE_CLIENT_SECRET=trip.env["AZURE_SECRET"], AZURE_TENANT_ID=trip.env["AZURE_TENANT"]
    )
    # The quota at exactly what the lab uses (3 D2s_v5 + 1 B2s, 4 IPs): the VMs and IPs that exist
    # take no new quota, so the second run still passes the quota check.
    trip.emulator.quota_limits.update(FULL_QUOTA)
    trip.playbook("present again", "present", env=identity_names)
    trip.playbook("absent", "absent")
    yield trip
    trip.emulator.stop()
    for step, data in trip.steps.items():
        recap = data["recap"].split("localhost", 1)[-1].split()
        print(
            f"azure_lab.yml {step}: {data['seconds']:.1f} s, {data['requests']} requests, {' '.join(recap[1:3])}"
        )


def test_network_is_what_the_docs_promise(round_trip):
    store = round_trip.steps["present"]["store"]
    vnet = round_trip.of_type(store, "Microsoft.Network/virtualNetworks")["classic-lab-vnet"]
    assert vnet["properties"]["addressSpace"]["addressPrefixes"] == ["10.42.0.0/16"]
    subnet = round_trip.of_type(store, "Microsoft.Network/virtualNetworks/subnets")["swarm"]
    assert subnet["properties"]["addressPrefix"] == SUBNET
    assert subnet["properties"]["networkSecurityGroup"]["id"].endswith(
        "/networkSecurityGroups/classic-lab-nsg"
    )
    nics = round_trip.of_type(store, "Microsoft.Network/networkInterfaces")
    addresses = {
        name.removesuffix("-nic"): nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]
        for name, nic in nics.items()
    }
    assert addresses == NODES


def test_security_rules_open_swarm_ports_inside_the_subnet_and_admin_ports_to_the_admin_only(round_trip):
    store = round_trip.steps["present"]["store"]
    rules = [
        r["properties"]
        for r in round_trip.of_type(store, "Microsoft.Network/networkSecurityGroups/securityRules").values()
    ]
    allowed = {(r["protocol"], r["destinationPortRange"]): r for r in rules if r["access"] == "Allow"}
    denied = {(r["protocol"], r["destinationPortRange"]): r for r in rules if r["access"] == "Deny"}
    for port in SWARM_PORTS:
        assert allowed[port]["sourceAddressPrefix"] == SUBNET
        assert allowed[port]["destinationAddressPrefix"] == SUBNET
        assert denied[port]["sourceAddressPrefix"] == "*"
        assert allowed[port]["priority"] < denied[port]["priority"] < 65000  # before AllowVnetInBound
    assert allowed[("Tcp", "22")]["sourceAddressPrefix"] == ADMIN_CIDR
    assert allowed[("Tcp", "5986")]["sourceAddressPrefix"] == ADMIN_CIDR
    assert len(rules) == 10
    assert all(r["direction"] == "Inbound" for r in rules)


def test_vms_images_tags_and_winrm_extension(round_trip):
    store = round_trip.steps["present"]["store"]
    vms = round_trip.of_type(store, "Microsoft.Compute/virtualMachines")
    assert sorted(vms) == sorted(NODES)
    for name, vm in vms.items():
        image = vm["properties"]["storageProfile"]["imageReference"]
        tags = vm["tags"]
        assert tags["cluster"] == "classic-lab" and tags["managed-by"] == "mixedswarm-azure-lab"
        assert tags["swarm-role"] == ("manager" if name in ("win1", "ubuntu1") else "worker")
        if name.startswith("win"):
            assert (image["offer"], image["sku"]) == ("WindowsServer", "2022-datacenter-azure-edition")
            assert vm["properties"]["storageProfile"]["osDisk"]["osType"] == "Windows"
        else:
            assert (image["offer"], image["sku"]) == ("ubuntu-24_04-lts", "server")
            assert (
                vm["properties"]["osProfile"]["linuxConfiguration"]["disablePasswordAuthentication"] is True
            )
    extensions = [
        doc for doc in store.values() if doc["type"] == "Microsoft.Compute/virtualMachines/extensions"
    ]
    assert sorted(e["id"].split("/")[-3] for e in extensions) == ["win1", "win2", "win3"]
    for extension in extensions:
        assert extension["properties"]["type"] == "CustomScriptExtension"
        assert "protectedSettings" not in extension["properties"]  # Azure never returns it


def test_secrets_travel_only_where_azure_hides_them(round_trip):
    writes = [(path, body) for _, path, body in round_trip.emulator.writes]
    for path, body in writes:
        if path.endswith("/extensions/enable-winrm-https"):
            command = body["properties"]["protectedSettings"]["commandToExecute"]
            script = base64.b64decode(command.split("-EncodedCommand")[1].split()[0]).decode("utf-16-le")
            assert "New-Item -Path WSMan:" in script or "winrm" in script.lower()
            assert "commandToExecute" not in json.dumps(body["properties"].get("settings") or {})
        # Nothing in customData (Azure: it must hold no secrets, and cannot change after creation).
        assert "customData" not in json.dumps(body), path
    output = "".join(s["result"].stdout + s["result"].stderr for s in round_trip.steps.values())
    assert "Emulated-Lab-Passw0rd" not in output


def test_inventory_lists_exactly_the_lab_in_the_contract_groups(round_trip):
    listed = round_trip.listed
    store = round_trip.steps["present"]["store"]
    assert sorted(listed["swarm_managers"]["hosts"]) == ["ubuntu1", "win1"]
    assert sorted(listed["swarm_workers"]["hosts"]) == ["win2", "win3"]
    assert sorted(listed["windows"]["hosts"]) == ["win1", "win2", "win3"]
    assert sorted(listed["linux"]["hosts"]) == ["ubuntu1"]
    hostvars = listed["_meta"]["hostvars"]
    public = {
        name.removesuffix("-pip"): pip["properties"]["ipAddress"]
        for name, pip in round_trip.of_type(store, "Microsoft.Network/publicIPAddresses").items()
    }
    for name, private in NODES.items():
        assert hostvars[name]["ansible_host"] == public[name]  # the shipped config asks for public IPs
        assert hostvars[name]["swarm_advertise_addr"] == private
    assert hostvars["win1"]["azure_os_version"] == "10.0.20348.2340"
    assert hostvars["ubuntu1"]["azure_os_name"] == "ubuntu"
    windows = listed["windows"]["vars"]
    assert (windows["ansible_connection"], windows["ansible_port"], windows["ansible_winrm_scheme"]) == (
        "winrm",
        5986,
        "https",
    )


def test_present_again_changes_nothing(round_trip):
    again = round_trip.steps["present again"]
    assert "changed=0" in again["recap"], again["recap"]
    assert [(method, path) for method, path, _ in again["writes"]] == []  # not one PUT or PATCH


def test_absent_leaves_nothing(round_trip):
    assert round_trip.emulator.store.is_empty()
    assert not round_trip.pki.exists()


def test_closing_message_says_what_to_run_next(round_trip):
    said = round_trip.steps["present"]["result"].stdout
    assert f"export AZURE_SUBSCRIPTION_ID={round_trip.emulator.subscription}" in said
    assert "ansible-playbook -i inventory/classic_lab.azure_swarm.yml site.yml" in said


def test_resource_group_is_marked_as_created_by_the_lab(round_trip):
    group = round_trip.steps["present"]["groups"]["swarm-lab"]
    assert group["tags"]["mixedswarm-lab-created"]  # the creation time, written once
    again = round_trip.steps["present again"]["groups"]["swarm-lab"]
    assert again["tags"] == group["tags"]


@pytest.fixture(scope="module")
def foreign_group(tmp_path_factory):
    """A group the user made (tagged as an earlier version of the lab left an adopted group), holding a VNet."""
    trip = RoundTrip(tmp_path_factory.mktemp("azure-foreign"))
    rg = f"/subscriptions/{trip.emulator.subscription}/resourceGroups/team-rg"
    trip.emulator.put(
        rg,
        {"location": "westeurope", "tags": {"managed-by": "mixedswarm-azure-lab", "cluster": "classic-lab"}},
        "2021-04-01",
    )
    trip.emulator.put(
        f"{rg}/providers/Microsoft.Network/virtualNetworks/team-vnet",
        {"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}}},
        "2024-05-01",
    )
    trip.seeded = json.loads(json.dumps(trip.emulator.store.resources))
    trip.playbook("present", "present", "azure_lab_resource_group=team-rg", succeeds=False)
    trip.playbook("absent", "absent", "azure_lab_resource_group=team-rg", succeeds=False)
    yield trip
    trip.emulator.stop()


def test_a_group_the_lab_did_not_create_is_refused_before_any_write(foreign_group):
    present = foreign_group.steps["present"]
    assert present["writes"] == []  # not one PUT or PATCH
    assert "Refuse a resource group that the lab did not create" in present["result"].stdout
    assert "-e azure_lab_resource_group=" in present["result"].stdout  # how to choose another name


def test_absent_deletes_nothing_in_a_group_the_lab_did_not_create(foreign_group):
    absent = foreign_group.steps["absent"]
    assert "Refuse to delete a resource group the lab did not create" in absent["result"].stdout
    assert "team-rg" in foreign_group.emulator.store.groups
    assert foreign_group.emulator.store.resources == foreign_group.seeded
    assert not [a for a in foreign_group.emulator.answers if a[0] == "DELETE"]


def test_winrm_trusts_exactly_the_certificates_the_vms_made(round_trip):
    """The listener script printed each VM's certificate (the emulator's agent stand-in made it,
    keeping its key); the lab pinned those and no other, and holds no private key."""
    made = sorted(
        doc["_stdout"] for doc in round_trip.steps["present"]["store"].values() if doc.get("_stdout")
    )
    assert len(made) == 3
    pinned = sorted(
        "-----BEGIN CERTIFICATE-----"
        + part.split("-----END CERTIFICATE-----")[0]
        + "-----END CERTIFICATE-----"
        for part in round_trip.pinned.split("-----BEGIN CERTIFICATE-----")[1:]
    )
    assert pinned == made
    assert "PRIVATE KEY" not in round_trip.pinned
    assert (
        "WINRM_CA_TRUST_PATH=" + str(round_trip.pki / "winrm-pinned.pem")
        in round_trip.steps["present"]["result"].stdout
    )


def test_sizes_the_location_lacks_or_that_cannot_boot_the_image_are_refused_before_any_write(tmp_path):
    """A size not offered (Windows) and a Generation 1 size for the Generation 2 Ubuntu image (Linux):
    ARM refuses both only at VM creation, after the network; the lab names both before any write."""
    trip = RoundTrip(tmp_path)
    try:
        sizes = json.dumps({"azure_lab_vm_size": {"windows": "Standard_D2_nope", "linux": "Standard_A2_v2"}})
        present = trip.playbook("bad sizes", "present", sizes, succeeds=False)
        assert present["writes"] == []  # not one PUT or PATCH
        message = " ".join(present["result"].stdout.split())
        assert "azure_lab_vm_size.windows=Standard_D2_nope is not offered in westeurope" in message
        assert "sizes there: Standard_A2_v2, Standard_B2s, Standard_D2s_v5, Standard_D4s_v5" in message
        assert (
            "azure_lab_vm_size.linux=Standard_A2_v2 boots Hyper-V generation V1 only, but azure_lab_image.linux"
            " Canonical:ubuntu-24_04-lts:server:latest is a generation V2 image; choose a size that supports V2"
            " (e.g. Standard_B2s)" in message
        )
        assert "Nothing was created or changed." in message
    finally:
        trip.emulator.stop()


def test_a_quota_without_room_is_refused_before_any_write_and_a_full_one_passes_a_rerun(round_trip, tmp_path):
    """Three D2s_v5 need 6 DSv5 vCPUs and four nodes 4 Standard IPs: with 4 vCPUs and 3 IPs left,
    ARM would refuse the VMs and the last IP after the network; the lab names both rows first. The
    round trip's second run passed with every row at exactly what the lab uses."""
    assert round_trip.steps["present again"]["result"].returncode == 0
    trip = RoundTrip(tmp_path)
    try:
        trip.emulator.quota_limits[("microsoft.compute", "standardDSv5Family")] = 4
        trip.emulator.quota_limits[("microsoft.network", "StandardSkuPublicIpAddresses")] = 3
        present = trip.playbook("no quota", "present", succeeds=False)
        assert present["writes"] == []
        message = " ".join(present["result"].stdout.split())
        assert (
            "the quota Standard DSv5 Family vCPUs (standardDSv5Family) in westeurope has 4 of 4 free, and the lab"
            " needs 6 more; the quota Public IP Addresses - Standard (StandardSkuPublicIpAddresses) in westeurope"
            " has 3 of 3 free, and the lab needs 4 more. Nothing was created or changed." in message
        )
        assert "az vm list-usage --location westeurope" in message
    finally:
        trip.emulator.stop()

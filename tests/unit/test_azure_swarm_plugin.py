"""azure_swarm inventory plugin driven through the real Azure SDK clients and a fake ARM transport.

The plugin is loaded by Ansible's own plugin loader and parses into a real InventoryData. Only
two things are replaced, on the plugin instance: the HTTP transport given to both SDK clients
(`transport=`) and, where the test is not about credentials, the credential. Everything between
(paging, retries, deserialisation, error mapping) is the SDK's own code.
"""

import importlib
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from ansible.errors import AnsibleError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from ansible_collections.mixedswarm.swarm.plugins.module_utils._azure.inventory import WINRM_DEFAULTS

REPO = Path(__file__).resolve().parents[2]
AZURE_FIXTURES = REPO / "tests" / "fixtures" / "azure"
# The fake ARM lives beside the JSON it serves; the sitecustomize below imports it by name too.
sys.path.insert(0, str(AZURE_FIXTURES))
fake_arm = importlib.import_module("fake_arm")
CLASSIC_LAB = fake_arm.CLASSIC_LAB
FakeArmTransport = fake_arm.FakeArmTransport
FakeCredential = fake_arm.FakeCredential
arm_error = fake_arm.arm_error
load_subscription = fake_arm.load_subscription
scaled_subscription = fake_arm.scaled_subscription


LAB_CONFIG = {
    "plugin": "mixedswarm.swarm.azure_swarm",
    "subscription_id": load_subscription()["subscription_id"],
    "resource_groups": ["swarm-lab"],
    "tag_filters": {"cluster": "classic-lab"},
}


class Run:
    """One parse of a config through the plugin: inventory, transport, credential and warnings."""

    def __init__(self, inventory, transport, credential, warnings):
        self.inventory = inventory
        self.transport = transport
        self.credential = credential
        self.warnings = warnings

    def members(self, group):
        return sorted(h.name for h in self.inventory.groups[group].get_hosts())

    def hostvars(self, host):
        return self.inventory.get_host(host).get_vars()


@pytest.fixture
def parse(tmp_path, monkeypatch):
    """parse(config, transport=..., credential=..., real_credential=False, cache=False) -> Run."""

    def run(
        config,
        transport=None,
        credential=None,
        real_credential=False,
        cache=False,
        inventory=None,
        real_transport=False,
    ):
        path = tmp_path / "test.azure_swarm.yml"
        path.write_text(json.dumps(config))
        transport = transport or FakeArmTransport(load_subscription(), page_size=2)
        credential = credential or FakeCredential()
        plugin = inventory_loader.get("mixedswarm.swarm.azure_swarm")
        if not real_transport:
            plugin._sdk_options = lambda: {"transport": transport}
        if not real_credential:
            plugin._credential = lambda authority: credential
        warnings = []
        monkeypatch.setattr(plugin.display, "warning", lambda msg, *a, **k: warnings.append(msg))
        inventory = inventory or InventoryData()
        plugin.parse(inventory, DataLoader(), str(path), cache=cache)
        if plugin.get_option("cache"):
            plugin.update_cache_if_changed()  # as Ansible's InventoryManager does after each parse
        return Run(inventory, transport, credential, warnings)

    return run


def test_classic_lab_groups_follow_the_contract(parse):
    run = parse(LAB_CONFIG)
    assert run.members("swarm_managers") == ["ubuntu1", "win1"]
    assert run.members("swarm_workers") == ["win2"]
    assert sorted(g.name for g in run.inventory.groups["swarm"].child_groups) == [
        "swarm_managers",
        "swarm_workers",
    ]
    assert run.members("windows") == ["win1", "win2"]
    assert run.members("linux") == ["ubuntu1"]
    # other cluster (tag filter), no swarm role, stopped, deallocated, failed and NIC-less VMs are
    # not hosts: every stage targets only these groups
    assert sorted(run.inventory.hosts) == ["ubuntu1", "win1", "win2"]


def test_skipped_and_untagged_vms_are_named_in_warnings(parse):
    warnings = parse(LAB_CONFIG).warnings
    assert "azure_swarm: VM win-failed skipped: provisioning state Failed" in warnings
    assert "azure_swarm: VM ubuntu-nonic skipped: no network interface found" in warnings
    assert "azure_swarm: VM ubuntu-untagged skipped: it is not a swarm node (no 'swarm-role' tag)" in warnings
    assert len(warnings) == 3


def test_host_vars_join_vm_nics_and_public_ips(parse):
    run = parse(LAB_CONFIG)
    win1 = run.hostvars("win1")
    assert win1["ansible_host"] == "10.42.1.4"
    assert win1["azure_private_ips"] == ["10.42.1.4"]
    assert win1["azure_public_ips"] == ["20.61.10.11"]
    assert win1["azure_fqdn"] == "classic-win1.westeurope.cloudapp.azure.com"
    assert win1["azure_location"] == "westeurope"
    assert win1["azure_vm_size"] == "Standard_D2s_v5"
    assert win1["azure_resource_group"] == "swarm-lab"
    assert win1["azure_os"] == "windows"
    assert win1["azure_power_state"] == "running"
    assert win1["azure_computer_name"] == "win1"
    assert win1["azure_tags"]["cluster"] == "classic-lab"
    assert win1["swarm_labels"] == {"zone": "a"}
    assert win1["swarm_advertise_addr"] == "10.42.1.4"
    # Two NICs, the primary one listed second by the VM: its addresses come first.
    win2 = run.hostvars("win2")
    assert win2["azure_private_ips"] == ["10.42.1.5", "10.42.2.5", "10.42.2.6"]
    assert win2["azure_public_ips"] == ["20.61.10.12"]
    # No public IP; its NIC lives in another resource group, found by listing that group.
    ubuntu1 = run.hostvars("ubuntu1")
    assert ubuntu1["azure_private_ips"] == ["10.42.1.7"]
    assert ubuntu1["azure_public_ips"] == []
    assert ubuntu1["azure_fqdn"] is None
    assert ubuntu1["azure_os"] == "linux"
    assert "swarm_labels" not in ubuntu1


def test_windows_hosts_get_winrm_https_defaults_as_group_vars(parse):
    run = parse(LAB_CONFIG)
    assert run.inventory.groups["windows"].get_vars() == WINRM_DEFAULTS
    assert run.inventory.groups["linux"].get_vars() == {}
    # host vars would outrank group_vars files; the connection vars must not be there
    assert "ansible_connection" not in run.hostvars("win1")


def test_winrm_defaults_never_replace_values_an_earlier_source_set(parse):
    inventory = InventoryData()
    inventory.add_group("windows")
    inventory.set_variable("windows", "ansible_winrm_server_cert_validation", "ignore")
    run = parse(LAB_CONFIG, inventory=inventory)
    assert run.inventory.groups["windows"].get_vars()["ansible_winrm_server_cert_validation"] == "ignore"
    assert run.inventory.groups["windows"].get_vars()["ansible_port"] == 5986


def test_public_address_on_request_falls_back_to_private_with_warning(parse):
    run = parse({**LAB_CONFIG, "ansible_host_source": "public_ip"})
    assert run.hostvars("win1")["ansible_host"] == "20.61.10.11"
    assert run.hostvars("ubuntu1")["ansible_host"] == "10.42.1.7"
    assert "azure_swarm: VM ubuntu1: no public ip; ansible_host is its private IP" in run.warnings
    run = parse({**LAB_CONFIG, "ansible_host_source": "fqdn"})
    assert run.hostvars("win2")["ansible_host"] == "classic-win2.westeurope.cloudapp.azure.com"


def test_stopped_and_deallocated_vms_on_request_with_power_state(parse):
    run = parse({**LAB_CONFIG, "include_stopped": True})
    assert run.hostvars("win3")["azure_power_state"] == "deallocated"
    assert run.hostvars("win3")["azure_public_ips"] == []  # a Basic dynamic IP is released
    assert run.hostvars("ubuntu2")["azure_power_state"] == "stopped"
    assert run.members("swarm_workers") == ["ubuntu2", "win2", "win3"]  # role tag value 'Worker'


def test_request_count_for_the_classic_lab(parse):
    run = parse(LAB_CONFIG)
    paths = [
        url.split("?")[0].split("/subscriptions/")[1].split("/", 1)[1] for _, url in run.transport.requests
    ]
    # page size 2: statuses 9 items (5 pages), swarm-lab VMs 8 (4), NICs 7 (4), public IPs 3 (2),
    # scale sets 0 (1), and the NIC list of swarm-lab-net where ubuntu1's interface lives (1)
    assert paths.count("providers/Microsoft.Compute/virtualMachines") == 5
    assert paths.count("resourceGroups/swarm-lab/providers/Microsoft.Compute/virtualMachines") == 4
    assert paths.count("resourceGroups/swarm-lab/providers/Microsoft.Network/networkInterfaces") == 4
    assert paths.count("resourceGroups/swarm-lab/providers/Microsoft.Network/publicIPAddresses") == 2
    assert paths.count("resourceGroups/swarm-lab/providers/Microsoft.Compute/virtualMachineScaleSets") == 1
    assert paths.count("resourceGroups/swarm-lab-net/providers/Microsoft.Network/networkInterfaces") == 1
    assert len(paths) == 17
    assert all(method == "GET" for method, _ in run.transport.requests)


@pytest.mark.parametrize("vm_count", [10, 100, 400])
def test_request_count_does_not_grow_with_vms_within_a_page(parse, vm_count):
    groups = 5
    subscription = scaled_subscription(vm_count, groups)
    config = {**LAB_CONFIG, "resource_groups": subscription["resource_groups"]}
    run = parse(config, transport=FakeArmTransport(subscription, page_size=1000))
    assert len(run.inventory.hosts) == vm_count
    assert len(run.transport.requests) == 1 + groups * 4


def test_request_count_grows_with_pages(parse):
    vm_count, groups, page = 400, 5, 30
    subscription = scaled_subscription(vm_count, groups)
    config = {**LAB_CONFIG, "resource_groups": subscription["resource_groups"]}
    run = parse(config, transport=FakeArmTransport(subscription, page_size=page))
    per_group = vm_count // groups  # half Windows with a public IP, half Ubuntu without
    expected = math.ceil(vm_count / page) + groups * (
        2 * math.ceil(per_group / page) + math.ceil(per_group / 2 / page) + 1
    )
    assert len(run.transport.requests) == expected
    assert len(run.inventory.hosts) == vm_count


def test_whole_subscription_is_five_listings(parse):
    config = {k: v for k, v in LAB_CONFIG.items() if k != "resource_groups"}
    run = parse(config, transport=FakeArmTransport(load_subscription(), page_size=100))
    assert len(run.transport.requests) == 5
    assert sorted(run.inventory.hosts) == ["ubuntu1", "win1", "win2"]


def test_throttling_is_retried_honouring_retry_after(parse):
    busy = (429, {"Retry-After": "7"}, arm_error("TooManyRequests", "Rate limit exceeded"))
    transport = FakeArmTransport(load_subscription(), page_size=2, faults=[busy])
    run = parse(LAB_CONFIG, transport=transport)
    assert transport.sleeps == [7.0]
    assert len(transport.requests) == 18  # the 17 of the classic lab, plus the retried one
    assert run.members("swarm_managers") == ["ubuntu1", "win1"]


def test_transient_server_errors_are_retried(parse):
    unavailable = (503, {}, arm_error("ServiceUnavailable", "try again"))
    transport = FakeArmTransport(load_subscription(), page_size=2, faults=[unavailable, unavailable])
    run = parse(LAB_CONFIG, transport=transport)
    assert len(transport.requests) == 19  # two 503 answers, each retried
    assert transport.sleeps  # exponential backoff, asked of the transport (the first retry is immediate)
    assert run.members("swarm_workers") == ["win2"]


def test_credential_failure_is_one_clear_error_and_no_request(parse):
    credential = FakeCredential(fail="AADSTS7000215: Invalid client secret provided.")
    transport = FakeArmTransport(load_subscription())
    with pytest.raises(AnsibleError) as error:
        parse(LAB_CONFIG, transport=transport, credential=credential)
    message = str(error.value)
    assert message.startswith("azure_swarm: cannot authenticate to Azure (auth_source=auto): AADSTS7000215")
    assert "az login" in message
    assert error.value.__cause__ is None
    assert transport.requests == []
    assert len(credential.scopes) == 1  # tried once, not once per parallel request


def test_service_principal_without_environment_fails_clearly(parse, monkeypatch):
    for name in (
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_CERTIFICATE_PATH",
    ):
        monkeypatch.delenv(name, raising=False)
    transport = FakeArmTransport(load_subscription())
    with pytest.raises(
        AnsibleError, match=r"auth_source=env\): EnvironmentCredential authentication unavailable"
    ):
        parse({**LAB_CONFIG, "auth_source": "env"}, transport=transport, real_credential=True)
    assert transport.requests == []


def test_rejected_token_is_an_authentication_error(parse):
    expired = (401, {}, arm_error("ExpiredAuthenticationToken", "The access token expiry has passed."))
    transport = FakeArmTransport(load_subscription(), faults=[expired])
    with pytest.raises(AnsibleError, match=r"refused the token \(HTTP 401, auth_source=auto\)"):
        parse(LAB_CONFIG, transport=transport)


def test_missing_subscription_is_one_clear_error(parse, monkeypatch):
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    config = {k: v for k, v in LAB_CONFIG.items() if k != "subscription_id"}
    with pytest.raises(AnsibleError, match=r"no subscription: set subscription_id .* AZURE_SUBSCRIPTION_ID"):
        parse(config)


def test_subscription_from_environment(parse, monkeypatch):
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", LAB_CONFIG["subscription_id"])
    config = {k: v for k, v in LAB_CONFIG.items() if k != "subscription_id"}
    assert parse(config).members("windows") == ["win1", "win2"]


def test_unknown_subscription_and_resource_group_are_named(parse):
    with pytest.raises(AnsibleError, match=r"SubscriptionNotFound.*'11111111-"):
        parse({**LAB_CONFIG, "subscription_id": "11111111-2222-3333-4444-555555555555"})
    with pytest.raises(AnsibleError, match=r"ResourceGroupNotFound.*'swarm-typo'"):
        parse({**LAB_CONFIG, "resource_groups": ["swarm-lab", "swarm-typo"]})


def test_forbidden_is_reported_with_its_status(parse):
    forbidden = (403, {}, arm_error("AuthorizationFailed", "The client does not have authorization"))
    whole_subscription = {k: v for k, v in LAB_CONFIG.items() if k != "resource_groups"}
    with pytest.raises(AnsibleError, match=r"refused a request \(HTTP 403\): \(AuthorizationFailed\)"):
        parse(whole_subscription, transport=FakeArmTransport(load_subscription(), faults=[forbidden]))


def test_forbidden_power_states_are_read_per_resource_group(parse):
    """Reader on the resource group only: the subscription-wide status list answers 403."""
    forbidden = (403, {}, arm_error("AuthorizationFailed", "The client does not have authorization"))
    transport = FakeArmTransport(load_subscription(), page_size=100, faults=[forbidden])
    run = parse(LAB_CONFIG, transport=transport)
    assert run.members("swarm_managers") == ["ubuntu1", "win1"]
    assert run.hostvars("win1")["azure_power_state"] == "running"
    assert [w for w in run.warnings if "HTTP 403" in w] == [run.warnings[0]]
    # each VM in the tag filter's view on its own: the contract allows $expand only with a $filter
    assert not any("$expand=instanceView" in unquote(url) for _, url in transport.requests)
    views = sorted(
        unquote(url).split("?")[0].split("/")[-2] for _, url in transport.requests if "/instanceView?" in url
    )
    assert views == sorted(
        v["name"] for v in load_subscription()["vms"] if v.get("tags", {}).get("cluster") == "classic-lab"
    )


@pytest.mark.parametrize(
    ("settings", "host", "scope"),
    [
        ({}, "management.azure.com", "https://management.azure.com/.default"),
        (
            {"cloud": "AzureChinaCloud"},
            "management.chinacloudapi.cn",
            "https://management.chinacloudapi.cn/.default",
        ),
        (
            {"cloud": "AzureUSGovernment"},
            "management.usgovcloudapi.net",
            "https://management.core.usgovcloudapi.net/.default",
        ),
        (
            {"resource_manager_endpoint": "https://management.local.azurestack.external/"},
            "management.local.azurestack.external",
            "https://management.local.azurestack.external/.default",
        ),
    ],
)
def test_cloud_decides_endpoint_and_token_scope(parse, settings, host, scope):
    run = parse({**LAB_CONFIG, **settings})
    assert {url.split("/")[2] for _, url in run.transport.requests} == {host}
    assert set(run.credential.scopes) == {(scope,)}


def test_cache_serves_the_second_run_without_requests(parse, tmp_path):
    config = {
        **LAB_CONFIG,
        "cache": True,
        "cache_plugin": "jsonfile",
        "cache_connection": str(tmp_path / "cache"),
    }
    first = parse(config, cache=True)
    assert len(first.transport.requests) == 17
    second = parse(config, cache=True)
    assert second.transport.requests == []
    assert sorted(second.inventory.hosts) == sorted(first.inventory.hosts)
    assert second.hostvars("win2")["azure_private_ips"] == ["10.42.1.5", "10.42.2.5", "10.42.2.6"]
    refreshed = parse(config, cache=False)  # --flush-cache
    assert len(refreshed.transport.requests) == 17


def test_constructed_groups_keyed_groups_and_compose(parse):
    config = {
        **LAB_CONFIG,
        "compose": {"swarm_node_os": "azure_os | upper"},
        "groups": {"with_public_ip": "azure_public_ips | length > 0"},
        "keyed_groups": [{"key": "azure_vm_size", "prefix": "size"}],
    }
    run = parse(config)
    assert run.hostvars("win1")["swarm_node_os"] == "WINDOWS"
    assert run.members("with_public_ip") == ["win1", "win2"]
    assert run.members("size_Standard_D2s_v5") == ["win1", "win2"]
    assert run.members("size_Standard_B2s") == ["ubuntu1"]


def test_strict_constructed_expressions_fail_on_unknown_vars(parse):
    with pytest.raises(AnsibleError):
        parse({**LAB_CONFIG, "strict": True, "compose": {"x": "no_such_var + 1"}})


# The real ansible-inventory command ---------------------------------------------------------------
# A sitecustomize module, on PYTHONPATH only in these tests, swaps azure-core's default transport
# and DefaultAzureCredential for the fakes; the CLI, ansible.cfg, the shipped config, the plugin
# and the SDK run as users run them. Nothing in the plugin knows about it.
def ansible_inventory(*args, cwd=REPO):
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "PYTHONPATH": os.pathsep.join([str(AZURE_FIXTURES / "sitecustomize"), str(AZURE_FIXTURES)]),
        "AZURE_SWARM_FAKE_ARM": str(CLASSIC_LAB),
        "AZURE_SWARM_FAKE_PAGE_SIZE": "2",
        "AZURE_SUBSCRIPTION_ID": LAB_CONFIG["subscription_id"],
    }
    binary = Path(sys.executable).parent / "ansible-inventory"
    return subprocess.run([str(binary), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)


def test_ansible_inventory_graph_with_the_shipped_config():
    result = ansible_inventory("-i", "inventory/classic_lab.azure_swarm.yml", "--graph")
    assert result.returncode == 0, result.stderr
    graph = result.stdout
    assert "|--@swarm:\n  |  |--@swarm_managers:\n  |  |  |--ubuntu1\n  |  |  |--win1\n" in graph
    assert "  |  |--@swarm_workers:\n  |  |  |--win2\n" in graph
    assert "  |--@windows:\n  |  |--win1\n  |  |--win2\n" in graph
    assert "fake-arm requests: 17" in result.stderr


def test_ansible_inventory_host_vars_and_group_vars_override(tmp_path):
    config = tmp_path / "lab.azure_swarm.yml"
    config.write_text((REPO / "inventory" / "classic_lab.azure_swarm.yml").read_text())
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars" / "windows.yml").write_text("ansible_winrm_server_cert_validation: ignore\n")
    result = ansible_inventory("-i", str(config), "--host", "win1")
    assert result.returncode == 0, result.stderr
    win1 = json.loads(result.stdout)
    assert win1["ansible_winrm_server_cert_validation"] == "ignore"  # group_vars/windows.yml wins
    assert win1["ansible_connection"] == "winrm"
    assert win1["ansible_port"] == 5986
    assert win1["ansible_host"] == "20.61.10.11"  # the shipped config asks for public IPs

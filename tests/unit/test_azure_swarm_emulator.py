"""azure_swarm against the ARM emulator over HTTPS: the SDK's own requests transport, the
emulator's CA, the stand-in az (AzureCliCredential and the CLI's selected subscription).

Covers what the canned fake transport cannot: scale-set instances, zones, the OS build the
agent reports, the per-resource-group fallback when the subscription-wide power-state list is
forbidden, and tokens that ARM checks.
"""

import socket
import sys
from pathlib import Path
from types import SimpleNamespace

import certifi
import pytest
from azure.core.credentials import AccessToken
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
    before = len(arm.answers)
    run = parse(cli_signed_in, real_transport=True, real_credential=True)
    assert run.members("swarm_managers") == ["ubuntu1", "win1"]
    assert run.hostvars("win1")["azure_power_state"] == "running"
    assert run.hostvars("win1")["azure_os_version"] == "10.0.20348.2340"
    forbidden = [w for w in run.warnings if "HTTP 403" in w]
    assert len(forbidden) == 1 and "read per VM" in forbidden[0]
    # Only calls the published contract allows: each VM's own instanceView (the group's VM list
    # with $expand=instanceView and no $filter is refused by the emulator, as the spec says).
    answered = arm.answers[before:]
    assert all(status < 400 for _, path, status in answered if "/resourcegroups/" in path.lower())
    views = sorted(path.split("/")[-2] for _, path, _ in answered if path.endswith("/instanceView"))
    assert views == ["ubuntu1", "win1"]


def test_listing_vms_with_instance_views_needs_a_filter(arm, cli_signed_in):
    rg = f"/subscriptions/{arm.subscription}/resourceGroups/{GROUP}/providers/Microsoft.Compute/virtualMachines"
    token = {"authorization": "Bearer " + arm.issue_token("t")["access_token"]}
    refused = arm.answer("GET", f"{rg}?api-version=2024-07-01&$expand=instanceView", token, b"")
    assert refused.status == 400 and "$filter" in refused.body["error"]["message"]
    assert arm.answer("GET", f"{rg}?api-version=2024-07-01", token, b"").status == 200


def test_a_token_arm_did_not_issue_is_refused(parse, arm, cli_signed_in, monkeypatch):  # noqa: F811
    monkeypatch.setenv("ARM_EMULATOR_URL", "https://127.0.0.1:9")  # az cannot get a token
    with pytest.raises(Exception, match=r"cannot authenticate to Azure \(auth_source=cli\)"):
        parse(cli_signed_in, real_transport=True, real_credential=True)


# One login, one set of variables ------------------------------------------------------------
def test_auto_without_subscription_uses_the_cli_selection(parse, arm, cli_signed_in, monkeypatch):  # noqa: F811
    """`az login` alone: auth_source auto finds the subscription the CLI selected."""
    for name in ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_SECRET", "AZURE_TENANT_ID", "AZURE_TENANT"):
        monkeypatch.delenv(name, raising=False)
    # DefaultAzureCredential's managed identity step asks IMDS; here it finds nothing listening.
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:9")
    run = parse({**cli_signed_in, "auth_source": "auto"}, real_transport=True, real_credential=True)
    assert run.members("swarm_managers") == ["ubuntu1", "win1"]


@pytest.mark.parametrize(
    "names",
    [("AZURE_SECRET", "AZURE_TENANT"), ("AZURE_CLIENT_SECRET", "AZURE_TENANT_ID")],
    ids=["azure.azcollection's names", "azure-identity's names"],
)
@pytest.mark.parametrize("source", ["env", "auto"])
def test_a_service_principal_under_either_name_set(parse, arm, cli_signed_in, monkeypatch, names, source):  # noqa: F811
    for name in ("AZURE_CLIENT_SECRET", "AZURE_SECRET", "AZURE_TENANT_ID", "AZURE_TENANT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_CLIENT_ID", "11111111-2222-3333-4444-555555555555")
    monkeypatch.setenv(names[0], "emulator-secret")
    monkeypatch.setenv(names[1], arm.tenant)
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", arm.subscription)
    monkeypatch.setenv("ARM_EMULATOR_URL", "https://127.0.0.1:9")  # no az token: the principal signs in
    # The sign-in goes to login.microsoftonline.com, tunnelled to the emulator by its proxy port.
    monkeypatch.setenv("HTTPS_PROXY", arm.proxy_url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    config = {**cli_signed_in, "auth_source": source}
    tokens = len(arm.tokens)
    run = parse(config, real_transport=True, real_credential=True)
    assert run.members("swarm_managers") == ["ubuntu1", "win1"]
    assert len(arm.tokens) == tokens + 1  # one token from the emulator's token endpoint


# Errors name their cause -----------------------------------------------------------------------
def _fixed_credential(token: str):
    """A credential handing out one token, so that only Resource Manager's side is under test."""
    return SimpleNamespace(get_token=lambda *scopes, **kwargs: AccessToken(token, 2**31))


def test_an_untrusted_certificate_is_named_as_tls(parse, arm, cli_signed_in, monkeypatch):  # noqa: F811
    """What a TLS-inspecting proxy looks like: a certificate chain the controller does not trust."""
    credential = _fixed_credential(arm.issue_token("t")["access_token"])
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())  # the public CAs only
    with pytest.raises(Exception) as raised:
        parse(cli_signed_in, real_transport=True, credential=credential)
    text = str(raised.value)
    assert "TLS certificate" in text and "not trusted" in text and "REQUESTS_CA_BUNDLE" in text
    assert "timeout" not in text


def test_a_refused_connection_is_named(parse, cli_signed_in):  # noqa: F811
    credential = _fixed_credential("x")
    with pytest.raises(Exception, match="refused the connection"):
        parse(
            {**cli_signed_in, "resource_manager_endpoint": "https://127.0.0.1:9"},
            real_transport=True,
            credential=credential,
        )


def test_a_name_that_does_not_resolve_is_named_as_dns(parse, cli_signed_in, monkeypatch):  # noqa: F811
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "arm.example.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)  # no resolver is asked
    credential = _fixed_credential("x")
    with pytest.raises(Exception, match=r"does not resolve \(DNS\)"):
        parse(
            {**cli_signed_in, "resource_manager_endpoint": "https://arm.example.invalid"},
            real_transport=True,
            credential=credential,
        )


def test_a_token_arm_refuses_is_named_as_401(parse, arm, cli_signed_in):  # noqa: F811
    credential = _fixed_credential("forged")
    with pytest.raises(Exception, match=r"refused the token \(HTTP 401"):
        parse(cli_signed_in, real_transport=True, credential=credential)


def test_a_forbidden_group_is_named_as_403_with_the_role_to_give(parse, arm, cli_signed_in):  # noqa: F811
    arm.forbidden[f"/subscriptions/{arm.subscription}/resourcegroups/{GROUP}".lower()] = 403
    with pytest.raises(Exception, match=r"HTTP 403.*Reader role"):
        parse(cli_signed_in, real_transport=True, real_credential=True)

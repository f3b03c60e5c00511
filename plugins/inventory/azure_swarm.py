"""Inventory plugin: the Azure VMs of one swarm, grouped by the project's inventory contract."""

from __future__ import annotations

DOCUMENTATION = r"""
name: azure_swarm
short_description: Azure VMs as swarm nodes, in the project's inventory contract
description:
  - Lists the virtual machines of an Azure subscription (or of some of its resource groups)
    with the Azure SDK for Python and puts each one into the groups the playbooks rely on,
    C(swarm_managers) or C(swarm_workers) (children of C(swarm)), and C(linux) or C(windows).
  - The swarm role comes from a tag (O(role_tag), values C(manager) or C(worker), any case).
    A VM without that tag, or with another value, is kept in C(linux)/C(windows) but left out
    of the swarm groups, with a warning naming it.
  - The VMs, network interfaces and public IP addresses are listed per resource group
    (following C(nextLink)) and the power states once per subscription
    (C(statusOnly=true)), then joined in memory. The number of requests grows with resource
    groups and result pages, never with the number of VMs. A network interface or public IP
    in a resource group outside O(resource_groups) is found by listing that group too.
  - Windows hosts are reached with WinRM over HTTPS. The connection variables are set on the
    C(windows) group (the lowest inventory precedence, and only those not already defined by an
    earlier inventory source), so C(group_vars/windows.yml), host vars or C(-e) override them.
  - A VM whose provisioning failed or that is being deleted, that has no network interface
    or no private IP, or whose name another VM in scope already uses, is skipped with a
    warning naming it.
  - Throttling (429) and transient errors are retried by the SDK, honouring C(Retry-After).
    Authentication failures, an unknown subscription or resource group end the run with one message.
  - The configuration file must be named C(*.azure_swarm.yml) or C(*.azure_swarm.yaml).
extends_documentation_fragment:
  - constructed
  - inventory_cache
requirements:
  - azure-identity
  - azure-mgmt-compute >= 39
  - azure-mgmt-network >= 33
options:
  plugin:
    description: The name of this plugin.
    required: true
    type: str
    choices: [azure_swarm, mixedswarm.swarm.azure_swarm]
  auth_source:
    description:
      - How to obtain Azure credentials.
      - V(auto) is azure-identity's DefaultAzureCredential chain (environment, workload identity,
        managed identity, Azure CLI, Azure PowerShell, Azure Developer CLI).
      - V(cli) uses the Azure CLI's login (C(az login)).
      - V(env) is a service principal from E(AZURE_CLIENT_ID), E(AZURE_CLIENT_SECRET) and E(AZURE_TENANT_ID)
        (or E(AZURE_CLIENT_CERTIFICATE_PATH) instead of the secret).
      - V(msi) is the managed identity of the machine running Ansible (O(msi_client_id) for a user-assigned one).
    type: str
    default: auto
    choices: [auto, cli, env, msi]
  msi_client_id:
    description: Client ID of a user-assigned managed identity, for O(auth_source=msi) or O(auth_source=auto).
    type: str
  subscription_id:
    description: The subscription to list.
    type: str
    env:
      - name: AZURE_SUBSCRIPTION_ID
  cloud:
    description:
      - The Azure cloud; decides the Resource Manager endpoint, the token scope and the sign-in authority.
      - Ignored when O(resource_manager_endpoint) is set.
    type: str
    default: AzureCloud
    choices: [AzureCloud, AzureChinaCloud, AzureUSGovernment]
  resource_manager_endpoint:
    description:
      - Any Resource Manager URL (Azure Stack Hub, private clouds), instead of O(cloud).
      - The token scope is then C(<endpoint>/.default).
    type: str
  authority_host:
    description:
      - The Microsoft Entra authority host to sign in with, when it is not the one of O(cloud)
        (for example with O(resource_manager_endpoint)). Without it azure-identity uses
        E(AZURE_AUTHORITY_HOST) or the public cloud.
    type: str
  resource_groups:
    description: Resource groups to list. Empty means the whole subscription.
    type: list
    elements: str
    default: []
  tag_filters:
    description:
      - Keep only VMs whose tags match every entry. Tag names compare case-insensitively, values exactly.
      - A value may be a string, a list of accepted strings, or null (the tag only has to exist).
    type: dict
    default: {}
  role_tag:
    description: The tag whose value (C(manager) or C(worker)) puts a VM in C(swarm_managers) or C(swarm_workers).
    type: str
    default: swarm-role
  label_tag_prefix:
    description:
      - Tags named C(<prefix><label>) become the host var C(swarm_labels) (node labels), for
        example C(swarm-label.zone=a) gives C(swarm_labels.zone=a). Empty turns this off.
    type: str
    default: swarm-label.
  include_stopped:
    description:
      - Also list VMs that are not running (stopped, deallocated, starting...). Their power
        state is in the host var C(azure_power_state). By default only running VMs are listed.
    type: bool
    default: false
  ansible_host_source:
    description:
      - Which address becomes C(ansible_host). A VM lacking the requested kind falls back to its
        private IP, with a warning.
    type: str
    default: private_ip
    choices: [private_ip, public_ip, fqdn]
"""

EXAMPLES = r"""
# inventory/classic_lab.azure_swarm.yml: the classic lab made by playbooks/azure_lab.yml,
# reached over the Internet from the admin's machine.
plugin: azure_swarm
resource_groups: [swarm-lab]
tag_filters:
  cluster: classic-lab
ansible_host_source: public_ip

---
# A whole subscription in Azure China, with a service principal from the environment,
# a cache of one hour and extra groups by location and VM size.
plugin: azure_swarm
auth_source: env
cloud: AzureChinaCloud
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/azure_swarm
cache_timeout: 3600
keyed_groups:
  - key: azure_location
    prefix: location
  - key: azure_vm_size
    prefix: size
groups:
  gpu: azure_vm_size.startswith('Standard_NC')

---
# Azure Stack Hub
plugin: azure_swarm
auth_source: env
resource_manager_endpoint: https://management.local.azurestack.external
authority_host: login.microsoftonline.com
"""


import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.mixedswarm.swarm.plugins.module_utils.azure_swarm_inventory import (
    OS_GROUPS,
    ROLE_GROUPS,
    SWARM_GROUP,
    WINRM_DEFAULTS,
    Options,
    build_hosts,
    groups_missing,
    resolve_cloud,
    tags_match,
)

try:
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ResourceNotFoundError,
        ServiceRequestError,
        map_error,
    )
    from azure.core.rest import HttpRequest
    from azure.identity import (
        AzureCliCredential,
        DefaultAzureCredential,
        EnvironmentCredential,
        ManagedIdentityCredential,
    )
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.core.exceptions import ARMErrorFormat
    from azure.mgmt.network import NetworkManagementClient
except ImportError as exc:
    AZURE_IMPORT_ERROR: ImportError | None = exc
else:
    AZURE_IMPORT_ERROR = None
    _ERRORS = {401: ClientAuthenticationError, 404: ResourceNotFoundError}


# The SDK logs credential failures itself; the plugin reports them once, as its own error.
logging.getLogger("azure").addHandler(logging.NullHandler())

_AUTH_HINTS = {
    "auto": "sign in with 'az login', or set AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_TENANT_ID, "
    "or run on a machine with a managed identity",
    "cli": "sign in with 'az login' (and 'az account set' for the right subscription)",
    "env": "set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH)",
    "msi": "run on an Azure machine whose managed identity has the Reader role, or use another auth_source",
}
_PARALLEL_REQUESTS = 8

# What each listing asks Resource Manager for: SDK client, provider path, API version, extra query.
_LISTINGS = {
    "statuses": ("compute", "Microsoft.Compute/virtualMachines", "2024-07-01", {"statusOnly": "true"}),
    "vms": ("compute", "Microsoft.Compute/virtualMachines", "2024-07-01", {}),
    "nics": ("network", "Microsoft.Network/networkInterfaces", "2024-05-01", {}),
    "public_ips": ("network", "Microsoft.Network/publicIPAddresses", "2024-05-01", {}),
}


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _list(clients: dict, subscription: str, kind: str, group: str | None) -> list[dict]:
    """Every item of one ARM list (a resource group's, or the subscription's), following nextLink.

    The request goes through the SDK client's own pipeline (authentication, retries honouring
    Retry-After, ARM error format) with send_request; the items stay the REST JSON. Building the
    SDK's typed models and turning them back into dicts would cost about 1 ms per VM for nothing.
    """
    client, provider, api_version, query = _LISTINGS[kind]
    scope = f"/subscriptions/{quote(subscription, safe='')}"
    if group:
        scope += f"/resourceGroups/{quote(group, safe='')}"
    request = HttpRequest(
        "GET", f"{scope}/providers/{provider}", params={"api-version": api_version, **query}
    )
    items: list[dict] = []
    while request is not None:
        response = clients[client].send_request(request)
        if response.status_code != 200:
            map_error(response.status_code, response, _ERRORS)
            raise HttpResponseError(response=response, error_format=ARMErrorFormat)
        page = response.json()
        items.extend(page.get("value") or [])
        request = HttpRequest("GET", page["nextLink"]) if page.get("nextLink") else None
    return items


class _SharedTokenCredential:
    """One token for both SDK clients and all parallel requests (asking az CLI or IMDS is slow)."""

    def __init__(self, credential):
        self._credential = credential
        self._lock = threading.Lock()
        self._tokens: dict = {}

    def get_token(self, *scopes, **kwargs):
        if kwargs.get("claims"):
            return self._credential.get_token(*scopes, **kwargs)
        with self._lock:
            token = self._tokens.get(scopes)
            if token is None or token.expires_on - 300 < time.time():
                token = self._tokens[scopes] = self._credential.get_token(*scopes, **kwargs)
            return token

    def close(self) -> None:
        close = getattr(self._credential, "close", None)
        if close:
            close()


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "azure_swarm"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith((".azure_swarm.yml", ".azure_swarm.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        listings = self._cache.get(cache_key) if use_cache else None
        if listings is None:
            listings = self._fetch_listings()
            if self.get_option("cache"):
                self._cache[cache_key] = listings
        self._populate(listings)

    # Credentials and clients ----------------------------------------------------------------
    def _credential(self, authority: str | None):
        """The azure-identity credential for auth_source."""
        source = self.get_option("auth_source")
        msi_client_id = self.get_option("msi_client_id")
        authority_kwargs = {"authority": authority} if authority else {}
        if source == "cli":
            return AzureCliCredential()
        if source == "env":
            return EnvironmentCredential(**authority_kwargs)
        if source == "msi":
            return (
                ManagedIdentityCredential(client_id=msi_client_id)
                if msi_client_id
                else ManagedIdentityCredential()
            )
        return DefaultAzureCredential(managed_identity_client_id=msi_client_id, **authority_kwargs)

    def _sdk_options(self) -> dict:
        """Extra keyword arguments for both SDK clients (none in normal use)."""
        return {}

    # Fetching -------------------------------------------------------------------------------------
    def _fetch_listings(self) -> dict:
        """The four listings as REST-shaped dicts, or one AnsibleError saying what went wrong."""
        if AZURE_IMPORT_ERROR is not None:
            raise AnsibleError(
                "azure_swarm needs azure-identity, azure-mgmt-compute and azure-mgmt-network "
                f"(pip install -r requirements.txt): {AZURE_IMPORT_ERROR}"
            )
        if not hasattr(ComputeManagementClient, "send_request"):
            raise AnsibleError(
                "azure_swarm needs azure-mgmt-compute >= 39 and azure-mgmt-network >= 33 (requirements.txt); "
                "an older one is installed, e.g. by azure.azcollection's requirements: keep those in a "
                "separate virtualenv (docs/azure.md)"
            )
        subscription = self.get_option("subscription_id")
        if not subscription:
            raise AnsibleError(
                "azure_swarm: no subscription: set subscription_id in the inventory file "
                "or the environment variable AZURE_SUBSCRIPTION_ID"
            )
        try:
            base_url, scope, authority = resolve_cloud(
                self.get_option("cloud"),
                self.get_option("resource_manager_endpoint"),
                self.get_option("authority_host"),
            )
        except ValueError as exc:
            raise AnsibleError(f"azure_swarm: {exc}") from None
        source = self.get_option("auth_source")
        credential = _SharedTokenCredential(self._credential(authority))
        client_kwargs = {"base_url": base_url, "credential_scopes": [scope], **self._sdk_options()}
        try:
            with (
                ComputeManagementClient(credential, subscription, **client_kwargs) as compute,
                NetworkManagementClient(credential, subscription, **client_kwargs) as network,
            ):
                return self._list_everything({"compute": compute, "network": network}, subscription)
        except ClientAuthenticationError as exc:
            raise AnsibleError(
                f"azure_swarm: cannot authenticate to Azure (auth_source={source}): {_first_line(exc)} "
                f"Hint: {_AUTH_HINTS[source]}."
            ) from None
        except ResourceNotFoundError as exc:
            raise AnsibleError(f"azure_swarm: subscription {subscription}: {_first_line(exc)}") from None
        except HttpResponseError as exc:
            raise AnsibleError(
                f"azure_swarm: Azure Resource Manager refused a request (HTTP {exc.status_code}): {_first_line(exc)}"
            ) from None
        except ServiceRequestError as exc:
            raise AnsibleError(f"azure_swarm: cannot reach {base_url}: {_first_line(exc)}") from None
        finally:
            credential.close()

    def _list_everything(self, clients: dict, subscription: str) -> dict:
        """Power states once per subscription; VMs, NICs and public IPs per resource group, in parallel.

        The power states come first and alone: a credential that does not work fails once, there.
        """
        groups = self.get_option("resource_groups")
        listings = {"statuses": [], "vms": [], "nics": [], "public_ips": [], "warnings": []}

        def run(jobs, referenced_only=False):
            """jobs: (kind, resource group or None for the whole subscription)."""
            self._run_jobs(
                [
                    (kind, lambda k=kind, g=group: _list(clients, subscription, k, g), group)
                    for kind, group in jobs
                ],
                listings,
                referenced_only,
            )

        run([("statuses", None)])
        kinds = ("vms", "nics", "public_ips")
        run(
            [(kind, group) for group in groups for kind in kinds]
            if groups
            else [(kind, None) for kind in kinds]
        )
        if not groups:
            return listings

        # Interfaces and public IPs may live in resource groups outside the configured ones.
        filters = self.get_option("tag_filters")
        nic_ids = [
            ref.get("id")
            for vm in listings["vms"]
            if tags_match(vm.get("tags"), filters)
            for ref in ((vm.get("properties") or {}).get("networkProfile") or {}).get("networkInterfaces")
            or []
        ]
        run([("nics", group) for group in groups_missing(nic_ids, groups)], referenced_only=True)
        pip_ids = [
            (config.get("properties", {}).get("publicIPAddress") or {}).get("id")
            for nic in listings["nics"]
            for config in (nic.get("properties") or {}).get("ipConfigurations") or []
        ]
        run([("public_ips", group) for group in groups_missing(pip_ids, groups)], referenced_only=True)
        return listings

    @staticmethod
    def _run_jobs(jobs, listings, referenced_only=False) -> None:
        """Run (kind, function, resource group) jobs in parallel; results extend listings in job order.

        referenced_only: the groups were not configured, only referenced by a VM or an interface.
        Such a group that cannot be read (gone, or no permission) is then a warning (the VMs
        depending on it are skipped, each named), not the end of the whole inventory.
        """
        if not jobs:
            return
        with ThreadPoolExecutor(max_workers=min(_PARALLEL_REQUESTS, len(jobs))) as pool:
            futures = [(kind, group, pool.submit(job)) for kind, job, group in jobs]
            for kind, group, future in futures:
                try:
                    listings[kind].extend(future.result())
                except HttpResponseError as exc:
                    if not referenced_only or exc.status_code not in (403, 404):
                        raise
                    listings["warnings"].append(
                        f"cannot list {kind.replace('_', ' ')} of resource group {group}: {_first_line(exc)}"
                    )

    # Populating ---------------------------------------------------------------------------------
    def _populate(self, listings: dict) -> None:
        options = Options(
            role_tag=self.get_option("role_tag"),
            label_tag_prefix=self.get_option("label_tag_prefix") or "",
            tag_filters=self.get_option("tag_filters") or {},
            include_stopped=self.get_option("include_stopped"),
            ansible_host_source=self.get_option("ansible_host_source"),
        )
        hosts, warnings = build_hosts(
            listings["vms"], listings["statuses"], listings["nics"], listings["public_ips"], options
        )
        for warning in listings["warnings"] + warnings:
            self.display.warning(f"azure_swarm: {warning}")

        self.inventory.add_group(SWARM_GROUP)
        for group in ROLE_GROUPS.values():
            self.inventory.add_group(group)
            self.inventory.add_child(SWARM_GROUP, group)
        for group in OS_GROUPS:
            self.inventory.add_group(group)
        windows_vars = self.inventory.groups["windows"].get_vars()
        for name, value in WINRM_DEFAULTS.items():
            if name not in windows_vars:
                self.inventory.set_variable("windows", name, value)

        strict = self.get_option("strict")
        for host in hosts:
            self.inventory.add_host(host.name)
            for group in host.groups:
                self.inventory.add_child(group, host.name)
            for name, value in host.hostvars.items():
                self.inventory.set_variable(host.name, name, value)
            self._set_composite_vars(self.get_option("compose"), host.hostvars, host.name, strict=strict)
            hostvars = self.inventory.get_host(host.name).get_vars()
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, host.name, strict=strict)
            self._add_host_to_keyed_groups(
                self.get_option("keyed_groups"), hostvars, host.name, strict=strict
            )

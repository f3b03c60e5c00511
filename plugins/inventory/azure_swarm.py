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
    A VM without that tag, or with another value, is no swarm node and is not listed at all (in
    C(linux)/C(windows) alone the engines stage would install Docker on it), with a warning naming it.
  - The VMs, network interfaces, public IP addresses and scale sets are listed per resource
    group (following C(nextLink)) and the power states once per subscription
    (C(statusOnly=true)), then joined in memory; a Uniform scale set costs three lists
    (instances with their instance views, their interfaces, their public IPs). The number of
    requests grows with resource groups, scale sets and result pages, never with the number of
    VMs. A network interface or public IP in a resource group outside O(resource_groups) is
    found by listing that group too.
  - When the subscription-wide power-state list is forbidden (a principal with Reader on the
    resource groups only), each VM's instance view is read on its own instead (one request per VM
    passing O(tag_filters); listing a group's VMs with C($expand=instanceView) is allowed by the
    API contract only together with a C($filter)), with one warning.
  - Windows hosts are reached with WinRM over HTTPS. The connection variables are set on the
    C(windows) group (the lowest inventory precedence, and only those not already defined by an
    earlier inventory source), so C(group_vars/windows.yml), host vars or C(-e) override them.
  - A VM whose provisioning failed or that is being deleted, that has no network interface
    or no private IP, or whose name another VM in scope already uses, is skipped with a
    warning naming it.
  - Throttling (429) and transient errors are retried by the SDK, honouring C(Retry-After).
    Authentication failures (a credential that gets no token, or a token refused with HTTP 401),
    missing permissions (403), an unknown subscription or resource group, an endpoint that cannot
    be reached, or an answer that is not JSON end the run with one message naming the cause (an
    untrusted TLS certificate as a TLS-inspecting proxy presents, a name that does not resolve, a
    refused connection, no connection within O(connect_timeout), no answer within O(read_timeout)).
  - The plugin refuses to guess. Before contacting Azure it checks the configuration file; an
    unknown option is refused with the closest valid name, every option must have its
    documented type (V(maybe) is not a boolean), O(subscription_id) must be a GUID.
  - The configuration file must be named C(*.azure_swarm.yml) or C(*.azure_swarm.yaml); a
    file of another name that declares this plugin is refused with that hint.
extends_documentation_fragment:
  - constructed
  - inventory_cache
requirements:
  - azure-identity
  - azure-mgmt-core
options:
  plugin:
    description: The name of this plugin.
    required: true
    type: str
    choices: [azure_swarm, mixedswarm.swarm.azure_swarm]
  auth_source:
    description:
      - How to obtain Azure credentials.
      - V(auto) is a service principal from the environment (as V(env)) if one is set, else
        azure-identity's DefaultAzureCredential chain (workload identity, managed identity, Azure CLI,
        Azure PowerShell, Azure Developer CLI).
      - V(cli) uses the Azure CLI's login (C(az login)).
      - V(env) is a service principal from E(AZURE_CLIENT_ID), E(AZURE_CLIENT_SECRET) and E(AZURE_TENANT_ID)
        (or E(AZURE_CLIENT_CERTIFICATE_PATH) instead of the secret). azure.azcollection's names for the
        same values, E(AZURE_SECRET) and E(AZURE_TENANT), are accepted too, so one set of variables
        serves this plugin and the lab playbook.
      - V(msi) is the managed identity of the machine running Ansible (O(msi_client_id) for a user-assigned one).
    type: str
    default: auto
    choices: [auto, cli, env, msi]
  msi_client_id:
    description: Client ID of a user-assigned managed identity, for O(auth_source=msi) or O(auth_source=auto).
    type: str
  subscription_id:
    description:
      - The subscription to list (a GUID).
      - Without it, O(auth_source=cli), and O(auth_source=auto) when C(az) is on PATH, use the
        subscription selected in the Azure CLI (C(az account set), read with C(az account show));
        the other sources need it.
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
    description:
      - Resource groups to list. V([]) and V(['*']) both mean the whole subscription.
      - Names compare case-insensitively, as in Azure; a group written twice is listed once.
    type: list
    elements: str
    default: []
  tag_filters:
    description:
      - Keep only VMs whose tags match every entry. Tag names compare case-insensitively, values exactly.
      - A value may be a string, a list of accepted strings, or null (the tag only has to exist).
      - A mapping of tag names to values, not azure_rm's list of C(key:value) strings.
      - A filter that matches no VM is a warning (0 hosts matched), not an error.
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
  include_vm_scale_sets:
    description:
      - Also list the instances of Uniform virtual machine scale sets. An instance gets the tags of
        its scale set (its own tags win), and its scale set's name in C(azure_scale_set).
      - Scale sets in Flexible orchestration mode need nothing, their VMs are ordinary VMs.
    type: bool
    default: true
  connect_timeout:
    description: Seconds to wait for a connection to Resource Manager; then the run ends naming the endpoint.
    type: float
    default: 5
  read_timeout:
    description: Seconds to wait for an answer from Resource Manager; then the run ends naming the endpoint.
    type: float
    default: 60
"""

EXAMPLES = r"""
# inventory/classic_lab.azure_swarm.yml: the classic lab made by playbooks/azure_lab.yml,
# reached over the Internet from the admin's machine.
plugin: mixedswarm.swarm.azure_swarm
resource_groups: [swarm-lab]
tag_filters:
  cluster: classic-lab
ansible_host_source: public_ip

---
# A whole subscription in Azure China, with a service principal from the environment,
# a cache of one hour and extra groups by location and VM size.
plugin: mixedswarm.swarm.azure_swarm
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
plugin: mixedswarm.swarm.azure_swarm
auth_source: env
resource_manager_endpoint: https://management.local.azurestack.external
authority_host: login.microsoftonline.com
"""


import json
import logging
import os
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar
from urllib.parse import quote

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.mixedswarm.swarm.plugins.module_utils._azure.connection import (
    connection_failure,
    network_cause,
    service_principal,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._azure.inventory import (
    CONFIG_SUFFIXES,
    OS_GROUPS,
    ROLE_GROUPS,
    SWARM_GROUP,
    WINRM_DEFAULTS,
    ConfigError,
    Options,
    build_hosts,
    check_config,
    check_subscription,
    groups_missing,
    resolve_cloud,
    resource_group_of,
    resource_groups_in_scope,
    scale_set_instances,
    tags_match,
)

try:
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ResourceNotFoundError,
        ServiceRequestError,
        ServiceResponseError,
        map_error,
    )
    from azure.core.pipeline.policies import (
        ContentDecodePolicy,
        HeadersPolicy,
        NetworkTraceLoggingPolicy,
        ProxyPolicy,
        RetryPolicy,
        UserAgentPolicy,
    )
    from azure.core.rest import HttpRequest
    from azure.identity import (
        AzureCliCredential,
        CertificateCredential,
        ClientSecretCredential,
        DefaultAzureCredential,
        EnvironmentCredential,
        ManagedIdentityCredential,
    )
    from azure.mgmt.core import ARMPipelineClient
    from azure.mgmt.core.exceptions import ARMErrorFormat
    from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy
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
_COMPUTE_API = "2024-07-01"
_NETWORK_API = "2024-05-01"
# The scale-set views of network resources exist in this API version only.
_SCALE_SET_NETWORK_API = "2018-10-01"

# What each listing asks Resource Manager for, below a subscription or resource group scope:
# provider path, API version, extra query.
_LISTINGS = {
    "statuses": ("Microsoft.Compute/virtualMachines", _COMPUTE_API, {"statusOnly": "true"}),
    "vms": ("Microsoft.Compute/virtualMachines", _COMPUTE_API, {}),
    "nics": ("Microsoft.Network/networkInterfaces", _NETWORK_API, {}),
    "public_ips": ("Microsoft.Network/publicIPAddresses", _NETWORK_API, {}),
    "scale_sets": ("Microsoft.Compute/virtualMachineScaleSets", _COMPUTE_API, {}),
}
# The lists of one Uniform scale set, below its resource ID.
_SCALE_SET_LISTINGS = {
    "vms": ("virtualMachines", _COMPUTE_API, {"$expand": "instanceView"}),
    "nics": ("networkInterfaces", _SCALE_SET_NETWORK_API, {}),
    "public_ips": ("publicipaddresses", _SCALE_SET_NETWORK_API, {}),
}


class _NotJson(Exception):
    """Resource Manager answered with something else than JSON (a proxy, a portal, a login page)."""


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _list(client, path: str, api_version: str, query: dict, timeouts: dict) -> list[dict]:
    """Every item of one ARM list, following nextLink.

    The request goes through the SDK's ARM pipeline (authentication, retries honouring
    Retry-After, ARM error format) with send_request; the items stay the REST JSON. Building the
    SDK's typed models and turning them back into dicts would cost about 1 ms per VM for nothing.
    """
    request = HttpRequest("GET", client.format_url(path), params={"api-version": api_version, **query})
    items: list[dict] = []
    while request is not None:
        response = client.send_request(request, **timeouts)
        if response.status_code != 200:
            map_error(response.status_code, response, _ERRORS)
            raise HttpResponseError(response=response, error_format=ARMErrorFormat)
        content_type = response.headers.get("Content-Type") or "no content type"
        try:
            page = response.json() if "json" in content_type.lower() else None
        except ValueError:
            page = None
        if not isinstance(page, dict):
            raise _NotJson(f"{request.url.split('?')[0]} answered HTTP 200 with {content_type}, not JSON")
        items.extend(page.get("value") or [])
        request = HttpRequest("GET", page["nextLink"]) if page.get("nextLink") else None
    return items


def _scope(subscription: str, group: str | None) -> str:
    scope = f"/subscriptions/{quote(subscription, safe='')}"
    return scope + f"/resourceGroups/{quote(group, safe='')}" if group else scope


class _SharedTokenCredential:
    """One token for all parallel requests (asking az CLI or IMDS is slow)."""

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
    NAME = "mixedswarm.swarm.azure_swarm"
    # Paths this plugin already failed on: Ansible's `auto` plugin hands the same file to this
    # plugin again after a failure (contacting Azure, or waiting out a timeout, twice); it is
    # stopped at verify_file, which auto calls first, with a pointer to the first report.
    _reported: ClassVar[set] = set()

    def verify_file(self, path):
        if not super().verify_file(path):
            return False
        if path in self._reported:
            raise AnsibleError(
                f"azure_swarm: {path}: not read again; the azure_swarm plugin's message above says why"
            )
        if path.endswith(CONFIG_SUFFIXES):
            return True
        if path.endswith((".yml", ".yaml")) and self._declares_this_plugin(path):
            raise AnsibleError(
                f"azure_swarm: {path}: an azure_swarm configuration must be named *{CONFIG_SUFFIXES[0]} "
                f"or *{CONFIG_SUFFIXES[1]} (e.g. classic_lab{CONFIG_SUFFIXES[0]})"
            )
        return False

    def _declares_this_plugin(self, path: str) -> bool:
        try:
            with open(path, encoding="utf-8") as config:
                head = config.read(4096)
        except OSError:
            return False
        return any(
            line.split(":", 1)[0].strip() == "plugin"
            and line.split(":", 1)[1].strip().strip("'\"") in ("azure_swarm", "mixedswarm.swarm.azure_swarm")
            for line in head.splitlines()
            if ":" in line
        )

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        try:
            self._check_config(path)
            self._parse_checked(path, cache)
        except AnsibleError:
            type(self)._reported.add(path)
            raise

    def _check_config(self, path: str) -> None:
        """Refuse a configuration that would make the plugin guess, before any contact with Azure."""
        raw = self.loader.load_from_file(path, cache="none")
        definitions = C.config.get_configuration_definitions("inventory", self._load_name)
        problems = check_config(raw, definitions)
        if problems:
            raise AnsibleError("\n".join(f"azure_swarm: {path}: {problem}" for problem in problems))
        self._read_config_data(path)

    def _parse_checked(self, path: str, cache: bool) -> None:
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        listings = self._cache.get(cache_key) if use_cache else None
        if listings is None:
            listings = self._fetch_listings(path)
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
        if source in ("env", "auto"):
            # A service principal under azure.azcollection's names (AZURE_SECRET, AZURE_TENANT)
            # or azure-identity's (AZURE_CLIENT_SECRET, AZURE_TENANT_ID): the same variables as
            # the lab playbook.
            try:
                principal = service_principal(os.environ)
            except ValueError as exc:
                raise AnsibleError(f"azure_swarm: auth_source={source}: {exc}") from None
            if principal and "client_secret" in principal:
                return ClientSecretCredential(
                    principal["tenant_id"],
                    principal["client_id"],
                    principal["client_secret"],
                    **authority_kwargs,
                )
            if principal:
                return CertificateCredential(
                    principal["tenant_id"],
                    principal["client_id"],
                    principal["certificate_path"],
                    **authority_kwargs,
                )
        if source == "env":
            return EnvironmentCredential(**authority_kwargs)  # fails naming what is missing
        if source == "msi":
            return (
                ManagedIdentityCredential(client_id=msi_client_id)
                if msi_client_id
                else ManagedIdentityCredential()
            )
        return DefaultAzureCredential(managed_identity_client_id=msi_client_id, **authority_kwargs)

    def _sdk_options(self) -> dict:
        """Extra keyword arguments for the SDK pipeline client (none in normal use)."""
        return {}

    def _subscription(self, path: str) -> str:
        """subscription_id, or else (auth_source cli, or auto with az on PATH) the one selected in the Azure CLI."""
        subscription = self.get_option("subscription_id")
        source = self.get_option("auth_source")
        if not subscription and (source == "cli" or (source == "auto" and shutil.which("az"))):
            subscription = self._cli_subscription()
        if not subscription:
            raise AnsibleError(
                f"azure_swarm: {path}: no subscription: set subscription_id in the inventory file "
                "or the environment variable AZURE_SUBSCRIPTION_ID"
                + (
                    ", or sign in with 'az login' (the Azure CLI's selected subscription is used)"
                    if source == "auto"
                    else ""
                )
            )
        try:
            check_subscription(subscription)
        except ConfigError as exc:
            raise AnsibleError(f"azure_swarm: {path}: {exc}") from None
        return subscription

    @staticmethod
    def _cli_subscription() -> str:
        """The id of the subscription selected with `az account set` (az account show)."""
        az = shutil.which("az")
        if az is None:
            raise AnsibleError(
                "azure_swarm: auth_source=cli without subscription_id needs the Azure CLI (az) on PATH"
            )
        result = subprocess.run(
            [az, "account", "show", "--output", "json"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            raise AnsibleError(
                f"azure_swarm: 'az account show' failed: {_first_line(Exception(result.stderr or result.stdout))} "
                "Hint: sign in with 'az login' and select a subscription with 'az account set'."
            )
        return json.loads(result.stdout)["id"]

    def _client(self, credential, base_url: str, scope: str):
        """The SDK's ARM pipeline: headers, proxy, retries (not after a timeout), bearer token."""
        policies = [
            HeadersPolicy(),
            UserAgentPolicy(sdk_moniker="mixedswarm-azure-swarm"),
            ProxyPolicy(),
            ContentDecodePolicy(),
            # A connection or an answer that times out ends the run, rather than multiplying the wait.
            RetryPolicy(retry_connect=0, retry_read=0),
            ARMChallengeAuthenticationPolicy(credential, scope),
            NetworkTraceLoggingPolicy(),
        ]
        return ARMPipelineClient(base_url=base_url, policies=policies, **self._sdk_options())

    # Fetching -------------------------------------------------------------------------------------
    def _fetch_listings(self, path: str) -> dict:
        """The listings as REST-shaped dicts, or one AnsibleError saying what went wrong."""
        if AZURE_IMPORT_ERROR is not None:
            raise AnsibleError(
                "azure_swarm needs azure-identity and azure-mgmt-core "
                f"(pip install -r requirements.txt): {AZURE_IMPORT_ERROR}"
            )
        try:
            base_url, scope, authority = resolve_cloud(
                self.get_option("cloud"),
                self.get_option("resource_manager_endpoint"),
                self.get_option("authority_host"),
            )
        except ValueError as exc:
            raise AnsibleError(f"azure_swarm: {path}: {exc}") from None
        subscription = self._subscription(path)
        source = self.get_option("auth_source")
        credential = _SharedTokenCredential(self._credential(authority))
        connect, read = self.get_option("connect_timeout"), self.get_option("read_timeout")
        timeouts = {"connection_timeout": connect, "read_timeout": read}
        try:
            with self._client(credential, base_url, scope) as client:
                return self._list_everything(client, subscription, timeouts)
        except ClientAuthenticationError as exc:
            if getattr(exc, "status_code", None) == 401:
                raise AnsibleError(
                    f"azure_swarm: Azure Resource Manager refused the token (HTTP 401, auth_source={source}): "
                    f"{_first_line(exc)} Hint: the identity belongs to another tenant or cloud than {base_url}."
                ) from None
            cause = network_cause(exc, "the sign-in endpoint", connect)
            raise AnsibleError(
                f"azure_swarm: cannot authenticate to Azure (auth_source={source}): {cause or _first_line(exc)} "
                f"Hint: {_AUTH_HINTS[source]}."
            ) from None
        except ResourceNotFoundError as exc:
            raise AnsibleError(f"azure_swarm: subscription {subscription}: {_first_line(exc)}") from None
        except HttpResponseError as exc:
            hint = (
                " Hint: the identity signed in has no read permission there; give it the Reader role on the "
                "subscription or on each resource group in resource_groups."
                if exc.status_code == 403
                else ""
            )
            raise AnsibleError(
                f"azure_swarm: Azure Resource Manager refused a request (HTTP {exc.status_code}): {_first_line(exc)}{hint}"
            ) from None
        except ServiceResponseError as exc:
            raise AnsibleError(
                f"azure_swarm: no answer from {base_url} (read_timeout={read} s): {_first_line(exc)}"
            ) from None
        except ServiceRequestError as exc:
            raise AnsibleError(f"azure_swarm: {connection_failure(exc, base_url, connect)}") from None
        except _NotJson as exc:
            raise AnsibleError(
                f"azure_swarm: {exc}; is {base_url} an Azure Resource Manager endpoint?"
            ) from None
        finally:
            credential.close()

    def _list_everything(self, client, subscription: str, timeouts: dict) -> dict:
        """Power states once per subscription; VMs, NICs, public IPs and scale sets per resource
        group, in parallel; then the instances of Uniform scale sets, three lists per set.

        The power states come first and alone: a credential that does not work fails once, there.
        """
        groups, notes = resource_groups_in_scope(self.get_option("resource_groups"))
        listings = {
            "statuses": [],
            "vms": [],
            "nics": [],
            "public_ips": [],
            "scale_sets": [],
            "warnings": notes,
        }

        def job(kind, group, transform=None):
            provider, api_version, query = _LISTINGS[kind]
            path = f"{_scope(subscription, group)}/providers/{provider}"

            def run():
                items = _list(client, path, api_version, query, timeouts)
                return transform(items) if transform else items

            return (kind, run, group)

        per_vm_views = False
        try:
            self._run_jobs([job("statuses", None)], listings)
        except HttpResponseError as exc:
            if exc.status_code != 403 or not groups:
                raise
            per_vm_views = True
            listings["warnings"].append(
                "the power states of the subscription cannot be read (HTTP 403); they are read per "
                f"VM instead: {_first_line(exc)}"
            )
        kinds = ["vms", "nics", "public_ips"]
        if self.get_option("include_vm_scale_sets"):
            kinds.append("scale_sets")
        self._run_jobs([job(kind, group) for group in groups or [None] for kind in kinds], listings)
        if per_vm_views:
            # Listing a group's VMs with $expand=instanceView is allowed only together with a
            # $filter (azure-rest-api-specs, Microsoft.Compute 2024-07-01 VirtualMachines_List:
            # "this can only be specified if a valid $filter option is specified"), so each
            # candidate VM's view is read on its own (VirtualMachines_InstanceView).
            filters = self.get_option("tag_filters")
            self._run_jobs(
                [
                    self._instance_view_job(client, vm["id"], timeouts)
                    for vm in listings["vms"]
                    if tags_match(vm.get("tags"), filters)
                ],
                listings,
            )
        self._run_jobs(
            [
                self._scale_set_job(client, scale_set, kind, timeouts)
                for scale_set in listings["scale_sets"]
                if ((scale_set.get("properties") or {}).get("orchestrationMode") or "Uniform") == "Uniform"
                for kind in _SCALE_SET_LISTINGS
            ],
            listings,
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
        self._run_jobs(
            [job("nics", group) for group in groups_missing(nic_ids, groups)], listings, referenced_only=True
        )
        pip_ids = [
            (config.get("properties", {}).get("publicIPAddress") or {}).get("id")
            for nic in listings["nics"]
            for config in (nic.get("properties") or {}).get("ipConfigurations") or []
        ]
        self._run_jobs(
            [job("public_ips", group) for group in groups_missing(pip_ids, groups)],
            listings,
            referenced_only=True,
        )
        return listings

    @staticmethod
    def _instance_view_job(client, vm_id: str, timeouts: dict):
        """(statuses, function, resource group) reading one VM's instance view."""

        def run():
            request = HttpRequest(
                "GET", client.format_url(f"{vm_id}/instanceView"), params={"api-version": _COMPUTE_API}
            )
            response = client.send_request(request, **timeouts)
            if response.status_code != 200:
                map_error(response.status_code, response, _ERRORS)
                raise HttpResponseError(response=response, error_format=ARMErrorFormat)
            return [{"id": vm_id, "properties": {"instanceView": response.json()}}]

        return ("statuses", run, resource_group_of(vm_id))

    @staticmethod
    def _scale_set_job(client, scale_set: dict, kind: str, timeouts: dict):
        """(kind, function, resource group) listing one kind of a Uniform scale set's members."""
        child, api_version, query = _SCALE_SET_LISTINGS[kind]
        path = f"{scale_set['id']}/{child}"

        def run():
            items = _list(client, path, api_version, query, timeouts)
            return scale_set_instances(scale_set, items) if kind == "vms" else items

        return (kind, run, resource_group_of(scale_set["id"]))

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
        if options.tag_filters and not hosts:
            warnings.append(f"0 hosts matched tag_filters {options.tag_filters}")
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
        compose, groups, keyed_groups = (self.get_option(o) for o in ("compose", "groups", "keyed_groups"))
        for host in hosts:
            self.inventory.add_host(host.name)
            for group in host.groups:
                self.inventory.add_child(group, host.name)
            for name, value in host.hostvars.items():
                self.inventory.set_variable(host.name, name, value)
            if not (compose or groups or keyed_groups):
                continue  # nothing constructed: skip merging every host's vars again
            self._set_composite_vars(compose, host.hostvars, host.name, strict=strict)
            hostvars = self.inventory.get_host(host.name).get_vars()
            self._add_host_to_composed_groups(groups, hostvars, host.name, strict=strict)
            self._add_host_to_keyed_groups(keyed_groups, hostvars, host.name, strict=strict)

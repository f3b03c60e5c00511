"""Turn Azure Resource Manager listings into the project's inventory contract.

The azure_swarm inventory plugin fetches four kinds of listings (VMs per resource group, the
subscription's VM power states, network interfaces and public IP addresses) and hands them here
as the plain dicts the REST API returns. Everything below is a pure function of those dicts:
joining them in memory, choosing each VM's groups and host vars, and the warnings for VMs that
cannot be used. Unit-tested without Azure or Ansible.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import MANAGER, WORKER

ROLES = (MANAGER, WORKER)
ROLE_GROUPS = {MANAGER: "swarm_managers", WORKER: "swarm_workers"}
SWARM_GROUP = "swarm"
OS_GROUPS = ("linux", "windows")

CONFIG_SUFFIXES = (".azure_swarm.yml", ".azure_swarm.yaml")
WHOLE_SUBSCRIPTION = "*"
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
# The Python type each documented option type must arrive as (YAML already typed it).
_OPTION_TYPES = {
    "bool": (bool,),
    "str": (str,),
    "string": (str,),
    "list": (list,),
    "dict": (dict,),
    "int": (int,),
    "integer": (int,),
    "float": (int, float),
}

# Resource Manager endpoint, token scope and Microsoft Entra authority of each named cloud. The
# scopes are the ones the SDK itself uses; the US Government cloud's differs from its endpoint.
CLOUDS = {
    "AzureCloud": (
        "https://management.azure.com/",
        "https://management.azure.com/.default",
        "login.microsoftonline.com",
    ),
    "AzureChinaCloud": (
        "https://management.chinacloudapi.cn/",
        "https://management.chinacloudapi.cn/.default",
        "login.chinacloudapi.cn",
    ),
    "AzureUSGovernment": (
        "https://management.usgovcloudapi.net/",
        "https://management.core.usgovcloudapi.net/.default",
        "login.microsoftonline.us",
    ),
}

# Connection defaults for Windows hosts: WinRM over HTTPS with certificate validation. The plugin
# sets them as variables of the `windows` group (the lowest inventory precedence) so group_vars,
# host_vars and extra vars override them.
WINRM_DEFAULTS = {
    "ansible_connection": "winrm",
    "ansible_port": 5986,
    "ansible_winrm_scheme": "https",
    "ansible_winrm_transport": "ntlm",
    "ansible_winrm_server_cert_validation": "validate",
}

# Provisioning states in which a VM cannot be managed.
_UNUSABLE_PROVISIONING = {"failed", "deleting"}


@dataclass
class Options:
    """The plugin options that decide groups and host vars."""

    role_tag: str = "swarm-role"
    label_tag_prefix: str = "swarm-label."
    tag_filters: dict = field(default_factory=dict)
    include_stopped: bool = False
    ansible_host_source: str = "private_ip"


@dataclass
class Host:
    """One inventory host: its name, the contract groups it belongs to and its host vars."""

    name: str
    groups: list[str]
    hostvars: dict


def resolve_cloud(
    cloud: str, resource_manager_endpoint: str | None = None, authority_host: str | None = None
) -> tuple[str, str, str | None]:
    """(Resource Manager base URL, token scope, authority host) for a named cloud or an endpoint URL.

    An explicit endpoint (Azure Stack Hub, private clouds) decides the scope '<endpoint>/.default';
    its authority is authority_host, or None to let azure-identity use AZURE_AUTHORITY_HOST.
    """
    if resource_manager_endpoint:
        if not resource_manager_endpoint.startswith("https://"):
            raise ValueError(
                f"resource_manager_endpoint {resource_manager_endpoint!r} must be an https:// URL"
            )
        base = resource_manager_endpoint.rstrip("/")
        return base + "/", base + "/.default", authority_host or None
    if cloud not in CLOUDS:
        raise ValueError(f"cloud {cloud!r} is not known; valid: {', '.join(CLOUDS)}")
    endpoint, scope, authority = CLOUDS[cloud]
    return endpoint, scope, authority_host or authority


class ConfigError(ValueError):
    """A configuration file the plugin refuses to guess about; str() is one line per problem."""


def _type_name(value) -> str:
    """The YAML-level type of a value (Ansible hands over tagged subclasses of the builtins)."""
    for kind in (bool, int, float, str, list, dict):
        if isinstance(value, kind):
            return kind.__name__
    return type(value).__name__


def _describe(value) -> str:
    return f"{value!r} ({_type_name(value)})"


def check_config(config, definitions: dict) -> list[str]:
    """Problems of one inventory configuration, one line each ([] when it is usable).

    definitions: the plugin's documented options (name -> {'type', 'choices', 'elements', ...}),
    including those of its documentation fragments. Nothing is guessed: an unknown key is
    refused with the closest valid name, a value of the wrong type or outside its choices is
    refused with what is valid (YAML's `maybe` is a string, not a boolean).
    """
    if not isinstance(config, dict):
        return [
            f"the file must be a mapping of options (plugin: azure_swarm, ...), not a {_type_name(config)}"
        ]
    problems = []
    for name in sorted(config, key=str):
        if name not in definitions:
            close = difflib.get_close_matches(str(name), list(definitions), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"valid: {', '.join(sorted(definitions))}"
            problems.append(f"option {name!r} is not known; {hint}")
            continue
        value = config[name]
        spec = definitions[name] or {}
        kind = spec.get("type", "str")
        if value is None and kind != "raw":
            problems.append(f"option {name!r} is empty; give a {kind} or leave the option out")
            continue
        allowed = _OPTION_TYPES.get(kind)
        if allowed and (not isinstance(value, allowed) or (kind != "bool" and isinstance(value, bool))):
            valid = {"bool": "true or false", "dict": "a mapping (name: value)"}.get(kind, f"a {kind}")
            problems.append(f"option {name!r} is {_describe(value)}; valid: {valid}")
            continue
        choices = spec.get("choices")
        if choices and value not in choices:
            problems.append(f"option {name!r} is {value!r}; valid: {', '.join(map(str, choices))}")
            continue
        elements = _OPTION_TYPES.get(spec.get("elements") or "")
        if kind == "list" and elements:
            wrong = [item for item in value if not isinstance(item, elements)]
            if wrong:
                problems.append(
                    f"option {name!r} has {_describe(wrong[0])}; valid: a list of {spec['elements']}"
                )
    if not problems:
        problems.extend(_check_values(config))
    return problems


def _check_values(config: dict) -> list[str]:
    """Checks of single options beyond their type."""
    problems = []
    groups = config.get("resource_groups") or []
    if any(not group.strip() for group in groups):
        problems.append(
            "option 'resource_groups' has an empty entry; valid: resource group names, or '*' alone"
        )
    elif WHOLE_SUBSCRIPTION in groups and len(groups) > 1:
        problems.append(
            "option 'resource_groups' mixes '*' (the whole subscription) with names; valid: '*' alone, [] or names"
        )
    filters = config.get("tag_filters") or {}
    for tag, accepted in filters.items():
        values = accepted if isinstance(accepted, list) else [accepted]
        if not all(v is None or isinstance(v, (str, int, float)) for v in values):
            problems.append(
                f"option 'tag_filters' entry {tag!r} is {accepted!r}; valid: a value, a list of values or null"
            )
    for name in ("connect_timeout", "read_timeout"):
        if name in config and config[name] <= 0:
            problems.append(f"option {name!r} is {config[name]!r}; valid: a number of seconds above 0")
    return problems


def check_subscription(subscription: str) -> None:
    """Raise ConfigError unless subscription is a GUID (what Azure names subscriptions by)."""
    if not _GUID.match(subscription or ""):
        raise ConfigError(
            f"option 'subscription_id' is {subscription!r}; valid: a subscription GUID like "
            "00000000-0000-0000-0000-000000000000 (az account list --query '[].id')"
        )


def resource_groups_in_scope(groups: list[str]) -> tuple[list[str], list[str]]:
    """(resource groups to list, or [] for the whole subscription; notes on dropped duplicates).

    '*' and [] both mean the whole subscription. Azure compares resource group names
    case-insensitively, so the same group written twice is listed once.
    """
    if groups == [WHOLE_SUBSCRIPTION]:
        return [], []
    unique: dict[str, str] = {}
    notes = []
    for group in groups:
        key = group.strip().lower()
        if key in unique:
            notes.append(f"resource group {group!r} is listed once: it is the same group as {unique[key]!r}")
            continue
        unique[key] = group.strip()
    return list(unique.values()), notes


def resource_key(resource_id: str | None) -> str:
    """Resource IDs compare case-insensitively in Azure."""
    return (resource_id or "").lower()


def resource_group_of(resource_id: str) -> str:
    """The resource group segment of a resource ID ('' when the ID has none)."""
    parts = resource_id.split("/")
    for index, part in enumerate(parts[:-1]):
        if part.lower() == "resourcegroups":
            return parts[index + 1]
    return ""


def groups_missing(resource_ids, fetched_groups) -> list[str]:
    """Resource groups holding some of resource_ids that were not listed yet (sorted, case-folded).

    A VM's network interface or public IP may live in another resource group than the VM; the
    plugin lists those groups too, so the request count still follows resource groups, not VMs.
    """
    fetched = {g.lower() for g in fetched_groups}
    wanted = {resource_group_of(rid).lower() for rid in resource_ids if rid}
    return sorted(wanted - fetched - {""})


def power_state(instance_view: dict | None) -> str:
    """'running', 'stopped', 'deallocated', ... from an instance view; 'unknown' when absent."""
    for status in (instance_view or {}).get("statuses") or []:
        code = status.get("code") or ""
        if code.startswith("PowerState/"):
            return code.split("/", 1)[1].lower()
    return "unknown"


def tags_match(tags: dict | None, filters: dict) -> bool:
    """True when every filter matches: tag names case-insensitive, values exact.

    A filter value may be one value, a list of accepted values, or null (the tag must exist).
    """
    folded = {str(k).lower(): v for k, v in (tags or {}).items()}
    for name, accepted in filters.items():
        key = str(name).lower()
        if key not in folded:
            return False
        if accepted is None:
            continue
        values = accepted if isinstance(accepted, list) else [accepted]
        if folded[key] not in [str(v) for v in values]:
            return False
    return True


def swarm_role(tags: dict | None, role_tag: str) -> tuple[str | None, str | None]:
    """(role, problem): the role from the role tag, or None and why it is missing or invalid."""
    for name, value in (tags or {}).items():
        if str(name).lower() == role_tag.lower():
            role = str(value).strip().lower()
            if role in ROLES:
                return role, None
            return None, f"tag {role_tag!r} is {value!r}; valid: {', '.join(ROLES)}"
    return None, f"no {role_tag!r} tag"


def swarm_labels(tags: dict | None, prefix: str) -> dict:
    """Node labels from tags named '<prefix><label>' (e.g. 'swarm-label.zone': 'a')."""
    if not prefix:
        return {}
    return {
        str(name)[len(prefix) :]: str(value)
        for name, value in (tags or {}).items()
        if str(name).lower().startswith(prefix.lower()) and len(str(name)) > len(prefix)
    }


def os_family(vm: dict) -> str:
    """'windows' or 'linux' from the OS disk type, or from the OS profile when the disk says nothing."""
    props = vm.get("properties") or {}
    os_type = (((props.get("storageProfile") or {}).get("osDisk") or {}).get("osType") or "").lower()
    if os_type in OS_GROUPS:
        return os_type
    return "windows" if (props.get("osProfile") or {}).get("windowsConfiguration") else "linux"


def _ordered_nic_ids(vm: dict) -> list[str]:
    """The VM's NIC IDs, primary first (a single NIC is primary without saying so)."""
    refs = ((vm.get("properties") or {}).get("networkProfile") or {}).get("networkInterfaces") or []
    primary = [r for r in refs if (r.get("properties") or {}).get("primary")]
    rest = [r for r in refs if r not in primary]
    return [r["id"] for r in primary + rest if r.get("id")]


def _nic_addresses(nic: dict, public_ips: dict) -> tuple[list[str], list[str], list[str]]:
    """(private IPs, public IPs, FQDNs) of one NIC, its primary IP configuration first."""
    configs = (nic.get("properties") or {}).get("ipConfigurations") or []
    configs = sorted(configs, key=lambda c: not (c.get("properties") or {}).get("primary"))
    private, public, fqdns = [], [], []
    for config in configs:
        props = config.get("properties") or {}
        if props.get("privateIPAddress"):
            private.append(props["privateIPAddress"])
        pip = public_ips.get(resource_key((props.get("publicIPAddress") or {}).get("id")))
        if pip:
            pip_props = pip.get("properties") or {}
            if pip_props.get("ipAddress"):
                public.append(pip_props["ipAddress"])
            fqdn = (pip_props.get("dnsSettings") or {}).get("fqdn")
            if fqdn:
                fqdns.append(fqdn)
    return private, public, fqdns


def _ansible_host(name: str, addresses: dict, source: str) -> tuple[str, str | None]:
    """(ansible_host, warning): the requested address kind, else the private IP with a warning."""
    wanted = {
        "private_ip": addresses["private"][:1],
        "public_ip": addresses["public"][:1],
        "fqdn": addresses["fqdns"][:1],
    }[source]
    if wanted:
        return wanted[0], None
    return addresses["private"][
        0
    ], f"VM {name}: no {source.replace('_', ' ')}; ansible_host is its private IP"


def scale_set_instances(scale_set: dict, instances: list[dict]) -> list[dict]:
    """A Uniform scale set's instances as VM documents: the scale set's tags apply to each
    (an instance's own tag of the same name wins), and each names its scale set."""
    tags = scale_set.get("tags") or {}
    return [
        {**instance, "tags": {**tags, **(instance.get("tags") or {})}, "scale_set": scale_set.get("name")}
        for instance in instances
    ]


def build_hosts(
    vms: list[dict],
    statuses: list[dict],
    nics: list[dict],
    public_ips: list[dict],
    options: Options,
) -> tuple[list[Host], list[str]]:
    """Join the listings in memory; returns the usable hosts (sorted by name) and the warnings.

    A VM is skipped, with a warning naming it, when it has no valid swarm role tag (so it is in no
    group any stage targets), when its provisioning failed or it is being deleted, when none of
    its network interfaces (or none with a private IP) was found, or when its name repeats
    another VM's. VMs that are not running are skipped silently unless
    include_stopped is set; VMs outside tag_filters are not considered at all.
    """
    views = {resource_key(s.get("id")): (s.get("properties") or {}).get("instanceView") for s in statuses}
    nic_by_id = {resource_key(n.get("id")): n for n in nics}
    pip_by_id = {resource_key(p.get("id")): p for p in public_ips}

    hosts: dict[str, Host] = {}
    warnings: list[str] = []
    for vm in sorted(vms, key=lambda v: resource_key(v.get("id"))):
        name = vm.get("name") or ""
        tags = vm.get("tags") or {}
        if not tags_match(tags, options.tag_filters):
            continue
        # A VM without a valid role is no swarm node: in `linux` or `windows` alone, the engines
        # stage (hosts: linux:windows) would install Docker on it. It is no host at all.
        role, problem = swarm_role(tags, options.role_tag)
        if role is None:
            warnings.append(f"VM {name} skipped: it is not a swarm node ({problem})")
            continue
        props = vm.get("properties") or {}
        provisioning = props.get("provisioningState") or "unknown"
        if provisioning.lower() in _UNUSABLE_PROVISIONING:
            warnings.append(f"VM {name} skipped: provisioning state {provisioning}")
            continue
        # A VM listed with $expand=instanceView (or a scale-set instance) carries its own view.
        view = props.get("instanceView") or views.get(resource_key(vm.get("id"))) or {}
        state = power_state(view)
        if state != "running" and not options.include_stopped:
            continue
        addresses: dict[str, list[str]] = {"private": [], "public": [], "fqdns": []}
        found_nic = False
        for nic_id in _ordered_nic_ids(vm):
            nic = nic_by_id.get(resource_key(nic_id))
            if nic is None:
                continue
            found_nic = True
            for kind, values in zip(
                ("private", "public", "fqdns"), _nic_addresses(nic, pip_by_id), strict=True
            ):
                addresses[kind].extend(values)
        if not found_nic:
            warnings.append(f"VM {name} skipped: no network interface found")
            continue
        if not addresses["private"]:
            warnings.append(f"VM {name} skipped: its network interfaces have no private IP")
            continue
        if name in hosts:
            warnings.append(
                f"VM {name} in resource group {resource_group_of(vm['id'])} skipped: "
                f"the name is already used by the VM {hosts[name].hostvars['azure_vm_id']}"
            )
            continue

        family = os_family(vm)
        groups = [ROLE_GROUPS[role], family]
        ansible_host, host_warning = _ansible_host(name, addresses, options.ansible_host_source)
        if host_warning:
            warnings.append(host_warning)

        hostvars = {
            "ansible_host": ansible_host,
            "azure_vm_id": vm.get("id"),
            "azure_computer_name": (props.get("osProfile") or {}).get("computerName"),
            "azure_resource_group": resource_group_of(vm.get("id") or ""),
            "azure_location": vm.get("location"),
            "azure_vm_size": (props.get("hardwareProfile") or {}).get("vmSize"),
            "azure_os": family,
            "azure_power_state": state,
            "azure_zone": (vm.get("zones") or [None])[0],
            "azure_os_name": view.get("osName"),
            "azure_os_version": view.get("osVersion"),
            "azure_scale_set": vm.get("scale_set"),
            "azure_provisioning_state": provisioning,
            "azure_private_ips": addresses["private"],
            "azure_public_ips": addresses["public"],
            "azure_fqdn": (addresses["fqdns"] or [None])[0],
            "azure_tags": dict(tags),
            "swarm_advertise_addr": addresses["private"][0],
        }
        labels = swarm_labels(tags, options.label_tag_prefix)
        if labels:
            hostvars["swarm_labels"] = labels
        hosts[name] = Host(name=name, groups=groups, hostvars=hostvars)
    return sorted(hosts.values(), key=lambda h: h.name), warnings

"""The swarm's own settings: which the inventory asks for, whether they are valid, what the swarm
holds now (docker info on a manager), the `docker swarm update` that converges those a running swarm
can change, and the differences in those fixed when the swarm was created (default address pools,
their mask length, the data path port), which are reported with what it takes to change them.

A setting the inventory leaves unset is not managed: the run neither sets nor reports it.
Values are typed as Ansible types module options (problems._common.typed_values). Pure functions.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import typed_values

# The variables, as an argument spec (the name of each is swarm_<key>).
OPTIONS = {
    "autolock": {"type": "bool"},
    "cert_expiry": {"type": "str"},
    "task_history_limit": {"type": "int"},
    "snapshot_interval": {"type": "int"},
    "dispatcher_heartbeat": {"type": "str"},
    "default_addr_pools": {"type": "list", "elements": "str"},
    "default_addr_pool_mask_length": {"type": "int"},
    "data_path_port": {"type": "int"},
    "manager_availability": {"type": "str", "choices": ["active", "drain"]},
}
# Changed on a running swarm by `docker swarm update` (docker/cli cli/command/swarm/update.go).
UPDATABLE = ("autolock", "cert_expiry", "task_history_limit", "snapshot_interval", "dispatcher_heartbeat")
# Given to `docker swarm init` only; the swarm keeps them for life (moby commit 32180ac:
# "DataPathPort can't be modified after swarm init"; the same holds for DefaultAddrPool/SubnetSize).
FIXED_AT_INIT = ("default_addr_pools", "default_addr_pool_mask_length", "data_path_port")
FLAGS = {
    "autolock": "--autolock",
    "cert_expiry": "--cert-expiry",
    "task_history_limit": "--task-history-limit",
    "snapshot_interval": "--snapshot-interval",
    "dispatcher_heartbeat": "--dispatcher-heartbeat",
    "default_addr_pool_mask_length": "--default-addr-pool-mask-length",
    "data_path_port": "--data-path-port",
}
# Docker's own values for a swarm created without the flag (docker swarm init --help).
DOCKER_DEFAULTS = {
    "default_addr_pools": ["10.0.0.0/8"],
    "default_addr_pool_mask_length": 24,
    "data_path_port": 4789,
}
# The data path (VXLAN) port range the Engine API accepts (SwarmInitRequest.DataPathPort).
DATA_PATH_PORTS = (1024, 49151)
# swarmkit refuses a node certificate that lives less than an hour (ca.MinNodeCertExpiration).
MIN_CERT_EXPIRY_NS = 3600 * 10**9
# Windows builds before 1909 (18363) have no custom VXLAN port; Microsoft: "backported to 1909 and
# available in all Windows Server version >= 1909. There are no plans to backport this to RS5"
# (RS5 = 1809 = Windows Server 2019, build 17763), microsoft/Windows-Containers#17 (2020-10-07).
FIRST_BUILD_WITH_VXLAN_PORT = 18363
DEFAULT_VXLAN_PORT = 4789

_UNITS_NS = {"h": 3600 * 10**9, "m": 60 * 10**9, "s": 10**9, "ms": 10**6}
_DURATION = re.compile(r"^(?:(\d+)(h|ms|m|s))+$")
_PART = re.compile(r"(\d+)(h|ms|m|s)")


def duration_ns(value: str) -> int:
    """A Go-style duration ('2160h', '1h30m', '5s', '500ms') or a number of seconds, in nanoseconds."""
    text = str(value).strip()
    if text.isdigit():
        return int(text) * 10**9
    if not _DURATION.match(text):
        raise ValueError(f"{text!r} is no duration; write e.g. '2160h', '1h30m', '5s' or a number of seconds")
    return sum(int(n) * _UNITS_NS[u] for n, u in _PART.findall(text))


def duration_text(ns: int) -> str:
    """Nanoseconds as Go prints a duration (2160h0m0s, 5s), as docker info shows it."""
    seconds, rest = divmod(ns, 10**9)
    if seconds < 60 and not rest:
        return f"{seconds}s"
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return f"{hours}h{minutes}m{seconds}s" if hours else f"{minutes}m{seconds}s"


def wanted_settings(given: dict) -> tuple[dict, list[str]]:
    """(settings the inventory sets, typed, problems): `given` maps each key of OPTIONS to the value of
    swarm_<key>, None when unset. Every problem names the variable and what would be valid."""
    problems: list[str] = []

    def fail(field, message):
        problems.append(f"variable swarm_{field}: {message}")

    typed = typed_values({k: v for k, v in given.items() if v is not None}, OPTIONS, fail)
    for key in ("cert_expiry", "dispatcher_heartbeat"):
        if key in typed:
            try:
                typed[key] = duration_ns(typed[key])
            except ValueError as exc:
                fail(key, str(exc))
                del typed[key]
    if typed.get("cert_expiry") is not None and typed["cert_expiry"] < MIN_CERT_EXPIRY_NS:
        fail(
            "cert_expiry",
            f"{duration_text(typed.pop('cert_expiry'))} is too short; the swarm accepts 1h or more",
        )
    if typed.get("dispatcher_heartbeat") == 0:
        fail("dispatcher_heartbeat", "must be longer than 0s, e.g. '5s' (Docker's default)")
        del typed["dispatcher_heartbeat"]
    for key in ("task_history_limit", "snapshot_interval"):
        if typed.get(key) is not None and typed[key] < (0 if key == "task_history_limit" else 1):
            fail(
                key,
                f"{typed.pop(key)} is out of range; valid: {'0' if key == 'task_history_limit' else '1'} or more",
            )
    port = typed.get("data_path_port")
    if port is not None and not DATA_PATH_PORTS[0] <= port <= DATA_PATH_PORTS[1]:
        fail("data_path_port", f"{port} is out of range; valid: {DATA_PATH_PORTS[0]} to {DATA_PATH_PORTS[1]}")
        del typed["data_path_port"]
    problems += _pool_problems(typed)
    return typed, problems


def _pool_problems(typed: dict) -> list[str]:
    """Each pool an IPv4 network in CIDR form, none overlapping another, each at least as large as the
    mask length the swarm cuts it into."""
    problems, networks = [], []
    for pool in typed.get("default_addr_pools") or []:
        try:
            networks.append(ipaddress.IPv4Network(pool))
        except ValueError:
            problems.append(
                f"variable swarm_default_addr_pools: {pool!r} is no IPv4 network in CIDR form "
                "with its host bits zero, e.g. '10.20.0.0/16'"
            )
    for i, a in enumerate(networks):
        for b in networks[i + 1 :]:
            if a.overlaps(b):
                problems.append(
                    f"variable swarm_default_addr_pools: {a} and {b} overlap; give pools that do not"
                )
    if "default_addr_pools" in typed and not typed["default_addr_pools"]:
        problems.append("variable swarm_default_addr_pools: empty; give at least one pool or leave it unset")
    mask = typed.get("default_addr_pool_mask_length")
    if mask is not None:
        if not 1 <= mask <= 32:
            problems.append(
                f"variable swarm_default_addr_pool_mask_length: {mask} is out of range; valid: 1 to 32"
            )
        elif networks and mask < max(n.prefixlen for n in networks):
            too_small = ", ".join(str(n) for n in networks if n.prefixlen > mask)
            problems.append(
                f"variable swarm_default_addr_pool_mask_length: {mask} gives subnets larger than the pool "
                f"{too_small}; valid: {max(n.prefixlen for n in networks)} to 32"
            )
    if problems:
        typed.pop("default_addr_pools", None)
        typed.pop("default_addr_pool_mask_length", None)
    return problems


def windows_problems(settings: dict, windows_builds: dict[str, str]) -> list[str]:
    """A custom data path port on a Windows node whose build has no custom VXLAN port (before 1909)."""
    port = settings.get("data_path_port")
    if port is None or port == DEFAULT_VXLAN_PORT:
        return []
    return [
        f"host {host}: swarm_data_path_port {port} is not supported on Windows build {build} (Windows Server "
        f"2019 and older have a fixed VXLAN port {DEFAULT_VXLAN_PORT}); leave swarm_data_path_port unset or "
        f"{DEFAULT_VXLAN_PORT}, or run Windows Server 2022 (build 20348) or newer there"
        for host, build in sorted(windows_builds.items())
        if build.isdigit() and int(build) < FIRST_BUILD_WITH_VXLAN_PORT
    ]


def current_settings(info: dict) -> dict:
    """The swarm's settings as `docker info` on a manager reports them (keys of OPTIONS but
    manager_availability); {} when this engine is no manager."""
    cluster = (info.get("Swarm") or {}).get("Cluster") or {}
    spec = cluster.get("Spec")
    if not spec:
        return {}
    return {
        "autolock": bool((spec.get("EncryptionConfig") or {}).get("AutoLockManagers")),
        "cert_expiry": (spec.get("CAConfig") or {}).get("NodeCertExpiry"),
        "task_history_limit": (spec.get("Orchestration") or {}).get("TaskHistoryRetentionLimit"),
        "snapshot_interval": (spec.get("Raft") or {}).get("SnapshotInterval"),
        "dispatcher_heartbeat": (spec.get("Dispatcher") or {}).get("HeartbeatPeriod"),
        # Engines before API 1.39/1.40 do not report these; Docker's defaults are what they use.
        "default_addr_pools": cluster.get("DefaultAddrPool") or DOCKER_DEFAULTS["default_addr_pools"],
        "default_addr_pool_mask_length": cluster.get("SubnetSize")
        or DOCKER_DEFAULTS["default_addr_pool_mask_length"],
        "data_path_port": cluster.get("DataPathPort") or DOCKER_DEFAULTS["data_path_port"],
    }


def _shown(key: str, value):
    return (
        duration_text(value)
        if key in ("cert_expiry", "dispatcher_heartbeat") and value is not None
        else value
    )


def _flag_value(key: str, value) -> str:
    if key == "autolock":
        return "true" if value else "false"
    if key in ("cert_expiry", "dispatcher_heartbeat"):
        return duration_text(value)
    return str(value)


def update_changes(wanted: dict, current: dict) -> dict:
    """The `docker swarm update` flags that bring the settings a running swarm can change to `wanted`,
    the diff, and whether autolock is turned on (the unlock key must then be saved)."""
    changed = [k for k in UPDATABLE if k in wanted and wanted[k] != current.get(k)]
    return {
        "flags": [f"{FLAGS[k]}={_flag_value(k, wanted[k])}" for k in changed],
        "diff": {
            "before": {k: _shown(k, current.get(k)) for k in changed},
            "after": {k: _shown(k, wanted[k]) for k in changed},
        },
        "autolock_on": "autolock" in changed and bool(wanted["autolock"]),
    }


def key_to_write(
    changes: dict, wanted: dict, current: dict, key_file: str | None, rotate: bool, exists: bool
) -> bool:
    """Whether the unlock key is written to key_file this run: when autolock is turned on, on rotation,
    and once when autolock is on but the file does not exist (autolock turned on by hand, or the file
    moved away). ValueError when the key would be lost (no file named) or there is none to rotate."""
    autolock_after = wanted.get("autolock", current.get("autolock", False))
    if rotate and not autolock_after:
        raise ValueError(
            "swarm_rotate_unlock_key is true but autolock is off: there is no unlock key to rotate; "
            "set swarm_autolock: true (with swarm_unlock_key_file) or leave the rotation out"
        )
    if (changes["autolock_on"] or rotate) and not key_file:
        raise ValueError(
            "autolock's unlock key would be lost: set swarm_unlock_key_file, the controller file it is written to"
        )
    return bool(key_file) and autolock_after and (changes["autolock_on"] or rotate or not exists)


def fixed_differences(wanted: dict, current: dict) -> list[str]:
    """One line per setting fixed at init whose wanted value differs from the swarm's, saying what
    changing it takes."""
    lines = []
    for key in FIXED_AT_INIT:
        if key not in wanted:
            continue
        want, have = wanted[key], current.get(key)
        if key == "default_addr_pools":
            same = {str(ipaddress.IPv4Network(p)) for p in want} == {
                str(ipaddress.IPv4Network(p)) for p in have or []
            }
        else:
            same = want == have
        if not same:
            lines.append(
                f"swarm_{key} is {want} but the swarm was created with {have}; it is fixed when the swarm is "
                "created: changing it takes a new swarm (every node leaves, the first manager runs swarm init "
                "again; services, networks, secrets and configs are lost unless restored), so this run "
                "leaves it as it is"
            )
    return lines


def init_flags(wanted: dict) -> list[str]:
    """The `docker swarm init` flags for the settings fixed at init (the rest follow by update)."""
    flags = [f"--default-addr-pool={pool}" for pool in wanted.get("default_addr_pools") or []]
    flags += [
        f"{FLAGS[k]}={wanted[k]}" for k in ("default_addr_pool_mask_length", "data_path_port") if k in wanted
    ]
    return flags


# Rotate the swarm's root CA without waiting in the CLI (the run waits itself, node by node).
CA_ROTATE_ARGV = ["docker", "swarm", "ca", "--rotate", "--detach", "--quiet"]


def trust_root(info: dict) -> dict:
    """The CA the swarm issues node certificates from now (docker info on a manager): its issuer
    public key, and whether a root rotation is still under way."""
    cluster = (info.get("Swarm") or {}).get("Cluster") or {}
    return {
        "issuer_key": (cluster.get("TLSInfo") or {}).get("CertIssuerPublicKey") or "",
        "rotating": bool(cluster.get("RootRotationInProgress")),
    }


def nodes_on_old_ca(root: dict, node_docs: list[dict]) -> list[str]:
    """`hostname (ID)` of every Ready node whose certificate was not issued by the swarm's CA yet
    (docker node inspect: Description.TLSInfo.CertIssuerPublicKey). A node that is down renews when it
    is back; the swarm keeps the rotation open until then (RootRotationInProgress)."""
    return [
        f"{(d.get('Description') or {}).get('Hostname', '?')} ({d.get('ID', '?')})"
        for d in node_docs
        if (d.get("Status") or {}).get("State") == "ready"
        and ((d.get("Description") or {}).get("TLSInfo") or {}).get("CertIssuerPublicKey")
        != root["issuer_key"]
    ]

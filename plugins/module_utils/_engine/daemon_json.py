"""The one check of daemon.json contents, for the Linux and the Windows engine role alike.

dockerd refuses to start on a daemon.json with an option it does not know ("the following
directives don't match any configuration option") or a value of the wrong kind, and a node whose
engine does not start drops out of the swarm. daemon_config_problems() checks a mapping on the
controller, before any file is written: every key against the options dockerd accepts on that
OS and engine release (DAEMON_OPTIONS), the kind of list and boolean values, log-opts, and the
keys the calling role writes itself. Both roles call it through the daemon_config_problems
filter. Pure functions.
"""

from __future__ import annotations

import re

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import closest, shown

LINUX, WINDOWS = "linux", "windows"
_BOTH = (LINUX, WINDOWS)

# Option -> (OSes that accept it, first release that knows it, first release that refuses it).
# From dockerd's configuration reference (docs.docker.com, "daemon configuration file", Linux and
# Windows examples) and the release notes' removals. None: no bound known to matter.
DAEMON_OPTIONS: dict[str, tuple[tuple[str, ...], str | None, str | None]] = {
    "allow-nondistributable-artifacts": (_BOTH, None, "28.0"),
    "api-cors-header": ((LINUX,), None, None),
    "authorization-plugins": (_BOTH, None, None),
    "bip": ((LINUX,), None, None),
    "bridge": (_BOTH, None, None),
    "builder": (_BOTH, "18.09", None),
    "cdi-spec-dirs": ((LINUX,), "25.0", None),
    "cgroup-parent": ((LINUX,), None, None),
    "cluster-advertise": (_BOTH, None, "23.0"),
    "cluster-store": (_BOTH, None, "23.0"),
    "cluster-store-opts": (_BOTH, None, "23.0"),
    "containerd": (_BOTH, None, None),
    "containerd-namespace": (_BOTH, "23.0", None),
    "containerd-plugins-namespace": (_BOTH, "23.0", None),
    "data-root": (_BOTH, None, None),
    "debug": (_BOTH, None, None),
    "default-address-pools": ((LINUX,), "18.06", None),
    "default-cgroupns-mode": ((LINUX,), "20.10", None),
    "default-gateway": ((LINUX,), None, None),
    "default-gateway-v6": ((LINUX,), None, None),
    "default-ipc-mode": ((LINUX,), "19.03", None),
    "default-network-opts": (_BOTH, "24.0", None),
    "default-runtime": (_BOTH, None, None),
    "default-shm-size": ((LINUX,), None, None),
    "default-ulimits": (_BOTH, None, None),
    "dns": (_BOTH, None, None),
    "dns-opts": (_BOTH, None, None),
    "dns-search": (_BOTH, None, None),
    "exec-opts": (_BOTH, None, None),
    "exec-root": ((LINUX,), None, None),
    "experimental": (_BOTH, None, None),
    "features": (_BOTH, "19.03", None),
    "fixed-cidr": (_BOTH, None, None),
    "fixed-cidr-v6": ((LINUX,), None, None),
    "group": (_BOTH, None, None),
    "host-gateway-ip": (_BOTH, "20.10", None),
    "hosts": (_BOTH, None, None),
    "icc": ((LINUX,), None, None),
    "init": ((LINUX,), None, None),
    "init-path": ((LINUX,), None, None),
    "insecure-registries": (_BOTH, None, None),
    "ip": ((LINUX,), None, None),
    "ip-forward": ((LINUX,), None, None),
    "ip-masq": ((LINUX,), None, None),
    "ip6tables": ((LINUX,), "20.10", None),
    "iptables": ((LINUX,), None, None),
    "ipv6": ((LINUX,), None, None),
    "labels": (_BOTH, None, None),
    "live-restore": ((LINUX,), None, None),
    "log-driver": (_BOTH, None, None),
    "log-format": (_BOTH, "20.10", None),
    "log-level": (_BOTH, None, None),
    "log-opts": (_BOTH, None, None),
    "max-concurrent-downloads": (_BOTH, None, None),
    "max-concurrent-uploads": (_BOTH, None, None),
    "max-download-attempts": (_BOTH, "19.03", None),
    "metrics-addr": (_BOTH, None, None),
    "mtu": (_BOTH, None, None),
    "no-new-privileges": ((LINUX,), None, None),
    "node-generic-resources": ((LINUX,), None, None),
    "oom-score-adjust": ((LINUX,), None, None),
    "pidfile": (_BOTH, None, None),
    "proxies": (_BOTH, "23.0", None),
    "raw-logs": (_BOTH, None, None),
    "registry-mirrors": (_BOTH, None, None),
    "runtimes": ((LINUX,), None, None),
    "seccomp-profile": ((LINUX,), None, None),
    "selinux-enabled": ((LINUX,), None, None),
    "shutdown-timeout": (_BOTH, None, None),
    "storage-driver": (_BOTH, None, None),
    "storage-opts": (_BOTH, None, None),
    "swarm-default-advertise-addr": (_BOTH, None, None),
    "tls": (_BOTH, None, None),
    "tlscacert": (_BOTH, None, None),
    "tlscert": (_BOTH, None, None),
    "tlskey": (_BOTH, None, None),
    "tlsverify": (_BOTH, None, None),
    "userland-proxy": ((LINUX,), None, None),
    "userland-proxy-path": ((LINUX,), None, None),
    "userns-remap": ((LINUX,), None, None),
}

_KEY = re.compile(r"^[a-z][a-z0-9-]*$")
_RELEASE = re.compile(r"(\d+)\.(\d+)")
LIST_OPTIONS = frozenset(
    {
        "allow-nondistributable-artifacts",
        "authorization-plugins",
        "default-address-pools",
        "dns",
        "dns-opts",
        "dns-search",
        "exec-opts",
        "hosts",
        "insecure-registries",
        "labels",
        "registry-mirrors",
        "storage-opts",
    }
)
BOOL_OPTIONS = frozenset(
    {
        "debug",
        "experimental",
        "icc",
        "init",
        "ip-forward",
        "ip-masq",
        "ip6tables",
        "iptables",
        "ipv6",
        "live-restore",
        "no-new-privileges",
        "raw-logs",
        "selinux-enabled",
        "tls",
        "tlsverify",
        "userland-proxy",
    }
)
INT_OPTIONS = frozenset(
    {
        "max-concurrent-downloads",
        "max-concurrent-uploads",
        "max-download-attempts",
        "mtu",
        "oom-score-adjust",
        "shutdown-timeout",
    }
)
MAPPING_OPTIONS = frozenset({"default-ulimits", "features", "log-opts", "proxies", "runtimes", "builder"})


def release(version) -> tuple[int, int] | None:
    """(major, minor) of an engine version such as '20.10.24+dfsg1' or '27.5.1'; None if unknown."""
    match = _RELEASE.search(str(version or ""))
    return (int(match.group(1)), int(match.group(2))) if match else None


def _accepted(key: str, os_name: str, engine: tuple[int, int] | None) -> str | None:
    """None when dockerd on this OS and release accepts the option, else why not."""
    known = DAEMON_OPTIONS.get(key)
    if known is None:
        return "unknown"
    systems, since, until = known
    if os_name not in systems:
        return f"not accepted by dockerd on {os_name.capitalize()}"
    if engine and since and engine < release(since):
        return f"needs Docker Engine {since} or later"
    if engine and until and engine >= release(until):
        return f"removed in Docker Engine {until}"
    return None


def daemon_config_problems(options, os_name: str = LINUX, engine_version=None, managed_keys=()) -> list[str]:
    """Return one message per problem in daemon.json `options` (empty when it is fine).

    os_name: linux or windows; engine_version: the engine release the file is for (None when not
    known yet: every option some release accepts passes); managed_keys: options the calling role
    sets itself and so must not come from the user.
    """
    if not isinstance(options, dict):
        return [f"must be a mapping of dockerd option names to values, got {shown(options)}"]
    engine = release(engine_version)
    valid = sorted(k for k, rule in DAEMON_OPTIONS.items() if os_name in rule[0])
    problems = []
    for key, value in options.items():
        if not isinstance(key, str) or not _KEY.match(key):
            problems.append(
                f"option {key!r}: names are lower-case words joined by dashes, e.g. 'log-driver'{closest(key, valid)}"
            )
            continue
        refused = _accepted(key, os_name, engine)
        if refused == "unknown":
            problems.append(
                f"option {key!r}: dockerd knows no such option and would refuse to start{closest(key, valid)}; "
                "see https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file"
            )
        elif refused:
            problems.append(f"option {key!r}: {refused} (this node's engine: {engine_version})")
        elif key in managed_keys:
            problems.append(f"option {key!r}: set by the role itself; use its own variable instead")
        elif key in LIST_OPTIONS and not isinstance(value, list):
            problems.append(f"option {key!r}: must be a list, got {shown(value)}")
        elif key in BOOL_OPTIONS and not isinstance(value, bool):
            problems.append(f"option {key!r}: must be true or false, got {shown(value)}")
        elif key in INT_OPTIONS and (isinstance(value, bool) or not isinstance(value, int)):
            problems.append(f"option {key!r}: must be an integer, got {shown(value)}")
        elif key in MAPPING_OPTIONS and not isinstance(value, dict):
            problems.append(f"option {key!r}: must be a mapping, got {shown(value)}")
        elif key == "log-opts":
            problems.extend(
                f"option 'log-opts.{name}': values must be strings (quote it: \"{opt}\")"
                for name, opt in value.items()
                if not isinstance(opt, str)
            )
    if options.get("live-restore") is True:
        problems.append(
            "option 'live-restore': dockerd refuses it on swarm nodes; remove it or set it to false"
        )
    return problems

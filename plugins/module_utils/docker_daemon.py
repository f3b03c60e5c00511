"""Checks on daemon.json contents before they reach an engine.

dockerd refuses to start on a malformed daemon.json, and a node whose engine does not start
drops out of the swarm. These checks catch the common mistakes on the controller, before any
node is touched. Pure functions, shared by the Linux and Windows engine roles.
"""

from __future__ import annotations

import re

_KEY = re.compile(r"^[a-z][a-z0-9-]*$")
LIST_OPTIONS = frozenset(
    {
        "allow-nondistributable-artifacts",
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
        "iptables",
        "ipv6",
        "live-restore",
        "selinux-enabled",
        "tls",
        "tlsverify",
        "userland-proxy",
    }
)


def daemon_config_problems(options, managed_keys=()) -> list[str]:
    """Return one message per problem in daemon.json `options` (empty when it is fine).

    managed_keys: options the calling role sets itself and so must not come from the user.
    """
    if not isinstance(options, dict):
        return [f"must be a mapping of dockerd option names to values, got {type(options).__name__}"]
    problems = []
    for key, value in options.items():
        if not isinstance(key, str) or not _KEY.match(key):
            problems.append(f"option {key!r}: names are lower-case words joined by dashes, e.g. 'log-driver'")
            continue
        if key in managed_keys:
            problems.append(f"option {key!r}: set by the role itself; use its own variable instead")
        elif key in LIST_OPTIONS and not isinstance(value, list):
            problems.append(f"option {key!r}: must be a list, got {value!r}")
        elif key in BOOL_OPTIONS and not isinstance(value, bool):
            problems.append(f"option {key!r}: must be true or false, got {value!r}")
        elif key == "log-opts":
            problems.extend(_log_opts_problems(value))
    if options.get("live-restore") is True:
        problems.append(
            "option 'live-restore': dockerd refuses it on swarm nodes; remove it or set it to false"
        )
    return problems


def _log_opts_problems(value) -> list[str]:
    if not isinstance(value, dict):
        return [f"option 'log-opts': must be a mapping, got {value!r}"]
    return [
        f"option 'log-opts.{name}': values must be strings (quote it: \"{opt}\")"
        for name, opt in value.items()
        if not isinstance(opt, str)
    ]

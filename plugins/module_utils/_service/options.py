"""The options of swarm_service, swarm_network and swarm_stack, each key written once.

Each entry is an Ansible argument spec entry (type, choices, default, elements, options) with
its documentation text (description), like a role's argument_specs. From these the action
plugins take their ARGUMENT_SPEC, the definition checks their known keys and types
(_common.problems.typed_values), and scripts/write_module_docs.py the options of the modules'
documentation stubs (a unit test fails when a stub drifts). No Ansible imports.
"""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.jobs import MODES
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.placement import OS_NAMES
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.ports import PUBLISH_MODES

STATE = ("present", "absent")

# The keys of limits and reservations (units.RESOURCE_KEYS, shared with compose files).
RESOURCE_OPTIONS = {
    "cpus": {"description": "A number of CPUs, for example C(0.5).", "type": "raw"},
    "memory": {
        "description": "Bytes, or a size in binary units such as C(256M) or C(1G).",
        "type": "raw",
    },
}


def update_options(failure_actions: list[str]) -> dict:
    """The keys of update_config and rollback_config; unset ones take the engine's defaults
    (fields.UPDATE_DEFAULTS)."""
    return {
        "parallelism": {"description": "Tasks updated at once; 0 updates all at once.", "type": "int"},
        "delay": {
            "description": "Wait between groups of tasks, a duration such as C(10s), C(1m30s) or C(500ms).",
            "type": "raw",
        },
        "failure_action": {
            "description": "What the engine does when an updated task fails.",
            "type": "str",
            "choices": failure_actions,
        },
        "monitor": {
            "description": "How long each updated task is watched for a failure, a duration.",
            "type": "raw",
        },
        "max_failure_ratio": {
            "description": "Share of failed tasks, between 0 and 1, tolerated before the failure action.",
            "type": "float",
        },
        "order": {
            "description": "C(stop-first) stops the old task before starting the new one; C(start-first) "
            "overlaps them.",
            "type": "str",
            "choices": ["stop-first", "start-first"],
        },
    }


# --- The task and container keys of a service (_service.task_options) ------------------------------

DURATION_TEXT = "a duration such as C(10s), C(1m30s) or C(500ms)"


def string_list(description: str) -> dict:
    """An option that is a list of strings."""
    return {"description": description, "type": "list", "elements": "str"}


HEALTHCHECK_OPTIONS = {
    "test": {
        "description": [
            "The check, a shell command line (run by C(/bin/sh -c) on Linux, C(cmd /S /C) on Windows), or a list "
            "whose first item is C(CMD-SHELL) followed by that command line, as compose writes it.",
            "Unset keeps the image's own check (its C(HEALTHCHECK)).",
        ],
        "type": "raw",
    },
    "interval": {"description": f"Time between two checks, {DURATION_TEXT}.", "type": "raw"},
    "timeout": {"description": f"Time one check may take, {DURATION_TEXT}.", "type": "raw"},
    "retries": {"description": "Consecutive failures that make the task unhealthy.", "type": "int"},
    "start_period": {
        "description": f"Time after start during which failures do not count, {DURATION_TEXT}.",
        "type": "raw",
    },
    "disable": {
        "description": "C(true) turns off any check, the image's too; no other key may be set with it.",
        "type": "bool",
        "default": False,
    },
}

RESTART_POLICY_OPTIONS = {
    "condition": {
        "description": "When a stopped task is restarted; the engine's default is C(any).",
        "type": "str",
        "choices": ["none", "on-failure", "any"],
    },
    "delay": {"description": f"Wait before a restart, {DURATION_TEXT}; default C(5s).", "type": "raw"},
    "max_attempts": {"description": "Restarts before giving up; 0 (default) means no limit.", "type": "int"},
    "window": {
        "description": f"Time over which restarts are counted, {DURATION_TEXT}; 0 (default) means unbounded.",
        "type": "raw",
    },
}

MOUNT_OPTIONS = {
    "type": {
        "description": [
            "C(volume) (a named volume, created on the node when missing), C(bind) (a path of the node), "
            "C(tmpfs) (memory, Linux only) or C(npipe) (a named pipe, Windows only)."
        ],
        "type": "str",
        "choices": ["volume", "bind", "tmpfs", "npipe"],
        "default": "volume",
    },
    "source": {
        "description": "Volume name, node path or pipe; unset for C(tmpfs) (and for an anonymous volume).",
        "type": "str",
    },
    "target": {
        "description": "Path inside the container; on Windows a drive path (C(C:\\data)) or a pipe.",
        "type": "str",
        "required": True,
    },
    "readonly": {"description": "Mount read-only.", "type": "bool", "default": False},
    "volume_driver": {"description": "Driver of a C(volume) mount created on a node.", "type": "str"},
    "volume_options": {"description": "Options of that driver.", "type": "dict"},
    "volume_labels": {"description": "Labels of a volume created on a node.", "type": "dict"},
    "volume_nocopy": {
        "description": "Do not copy the image's files at the target into a new volume.",
        "type": "bool",
        "default": False,
    },
    "propagation": {
        "description": "Bind propagation of a C(bind) mount.",
        "type": "str",
        "choices": ["private", "rprivate", "shared", "rshared", "slave", "rslave"],
    },
    "tmpfs_size": {
        "description": "Size of a C(tmpfs) mount, such as C(64M); unset means no limit.",
        "type": "raw",
    },
    "tmpfs_mode": {"description": "File mode of a C(tmpfs) mount in octal, such as C(1777).", "type": "raw"},
}

TASK_OPTIONS = {
    "max_concurrent": {
        "description": "A C(replicated-job): how many of its tasks run at once; default all of O(services[].replicas).",
        "type": "int",
    },
    "healthcheck": {
        "description": [
            "The container health check; a task is running only once it is healthy, and rolling updates "
            "wait for it. Unset keeps the image's check."
        ],
        "type": "dict",
        "options": HEALTHCHECK_OPTIONS,
    },
    "restart_policy": {
        "description": "When the engine restarts a stopped task; unset keys take the engine's defaults.",
        "type": "dict",
        "options": RESTART_POLICY_OPTIONS,
    },
    "mounts": {
        "description": [
            "Filesystem mounts, one per O(services[].mounts[].target). A changed mount is replaced in place "
            "(C(--mount-add)), a removed one taken out (C(--mount-rm))."
        ],
        "type": "list",
        "elements": "dict",
        "options": MOUNT_OPTIONS,
    },
    "logging": {
        "description": [
            "Log driver of the tasks and its options. Unset leaves the service's driver alone (the engine's "
            "default for a new service): C(docker service update) cannot take a driver away again."
        ],
        "type": "dict",
        "options": {
            "driver": {
                "description": "Driver name, such as C(json-file), C(local), C(syslog).",
                "type": "str",
            },
            "options": {"description": "Driver options, such as C(max-size: 10m).", "type": "dict"},
        },
    },
    "hostname": {
        "description": "Container host name (Go template placeholders such as C({{.Task.Slot}}) work).",
        "type": "str",
    },
    "user": {"description": "User (and group) the command runs as, C(USER[:GROUP]).", "type": "str"},
    "workdir": {"description": "Working directory of the command.", "type": "str"},
    "dns": string_list("DNS servers (IP addresses), compared as a set."),
    "dns_search": string_list("DNS search domains, compared as a set."),
    "dns_options": string_list("Resolver options such as C(ndots:2), compared as a set."),
    "hosts": {
        "description": "Extra C(/etc/hosts) entries, a dict C(NAME: IP) or a list of C(NAME:IP).",
        "type": "raw",
    },
    "stop_signal": {"description": "Signal that stops the container, such as C(SIGQUIT).", "type": "str"},
    "stop_grace_period": {
        "description": f"Time between the stop signal and a kill, {DURATION_TEXT}; default C(10s).",
        "type": "raw",
    },
    "init": {"description": "Run an init process as PID 1 that reaps zombies.", "type": "bool"},
    "read_only": {"description": "Mount the container's root filesystem read-only.", "type": "bool"},
    "cap_add": string_list("Linux capabilities to add, such as C(NET_ADMIN) (C(CAP_) prefix optional)."),
    "cap_drop": string_list("Linux capabilities to drop, or C(ALL)."),
    "sysctls": {
        "description": "Namespaced kernel parameters, such as C(net.core.somaxconn: 1024).",
        "type": "dict",
    },
    "ulimits": {
        "description": "Resource limits by name (C(nofile), C(nproc), ...): a number, C(SOFT:HARD) or C({soft, hard}).",
        "type": "dict",
    },
    "max_replicas_per_node": {
        "description": "At most this many tasks of the service on one node; 0 (default) means no limit.",
        "type": "int",
    },
    "pids_limit": {
        "description": "Most processes in a container; 0 (default) means no limit.",
        "type": "int",
    },
    "generic_resources": {
        "description": [
            "Node resources a task reserves, such as C(gpu: 1) (a count of a discrete resource) or a name of a named "
            "one; only nodes whose engine advertises them (C(node-generic-resources)) run the task."
        ],
        "type": "dict",
    },
    "isolation": {
        "description": [
            "Windows services: C(process) shares the host's kernel (the image's build must match the node's), "
            "C(hyperv) runs each container in a utility VM (older images run on newer hosts; the node needs the "
            "Hyper-V feature, see the docker_windows role's C(docker_windows_hyperv)). Refused on a Linux service."
        ],
        "type": "str",
        "choices": ["default", "process", "hyperv"],
    },
    "credential_spec": {
        "description": [
            "Windows services: the gMSA credential spec the containers run with, exactly one of C(file), "
            "C(registry) or C(config). Unset leaves the service's spec alone. Refused on a Linux service."
        ],
        "type": "dict",
        "options": {
            "file": {
                "description": "A file under C(C:\\ProgramData\\Docker\\CredentialSpecs) of each node.",
                "type": "str",
            },
            "registry": {
                "description": [
                    "A value under the nodes' registry key C(HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
                    "\\Virtualization\\Containers\\CredentialSpecs)."
                ],
                "type": "str",
            },
            "config": {"description": "The name of a swarm config holding the spec.", "type": "str"},
        },
    },
}


# --- Secrets, configs and registry credentials (docs/services.md "Secrets and configs",
# "Private registries") ---


def changes_option(phases: str) -> dict:
    """The `changes` option of a plugin whose creations and removals a playbook runs apart."""
    return {
        "description": ["Which of the planned changes to make; every definition is still validated.", phases],
        "type": "str",
        "choices": ["all", "create", "remove"],
        "default": "all",
    }


# One entry of swarm_secrets or swarm_configs (module_utils._service.data).
DATA_OPTIONS = {
    "name": {
        "description": [
            "Logical name, which services give as their C(source). The swarm object is named C(NAME-HASH), the"
            " first 12 hex digits of the content's sha256, so a new content is a new version."
        ],
        "type": "str",
        "required": True,
    },
    "state": {
        "description": "C(absent) removes every version this project created, once no service refers to it.",
        "type": "str",
        "choices": list(STATE),
        "default": "present",
    },
    "file": {
        "description": [
            "A file on the controller (relative paths are looked up like M(ansible.builtin.copy)'s C(src));"
            " a vault-encrypted file is decrypted. Its content must be UTF-8 text."
        ],
        "type": "path",
    },
    "data": {
        "description": "The content itself, for example a vault-encrypted variable.",
        "type": "str",
        "no_log": True,
    },
    "template": {
        "description": "A Jinja2 file rendered on the controller with the task's variables, like M(ansible.builtin.template).",
        "type": "path",
    },
}

# One entry of a service's secrets or configs.
DATA_REF_OPTIONS = {
    "source": {
        "description": [
            "The logical name of an entry of O(ignore:swarm_secrets) / O(ignore:swarm_configs) (the service uses its"
            " current version), or the name of a secret or config that exists in the swarm."
        ],
        "type": "str",
        "required": True,
    },
    "target": {
        "description": [
            "Where the task sees it. Defaults to the logical name, which the engine places under C(/run/secrets/)"
            " (secrets) or C(/) (configs) on Linux and under C(C:\\ProgramData\\Docker\\secrets) or"
            " C(C:\\ProgramData\\Docker\\configs) on Windows."
        ],
        "type": "str",
    },
    "uid": {"description": "Owner user ID of the file (Linux only).", "type": "str"},
    "gid": {"description": "Owner group ID of the file (Linux only).", "type": "str"},
    "mode": {
        "description": 'File mode (Linux only), an octal string such as C("0440") or its number; default C(0444).',
        "type": "raw",
    },
}

SERVICE_DATA_OPTIONS = {
    "secrets": {
        "description": "Secrets the tasks read as files; changing one updates the service in place.",
        "type": "list",
        "elements": "dict",
        "options": DATA_REF_OPTIONS,
    },
    "configs": {
        "description": "Configs the tasks read as files; changing one updates the service in place.",
        "type": "list",
        "elements": "dict",
        "options": DATA_REF_OPTIONS,
    },
}

# Options of swarm_service that come from the secrets, configs and registry stages.
SERVICE_RUN_DATA_OPTIONS = {
    "data_versions": {
        "description": [
            "The current version of each secret and config, as M(mixedswarm.swarm.swarm_secret) returns it"
            " (C(versions)): C({secret: {LOGICAL: NAME}, config: {LOGICAL: NAME}})."
        ],
        "type": "dict",
        "default": {},
    },
    "with_registry_auth": {
        "description": [
            "Create and update services with C(--with-registry-auth), so every node pulls with the credentials"
            " the manager logged in with (M(mixedswarm.swarm.swarm_registry_login))."
        ],
        "type": "bool",
        "default": False,
    },
}

SWARM_SECRET_OPTIONS = {
    "secrets": {
        "description": "Secret definitions (O(ignore:swarm_secrets)).",
        "type": "list",
        "elements": "dict",
        "default": [],
        "options": DATA_OPTIONS,
    },
    "configs": {
        "description": "Config definitions (O(ignore:swarm_configs)), the same keys as O(secrets).",
        "type": "list",
        "elements": "dict",
        "default": [],
        "options": DATA_OPTIONS,
    },
    "validate_only": {
        "description": "Validate, load the contents and plan against the swarm, change nothing (C(changed=false)).",
        "type": "bool",
        "default": False,
    },
    "changes": changes_option(
        "C(create) only creates new versions and C(remove) only removes superseded or absent ones that no"
        " service refers to, so a playbook creates versions before its services roll to them and removes"
        " the old ones after."
    ),
}

# One entry of swarm_registry_auth.
REGISTRY_OPTIONS = {
    "registry": {
        "description": "Registry host (and port), for example C(myregistry.azurecr.io) or C(registry.lab:5000).",
        "type": "str",
        "required": True,
    },
    "username": {
        "description": "User name (for Azure Container Registry, a service principal's app ID).",
        "type": "str",
        "required": True,
    },
    "password": {
        "description": "Password or token, from vault or the environment; it reaches C(docker login) on stdin only.",
        "type": "str",
        "required": True,
        "no_log": True,
    },
}

SWARM_REGISTRY_LOGIN_OPTIONS = {
    "registries": {
        "description": "Registry credentials (O(ignore:swarm_registry_auth)).",
        "type": "list",
        "elements": "dict",
        "required": True,
        "options": REGISTRY_OPTIONS,
    },
}

# --- end of secrets, configs and registry credentials ---


# One entry of swarm_services (docs/services.md).
SERVICE_OPTIONS = {
    "name": {"description": "Service name.", "type": "str", "required": True},
    "state": {
        "description": "C(absent) removes the service, only if this project created it.",
        "type": "str",
        "choices": list(STATE),
        "default": "present",
    },
    "image": {
        "description": [
            "Image reference, C(NAME[:TAG]) or C(NAME[:TAG]@sha256:DIGEST).",
            "With a tag only, C(:latest) is implied when no tag is given and the digest the engine records for the"
            " tag is ignored when comparing.",
            "With a digest (C(sha256:) and 64 lower-case hex digits), the reference is deployed and compared"
            " exactly as written, so a service running another digest is updated.",
        ],
        "type": "str",
    },
    "os": {
        "description": "OS whose nodes run the service (adds C(node.platform.os==OS)).",
        "type": "str",
        "choices": list(OS_NAMES),
    },
    "mode": {
        "description": [
            "C(replicated) runs O(services[].replicas) tasks, C(global) one task per eligible node. "
            "Cannot change in place.",
            "C(replicated-job) runs O(services[].replicas) tasks to completion (O(services[].max_concurrent) at "
            "once), C(global-job) one per eligible node; the run waits until the job has completed and reports "
            "a failed task with its node and error. A changed job runs again.",
        ],
        "type": "str",
        "choices": list(MODES),
        "default": "replicated",
    },
    "replicas": {"description": "Number of tasks of a replicated service.", "type": "int", "default": 1},
    "command": {
        "description": "Arguments after the image (the container command), a list or a command-line string.",
        "type": "raw",
    },
    "entrypoint": {
        "description": "Overrides the image's entrypoint, a list or a command-line string.",
        "type": "raw",
    },
    "env": {"description": "Environment variables, a dict or a list of C(KEY=VALUE).", "type": "raw"},
    "publish": {
        "description": [
            'Published ports, each C(80), C("8080:80"), C("53:53/udp") or a dict with C(published), C(target), '
            "C(protocol) (tcp, udp, sctp) and C(mode) (ingress, host).",
            "C(ingress) ports answer on every node through the routing mesh; C(host) ports only on nodes "
            "running a task.",
        ],
        "type": "list",
        "elements": "raw",
    },
    "publish_mode": {
        "description": [
            "Mode of ports that do not set their own. Defaults to C(ingress), or C(host) when "
            "O(services[].routing_mesh=false)."
        ],
        "type": "str",
        "choices": list(PUBLISH_MODES),
    },
    "networks": {
        "description": [
            "Overlay networks to attach; each must be declared in O(networks) or exist. Service names resolve "
            "only on user-defined overlays, never on C(ingress)."
        ],
        "type": "list",
        "elements": "str",
    },
    "endpoint_mode": {
        "description": [
            "C(vip) gives the service one virtual IP; C(dnsrr) makes its name resolve to each task's address. "
            "C(dnsrr) cannot publish through the routing mesh. Defaults to C(vip), or C(dnsrr) when "
            "O(services[].routing_mesh=false)."
        ],
        "type": "str",
        "choices": ["vip", "dnsrr"],
    },
    "routing_mesh": {
        "description": [
            "C(false) is the easy option for Windows Server releases without the routing mesh (or a swarm "
            "without IPVS), meaning endpoint mode C(dnsrr) and host-mode ports unless set otherwise."
        ],
        "type": "bool",
        "default": True,
    },
    "labels": {"description": "Service labels; C(mixedswarm.managed=true) is always added.", "type": "raw"},
    "constraints": {
        "description": "Placement constraints such as C(node.role==manager) or C(node.labels.zone==a).",
        "type": "list",
        "elements": "str",
    },
    "placement_preferences": {
        "description": "Spread preferences such as C(spread=node.labels.zone), in order.",
        "type": "list",
        "elements": "str",
    },
    "windows_build": {
        "description": [
            "For a Windows service whose image tag names a Windows release (C(ltsc2019), C(ltsc2022), "
            "C(ltsc2025), C(1809), C(20H2), ...), C(match) places its tasks only on nodes whose C(os.build) "
            "label is that release's build.",
            "Without it, such an image is refused when no Windows node runs its build, or when the Windows "
            "nodes run several builds.",
        ],
        "type": "str",
        "choices": ["match"],
    },
    "limits": {
        "description": "Resource limits; unset means none.",
        "type": "dict",
        "options": RESOURCE_OPTIONS,
    },
    "reservations": {
        "description": "Resource reservations; unset means none.",
        "type": "dict",
        "options": RESOURCE_OPTIONS,
    },
    "update_config": {
        "description": "Rolling update settings; unset keys take the engine's defaults.",
        "type": "dict",
        "options": update_options(["pause", "continue", "rollback"]),
    },
    "rollback_config": {
        "description": "Rollback settings; unset keys take the engine's defaults.",
        "type": "dict",
        "options": update_options(["pause", "continue"]),
    },
    **TASK_OPTIONS,
    **SERVICE_DATA_OPTIONS,
}

# One entry of swarm_networks.
NETWORK_OPTIONS = {
    "name": {
        "description": "Network name (not C(ingress), C(bridge), C(host), C(none), C(docker_gwbridge)).",
        "type": "str",
        "required": True,
    },
    "state": {
        "description": "C(absent) removes the network, only if this project created it "
        "(it must have no services attached).",
        "type": "str",
        "choices": list(STATE),
        "default": "present",
    },
    "driver": {"description": "Only C(overlay) spans the swarm.", "type": "str", "default": "overlay"},
    "attachable": {"description": "Standalone containers may attach too.", "type": "bool", "default": True},
    "encrypted": {
        "description": "Encrypt the overlay's data traffic (IPsec). Refused when the swarm has Windows nodes.",
        "type": "bool",
        "default": False,
    },
    "internal": {
        "description": "No outside connectivity. Refused when the swarm has Windows nodes.",
        "type": "bool",
        "default": False,
    },
    "ipv6": {
        "description": "Give the overlay IPv6 addresses too. Refused when the swarm has Windows nodes.",
        "type": "bool",
        "default": False,
    },
    "mtu": {
        "description": [
            "MTU of the overlay's interfaces (option C(com.docker.network.driver.mtu)); unset takes the engine's "
            "default (1450 on Linux). Set it to the smallest path MTU when Linux and Windows nodes share the "
            "overlay (moby/moby#33596)."
        ],
        "type": "int",
    },
    "subnet": {
        "description": "Subnet in CIDR form; unset lets the engine choose. Refused when it holds an address of"
        " a node, overlaps another network's subnet, or (for a new network) overlaps a network a Linux node"
        " routes to (its LAN, a range behind a gateway, a Docker bridge).",
        "type": "str",
    },
    "gateway": {"description": "Gateway address inside O(networks[].subnet).", "type": "str"},
    "labels": {"description": "Network labels; C(mixedswarm.managed=true) is always added.", "type": "dict"},
}

# One entry of swarm_stacks, and the options of swarm_stack that name the stack and its compose file.
STACK_OPTIONS = {
    "name": {
        "description": "Stack name (lowercase letters, digits, C(_), C(-)).",
        "type": "str",
        "required": True,
    },
    "state": {
        "description": "C(absent) runs C(docker stack rm), only for a stack this project deployed.",
        "type": "str",
        "choices": list(STATE),
        "default": "present",
    },
    "definition": {
        "description": [
            "The compose document, as a dict or YAML text (format 3.x; C(version) defaults to 3.8).",
            "Mutually exclusive with O(src); one of them is required when O(state=present).",
        ],
        "type": "raw",
    },
    "src": {
        "description": [
            "A compose template file (Jinja2), rendered on the controller with the task's variables like "
            "M(ansible.builtin.template) does; a YAML error names this file.",
            "Mutually exclusive with O(definition).",
        ],
        "type": "path",
    },
}

VALIDATE_ONLY = {
    "description": "Validate and plan against the swarm, change nothing (C(changed=false)).",
    "type": "bool",
    "default": False,
}

# The whole argument spec of each module, in the order its documentation lists the options.
SWARM_SERVICE_OPTIONS = {
    "services": {
        "description": "Service definitions. Keys are described below; unknown keys are errors.",
        "type": "list",
        "elements": "dict",
        "required": True,
        "options": SERVICE_OPTIONS,
    },
    "networks": {
        "description": [
            "The network definitions of O(ignore:swarm_networks); only their names are used here, so a service "
            "may name a network that is declared but not created yet (validation runs before the networks "
            "stage)."
        ],
        "type": "list",
        "elements": "dict",
        "default": [],
    },
    "validate_only": {
        "description": "Validate and plan against the swarm, report what would change, change nothing "
        "(C(changed=false)).",
        "type": "bool",
        "default": False,
    },
    "wait": {"description": "Wait for convergence after changes.", "type": "bool", "default": True},
    "timeout": {
        "description": "Seconds to wait for convergence before failing with what each service is still doing.",
        "type": "int",
        "default": 300,
    },
    "max_task_failures": {
        "description": "Stop waiting once a service has this many tasks, created by this run, rejected or failed.",
        "type": "int",
        "default": 2,
    },
    **SERVICE_RUN_DATA_OPTIONS,
}

SWARM_NETWORK_OPTIONS = {
    "networks": {
        "description": "Network definitions.",
        "type": "list",
        "elements": "dict",
        "required": True,
        "options": NETWORK_OPTIONS,
    },
    "validate_only": VALIDATE_ONLY,
    "changes": changes_option(
        "C(create) only creates networks and C(remove) only removes those declared absent, so a playbook "
        "can create networks before its services and remove them after the services that used them are "
        "gone."
    ),
}

SWARM_STACK_OPTIONS = {
    **STACK_OPTIONS,
    "prune": {
        "description": "Remove services of the stack that are no longer in the file.",
        "type": "bool",
        "default": True,
    },
    "with_registry_auth": {
        "description": "Send the manager's registry credentials to the nodes.",
        "type": "bool",
        "default": False,
    },
    "validate_only": VALIDATE_ONLY,
    "wait": {"description": "Wait for convergence after a deployment.", "type": "bool", "default": True},
    "timeout": {"description": "Seconds to wait for convergence.", "type": "int", "default": 300},
    "max_task_failures": {
        "description": "Stop waiting once a service has this many new tasks rejected or failed.",
        "type": "int",
        "default": 2,
    },
}

# Module name -> its argument spec, for the documentation writer.
MODULE_OPTIONS = {
    "swarm_service": SWARM_SERVICE_OPTIONS,
    "swarm_network": SWARM_NETWORK_OPTIONS,
    "swarm_stack": SWARM_STACK_OPTIONS,
    "swarm_secret": SWARM_SECRET_OPTIONS,
    "swarm_registry_login": SWARM_REGISTRY_LOGIN_OPTIONS,
}

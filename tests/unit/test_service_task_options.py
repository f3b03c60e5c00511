"""_service.task_options: the task and container keys of a service, checked, read back from
`docker service inspect`, and turned into create flags and update flags (only what changed)."""

import copy

import pytest
from service_fixtures import load

from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.definition import validate_services
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.options import SERVICE_OPTIONS
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.spec import (
    actual_spec,
    changed_fields,
    create_argv,
    display,
    update_argv,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.task_options import mount_arg

IMAGE = "registry:5000/app:1"
BASE = {"name": "app", "image": IMAGE, "os": "linux"}
FULL = {
    **BASE,
    "healthcheck": {
        "test": "wget -q -O- localhost/ || exit 1",
        "interval": "10s",
        "timeout": 3,
        "retries": 3,
    },
    "restart_policy": {"condition": "on-failure", "delay": "2s", "max_attempts": 5, "window": "1m"},
    "mounts": [
        {"type": "volume", "source": "appdata", "target": "/data"},
        {"type": "bind", "source": "/etc/app", "target": "/etc/app", "readonly": True},
        {"type": "tmpfs", "target": "/cache", "tmpfs_size": "64M", "tmpfs_mode": 1777},
        {
            "source": "nfsdata",
            "target": "/nfs",
            "volume_driver": "local",
            "volume_options": {"type": "nfs", "o": "addr=10.0.0.1,rw"},
        },
    ],
}


def one(definition, node_os=("linux",)):
    specs, errors = validate_services([definition], set(node_os), set())
    return (specs[0] if specs else None), list(errors)


def spec_of(definition, node_os=("linux",)):
    spec, errors = one(definition, node_os)
    assert errors == []
    return spec


def inspect_of(spec: dict) -> dict:
    """What a Docker 20.10 engine records for a service the docker CLI created from create_argv(spec):
    the defaults the CLI fills in (restart policy, DNSConfig, StopGracePeriod, Isolation) included, and
    the mounts in an order of their own (the CLI builds them from a map)."""
    container = {
        "Image": spec["image"] + "@sha256:" + "a" * 64,
        "Init": False,
        "StopGracePeriod": 10_000_000_000,
        "DNSConfig": {},
        "Isolation": "default",
    }
    health = spec["healthcheck"]
    if health["test"] == ["NONE"]:
        container["Healthcheck"] = {"Test": ["NONE"]}
    elif any(health.values()):
        raw = {"Test": health["test"]} if health["test"] else {}
        for key, docker_key in (("interval", "Interval"), ("timeout", "Timeout"), ("retries", "Retries")):
            if health[key]:
                raw[docker_key] = health[key]
        if health["start_period"]:
            raw["StartPeriod"] = health["start_period"]
        container["Healthcheck"] = raw
    mounts = []
    for mount in reversed(spec["mounts"]):
        raw = {"Type": mount["type"], "Target": mount["target"]}
        if mount["source"]:
            raw["Source"] = mount["source"]
        if mount["readonly"]:
            raw["ReadOnly"] = True
        if mount["volume_driver"] or mount["volume_options"]:
            raw["VolumeOptions"] = {
                "Labels": {},
                "DriverConfig": {"Name": mount["volume_driver"] or "", "Options": mount["volume_options"]},
            }
        if mount["tmpfs_size"] or mount["tmpfs_mode"]:
            raw["TmpfsOptions"] = {"SizeBytes": mount["tmpfs_size"], "Mode": mount["tmpfs_mode"]}
        mounts.append(raw)
    if mounts:
        container["Mounts"] = mounts
    policy = spec["restart_policy"]
    restart = {
        "Condition": policy["condition"],
        "Delay": policy["delay"],
        "MaxAttempts": policy["max_attempts"],
    }
    if policy["window"]:
        restart["Window"] = policy["window"]
    return {
        "Spec": {
            "Name": spec["name"],
            "Labels": dict(spec["labels"]),
            "TaskTemplate": {
                "ContainerSpec": container,
                "Resources": {"Limits": {}, "Reservations": {}},
                "RestartPolicy": restart,
                "Placement": {"Constraints": list(spec["constraints"])},
            },
            "Mode": {"Replicated": {"Replicas": spec["replicas"]}},
            "EndpointSpec": {"Mode": "vip"},
        }
    }


def test_create_argv_carries_every_task_key():
    argv = create_argv(spec_of(FULL))
    tail = argv[argv.index("--rollback-order") + 2 :]
    assert tail == [
        "--health-cmd",
        "wget -q -O- localhost/ || exit 1",
        "--health-interval",
        "10s",
        "--health-timeout",
        "3s",
        "--health-retries",
        "3",
        "--restart-condition",
        "on-failure",
        "--restart-delay",
        "2s",
        "--restart-max-attempts",
        "5",
        "--restart-window",
        "1m",
        "--mount",
        "type=tmpfs,target=/cache,tmpfs-size=67108864,tmpfs-mode=1777",
        "--mount",
        "type=volume,source=appdata,target=/data",
        "--mount",
        "type=bind,source=/etc/app,target=/etc/app,readonly=true",
        "--mount",
        'type=volume,source=nfsdata,target=/nfs,volume-driver=local,"volume-opt=o=addr=10.0.0.1,rw",'
        "volume-opt=type=nfs",
        IMAGE,
    ]


def test_an_unchanged_service_reads_back_equal_with_the_engines_defaults():
    spec = spec_of(FULL)
    assert changed_fields(spec, actual_spec(inspect_of(spec), {})) == []
    bare = spec_of(BASE)
    assert changed_fields(bare, actual_spec(inspect_of(bare), {})) == []


def test_a_service_created_before_these_keys_existed_is_unchanged_without_them():
    # The Spec the lab's engine recorded for a service created with none of these flags.
    recorded = {
        "Spec": {
            "Name": "app",
            "Labels": {"mixedswarm.managed": "true"},
            "TaskTemplate": {
                "ContainerSpec": {"Image": IMAGE, "Init": False, "StopGracePeriod": 10**10, "DNSConfig": {}},
                "RestartPolicy": {"Condition": "any", "Delay": 5 * 10**9, "MaxAttempts": 0},
                "Placement": {"Constraints": ["node.platform.os==linux"]},
            },
            "Mode": {"Replicated": {"Replicas": 1}},
        }
    }
    assert changed_fields(spec_of(BASE), actual_spec(recorded, {})) == []


def test_update_changes_only_the_task_keys_that_differ_with_removals():
    before = spec_of(FULL)
    after = copy.deepcopy(FULL)
    after["healthcheck"] = {"test": "true", "interval": "10s"}  # timeout, retries removed
    after["restart_policy"] = {"condition": "any"}  # back to the defaults
    after["mounts"] = [
        {"type": "volume", "source": "appdata", "target": "/data", "readonly": True},  # changed in place
        {"type": "bind", "source": "/etc/app", "target": "/etc/app", "readonly": True},  # unchanged
        {"type": "volume", "source": "logs", "target": "/logs"},  # new
    ]  # /cache and /nfs removed
    desired = spec_of(after)
    argv = update_argv(desired, actual_spec(inspect_of(before), {}))
    assert argv == [
        "docker",
        "service",
        "update",
        "--detach",
        "--health-cmd=true",
        "--health-interval",
        "10s",
        "--health-timeout",
        "0s",
        "--health-retries",
        "0",
        "--health-start-period",
        "0s",
        "--restart-condition",
        "any",
        "--restart-delay",
        "5s",
        "--restart-max-attempts",
        "0",
        "--restart-window",
        "0s",
        "--mount-rm",
        "/cache",
        "--mount-rm",
        "/nfs",
        "--mount-add",
        "type=volume,source=appdata,target=/data,readonly=true",
        "--mount-add",
        "type=volume,source=logs,target=/logs",
        "app",
    ]
    # A changed mount is only added (a --mount-rm of its target would drop the new one too).
    assert "/data" not in argv[argv.index("--mount-rm") : argv.index("--mount-add")]


def test_taking_every_key_out_returns_to_the_image_check_and_engine_defaults():
    argv = update_argv(spec_of(BASE), actual_spec(inspect_of(spec_of(FULL)), {}))
    assert argv[argv.index("--health-cmd=") : argv.index("--health-cmd=") + 9] == [
        "--health-cmd=",
        "--health-interval",
        "0s",
        "--health-timeout",
        "0s",
        "--health-retries",
        "0",
        "--health-start-period",
        "0s",
    ]
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "--mount-rm"] == [
        "/cache",
        "/data",
        "/etc/app",
        "/nfs",
    ]
    assert "--mount-add" not in argv


def test_disable_turns_every_check_off_and_back():
    disabled = spec_of({**BASE, "healthcheck": {"disable": True}})
    assert create_argv(disabled)[-2] == "--no-healthcheck"
    actual = actual_spec(inspect_of(disabled), {})
    assert changed_fields(disabled, actual) == []
    assert update_argv(spec_of(BASE), actual)[4] == "--health-cmd="
    full_disabled = spec_of({**FULL, "healthcheck": {"disable": True}})
    assert update_argv(full_disabled, actual_spec(inspect_of(spec_of(FULL)), {}))[4:] == [
        "--no-healthcheck",
        "app",
    ]
    assert display(disabled)["healthcheck"] == {"disable": True}


def test_diff_shows_task_keys_in_units_and_hides_defaults():
    shown = display(spec_of(FULL))
    assert shown["healthcheck"] == {
        "test": "wget -q -O- localhost/ || exit 1",
        "interval": "10s",
        "timeout": "3s",
        "retries": 3,
    }
    assert shown["restart_policy"] == {
        "condition": "on-failure",
        "delay": "2s",
        "max_attempts": 5,
        "window": "1m",
    }
    assert shown["mounts"][0] == "type=tmpfs,target=/cache,tmpfs-size=67108864,tmpfs-mode=1777"
    assert not {"healthcheck", "restart_policy", "mounts"} & set(display(spec_of(BASE)))


@pytest.mark.parametrize(
    ("definition", "node_os", "expected"),
    [
        (
            {**BASE, "mounts": [{"type": "volumes", "target": "/d"}]},
            ("linux",),
            "service 'app', field 'mounts[0].type': a string \"volumes\"; valid: volume, bind, tmpfs, npipe "
            "(did you mean 'volume'?)",
        ),
        (
            {**BASE, "mounts": [{"source": "x", "target": "/d", "read_only": True}]},
            ("linux",),
            "service 'app', field 'mounts[0].read_only': unknown key (did you mean 'readonly'?); valid keys: "
            "propagation, readonly, source, target, tmpfs_mode, tmpfs_size, type, volume_driver, volume_labels, "
            "volume_nocopy, volume_options",
        ),
        (
            {**BASE, "mounts": [{"type": "npipe", "source": "\\\\.\\pipe\\docker_engine", "target": "/p"}]},
            ("linux",),
            "service 'app', field 'mounts[0].type': npipe mounts exist only on windows; this service runs on linux",
        ),
        (
            {**BASE, "os": "windows", "mounts": [{"type": "tmpfs", "target": "C:\\cache"}]},
            ("windows",),
            "service 'app', field 'mounts[0].type': tmpfs mounts exist only on linux; this service runs on windows",
        ),
        (
            {**BASE, "mounts": [{"type": "bind", "target": "/d"}]},
            ("linux",),
            "service 'app', field 'mounts[0].source': required for a bind mount: the node's path or pipe",
        ),
        (
            {**BASE, "mounts": [{"source": "v", "target": "data"}]},
            ("linux",),
            "service 'app', field 'mounts[0].target': a Linux service mounts at an absolute path such as /data, "
            'got a string "data"',
        ),
        (
            {**BASE, "mounts": [{"source": "v", "target": "/d", "tmpfs_size": "1G"}]},
            ("linux",),
            "service 'app', field 'mounts[0].tmpfs_size': applies to tmpfs mounts only, this one is volume",
        ),
        (
            {**BASE, "mounts": [{"source": "v", "target": "/d"}, {"source": "w", "target": "/d"}]},
            ("linux",),
            "service 'app', field 'mounts[1].target': '/d' is mounted twice; one mount per target",
        ),
        (
            {**BASE, "healthcheck": {"test": ["CMD", "curl", "-f", "http://localhost"]}},
            ("linux",),
            "service 'app', field 'healthcheck.test': must be a command line (a string) or [CMD-SHELL, command "
            "line]; the docker CLI sets shell-form checks only, so write a [CMD, ...] list as one command line, "
            'and use disable: true for NONE; got a list ["CMD", "curl", "-f", "http://localhost"]',
        ),
        (
            {**BASE, "healthcheck": {"disable": True, "interval": "5s"}},
            ("linux",),
            "service 'app', field 'healthcheck.disable': true turns every check off; remove interval or the disable",
        ),
        (
            {**BASE, "healthcheck": {"intervall": "5s"}},
            ("linux",),
            "service 'app', field 'healthcheck.intervall': unknown key (did you mean 'interval'?); valid keys: "
            "disable, interval, retries, start_period, test, timeout",
        ),
        (
            {**BASE, "restart_policy": {"condition": "always"}},
            ("linux",),
            "service 'app', field 'restart_policy.condition': a string \"always\"; valid: none, on-failure, any",
        ),
        (
            {**BASE, "restart_policy": {"delay": "soon"}},
            ("linux",),
            "service 'app', field 'restart_policy.delay': must be a duration such as 10s, 1m30s or 500ms, got a "
            'string "soon"',
        ),
    ],
)
def test_bad_task_keys_are_refused_with_field_path_and_what_is_valid(definition, node_os, expected):
    spec, errors = one(definition, node_os)
    assert spec is None
    assert errors == [expected]


def test_windows_mounts_and_named_pipes():
    spec = spec_of(
        {
            **BASE,
            "os": "windows",
            "mounts": [
                {
                    "type": "npipe",
                    "source": "\\\\.\\pipe\\docker_engine",
                    "target": "\\\\.\\pipe\\docker_engine",
                },
                {"type": "bind", "source": "C:\\ProgramData\\app", "target": "C:\\app", "readonly": True},
            ],
        },
        ("windows",),
    )
    assert [mount_arg(m) for m in spec["mounts"]] == [
        "type=bind,source=C:\\ProgramData\\app,target=C:\\app,readonly=true",
        "type=npipe,source=\\\\.\\pipe\\docker_engine,target=\\\\.\\pipe\\docker_engine",
    ]


def test_mount_values_with_commas_and_quotes_are_csv_quoted_as_the_cli_reads_them():
    spec = spec_of(
        {**BASE, "mounts": [{"source": "v", "target": "/d", "volume_labels": {"note": 'say "hi", bye'}}]}
    )
    assert (
        mount_arg(spec["mounts"][0]) == 'type=volume,source=v,target=/d,"volume-label=note=say ""hi"", bye"'
    )


MORE = {
    **BASE,
    "logging": {"driver": "json-file", "options": {"max-size": "10m", "max-file": 3}},
    "hostname": "{{.Service.Name}}-{{.Task.Slot}}",
    "user": "1000:1000",
    "workdir": "/srv",
    "dns": ["10.0.0.2", "10.0.0.3"],
    "dns_search": ["lab.example"],
    "dns_options": ["ndots:2"],
    "hosts": {"db": "10.0.0.5", "cache": "10.0.0.6"},
    "stop_signal": "SIGQUIT",
    "stop_grace_period": "30s",
    "init": True,
    "read_only": True,
    "cap_add": ["net_admin"],
    "cap_drop": ["CAP_MKNOD"],
    "sysctls": {"net.core.somaxconn": 1024},
    "ulimits": {"nofile": "1024:2048", "nproc": 512},
    "max_replicas_per_node": 2,
    "pids_limit": 100,
    "generic_resources": {"gpu": 1},
}


def test_create_argv_carries_the_container_keys():
    argv = create_argv(spec_of(MORE))
    tail = argv[argv.index("--rollback-order") + 2 :]
    assert tail == [
        "--log-driver",
        "json-file",
        "--log-opt",
        "max-file=3",
        "--log-opt",
        "max-size=10m",
        "--hostname",
        "{{.Service.Name}}-{{.Task.Slot}}",
        "--user",
        "1000:1000",
        "--workdir",
        "/srv",
        "--stop-signal",
        "SIGQUIT",
        "--stop-grace-period",
        "30s",
        "--init",
        "--read-only",
        "--dns",
        "10.0.0.2",
        "--dns",
        "10.0.0.3",
        "--dns-search",
        "lab.example",
        "--dns-option",
        "ndots:2",
        "--host",
        "cache:10.0.0.6",
        "--host",
        "db:10.0.0.5",
        "--cap-add",
        "CAP_NET_ADMIN",
        "--cap-drop",
        "CAP_MKNOD",
        "--sysctl",
        "net.core.somaxconn=1024",
        "--ulimit",
        "nofile=1024:2048",
        "--ulimit",
        "nproc=512:512",
        "--generic-resource",
        "gpu=1",
        "--replicas-max-per-node",
        "2",
        "--limit-pids",
        "100",
        IMAGE,
    ]


def test_update_of_container_keys_changes_each_item_and_resets_removed_ones():
    before = spec_of(MORE)
    after = {
        **BASE,
        "logging": {"driver": "local"},
        "user": "app",
        "dns": ["10.0.0.3", "10.0.0.4"],
        "hosts": ["db:10.0.0.7"],
        "cap_add": ["NET_ADMIN", "SYS_TIME"],
        "sysctls": {"net.core.somaxconn": 4096},
        "ulimits": {"nofile": 4096},
        "generic_resources": {"gpu": 2},
    }
    assert update_argv(spec_of(after), before) == [
        "docker",
        "service",
        "update",
        "--detach",
        "--log-driver",
        "local",
        "--hostname=",
        "--user=app",
        "--workdir=",
        "--stop-signal=",
        "--stop-grace-period=10s",
        "--init=false",
        "--read-only=false",
        "--dns-rm",
        "10.0.0.2",
        "--dns-add",
        "10.0.0.4",
        "--dns-search-rm",
        "lab.example",
        "--dns-option-rm",
        "ndots:2",
        "--host-rm",
        "cache:10.0.0.6",
        "--host-rm",
        "db:10.0.0.5",
        "--host-add",
        "db:10.0.0.7",
        "--cap-add",
        "CAP_SYS_TIME",
        "--cap-add",
        "CAP_MKNOD",
        "--sysctl-add",
        "net.core.somaxconn=4096",
        "--ulimit-rm",
        "nproc",
        "--ulimit-add",
        "nofile=4096:4096",
        "--generic-resource-rm",
        "gpu",
        "--generic-resource-add",
        "gpu=2",
        "--replicas-max-per-node",
        "0",
        "--limit-pids",
        "0",
        "app",
    ]


def test_logging_and_credential_spec_left_out_leave_the_service_alone():
    actual = {
        **spec_of(BASE),
        "logging": {"driver": "syslog", "options": {}},
        "credential_spec": "file://x.json",
    }
    assert changed_fields(spec_of(BASE), actual) == []


@pytest.mark.parametrize(
    ("definition", "node_os", "expected"),
    [
        (
            {**BASE, "isolation": "hyperv"},
            ("linux",),
            "service 'app', field 'isolation': is a windows option; this service runs on linux nodes",
        ),
        (
            {"name": "app", "image": IMAGE, "credential_spec": {"file": "app.json"}},
            ("linux",),
            "service 'app', field 'credential_spec': is a windows option; this service runs on linux nodes",
        ),
        (
            {**BASE, "os": "windows", "credential_spec": {"file": "a.json", "config": "b"}},
            ("windows",),
            "service 'app', field 'credential_spec': set exactly one of file (a JSON file in the node's "
            "CredentialSpecs folder), registry (a value under the node's CredentialSpecs registry key) or config "
            '(a swarm config), got a mapping {"file": "a.json", "config": "b"}',
        ),
        (
            {**BASE, "isolation": "hyper-v"},
            ("linux",),
            "service 'app', field 'isolation': a string \"hyper-v\"; valid: default, process, hyperv "
            "(did you mean 'hyperv'?)",
        ),
        (
            {**BASE, "stop_grace_perod": "5s"},
            ("linux",),
            "service 'app', field 'stop_grace_perod': unknown key (did you mean 'stop_grace_period'?); valid keys: "
            + ", ".join(sorted(SERVICE_OPTIONS)),
        ),
        (
            {**BASE, "hosts": {"db": "not-an-ip"}},
            ("linux",),
            "service 'app', field 'hosts.db': must map a host name to an IP address (db: 10.0.0.5, or db:10.0.0.5 "
            'in a list), got a string "not-an-ip"',
        ),
        (
            {**BASE, "ulimits": {"nofile": "2048:1024"}},
            ("linux",),
            "service 'app', field 'ulimits.nofile': must be a number, SOFT:HARD or {soft, hard} with soft <= hard, "
            'got a string "2048:1024"',
        ),
        (
            {**BASE, "cap_add": ["NET_ADMIN"], "cap_drop": ["net_admin"]},
            ("linux",),
            "service 'app', field 'cap_drop': CAP_NET_ADMIN is in cap_add too; name each capability in one list",
        ),
        (
            {**BASE, "dns": ["dns.example"]},
            ("linux",),
            "service 'app', field 'dns[0]': must be an IP address such as 10.0.0.2, got a string \"dns.example\"",
        ),
        (
            {**BASE, "pids_limit": -1},
            ("linux",),
            "service 'app', field 'pids_limit': must be an integer >= 0 (0 means no limit), got an integer -1",
        ),
        (
            {**BASE, "logging": {"options": {"max-size": "1m"}}},
            ("linux",),
            "service 'app', field 'logging.driver': required: the log driver, such as json-file, local or syslog",
        ),
    ],
)
def test_bad_container_keys_are_refused_with_field_path(definition, node_os, expected):
    _spec, errors = one(definition, node_os)
    assert errors == [expected]


# The definition the lab's service_task_options.jsonl was created from (create_argv on Docker 20.10).
RECORDED = {
    "name": "probe",
    "image": "172.29.102.5:5000/busybox:1",
    "os": "linux",
    "command": ["sleep", "3600"],
    "healthcheck": {"test": "true", "interval": "10s", "timeout": 3, "retries": 3},
    "restart_policy": {"condition": "on-failure", "delay": "2s", "max_attempts": 5, "window": "1m"},
    "mounts": [
        {"source": "appdata", "target": "/data"},
        {"type": "bind", "source": "/etc", "target": "/hostetc", "readonly": True},
        {"type": "tmpfs", "target": "/cache", "tmpfs_size": "64M", "tmpfs_mode": 1777},
        {
            "source": "nfsdata",
            "target": "/nfs",
            "volume_driver": "local",
            "volume_options": {"type": "tmpfs", "device": "tmpfs", "o": "size=1m,uid=0"},
            "volume_labels": {"a": "b"},
        },
    ],
    "logging": {"driver": "json-file", "options": {"max-size": "10m", "max-file": 3}},
    "hostname": "{{.Service.Name}}-{{.Task.Slot}}",
    "user": "0:0",
    "workdir": "/tmp",
    "dns": ["10.0.0.2"],
    "dns_search": ["lab.example"],
    "dns_options": ["ndots:2"],
    "hosts": {"db": "10.0.0.5"},
    "stop_signal": "SIGQUIT",
    "stop_grace_period": "30s",
    "init": True,
    "read_only": True,
    "cap_add": ["net_admin"],
    "cap_drop": ["MKNOD"],
    "sysctls": {"net.core.somaxconn": 1024},
    "ulimits": {"nofile": "1024:2048"},
    "max_replicas_per_node": 2,
    "pids_limit": 100,
}


def test_what_the_engine_recorded_for_every_key_reads_back_unchanged():
    (doc,) = load("service_task_options.jsonl")
    actual = actual_spec(doc, {})
    assert changed_fields(spec_of(RECORDED), actual) == []
    # Each key is really compared: a changed value is seen.
    for key, value in (("hosts", {"db": "10.0.0.6"}), ("ulimits", {"nofile": 1024}), ("init", False)):
        assert changed_fields(spec_of({**RECORDED, key: value}), actual) == [key]
    assert actual["hosts"] == ["db:10.0.0.5"]
    assert actual["cap_add"] == ["CAP_NET_ADMIN"]
    assert actual["mounts"][0]["tmpfs_mode"] == 0o1777


def test_the_cli_moves_a_capability_out_of_the_drop_list_with_cap_add():
    # Tried on the lab (Docker 20.10): after `--cap-add CAP_MKNOD` the service had CAP_MKNOD in neither list.
    (doc,) = load("service_task_options.jsonl")
    argv = update_argv(spec_of({**RECORDED, "cap_drop": []}), actual_spec(doc, {}))
    assert argv[4:] == ["--cap-add", "CAP_MKNOD", "probe"]

"""_service.spec: recorded `docker service inspect` against definitions, and the docker commands."""

import copy

import pytest
from service_fixtures import by_name, load

from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.definition import validate_services
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.spec import (
    actual_spec,
    changed_fields,
    create_argv,
    display,
    plan_services,
    update_argv,
)

IMAGE = "172.29.233.5:5000/busybox:test"
WEB = {
    "name": "web",
    "image": IMAGE,
    "os": "linux",
    "replicas": 2,
    "routing_mesh": False,
    "publish": ["8081:80"],
    "networks": ["svcnet"],
    "command": [
        "sh",
        "-c",
        "mkdir -p /www && echo hello from $(hostname) > /www/index.html && exec httpd -f -p 80 -h /www",
    ],
}
SSH = {
    "name": "ssh",
    "image": IMAGE,
    "os": "linux",
    "endpoint_mode": "dnsrr",
    "command": ["sleep", "86400"],
    "networks": ["svcnet"],
}


def networks():
    return {d["ID"]: d["Name"] for d in load("network_ls.jsonl")}


def specs(*definitions):
    result, errors = validate_services(list(definitions), {"linux"}, {"svcnet"})
    assert errors == []
    return result


def test_recorded_services_match_the_definitions_that_created_them():
    existing = by_name("services_converged.jsonl")
    actions, errors = plan_services(specs(WEB, SSH), existing, networks())
    assert errors == []
    assert [(a["name"], a["action"]) for a in actions] == [("web", "none"), ("ssh", "none")]


def test_actual_spec_reads_every_field():
    web = actual_spec(by_name("services_converged.jsonl")["web"], networks())
    assert web["image"] == IMAGE
    assert web["os"] == "linux"
    assert web["ports"] == [{"published": 8081, "target": 80, "protocol": "tcp", "mode": "host"}]
    assert web["networks"] == ["svcnet"]
    assert web["endpoint_mode"] == "dnsrr"
    assert web["update_config"]["monitor"] == 5 * 10**9


def test_a_changed_field_updates_only_that_flag():
    existing = by_name("services_converged.jsonl")
    changed = {**WEB, "env": {"RELEASE": "2"}, "replicas": 3}
    (action,) = [a for a in plan_services(specs(changed), existing, networks())[0]]
    assert action["action"] == "update"
    assert action["fields"] == ["replicas", "env"]
    assert action["argv"] == [
        "docker",
        "service",
        "update",
        "--detach",
        "--replicas",
        "3",
        "--env-add",
        "RELEASE=2",
        "web",
    ]


def test_update_removes_what_the_definition_no_longer_has():
    desired = specs({**WEB, "publish": [], "networks": []})[0]
    actual = actual_spec(by_name("services_converged.jsonl")["web"], networks())
    argv = update_argv(desired, actual)
    assert argv[4:6] == ["--publish-rm", "published=8081,target=80,protocol=tcp,mode=host"]
    assert argv[6:8] == ["--network-rm", "svcnet"]


def test_update_config_changes_are_sent_in_cli_units():
    desired = specs({**WEB, "update_config": {"delay": "2s", "order": "start-first"}})[0]
    actual = actual_spec(by_name("services_converged.jsonl")["web"], networks())
    assert changed_fields(desired, actual) == ["update_config"]
    argv = update_argv(desired, actual)
    assert "--update-delay" in argv and argv[argv.index("--update-delay") + 1] == "2s"
    assert argv[argv.index("--update-order") + 1] == "start-first"


PINNED = "sha256:7735e95c5823b5e36c21830db1241687992db50d7c9ccc1997321e5fc52ee7c7"  # in services_converged
OTHER = "sha256:" + "0123456789abcdef" * 4


def test_the_digest_the_engine_pinned_for_a_tag_is_not_a_change():
    (action,) = plan_services(specs(WEB), by_name("services_converged.jsonl"), networks())[0]
    assert action["action"] == "none"
    assert action["before"]["image"] == IMAGE


def test_a_new_tag_updates_the_image_without_a_digest():
    (action,) = plan_services(
        specs({**WEB, "image": "172.29.233.5:5000/busybox:next"}),
        by_name("services_converged.jsonl"),
        networks(),
    )[0]
    assert action["fields"] == ["image"]
    assert action["argv"] == [
        "docker",
        "service",
        "update",
        "--detach",
        "--image",
        "172.29.233.5:5000/busybox:next",
        "web",
    ]


def test_the_running_digest_given_by_the_user_is_not_a_change():
    (action,) = plan_services(
        specs({**WEB, "image": f"{IMAGE}@{PINNED}"}), by_name("services_converged.jsonl"), networks()
    )[0]
    assert action["action"] == "none"


@pytest.mark.parametrize("image", [f"{IMAGE}@{OTHER}", f"172.29.233.5:5000/busybox@{OTHER}"])
def test_another_digest_given_by_the_user_updates_the_service_to_that_digest(image):
    (action,) = plan_services(
        specs({**WEB, "image": image}), by_name("services_converged.jsonl"), networks()
    )[0]
    assert action["fields"] == ["image"]
    assert action["before"]["image"] == f"{IMAGE}@{PINNED}"
    assert action["argv"] == ["docker", "service", "update", "--detach", "--image", image, "web"]


def test_create_deploys_the_digest_given_by_the_user():
    argv = create_argv(specs({**SSH, "image": f"busybox@{OTHER}"})[0])
    assert argv[-3:] == [f"busybox@{OTHER}", "sleep", "86400"]


def test_create_argv_places_image_and_command_last():
    argv = create_argv(specs(SSH)[0])
    assert argv[:6] == ["docker", "service", "create", "--detach", "--name", "ssh"]
    assert argv[-3:] == [IMAGE, "sleep", "86400"]
    assert argv[argv.index("--constraint") : argv.index("--constraint") + 2] == [
        "--constraint",
        "node.platform.os==linux",
    ]
    assert argv[argv.index("--label") : argv.index("--label") + 2] == ["--label", "mixedswarm.managed=true"]


def test_a_service_the_project_did_not_create_is_never_touched():
    existing = copy.deepcopy(by_name("services_converged.jsonl"))
    del existing["web"]["Spec"]["Labels"]["mixedswarm.managed"]
    for definition in ({**WEB, "replicas": 5}, {"name": "web", "state": "absent"}):
        actions, errors = plan_services(specs(definition), existing, networks())
        assert actions == []
        assert (
            "not created by this project" in errors[0]
            and "--label-add mixedswarm.managed=true web" in errors[0]
        )


def test_mode_change_is_refused_before_anything_runs():
    existing = by_name("services_converged.jsonl")
    spec = specs({**SSH, "mode": "global"})
    actions, errors = plan_services(spec, existing, networks())
    assert actions == []
    assert errors and "field 'mode'" in errors[0] and "cannot change a service's mode in place" in errors[0]


def test_absent_removes_only_existing_managed_services():
    existing = by_name("services_converged.jsonl")
    actions, errors = plan_services(
        specs({"name": "ssh", "state": "absent"}, {"name": "gone", "state": "absent"}), existing, networks()
    )
    assert errors == []
    assert [(a["name"], a["action"], a["argv"]) for a in actions] == [
        ("ssh", "remove", ["docker", "service", "rm", "ssh"])
    ]


def test_display_shows_units():
    shown = display(specs({**WEB, "limits": {"cpus": 0.5, "memory": "256M"}})[0])
    assert shown["limits"] == {"cpus": 0.5, "memory": 256 * 1024**2}
    assert shown["update_config"]["monitor"] == "5s"


def test_update_removes_env_values_and_labels_the_definition_no_longer_has():
    actual = actual_spec(by_name("services_converged.jsonl")["web"], networks())
    actual["env"] = {"RELEASE": "1", "DEBUG": "1"}
    actual["labels"] = {**actual["labels"], "team": "blue", "tier": "web"}
    desired = specs({**WEB, "env": {"RELEASE": "2"}, "labels": {"tier": "front"}})[0]
    argv = update_argv(desired, actual)
    assert argv[4:] == [
        "--env-rm", "DEBUG",
        "--env-add", "RELEASE=2",
        "--label-rm", "team",
        "--label-add", "tier=front",
        "web",
    ]  # fmt: skip


def test_update_replaces_a_changed_port_and_removes_a_dropped_constraint():
    actual = actual_spec(by_name("services_converged.jsonl")["web"], networks())
    actual["constraints"] = sorted([*actual["constraints"], "node.labels.zone==a"])
    desired = specs({**WEB, "publish": ["8082:80"]})[0]
    argv = update_argv(desired, actual)
    assert argv[4:] == [
        "--publish-rm", "published=8081,target=80,protocol=tcp,mode=host",
        "--publish-add", "published=8082,target=80,protocol=tcp,mode=host",
        "--constraint-rm", "node.labels.zone==a",
        "web",
    ]  # fmt: skip


def test_create_argv_of_a_global_service_with_every_kind_of_setting():
    (spec,) = specs(
        {
            "name": "api",
            "image": "nginx:1.27",
            "mode": "global",
            "os": "linux",
            "env": {"A": "1"},
            "networks": ["svcnet"],
            "placement_preferences": ["spread=node.labels.zone"],
            "entrypoint": ["/bin/sh", "-c"],
            "limits": {"cpus": 1.5, "memory": "512M"},
            "reservations": {"cpus": 0.25, "memory": "64M"},
            "rollback_config": {"order": "start-first"},
        }
    )
    assert create_argv(spec) == [
        "docker", "service", "create", "--detach", "--name", "api",
        "--mode", "global",
        "--endpoint-mode", "vip",
        "--env", "A=1",
        "--label", "mixedswarm.managed=true",
        "--network", "svcnet",
        "--constraint", "node.platform.os==linux",
        "--placement-pref", "spread=node.labels.zone",
        "--entrypoint", "/bin/sh -c",
        "--limit-cpu", "1.5", "--limit-memory", "536870912",
        "--reserve-cpu", "0.25", "--reserve-memory", "67108864",
        "--update-parallelism", "1", "--update-delay", "0s", "--update-failure-action", "pause",
        "--update-monitor", "5s", "--update-max-failure-ratio", "0", "--update-order", "stop-first",
        "--rollback-parallelism", "1", "--rollback-delay", "0s", "--rollback-failure-action", "pause",
        "--rollback-monitor", "5s", "--rollback-max-failure-ratio", "0", "--rollback-order", "start-first",
        "nginx:1.27",
    ]  # fmt: skip

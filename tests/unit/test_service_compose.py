"""service_compose: OS injection, ownership and change detection for stacks."""

from service_fixtures import by_name

from ansible_collections.mixedswarm.swarm.plugins.module_utils.service_compose import (
    HASH_LABEL,
    prepare_compose,
    stack_is_current,
    unmanaged_services,
)

COMPOSE = {
    "version": "3.8",
    "services": {
        "echo": {
            "image": "172.29.233.5:5000/busybox:test",
            "command": ["sleep", "3600"],
            "x-os": "linux",
            "deploy": {"replicas": 2},
            "networks": ["svcnet"],
        }
    },
    "networks": {"svcnet": {"external": True}},
}


def test_x_os_becomes_a_placement_constraint_and_is_removed():
    prepared, digest, errors = prepare_compose("demo", COMPOSE, {"linux"})
    assert errors == []
    echo = prepared["services"]["echo"]
    assert "x-os" not in echo
    assert echo["deploy"]["placement"]["constraints"] == ["node.platform.os==linux"]
    assert echo["deploy"]["labels"] == {"mixedswarm.managed": "true", HASH_LABEL: digest}
    assert "x-os" in COMPOSE["services"]["echo"]  # the input is left as it was


def test_recorded_stack_is_current_with_the_same_file_and_stale_after_a_change():
    prepared, digest, _ = prepare_compose("demo", COMPOSE, {"linux"})
    deployed = by_name("stack_service.jsonl")
    assert stack_is_current("demo", prepared, digest, deployed)
    changed = {**COMPOSE, "services": {"echo": {**COMPOSE["services"]["echo"], "command": ["sleep", "60"]}}}
    prepared, digest, _ = prepare_compose("demo", changed, {"linux"})
    assert not stack_is_current("demo", prepared, digest, deployed)
    assert unmanaged_services(deployed) == []


def test_mixed_swarm_requires_an_os_per_service():
    compose = {"services": {"web": {"image": "nginx"}, "iis": {"image": "iis", "x-os": "windows"}}}
    _, _, errors = prepare_compose("shop", compose, {"linux", "windows"})
    assert len(errors) == 1
    assert errors[0].startswith("stack service 'shop/web', field 'x-os'") and "No such image" in errors[0]


def test_bad_stack_input():
    _, _, errors = prepare_compose(
        "Shop", {"version": "2", "services": {"a": {"image": "x", "x-os": "dos"}}}, set()
    )
    assert [e.split(":")[0] for e in errors] == [
        "stack 'Shop', field 'name'",
        "stack 'Shop', field 'version'",
        "stack service 'Shop/a', field 'x-os'",
    ]
    assert prepare_compose("shop", {"services": {}}, set())[2]

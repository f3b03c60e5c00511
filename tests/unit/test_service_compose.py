"""_service.stack: OS injection, ownership and change detection for stacks."""

import pytest
from service_fixtures import by_name

from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.stack import (
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


def test_a_bad_image_digest_in_a_stack_is_refused_before_deploying():
    echo = {**COMPOSE["services"]["echo"], "image": "172.29.233.5:5000/busybox@sha256:77"}
    _, _, errors = prepare_compose("demo", {**COMPOSE, "services": {"echo": echo}}, {"linux"})
    assert errors == [
        "stack service 'demo/echo', field 'image': digest 'sha256:77' is not valid; valid: sha256: followed by "
        "64 lower-case hex digits, as in nginx@sha256:<64 hex> or nginx:1.27@sha256:<64 hex>"
    ]


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


def test_stack_entries_refuse_definition_and_src_together_and_misspelt_keys():
    from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.stack import stack_entry_problems

    assert stack_entry_problems(
        [
            {"name": "shop", "definition": {"services": {}}, "src": "shop.yml.j2"},
            {"name": "blog", "defintion": {"services": {}}},
        ]
    ) == [
        "stack 'shop', field 'definition': give either definition (inline) or src (a template file), not both",
        "stack 'blog', field 'defintion': unknown key (did you mean 'definition'?); valid keys: definition, name, "
        "src, state",
        "stack 'blog', field 'definition': a present stack needs definition (inline) or src (a template file)",
    ]


def test_stack_entries_are_typed_by_the_stack_options():
    from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.stack import stack_entry_problems

    assert stack_entry_problems(
        [{"name": "shop", "state": "gone", "src": "shop.yml.j2"}, {"name": "blog", "state": None, "src": "b"}]
    ) == [
        "stack 'shop', field 'state': a string \"gone\"; valid: present, absent",
        "stack 'blog', field 'state': nothing (null); valid: present, absent",
    ]


@pytest.mark.parametrize(
    ("deploy", "field", "fragment"),
    [
        ({"replicas": "three"}, "deploy.replicas", 'must be an integer >= 0, got a string "three"'),
        ({"replica": 2}, "deploy.replica", "did you mean 'replicas'?"),
        ({"resources": {"limits": {"memory": "lots"}}}, "deploy.resources.limits.memory", "512M"),
        ({"resources": {"limit": {}}}, "deploy.resources.limit", "did you mean 'limits'?"),
        ({"placement": {"constraint": []}}, "deploy.placement.constraint", "did you mean 'constraints'?"),
        ({"mode": "globall"}, "deploy.mode", "did you mean 'global'?"),
    ],
)
def test_compose_deploy_sections_are_checked_before_anything_is_deployed(deploy, field, fragment):
    compose = {"services": {"api": {"image": "x", "x-os": "linux", "deploy": deploy}}}
    _, _, errors = prepare_compose("shop", compose, {"linux"})
    assert any(
        e.startswith(f"stack service 'shop/api', field '{field}'") and fragment in e for e in errors
    ), errors

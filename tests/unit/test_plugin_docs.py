"""Each module documentation stub (plugins/modules, what ansible-doc shows) and the argument spec
its action plugin checks (plugins/action) declare the same options, suboptions included."""

import importlib
from pathlib import Path

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

REPO = Path(__file__).resolve().parents[2]
STUBS = sorted(p.stem for p in (REPO / "plugins/modules").glob("*.py"))
# What Ansible assumes when a documentation or a spec leaves a key out.
IMPLIED = {"type": "str", "required": False, "default": None, "choices": None, "elements": None}


def documented_options(name: str) -> dict:
    module = importlib.import_module(f"ansible_collections.mixedswarm.swarm.plugins.modules.{name}")
    return yaml.safe_load(module.DOCUMENTATION).get("options") or {}


def declared_options(name: str) -> dict:
    module = importlib.import_module(f"ansible_collections.mixedswarm.swarm.plugins.action.{name}")
    return module.ActionModule.ARGUMENT_SPEC


def flatten(options: dict, nested: str, prefix: str = "") -> dict:
    """{'services[].name': {type, required, default, choices, elements}, ...} for every option."""
    flat = {}
    for option, spec in options.items():
        path = f"{prefix}{option}"
        flat[path] = {key: spec.get(key, implied) for key, implied in IMPLIED.items()}
        if spec.get(nested):
            below = "[]." if spec.get("type") == "list" else "."
            flat.update(flatten(spec[nested], nested, path + below))
    return flat


def test_every_stub_has_an_action_plugin():
    actions = sorted(p.stem for p in (REPO / "plugins/action").glob("*.py"))
    assert actions == STUBS


@pytest.mark.parametrize("name", STUBS)
def test_documentation_and_argument_spec_agree(name):
    documented = flatten(documented_options(name), "suboptions")
    declared = flatten(declared_options(name), "options")
    assert sorted(documented) == sorted(declared), f"{name}: options differ"
    mismatched = {
        path: (documented[path], declared[path]) for path in documented if documented[path] != declared[path]
    }
    assert not mismatched, f"{name}: documentation vs argument spec: {mismatched}"


def test_definitions_declare_their_suboptions():
    assert "services[].image" in flatten(declared_options("swarm_service"), "options")
    assert "networks[].subnet" in flatten(declared_options("swarm_network"), "options")
    assert "stacks[].definition" in flatten(declared_options("swarm_verify"), "options")


@pytest.mark.parametrize(
    ("source", "keys"),
    [
        ("inventory/group_vars/swarm/services.yml", ("swarm_services", "swarm_networks")),
        ("molecule/services/molecule.yml", ("swarm_services", "swarm_networks")),
    ],
)
def test_the_projects_own_definitions_pass_the_argument_specs(source, keys):
    text = (REPO / source).read_text()
    found = {key: value for doc in yaml.safe_load_all(text) for key, value in walk(doc) if key in keys}
    assert set(found) == set(keys), f"{source}: expected {keys}"
    specs = {
        "swarm_services": declared_options("swarm_service"),
        "swarm_networks": declared_options("swarm_network"),
    }
    for key, definitions in found.items():
        option = "services" if key == "swarm_services" else "networks"
        validated = ArgumentSpecValidator(specs[key]).validate({option: definitions})
        assert not validated.error_messages, f"{source} {key}: {validated.error_messages}"


def walk(node):
    """Every (key, value) pair in nested dicts and lists."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)

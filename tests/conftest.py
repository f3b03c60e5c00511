"""Shared pytest set-up: make the project's plugins importable as a collection."""

import sys
from pathlib import Path

import pytest
from ansible.plugins.loader import init_plugin_loader

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Ansible's own collection loader, as its commands set it up: the repository's collection
# (collections/ansible_collections/mixedswarm/swarm links to the root) beside the installed ones,
# so tests import and load plugins as Ansible does (e.g. inventory_loader.get(FQCN)).
init_plugin_loader([str(REPO / "collections")])
# Helpers shared by test modules (e.g. role_runner).
sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_collection_modifyitems(items):
    """Keep tests that share a lab on one worker when `make test` runs them side by side.

    pytest-xdist's `--dist loadgroup` sends every test of one `xdist_group` to the same worker, in
    collection order. A test that uses a session-scoped fixture (tests/lab's one lab, which all its
    modules use in turn) is grouped by that fixture, one that uses a module-scoped fixture (a
    scenario's lab or emulator) by its module; the rest (unit tests, each molecule scenario) run
    wherever a worker is free.
    """
    for item in items:
        fixtures = [defs[-1] for defs in item._fixtureinfo.name2fixturedefs.values() if defs]
        shared = sorted(f.argname for f in fixtures if f.scope == "session" and f.baseid)
        if shared:
            item.add_marker(pytest.mark.xdist_group(shared[0]))
        elif any(f.scope == "module" for f in fixtures):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))

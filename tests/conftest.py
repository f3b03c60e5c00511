"""Shared pytest set-up: make the project's plugins importable as a collection."""

import sys
from pathlib import Path

from ansible.plugins.loader import init_plugin_loader

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Ansible's own collection loader, as its commands set it up: the repository's collection
# (collections/ansible_collections/mixedswarm/swarm links to the root) beside the installed ones,
# so tests import and load plugins as Ansible does (e.g. inventory_loader.get(FQCN)).
init_plugin_loader([str(REPO / "collections")])
# Helpers shared by test modules (e.g. role_runner).
sys.path.insert(0, str(Path(__file__).resolve().parent))

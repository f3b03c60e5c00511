"""Shared pytest set-up: make the project's plugins importable as a collection."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# ansible_collections is a namespace package: this adds the repo's own collection
# (mixedswarm.swarm, whose plugins/ is the repo's plugins/) beside the installed ones.
sys.path.insert(0, str(REPO / "collections"))
# Helpers shared by test modules (e.g. role_runner).
sys.path.insert(0, str(Path(__file__).resolve().parent))

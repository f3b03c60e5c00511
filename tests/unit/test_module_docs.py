"""The generated parts of the module documentation stubs match their single source
(scripts/write_module_docs.py writes them; run it when this test fails)."""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

import write_module_docs  # noqa: E402

GENERATED = sorted({*write_module_docs.MODULE_OPTIONS, *write_module_docs.ROUND_TRIPS_MODULES})


@pytest.mark.parametrize("name", GENERATED)
def test_stub_is_what_the_writer_writes(name):
    stub = write_module_docs.stub_path(name).read_text()
    assert stub == write_module_docs.written(name, stub), (
        f"plugins/modules/{name}.py drifted from its source: run .venv/bin/python scripts/write_module_docs.py"
    )


def test_a_changed_description_is_caught():
    stub = write_module_docs.stub_path("swarm_service").read_text()
    drifted = stub.replace("Number of tasks of a replicated service.", "Number of tasks.")
    assert write_module_docs.written("swarm_service", drifted) == stub


def test_the_round_trips_modules_report_round_trips():
    for name in write_module_docs.ROUND_TRIPS_MODULES:
        assert "\nround_trips:\n" in write_module_docs.stub_path(name).read_text(), name

"""molecule/windows: the playbooks parse, and without a Windows host the scenario says why it stops.

The scenario itself needs a real Windows Server host (MOLECULE_WINDOWS_* variables); here it is
checked for syntax and for its refusal message, which the scenario runner turns into a skip.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "molecule" / "windows"
BIN = REPO / ".venv" / "bin"
REQUIRED = ("MOLECULE_WINDOWS_HOST", "MOLECULE_WINDOWS_USER", "MOLECULE_WINDOWS_PASSWORD")


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MOLECULE_WINDOWS_")}
    clean.update(ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), PATH=f"{BIN}:{clean.get('PATH', '')}", **env)
    return subprocess.run(args, cwd=REPO, env=clean, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "playbook",
    [
        "molecule/windows/converge.yml",
        "molecule/windows/side_effect.yml",
        "molecule/windows/verify.yml",
        "tests/fixtures/windows/role_check.yml",
    ],
)
def test_windows_playbooks_pass_syntax_check(playbook):
    proc = run([str(BIN / "ansible-playbook"), "-i", "localhost,", "--syntax-check", playbook])
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    ("present", "missing"),
    [
        ({}, "MOLECULE_WINDOWS_HOST, MOLECULE_WINDOWS_USER, MOLECULE_WINDOWS_PASSWORD"),
        (
            {"MOLECULE_WINDOWS_HOST": "win1.lab.example", "MOLECULE_WINDOWS_USER": "ansible"},
            "MOLECULE_WINDOWS_PASSWORD",
        ),
    ],
)
def test_guard_names_the_missing_variables(present, missing):
    proc = run([str(BIN / "ansible-playbook"), str(SCENARIO / "guard.yml")], **present)
    assert proc.returncode != 0
    assert f"skipped: {missing} not set" in " ".join(proc.stdout.split())


def test_guard_lets_a_configured_scenario_through():
    proc = run(
        [str(BIN / "ansible-playbook"), str(SCENARIO / "guard.yml")],
        **dict.fromkeys(REQUIRED, "set"),
    )
    assert proc.returncode == 0, proc.stdout


def test_molecule_converge_without_a_host_stops_with_the_skip_reason():
    proc = run([str(BIN / "molecule"), "converge", "-s", "windows"])
    assert proc.returncode != 0
    assert "skipped: MOLECULE_WINDOWS_HOST" in " ".join((proc.stdout + proc.stderr).split())

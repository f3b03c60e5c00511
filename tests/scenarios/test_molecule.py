"""Runs every molecule scenario (molecule/<name>/) as one test each, so `pytest tests` is the
whole suite. Lab scenarios need a Docker Engine (scripts/prepare-lab-host.sh starts one);
the windows scenario needs a real Windows Server host and is skipped, with the reason, without it.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = sorted(p.parent.name for p in (REPO / "molecule").glob("*/molecule.yml"))
# Scenarios that need a real host this machine may not have: the variables that point at it.
NEEDS = {"windows": ("MOLECULE_WINDOWS_HOST", "MOLECULE_WINDOWS_USER", "MOLECULE_WINDOWS_PASSWORD")}
LOGS = REPO / ".cache" / "molecule-logs"


@pytest.mark.lab
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario(scenario):
    missing = [name for name in NEEDS.get(scenario, ()) if not os.environ.get(name)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not set: scenario {scenario} needs a real host")
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{scenario}.log"
    env = dict(os.environ, ANSIBLE_FORCE_COLOR="0", PY_COLORS="0")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    with log.open("w") as out:
        proc = subprocess.run(
            ["molecule", "test", "--scenario-name", scenario],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-80:])
        pytest.fail(f"molecule scenario {scenario} failed (full log: {log}):\n{tail}")

"""The shared lab of tests/lab: 3 managers + 2 workers, started and converged once per session.

MIXEDSWARM_TEST_LAB / MIXEDSWARM_TEST_LAB_SUBNET choose its name and subnet (so several
developers' suites can run side by side); MIXEDSWARM_KEEP_LAB=1 keeps it after the session, and
a kept lab is reused by the next session (its nodes are started again, not rebuilt).
"""

from __future__ import annotations

import os

import pytest
from harness import Lab

LAB_NAME = os.environ.get("MIXEDSWARM_TEST_LAB", "ops")
LAB_SUBNET = os.environ.get("MIXEDSWARM_TEST_LAB_SUBNET", "172.29.240.0/24")


@pytest.fixture(scope="session")
def ops_lab():
    lab = Lab(name=LAB_NAME, subnet=LAB_SUBNET, managers=3, workers=2)
    started = lab.start()
    assert started.rc == 0, f"the lab did not start: {started.describe()}"
    converged = lab.play("site.yml", label=f"{lab.name}-first-converge")
    assert converged.rc == 0, f"site.yml did not converge the new lab: {converged.describe()}"
    yield lab
    if os.environ.get("MIXEDSWARM_KEEP_LAB") != "1":
        lab.destroy()

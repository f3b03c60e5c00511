"""One run at a time per cluster, on the shared lab: two runs of the services stage started together
(one waits with a progress line, then runs), a run told not to wait refusing while another holds the
lock, a lock left by a killed run taken over by the next, and check mode running past a lock
another controller holds."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time

import pytest
from harness import ANSIBLE_PLAYBOOK, REPO

from ansible_collections.mixedswarm.swarm.plugins.action.swarm_run_lock import process_started
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.run_lock import holder_line

pytestmark = pytest.mark.lab
# Two runs at once and a killed run's lock run in `make test`; the rest on demand (docs/testing.md).
ON_DEMAND = pytest.mark.skipif(
    os.environ.get("MIXEDSWARM_CHAOS") != "1", reason="runs on demand: MIXEDSWARM_CHAOS=1"
)

LOCK = "/var/lib/mixedswarm/run.lock"


def holder(lab):
    out = lab.exec("manager1", "cat", f"{LOCK}/holder", check=False)
    return json.loads(out.stdout) if out.returncode == 0 else None


def spawn(lab, *args):
    env = {**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"}
    return subprocess.Popen(
        [ANSIBLE_PLAYBOOK, "playbooks/services.yml", "-i", str(lab.inventory), *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def place_lock(lab, record: str):
    """A lock on manager1 as another run would have left it, holding `record`."""
    lab.exec("manager1", "mkdir", "-p", LOCK)
    lab.exec("manager1", "sh", "-c", f"printf '%s\\n' '{record}' > {LOCK}/holder")


def refusal(lab, label: str) -> str:
    """The message of a services stage run told not to wait for the lock."""
    refused = lab.play("playbooks/services.yml", "-e", "swarm_run_lock_wait=0", label=f"{lab.name}-{label}")
    assert refused.rc != 0 and refused.changed == 0
    return refused.failures()[0][2]


def wait_for_lock(lab, proc, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        found = holder(lab)
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"the first run never held the lock (rc {proc.poll()})")


def test_two_runs_started_together_run_one_after_the_other(ops_lab):
    """Started in the same second: one takes the lock, the other waits with a progress line naming it,
    then runs; both succeed and the lock is given back."""
    lab = ops_lab
    lab.exec("manager1", "rm", "-rf", LOCK)
    runs = [spawn(lab), spawn(lab)]
    outputs = [run.communicate(timeout=900)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [out[-2000:] for out in outputs]
    waited = [
        i for i, out in enumerate(outputs) if f"waiting for the run lock on manager1 ({LOCK}), held by" in out
    ]
    assert len(waited) == 1, "exactly one of the two runs should have waited for the other"
    other = runs[1 - waited[0]]
    assert f"held by the run of services.yml by process {other.pid} on " in outputs[waited[0]]
    assert holder(lab) is None, "the last run did not give the lock back"


@ON_DEMAND
def test_a_run_refuses_at_once_when_told_to_and_waits_for_a_live_holder(ops_lab):
    """A live process of this controller holds the lock: swarm_run_lock_wait=0 refuses naming it and
    changes nothing; a waiting run takes over once that process is gone."""
    lab = ops_lab
    lab.exec("manager1", "rm", "-rf", LOCK)
    sleeper = subprocess.Popen(["sleep", "120"])
    try:
        record = holder_line(
            socket.gethostname(), sleeper.pid, process_started(sleeper.pid), "site.yml", 3600
        )
        place_lock(lab, record)
        message = refusal(lab, "lock-refused")
        assert message.startswith(
            f"another run holds the cluster's run lock on manager1 ({LOCK}): the run of site.yml by process "
            f"{sleeper.pid} on {socket.gethostname()}, started "
        ), message
        assert "this run changed nothing" in message
        assert holder(lab) == json.loads(record)
    finally:
        sleeper.kill()
        sleeper.wait()
    run = lab.play("playbooks/services.yml", label=f"{lab.name}-lock-after-holder")
    assert run.rc == 0, run.describe()
    assert f"its process {sleeper.pid} no longer runs on" in run.output
    assert holder(lab) is None


def test_a_lock_left_by_a_killed_run_is_taken_over(ops_lab):
    lab = ops_lab
    lab.exec("manager1", "rm", "-rf", LOCK)
    killed = spawn(lab)
    held = wait_for_lock(lab, killed)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    assert holder(lab) == held, "the killed run's lock is not left behind"
    # A fresh run of the same controller sees the holder's process gone and takes over at once.
    started = time.monotonic()
    run = lab.play("playbooks/services.yml", label=f"{lab.name}-lock-takeover")
    assert run.rc == 0, run.describe()
    assert (
        f"took over the run lock on manager1 ({LOCK}) from the run of services.yml by process {held['pid']}"
        in (run.output)
    ), run.output[-3000:]
    assert f"its process {held['pid']} no longer runs on" in run.output
    assert time.monotonic() - started < 300
    assert holder(lab) is None


@ON_DEMAND
def test_check_mode_needs_no_lock_and_a_live_lock_of_another_controller_is_waited_for(ops_lab, tmp_path):
    lab = ops_lab
    other = {"host": "ci-elsewhere", "pid": 1, "started": int(time.time()), "playbook": "site.yml"}
    other["expires"] = other["started"] + 3600
    place_lock(lab, json.dumps(other, sort_keys=True))
    try:
        check = lab.play("playbooks/services.yml", "--check", label=f"{lab.name}-lock-check-mode")
        assert check.rc == 0, check.describe()
        message = refusal(lab, "lock-other-controller")
        assert message.startswith(
            f"another run holds the cluster's run lock on manager1 ({LOCK}): the run of site.yml by process 1 on "
            "ci-elsewhere, started "
        ), message
    finally:
        lab.exec("manager1", "rm", "-rf", LOCK)

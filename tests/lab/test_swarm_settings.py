"""The swarm's own settings on the shared lab: a default address pool given at init (on a one-node swarm
of worker2, which then joins the lab's swarm again), settings converged in one run and unchanged on
the next, autolock turned on with its key written to a file and the managers unlocked from it after
restarting, the root CA rotated with every node's issuer checked, managers drained.

Leaves the lab as it found it:
Docker's default settings, autolock off, every manager active, 3 managers and 2 workers Ready (the
CA is a new one; nothing depends on the old). Each case prints its time (`pytest -s`).
"""

from __future__ import annotations

import json
import stat
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from harness import LOGS, REPO, playbook

pytestmark = pytest.mark.lab

SETTINGS = "Converge the swarm's own settings"
RECONCILE = "Reconcile roles and labels by NodeID, remove superseded entries, prune only on request"
MANAGERS = ("manager1", "manager2", "manager3")
# Docker's defaults, which the lab has and gets back.
DEFAULTS = (
    "--task-history-limit=5",
    "--snapshot-interval=10000",
    "--dispatcher-heartbeat=5s",
    "--cert-expiry=2160h",
)
TIMES: dict[str, float] = {}
# A task that stops as soon as it is told to (PID 1 ignores SIGTERM unless it traps it).
WORKLOAD = ("sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done")


@pytest.fixture(scope="module")
def settings_lab(ops_lab):
    directory = LOGS.parent / "lab-settings" / ops_lab.name
    directory.mkdir(parents=True, exist_ok=True)
    yield ops_lab, directory
    print("\nSwarm settings: time of each case")
    for case, seconds in TIMES.items():
        print(f"  {case}: {seconds:.0f} s")


def extra(directory: Path, name: str, **variables) -> str:
    path = directory / f"{name}.json"
    path.write_text(json.dumps(variables))
    return f"--extra-vars=@{path}"


def swarm(lab, label, *args, **kwargs):
    return lab.play("playbooks/swarm.yml", *args, label=f"settings-{label}", **kwargs)


def cluster(lab, host="manager1") -> dict:
    return json.loads(lab.docker(host, "info", "--format", "{{json .Swarm.Cluster}}").stdout)


def settled(lab):
    nodes = lab.nodes("manager1")
    return len(nodes) == 5 and all(n["Status"] == "Ready" for n in nodes)


def test_a_default_address_pool_given_at_init_is_where_overlay_subnets_come_from(settings_lab):
    lab, directory = settings_lab
    started = time.monotonic()
    old_id = json.loads(lab.docker("worker2", "info", "--format", "{{json .Swarm.NodeID}}").stdout)
    lab.docker("worker2", "swarm", "leave")
    # worker2 alone as the first manager of a new swarm.
    inventory = yaml.safe_load(lab.inventory.read_text())
    inventory["all"]["children"] = {
        "swarm": {
            "children": {"swarm_managers": {"hosts": {"worker2": {"ansible_host": lab.address("worker2")}}}}
        },
        "linux": {"hosts": {"worker2": {}}},
    }
    single = directory / "single.yml"
    single.write_text(yaml.safe_dump(inventory))
    pools = extra(
        directory, "pools", swarm_default_addr_pools=["10.123.0.0/16"], swarm_default_addr_pool_mask_length=26
    )
    try:
        run = playbook("playbooks/swarm.yml", "-i", str(single), pools, label="settings-pool-init")
        assert run.rc == 0, run.describe()
        lab.docker("worker2", "network", "create", "--driver", "overlay", "pool-check")
        subnet = lab.docker(
            "worker2", "network", "inspect", "pool-check", "--format", "{{(index .IPAM.Config 0).Subnet}}"
        )
        assert subnet.stdout.strip().startswith("10.123.") and subnet.stdout.strip().endswith("/26"), (
            subnet.stdout
        )
        assert cluster(lab, "worker2")["DefaultAddrPool"] == ["10.123.0.0/16"]
        # Another pool asked of the swarm now: a warning saying what it takes, nothing changed.
        other = extra(directory, "other-pool", swarm_default_addr_pools=["10.124.0.0/16"])
        again = playbook("playbooks/swarm.yml", "-i", str(single), other, label="settings-pool-differs")
        assert again.rc == 0 and again.changed == 0, again.describe()
        warned = (
            "swarm_default_addr_pools is ['10.124.0.0/16'] but the swarm was created with ['10.123.0.0/16']"
        )
        assert warned in flat(again.output), again.describe()
    finally:
        lab.docker("worker2", "swarm", "leave", "--force", check=False)
    rejoined = swarm(lab, "pool-rejoin")
    assert rejoined.rc == 0, rejoined.describe()
    (reconciled,) = rejoined.results(RECONCILE).values()
    assert [s["node_id"] for s in reconciled["superseded"]] == [old_id]
    lab.wait_for("worker2 Ready in the lab's swarm again", lambda: settled(lab))
    TIMES["address pool at init (one-node swarm, then rejoin)"] = time.monotonic() - started


def flat(text: str) -> str:
    """Output with its line wrapping undone (Ansible wraps long warnings)."""
    return " ".join(text.split())


def test_settings_are_converged_in_one_run_shown_in_diff_and_unchanged_on_the_next(settings_lab):
    lab, directory = settings_lab
    started = time.monotonic()
    wanted = extra(
        directory,
        "settings",
        swarm_task_history_limit=3,
        swarm_snapshot_interval=5000,
        swarm_dispatcher_heartbeat="7s",
        swarm_cert_expiry="720h",
    )
    try:
        run = swarm(lab, "apply", wanted, "--diff")
        assert run.rc == 0, run.describe()
        (result,) = run.results(SETTINGS).values()
        assert result["changed"]
        assert result["diff"]["after"] == {
            "cert_expiry": "720h0m0s",
            "task_history_limit": 3,
            "snapshot_interval": 5000,
            "dispatcher_heartbeat": "7s",
        }
        spec = cluster(lab)["Spec"]
        assert spec["Orchestration"]["TaskHistoryRetentionLimit"] == 3
        assert spec["Raft"]["SnapshotInterval"] == 5000
        assert spec["Dispatcher"]["HeartbeatPeriod"] == 7 * 10**9
        assert spec["CAConfig"]["NodeCertExpiry"] == 720 * 3600 * 10**9
        again = swarm(lab, "again", wanted)
        assert again.rc == 0 and again.changed == 0, again.describe()
    finally:
        lab.docker("manager1", "swarm", "update", *DEFAULTS)
    TIMES["settings converged, then changed=0"] = time.monotonic() - started


def test_autolock_writes_its_key_to_the_file_and_managers_restarted_locked_are_unlocked_from_it(settings_lab):
    lab, directory = settings_lab
    started = time.monotonic()
    key_file = directory / "unlock.key"
    key_file.unlink(missing_ok=True)
    refused = swarm(lab, "autolock-no-file", extra(directory, "autolock-only", swarm_autolock=True))
    assert refused.rc != 0 and refused.changed == 0, refused.describe()
    assert "variable swarm_autolock: turning autolock on needs swarm_unlock_key_file" in refused.output
    wanted = extra(directory, "autolock", swarm_autolock=True, swarm_unlock_key_file=str(key_file))
    try:
        run = swarm(lab, "autolock-on", wanted, "-vvvvv")
        assert run.rc == 0, run.describe()
        key = lab.docker("manager1", "swarm", "unlock-key", "--quiet").stdout.strip()
        assert key.startswith("SWMKEY-") and key_file.read_text() == key + "\n"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert f"ansible-vault encrypt {key_file}" in flat(run.output)
        assert key not in run.output and key not in run.log.read_text()
        # Nor in the journal of the manager the key was read on (sshd, the engine).
        assert key not in lab.exec("manager1", "journalctl", "--no-pager", "--quiet", check=False).stdout
        # The command the run printed, as a user runs it.
        password = directory / "vault-password"
        password.write_text("settings-suite\n")
        vault = [
            str(REPO / ".venv/bin/ansible-vault"),
            "encrypt",
            "--vault-password-file",
            str(password),
            str(key_file),
        ]
        subprocess.run(vault, check=True, capture_output=True)
        assert key not in key_file.read_text()
        for host in MANAGERS:
            lab.exec(host, "systemctl", "restart", "docker")
        lab.wait_for(
            "the managers to restart locked",
            lambda: all(
                lab.docker(h, "info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip() == "locked"
                for h in MANAGERS
            ),
        )
        unlocked = swarm(lab, "autolock-unlock", wanted, "--vault-password-file", str(password), "-vvvvv")
        assert unlocked.rc == 0, unlocked.describe()
        unlocks = unlocked.results("Unlock locked managers")
        assert {h for h, r in unlocks.items() if r.get("changed")} == set(MANAGERS), unlocked.describe()
        assert key not in unlocked.output and key not in unlocked.log.read_text()
        assert all(
            lab.docker(h, "info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip() == "active"
            for h in MANAGERS
        )
    finally:
        lab.docker("manager1", "swarm", "update", "--autolock=false", check=False)
    lab.wait_for("every node Ready after the restarts", lambda: settled(lab))
    TIMES["autolock on, managers restarted, unlocked from the file"] = time.monotonic() - started


def test_the_root_ca_is_rotated_and_every_node_holds_a_certificate_from_the_new_ca(settings_lab):
    lab, directory = settings_lab
    started = time.monotonic()
    before = cluster(lab)["TLSInfo"]["CertIssuerPublicKey"]
    run = swarm(lab, "ca-rotate", extra(directory, "ca", swarm_ca_rotate=True))
    assert run.rc == 0, run.describe()
    (result,) = run.results(SETTINGS).values()
    assert result["changed"] and result["ca_rotated"]
    after = cluster(lab)["TLSInfo"]["CertIssuerPublicKey"]
    assert after != before
    ids = lab.docker("manager1", "node", "ls", "--quiet").stdout.split()
    issuers = json.loads(
        lab.docker(
            "manager1",
            "node",
            "inspect",
            *ids,
            "--format",
            "{{json .Description.TLSInfo.CertIssuerPublicKey}}",
        )
        .stdout.replace("\n", ",")
        .strip(",")
        .join("[]")
    )
    assert issuers == [after] * 5
    TIMES["root CA rotated, every node's issuer checked"] = time.monotonic() - started


def test_drained_managers_run_no_task_when_the_run_ends(settings_lab):
    lab, directory = settings_lab
    started = time.monotonic()
    registry = yaml.safe_load(lab.inventory.read_text())["all"]["vars"]["lab_registry"]
    lab.docker(
        "manager1", "service", "create", "--detach", "--name", "settings-drain", "--replicas", "6",
        f"{registry}/busybox:1", *WORKLOAD,
    )  # fmt: skip
    try:
        lab.wait_for(
            "a task of settings-drain on a manager",
            lambda: any(
                lab.docker(
                    h, "ps", "--quiet", "--filter", "label=com.docker.swarm.service.name=settings-drain"
                ).stdout.strip()
                for h in MANAGERS
            ),
        )
        run = swarm(lab, "drain", extra(directory, "drain", swarm_manager_availability="drain"), "--diff")
        assert run.rc == 0, run.describe()
        (result,) = run.results(RECONCILE).values()
        assert result["diff"]["after"]["manager1"]["availability"] == "drain"
        for host in MANAGERS:
            running = lab.docker(
                host, "ps", "--quiet", "--filter", "label=com.docker.swarm.service.name=settings-drain"
            )
            assert running.stdout.strip() == "", f"{host} still runs a task"
        nodes = {n["Hostname"]: n["Availability"] for n in lab.nodes("manager1")}
        assert sorted(nodes.values()).count("Drain") == 3
        again = swarm(lab, "drain-again", extra(directory, "drain", swarm_manager_availability="drain"))
        assert again.rc == 0 and again.changed == 0, again.describe()
    finally:
        lab.docker("manager1", "service", "rm", "settings-drain", check=False)
        ids = lab.docker("manager1", "node", "ls", "--quiet", "--filter", "role=manager").stdout.split()
        for node_id in ids:
            lab.docker("manager1", "node", "update", "--availability", "active", node_id, check=False)
    TIMES["managers drained, no task on them"] = time.monotonic() - started

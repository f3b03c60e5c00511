"""playbooks/azure_lab.yml: bad input stops before any Azure call; the real lab when Azure is available.

The offline tests run the real playbook. Validation is the first thing it does, so a run with bad
input must fail on a validation task with a message naming the field; a run with good input must
get past validation (it then fails here on the first Azure module, which has no Azure SDK of its
own in this virtualenv).

The live scenario provisions the classic lab, reads it back through the azure_swarm inventory
plugin and tears it down. It costs money and needs a subscription, so it runs only when
AZURE_SWARM_LIVE=1 and the credentials below are set; otherwise it reports itself skipped.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GOOD = {
    "AZURE_LAB_ADMIN_PASSWORD": "Sw4rm-lab-Passw0rd!",
    "AZURE_LAB_SSH_PUBLIC_KEY": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOfflineTestKey swarm",
}


def playbook(*extra_vars, env=None, state="present", verbose=False):
    command = [str(BIN / "ansible-playbook"), "playbooks/azure_lab.yml", "-e", f"azure_lab_state={state}"]
    command += ["-vvv"] if verbose else []
    for var in extra_vars:
        command += ["-e", var]
    return subprocess.run(
        command,
        cwd=REPO,
        env={
            **os.environ,
            "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
            "ANSIBLE_NOCOLOR": "1",
            **(env or {}),
        },
        capture_output=True,
        text=True,
        check=False,
    )


def failed_task(result) -> str:
    """The name of the task the run failed on."""
    tasks = [line for line in result.stdout.splitlines() if line.startswith("TASK [")]
    assert result.returncode != 0, result.stdout
    return tasks[-1]


@pytest.mark.parametrize(
    ("extra", "env", "task", "message"),
    [
        ([], GOOD, "Check the admin CIDR", 'azure_lab_admin_cidr is ""'),
        (
            ["azure_lab_admin_cidr=0.0.0.0/0"],
            GOOD,
            "Check the admin CIDR",
            'azure_lab_admin_cidr is "0.0.0.0/0"',
        ),
        (["azure_lab_admin_cidr=300.1.1.1/32"], GOOD, "Check the admin CIDR", "300.1.1.1/32"),
        (
            ["azure_lab_admin_cidr=203.0.113.10/32"],
            {**GOOD, "AZURE_LAB_ADMIN_PASSWORD": "short"},
            "Check the administrator credentials",
            "(acceptable now: False)",
        ),
        (
            ["azure_lab_admin_cidr=203.0.113.10/32"],
            {**GOOD, "AZURE_LAB_SSH_PUBLIC_KEY": ""},
            "Check the administrator credentials",
            "need an SSH public key",
        ),
        (
            [
                "azure_lab_admin_cidr=203.0.113.10/32",
                '{"azure_lab_nodes": [{"name": "w1", "os": "windows", "role": "worker", "private_ip": "10.42.1.4"}]}',
            ],
            GOOD,
            "Check the network and the nodes",
            "at least one node with role manager",
        ),
    ],
)
def test_bad_input_stops_before_azure(extra, env, task, message):
    result = playbook(*extra, env=env)
    assert task in failed_task(result)
    assert message in result.stdout
    assert GOOD["AZURE_LAB_ADMIN_PASSWORD"] not in result.stdout + result.stderr


@pytest.mark.parametrize("name", ["david", "support_388945a0", "user5", "owner"])
def test_every_user_name_azure_reserves_is_refused_before_azure(name):
    # The whole "Disallowed values" list of Compute's OSProfile.adminUsername, not only the obvious ones.
    result = playbook("azure_lab_admin_cidr=203.0.113.10/32", f"azure_lab_admin_username={name}", env=GOOD)
    assert "Check the administrator credentials" in failed_task(result)
    assert "not one of the names Azure reserves" in result.stdout


def test_password_never_appears_in_output():
    env = {**GOOD, "AZURE_LAB_ADMIN_PASSWORD": "only-lowercase-letters"}
    result = playbook("azure_lab_admin_cidr=203.0.113.10/32", env=env, verbose=True)
    assert "Check the administrator credentials" in failed_task(result)
    assert "only-lowercase-letters" not in result.stdout + result.stderr


def test_good_input_passes_validation():
    result = playbook("azure_lab_admin_cidr=203.0.113.10/32", env=GOOD)
    assert "Read the resource group, if it exists" in failed_task(result)


def test_argument_spec_rejects_unknown_role():
    nodes = (
        '{"azure_lab_nodes": [{"name": "w1", "os": "windows", "role": "leader", "private_ip": "10.42.1.4"}]}'
    )
    result = playbook("azure_lab_admin_cidr=203.0.113.10/32", nodes, env=GOOD)
    assert "Validating arguments against arg spec" in failed_task(result)
    assert "leader" in result.stdout


LIVE_NEEDS = (
    "AZURE_SUBSCRIPTION_ID",
    "AZURE_LAB_ADMIN_CIDR",
    "AZURE_LAB_ADMIN_PASSWORD",
    "AZURE_LAB_SSH_PUBLIC_KEY",
)
LIVE = os.environ.get("AZURE_SWARM_LIVE") == "1" and all(os.environ.get(n) for n in LIVE_NEEDS)


@pytest.mark.skipif(
    not LIVE,
    reason="needs a real Azure subscription: set AZURE_SWARM_LIVE=1, "
    + ", ".join(LIVE_NEEDS)
    + " and Azure credentials (az login or AZURE_CLIENT_ID/AZURE_SECRET/AZURE_TENANT and AZURE_CLIENT_SECRET/"
    "AZURE_TENANT_ID)",
)
def test_live_classic_lab_on_azure():
    cidr = os.environ["AZURE_LAB_ADMIN_CIDR"]
    try:
        created = playbook(f"azure_lab_admin_cidr={cidr}")
        assert created.returncode == 0, created.stdout + created.stderr
        listed = subprocess.run(
            [str(BIN / "ansible-inventory"), "-i", "inventory/classic_lab.azure_swarm.yml", "--list"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
        inventory = json.loads(listed.stdout)
        assert sorted(inventory["swarm_managers"]["hosts"]) == ["ubuntu1", "win1"]
        assert sorted(inventory["swarm_workers"]["hosts"]) == ["win2", "win3"]
        assert sorted(inventory["windows"]["hosts"]) == ["win1", "win2", "win3"]
        assert inventory["linux"]["hosts"] == ["ubuntu1"]
    finally:
        removed = playbook(state="absent")
        assert removed.returncode == 0, removed.stdout + removed.stderr

"""inventory/group_vars/windows.yml: what the `windows` group really resolves to.

The group vars are resolved by ansible-playbook itself (a debug task, no connection), with and
without the environment variables they read, and fed to the docker_windows role's checks.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
GROUP_VARS = REPO / "inventory" / "group_vars" / "windows.yml"
FIXTURES = REPO / "tests" / "fixtures" / "windows"
CREDENTIAL_ENV = ("WINRM_USER", "WINRM_PASSWORD", "WINRM_CA_TRUST_PATH", "WINRM_TRANSPORT")


@pytest.fixture
def windows_inventory(tmp_path):
    """An inventory with one `windows` host that uses the project's group vars file as is."""
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars" / "windows.yml").symlink_to(GROUP_VARS)
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump({"windows": {"hosts": {"win1": {}}}}))
    return tmp_path


def playbook(inventory: Path, book: str, env_overrides: dict[str, str], *extra: str) -> tuple[int, dict]:
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_ENV}
    env.update(
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json",
        **env_overrides,
    )
    proc = subprocess.run(
        [str(REPO / ".venv/bin/ansible-playbook"), "-i", str(inventory), *extra, str(FIXTURES / book)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.returncode, json.loads(proc.stdout)


def resolved(inventory: Path, **env: str) -> dict:
    rc, report = playbook(inventory, "connection_vars.yml", env)
    assert rc == 0
    return report["plays"][0]["tasks"][0]["hosts"]["win1"]["msg"]


def test_defaults_are_https_with_validation_and_encryption(windows_inventory):
    got = resolved(windows_inventory)
    assert got == {
        "connection": "winrm",
        "port": 5986,
        "scheme": "https",
        "transport": "ntlm",
        "cert_validation": "validate",
        # pywinrm's own default: requests' CA bundle. An empty path would turn validation off.
        "ca_trust_path": "legacy_requests",
        "message_encryption": "always",
        "user": "",
        "password_set": False,
    }


def test_environment_supplies_credentials_ca_and_kerberos(windows_inventory):
    got = resolved(
        windows_inventory,
        WINRM_USER="LAB\\ansible",
        WINRM_PASSWORD="s3cret-from-env",
        WINRM_CA_TRUST_PATH="/etc/lab/ca.pem",
        WINRM_TRANSPORT="kerberos",
    )
    assert got["user"] == "LAB\\ansible"
    assert got["password_set"] is True
    assert got["ca_trust_path"] == "/etc/lab/ca.pem"
    assert got["transport"] == "kerberos"
    assert got["cert_validation"] == "validate"


def test_no_credential_is_written_in_the_file():
    text = GROUP_VARS.read_text()
    data = yaml.safe_load(text)
    for key in ("ansible_user", "ansible_password"):
        assert data[key].startswith("{{ lookup('ansible.builtin.env', ")
    assert "ansible_winrm_password" not in data
    assert "s3cret" not in text


def test_missing_credentials_stop_the_role_before_it_connects(windows_inventory, tmp_path):
    facts = tmp_path / "facts.json"
    facts.write_text(
        json.dumps(
            {
                "ansible_facts": {
                    "os_family": "Windows",
                    "os_product_type": "server",
                    "distribution_version": "10.0.20348.0",
                },
                "docker_windows_test_entry": "validate",
            }
        )
    )
    rc, report = playbook(windows_inventory, "role_check.yml", {}, "-e", f"@{facts}")
    assert rc != 0
    failures = [
        result["msg"]
        for task in report["plays"][0]["tasks"]
        for result in task["hosts"].values()
        if result.get("failed")
    ]
    assert len(failures) == 1
    assert failures[0].startswith("win1: no user for the winrm connection (ntlm authentication).")
    assert report["stats"]["win1"]["unreachable"] == 0

"""docker_windows role, offline: its checks run for real against fake Windows facts.

The role is driven on the controller (ansible_connection=local) by
tests/fixtures/windows/role_check.yml. Bad input must stop a host inside the role's
validation, before the first Windows module (the read-only "Look for an installed dockerd.exe"),
with a message that names the host and the variable; good input must get past it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from role_runner import run_per_host

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK = REPO / "tests" / "fixtures" / "windows" / "role_check.yml"
FIRST_WINDOWS_TASK = "Look for an installed dockerd.exe"
PINNED_VERSION = "27.5.1"

SERVER_2022 = {
    "os_family": "Windows",
    "os_product_type": "server",
    "distribution": "Microsoft Windows Server 2022 Datacenter",
    "distribution_version": "10.0.20348.0",
    "hostname": "WIN-MGR1",
    "ip_addresses": ["10.10.0.4"],
}


def run_role(tmp_path: Path, cases: dict[str, dict], facts: dict | None = None) -> dict[str, dict]:
    """Run the fixture playbook, one inventory host per case (tests/role_runner.py)."""
    return run_per_host(PLAYBOOK, tmp_path, cases, {"ansible_facts": SERVER_2022 if facts is None else facts})


def assert_stopped_in_validation(result: dict, *needles: str) -> None:
    assert result["failed_task"] is not None, "the role accepted bad input"
    assert FIRST_WINDOWS_TASK not in result["tasks"] + [result["failed_task"]]
    flat = " ".join(result["msg"].split())
    for needle in needles:
        assert needle in flat, f"{needle!r} not in {flat!r}"


BAD_INPUT = {
    "bad_version": ({"docker_windows_version": "27.5"}, ["bad_version:", 'docker_windows_version="27.5"']),
    "version_before_23": (
        {"docker_windows_version": "20.10.24", "docker_windows_checksum": "ab" * 32},
        ["version_before_23:", 'docker_windows_version="20.10.24" is older than 23.0'],
    ),
    "url_without_checksum": (
        {"docker_windows_download_url": "https://mirror.example/docker-27.5.1.zip"},
        ["url_without_checksum:", "docker_windows_checksum is empty"],
    ),
    "unc_without_checksum": (
        {"docker_windows_download_url": "\\\\files\\media\\docker-27.5.1.zip"},
        ["unc_without_checksum:", "docker_windows_checksum is empty"],
    ),
    "unknown_version_without_checksum": (
        {"docker_windows_version": "26.1.9"},
        ["unknown_version_without_checksum:", "no SHA256 for Docker 26.1.9", PINNED_VERSION],
    ),
    "checksum_not_sha256": (
        {"docker_windows_checksum": "abc123"},
        ["checksum_not_sha256:", 'docker_windows_checksum="abc123" is not a SHA256'],
    ),
    "url_of_unknown_kind": (
        {
            "docker_windows_download_url": "ftp://mirror.example/docker.zip",
            "docker_windows_checksum": "a" * 64,
        },
        ["url_of_unknown_kind:", "neither an http(s) URL"],
    ),
    "daemon_options_not_a_dict": (
        {"docker_windows_daemon_options": "data-root=D:\\docker;debug"},
        ["daemon_options_not_a_dict: docker_windows_daemon_options: must be a mapping", "got a string"],
    ),
    "daemon_option_unknown": (
        {"docker_windows_daemon_options": {"data-rot": "D:\\docker"}},
        ["docker_windows_daemon_options: option 'data-rot': dockerd knows no such option", "'data-root'"],
    ),
    "daemon_option_wrong_type": (
        {"docker_windows_daemon_options": {"dns": "8.8.8.8,1.1.1.1", "mtu": "large"}},
        ["option 'dns': must be a list", "option 'mtu': must be an integer, got a string \"large\""],
    ),
    "daemon_option_linux_only": (
        {"docker_windows_daemon_options": {"iptables": False}},
        ["option 'iptables': not accepted by dockerd on Windows"],
    ),
    "tls_hosts_clash": (
        {
            "docker_windows_tls_enabled": True,
            "docker_windows_daemon_options": {"hosts": ["tcp://0.0.0.0:2375"]},
        },
        ["tls_hosts_clash:", "option 'hosts': set by the role itself"],
    ),
    "tls_supplied_files_missing": (
        {"docker_windows_tls_enabled": True, "docker_windows_tls_source": "supplied"},
        ["tls_supplied_files_missing:", 'docker_windows_tls_source is "supplied"'],
    ),
    "tls_source_unknown": (
        {"docker_windows_tls_enabled": True, "docker_windows_tls_source": "letsencrypt"},
        ["docker_windows_tls_source", "generate, supplied"],
    ),
    "firewall_profile_unknown": (
        {"docker_windows_firewall_profiles": ["public", "work"]},
        ["docker_windows_firewall_profiles", "domain, private, public"],
    ),
    "winrm_password_missing": (
        {"ansible_connection": "winrm", "ansible_user": "Administrator", "ansible_password": ""},
        ["winrm_password_missing: no password for the winrm connection", "WINRM_PASSWORD"],
    ),
}


GOOD_INPUT = {
    "good": {},
    "good_mirror": {
        "docker_windows_download_url": "https://mirror.example/docker/docker-27.5.1.zip",
        "docker_windows_checksum": "A573BE076030C8BABE34FFCD89C7AD6E720CFB4F876A0F8412DBA7ECDD368926",
    },
    "good_unc_share": {
        "docker_windows_version": "28.0.4",
        "docker_windows_download_url": "\\\\files\\media\\docker-28.0.4.zip",
        "docker_windows_checksum": "b" * 64,
    },
    "good_node_path": {
        "docker_windows_download_url": "D:\\media\\docker-27.5.1.zip",
        "docker_windows_checksum": "c" * 64,
        "docker_windows_swarm_subnet": "10.42.1.0/24",
        "docker_windows_tls_enabled": True,
    },
}


@pytest.fixture(scope="module")
def bad_input_outcome(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad_input")
    cases = {name: hostvars for name, (hostvars, _) in BAD_INPUT.items()}
    cases.update(GOOD_INPUT)
    return run_role(tmp, cases)


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_stops_the_host_before_any_windows_module(bad_input_outcome, case):
    assert_stopped_in_validation(bad_input_outcome[case], *BAD_INPUT[case][1])


@pytest.mark.parametrize("case", sorted(GOOD_INPUT))
def test_good_input_passes_validation_and_reaches_the_first_windows_module(bad_input_outcome, case):
    """Validation accepted the input: the first task that fails is the first real Windows task."""
    good = bad_input_outcome[case]
    assert good["failed_task"] == FIRST_WINDOWS_TASK, good["msg"]
    assert "powershell" in good["msg"]  # it failed only because this controller is not Windows
    assert "Check the node runs a supported Windows Server release" in good["tasks"]
    assert "Work out the download source and the daemon configuration" in good["tasks"]


@pytest.mark.parametrize(
    ("facts", "needles"),
    [
        (
            {
                **SERVER_2022,
                "distribution": "Microsoft Windows Server 2016",
                "distribution_version": "10.0.14393.0",
            },
            ["old_server: found Microsoft Windows Server 2016", "build 14393"],
        ),
        (
            {**SERVER_2022, "os_product_type": "workstation", "distribution": "Microsoft Windows 11 Pro"},
            ["old_server: found Microsoft Windows 11 Pro", "product type workstation"],
        ),
        ({"os_family": "Debian", "distribution": "Debian", "distribution_version": "12.5"}, ["found Debian"]),
    ],
    ids=["server-2016", "windows-11-client", "not-windows"],
)
def test_unsupported_release_is_refused_naming_host_found_and_supported(tmp_path, facts, needles):
    outcome = run_role(tmp_path, {"old_server": {}}, facts)["old_server"]
    assert_stopped_in_validation(
        outcome,
        *needles,
        "supports Windows Server 2019 (build 17763), Windows Server 2022 (build 20348), "
        "Windows Server 2025 (build 26100)",
    )


@pytest.mark.parametrize(
    ("build", "release"), [("17763", "2019"), ("20348", "2022"), ("26100", "2025")], ids=lambda v: v
)
def test_supported_releases_pass(tmp_path, build, release):
    facts = {**SERVER_2022, "distribution": f"Microsoft Windows Server {release}"}
    facts["distribution_version"] = f"10.0.{build}.1"
    outcome = run_role(tmp_path, {"node": {"docker_windows_test_entry": "validate"}}, facts)["node"]
    assert outcome["failed_task"] is None, outcome["msg"]


WINDOWS_PATH_OPTIONS = {
    "data-root": "D:\\docker",
    "exec-opts": ["isolation=process"],
    "log-opts": {"max-size": "10m"},
    "debug": False,
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, bytes]:
    """daemon.json as the role renders it, for a few inputs at once (one host each)."""
    tmp = tmp_path_factory.mktemp("daemon_json")
    pem = tmp / "x.pem"
    pem.write_text("not read by the checks, only required to exist\n")
    tls = {
        "docker_windows_tls_enabled": True,
        "docker_windows_tls_source": "supplied",
        "docker_windows_tls_port": 2376,
        "docker_windows_tls_ca_cert": str(pem),
        "docker_windows_tls_server_cert": str(pem),
        "docker_windows_tls_server_key": str(pem),
        "docker_windows_daemon_options": {"data-root": "D:\\docker"},
    }
    inputs = {
        "windows_paths": {"docker_windows_daemon_options": WINDOWS_PATH_OPTIONS},
        "tls": tls,
        "empty": {},
    }
    cases = {
        name: {
            "docker_windows_test_entry": "validate",
            "docker_windows_test_daemon_json": str(tmp / name),
            **hostvars,
        }
        for name, hostvars in inputs.items()
    }
    outcome = run_role(tmp, cases)
    for name in cases:
        assert outcome[name]["failed_task"] is None, outcome[name]["msg"]
    return {name: (tmp / name).read_bytes() for name in cases}


def test_daemon_json_escapes_windows_paths_and_has_no_bom(rendered):
    raw = rendered["windows_paths"]
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")
    assert '"data-root": "D:\\\\docker"' in text
    assert json.loads(text) == WINDOWS_PATH_OPTIONS


def test_daemon_json_with_tls_lists_listeners_and_certificate_paths(rendered):
    assert not rendered["tls"].startswith(b"\xef\xbb\xbf")
    assert json.loads(rendered["tls"]) == {
        "data-root": "D:\\docker",
        "hosts": ["npipe://", "tcp://0.0.0.0:2376"],
        "tlsverify": True,
        "tlscacert": "C:\\ProgramData\\docker\\certs\\ca.pem",
        "tlscert": "C:\\ProgramData\\docker\\certs\\server-cert.pem",
        "tlskey": "C:\\ProgramData\\docker\\certs\\server-key.pem",
    }


SOURCES = {
    "pinned": (
        {},
        "https://download.docker.com/win/static/stable/x86_64/docker-27.5.1.zip",
        "a573be076030c8babe34ffcd89c7ad6e720cfb4f876a0f8412dba7ecdd368926",
    ),
    "share_with_checksum": (
        {"docker_windows_download_url": "\\\\files\\media\\d.zip", "docker_windows_checksum": "AB" * 32},
        "\\\\files\\media\\d.zip",
        "ab" * 32,
    ),
    "other_version_with_checksum": (
        {"docker_windows_version": "28.0.4", "docker_windows_checksum": "cd" * 32},
        "https://download.docker.com/win/static/stable/x86_64/docker-28.0.4.zip",
        "cd" * 32,
    ),
}


def test_download_source_and_checksum(tmp_path):
    cases = {
        name: {
            "docker_windows_test_entry": "validate",
            "docker_windows_test_source": str(tmp_path / name),
            **hostvars,
        }
        for name, (hostvars, _, _) in SOURCES.items()
    }
    outcome = run_role(tmp_path, cases)
    for name, (_, source, sha256) in SOURCES.items():
        assert outcome[name]["failed_task"] is None, outcome[name]["msg"]
        assert json.loads((tmp_path / name).read_text()) == {"source": source, "sha256": sha256}


def test_empty_daemon_options_render_an_empty_object(rendered):
    assert json.loads(rendered["empty"]) == {}


def test_tls_material_is_generated_on_the_controller_once_and_kept(tmp_path):
    """CA, one server certificate per node (its names and addresses), one client certificate."""
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    tls_dir = tmp_path / "tls"
    case = {"docker_windows_test_entry": "tls_generate", "docker_windows_tls_generate_dir": str(tls_dir)}
    cases = {"win1": {**case, "ansible_host": "203.0.113.7"}, "win2": case}
    first = run_role(tmp_path, cases)
    for name in cases:
        assert first[name]["failed_task"] is None, first[name]["msg"]

    def load(path):
        return x509.load_pem_x509_certificate((tls_dir / path).read_bytes())

    ca = load("ca.pem")
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    for leaf_path, usage in [
        ("win1/server-cert.pem", ExtendedKeyUsageOID.SERVER_AUTH),
        ("win2/server-cert.pem", ExtendedKeyUsageOID.SERVER_AUTH),
        ("client-cert.pem", ExtendedKeyUsageOID.CLIENT_AUTH),
    ]:
        leaf = load(leaf_path)
        leaf.verify_directly_issued_by(ca)
        assert list(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [usage]
    san = load("win1/server-cert.pem").extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(san.get_values_for_type(x509.DNSName)) == {"win1", "localhost", "WIN-MGR1"}
    assert {str(ip) for ip in san.get_values_for_type(x509.IPAddress)} == {
        "10.10.0.4",
        "203.0.113.7",
        "127.0.0.1",
    }
    assert oct((tls_dir / "ca-key.pem").stat().st_mode & 0o777) == "0o600"

    second = run_role(tmp_path, cases)
    assert second["win1"]["changed"] == [] and second["win2"]["changed"] == []

    # A node whose address changed gets a certificate naming the new one; the CA stays.
    ca_before = (tls_dir / "ca.pem").read_bytes()
    third = run_role(tmp_path, {**cases, "win1": {**case, "ansible_host": "203.0.113.8"}})
    assert third["win1"]["failed_task"] is None, third["win1"]["msg"]
    san = load("win1/server-cert.pem").extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "203.0.113.8" in {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    assert (tls_dir / "ca.pem").read_bytes() == ca_before

"""Bad input on a converged lab: every kind is refused with a clear message, and nothing changes.

Each case gives the lab one bad input (an extra inventory file with host or group variables) and
runs the stage playbook that reads it. The run must fail, name the host or object, the field and
what is valid, and leave node state, node labels, services, networks and every node's
daemon.json byte-for-byte as they were. A baseline network and service are deployed first so
"services unchanged" means something; they are removed at the end.

The messages the runs printed make docs/validation.md (test_the_table_in_the_docs_is_current),
so that table is always what the project really answers. MIXEDSWARM_WRITE_DOCS=1 rewrites it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from harness import REPO

pytestmark = pytest.mark.lab

FIXTURES = REPO / "tests" / "fixtures" / "bad_input"
TABLE = REPO / "docs" / "validation.md"
SERVICE_IMAGE = "{{ lab_registry }}/busybox:1"
BASELINE = {
    "swarm_networks": [{"name": "badinput-net"}],
    "swarm_services": [
        {
            "name": "badinput-web",
            "image": SERVICE_IMAGE,
            "os": "linux",
            "command": ["sleep", "86400"],
            "networks": ["badinput-net"],
            "env": {"MODE": "baseline"},
            # Off the worker whose engine the daemon cases restart.
            "constraints": ["node.role==manager"],
        }
    ],
}


def service(**fields) -> dict:
    """The baseline plus one more service with the given (bad) fields."""
    return {
        **BASELINE,
        "swarm_services": [
            *BASELINE["swarm_services"],
            {"name": "api", "image": SERVICE_IMAGE, "os": "linux", **fields},
        ],
    }


def stacks(*entries) -> dict:
    return {**BASELINE, "swarm_stacks": list(entries)}


def compose(**deploy) -> dict:
    return {"services": {"api": {"image": SERVICE_IMAGE, "x-os": "linux", "deploy": deploy}}}


# (id, what the user did wrong, stage playbook, inventory (vars for all, or per host), expected fragments)
CASES = [
    # Engine options (host variables of one node): checked on the controller before daemon.json is written.
    (
        "daemon-unknown-option",
        "unknown daemon option",
        "playbooks/engines.yml",
        {"hosts": {"worker1": {"docker_linux_daemon_options": {"bogus-option": 1}}}},
        ["worker1", "docker_linux_daemon_options", "'bogus-option'", "no such option"],
    ),
    (
        "daemon-misspelt-option",
        "misspelt daemon option",
        "playbooks/engines.yml",
        {"hosts": {"worker1": {"docker_linux_daemon_options": {"log-driverr": "json-file"}}}},
        ["worker1", "'log-driverr'", "did you mean 'log-driver'"],
    ),
    (
        "daemon-live-restore",
        "live-restore on a swarm node",
        "playbooks/engines.yml",
        {"hosts": {"worker1": {"docker_linux_daemon_options": {"live-restore": True}}}},
        ["worker1", "'live-restore'", "refuses it on swarm nodes"],
    ),
    (
        "daemon-log-opts-number",
        "log-opts value not a string",
        "playbooks/engines.yml",
        {"hosts": {"worker1": {"docker_linux_daemon_options": {"log-opts": {"max-file": 3}}}}},
        ["worker1", "log-opts.max-file", "strings"],
    ),
    (
        "daemon-refused-by-engine",
        "daemon option value only the engine can refuse (unknown storage driver)",
        "playbooks/engines.yml",
        {"hosts": {"worker1": {"docker_linux_daemon_options": {"storage-driver": "no-such-driver"}}}},
        ["worker1", "dockerd refused to start", "previous daemon.json was put back"],
    ),
    # Inventory: checked by the swarm plan before any join, role or label change.
    (
        "label-reserved-key",
        "node label in Docker's namespace",
        "playbooks/swarm.yml",
        {"hosts": {"worker1": {"swarm_labels": {"com.docker.zone": "a"}}}},
        ["worker1", "swarm_labels key 'com.docker.zone'", "reserved"],
    ),
    (
        "label-value-mapping",
        "node label value that is a mapping",
        "playbooks/swarm.yml",
        {"hosts": {"worker1": {"swarm_labels": {"zone": {"a": 1}}}}},
        ["worker1", "swarm_labels value of 'zone'", "string, number or boolean"],
    ),
    (
        "host-in-both-groups",
        "host in both swarm_managers and swarm_workers",
        "playbooks/swarm.yml",
        {"groups": {"swarm_managers": ["worker1"]}},
        ["worker1", "in both swarm_managers and swarm_workers"],
    ),
    # Networks and services: checked against the swarm before any network or service changes.
    (
        "network-bridge-driver",
        "network driver other than overlay",
        "playbooks/services.yml",
        {**BASELINE, "swarm_networks": [{"name": "badinput-net"}, {"name": "local", "driver": "bridge"}]},
        ["network 'local', field 'driver'", "only overlay"],
    ),
    (
        "network-named-ingress",
        "network named ingress",
        "playbooks/services.yml",
        {**BASELINE, "swarm_networks": [{"name": "badinput-net"}, {"name": "ingress"}]},
        ["network 'ingress', field 'name'", "routing mesh"],
    ),
    (
        "service-env-mapping",
        "service env value that is a mapping",
        "playbooks/services.yml",
        service(env={"CONFIG": {"a": 1}}),
        ["service 'api', field 'env.CONFIG'", "got a mapping"],
    ),
    (
        "service-delay-words",
        "update_config delay in words",
        "playbooks/services.yml",
        service(update_config={"delay": "5 seconds"}),
        ["service 'api', field 'update_config.delay'", "10s"],
    ),
    (
        "service-replicas-text",
        "replicas not a number",
        "playbooks/services.yml",
        service(replicas="three"),
        ["service 'api', field 'replicas'", "integer >= 0", 'a string "three"'],
    ),
    (
        "service-misspelt-key",
        "misspelt service key",
        "playbooks/services.yml",
        service(replica=2),
        ["service 'api', field 'replica'", "did you mean 'replicas'"],
    ),
    (
        "service-unknown-os",
        "unknown os",
        "playbooks/services.yml",
        service(os="macos"),
        ["service 'api', field 'os'", "valid: linux, windows"],
    ),
    (
        "service-port-range",
        "published port out of range",
        "playbooks/services.yml",
        service(publish=[70000]),
        ["service 'api', field 'publish[0]'", "1-65535"],
    ),
    (
        "service-attach-ingress",
        "service attached to ingress",
        "playbooks/services.yml",
        service(networks=["ingress"]),
        ["service 'api', field 'networks'", "routing mesh"],
    ),
    (
        "service-unknown-network",
        "service on an undeclared network",
        "playbooks/services.yml",
        service(networks=["nowhere"]),
        ["service 'api', field 'networks'", "neither declared nor existing"],
    ),
    # Stacks: entries, then compose files, checked before any network, service or stack changes.
    (
        "stack-definition-and-src",
        "stack with both definition and src",
        "playbooks/services.yml",
        stacks({"name": "shop", "definition": compose(), "src": str(FIXTURES / "compose.yml.j2")}),
        ["stack 'shop', field 'definition'", "not both"],
    ),
    (
        "stack-misspelt-key",
        "misspelt stack key",
        "playbooks/services.yml",
        stacks({"name": "shop", "defintion": compose()}),
        ["stack 'shop', field 'defintion'", "did you mean 'definition'"],
    ),
    (
        "stack-replicas-text",
        "compose replicas not a number",
        "playbooks/services.yml",
        stacks({"name": "shop", "definition": compose(replicas="three")}),
        ["stack service 'shop/api', field 'deploy.replicas'", 'a string "three"'],
    ),
    (
        "stack-deploy-misspelt",
        "misspelt compose deploy key",
        "playbooks/services.yml",
        stacks({"name": "shop", "definition": compose(resources={"limit": {"memory": "64M"}})}),
        ["field 'deploy.resources.limit'", "did you mean 'limits'"],
    ),
    (
        "stack-template-yaml-error",
        "YAML error in a stack template",
        "playbooks/services.yml",
        stacks({"name": "shop", "src": str(FIXTURES / "broken-compose.yml.j2")}),
        ["stack 'shop', field 'src'", "broken-compose.yml.j2", "not valid YAML", "line 5"],
    ),
]

# What each case answered, for the docs table: id -> (message, unchanged).
ANSWERS: dict[str, tuple[str, bool]] = {}


def inventory_file(tmp_path: Path, case_id: str, spec: dict) -> Path:
    """An inventory adding the case's variables: {hosts: {h: vars}}, {groups: {g: [h]}} or all-vars."""
    if "hosts" in spec:
        data = {"all": {"hosts": spec["hosts"]}}
    elif "groups" in spec:
        data = {
            "all": {"children": {g: {"hosts": {host: {} for host in hs}} for g, hs in spec["groups"].items()}}
        }
    else:
        data = {"all": {"vars": spec}}
    path = tmp_path / f"{case_id}.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def snapshot(lab) -> dict:
    """Everything a bad input must not change, read from the nodes themselves."""
    manager = lab.hosts[0]
    nodes = json.loads(
        lab.docker(manager, "node", "inspect", *lab.docker(manager, "node", "ls", "-q").stdout.split()).stdout
    )
    service_ids = lab.docker(manager, "service", "ls", "-q").stdout.split()
    services = (
        json.loads(lab.docker(manager, "service", "inspect", *service_ids).stdout) if service_ids else []
    )
    network_ids = lab.docker(manager, "network", "ls", "-q", "--filter", "scope=swarm").stdout.split()
    networks = json.loads(lab.docker(manager, "network", "inspect", *network_ids).stdout)
    return {
        "nodes": {
            n["ID"]: (n["Spec"], n["Status"]["State"], n.get("ManagerStatus", {}).get("Reachability"))
            for n in nodes
        },
        "services": {s["ID"]: (s["Version"]["Index"], s["Spec"]) for s in services},
        "networks": {n["Id"]: (n["Name"], n["Labels"], n["Options"], n["Created"]) for n in networks},
        "daemon.json": {h: lab.exec(h, "cat", "/etc/docker/daemon.json").stdout for h in lab.hosts},
        "swarm state": {
            h: lab.docker(h, "info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}").stdout
            for h in lab.hosts
        },
    }


@pytest.fixture(scope="module")
def baseline_lab(ops_lab, tmp_path_factory):
    """The shared lab with the baseline network and service deployed; removed again afterwards."""
    tmp = tmp_path_factory.mktemp("bad-input")
    deployed = ops_lab.play(
        "playbooks/services.yml",
        inventories=[inventory_file(tmp, "baseline", BASELINE)],
        label=f"{ops_lab.name}-bad-input-baseline",
    )
    assert deployed.rc == 0, deployed.describe()
    yield ops_lab
    # The service first: a network still in use cannot be removed.
    for step, gone in (
        ("service", {"swarm_services": [{"name": "badinput-web", "state": "absent"}]}),
        ("network", {"swarm_networks": [{"name": "badinput-net", "state": "absent"}]}),
    ):
        removed = ops_lab.play(
            "playbooks/services.yml",
            inventories=[inventory_file(tmp, f"cleanup-{step}", gone)],
            label=f"{ops_lab.name}-bad-input-cleanup-{step}",
        )
        assert removed.rc == 0, removed.describe()


@pytest.mark.parametrize(("case_id", "what", "stage", "spec", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_clearly_and_changes_nothing(
    baseline_lab, tmp_path, case_id, what, stage, spec, fragments
):
    lab = baseline_lab
    before = snapshot(lab)
    limit = ["--limit", "worker1"] if stage == "playbooks/engines.yml" else []
    run = lab.play(
        stage,
        *limit,
        inventories=[inventory_file(tmp_path, case_id, spec)],
        label=f"{lab.name}-bad-input-{case_id}",
    )
    assert run.rc != 0, f"{what}: accepted ({run.describe()})"
    failures = run.failures()
    assert failures, f"{what}: failed without a task failure ({run.describe()})"
    message = "\n".join(msg for _host, _task, msg in failures)
    if stage == "playbooks/engines.yml":
        lab.wait_for(
            "worker1's engine to answer", lambda: lab.docker("worker1", "info", check=False).returncode == 0
        )
        lab.wait_for("every node to be Ready", lambda: all(n["Status"] == "Ready" for n in lab.nodes()))
    after = snapshot(lab)
    ANSWERS[case_id] = (message, after == before)
    if after["daemon.json"] != before["daemon.json"]:
        # Leave the shared lab healthy for the next case and module, whatever this one found.
        repaired = lab.play(
            "playbooks/engines.yml", "--limit", "worker1", label=f"{lab.name}-bad-input-repair"
        )
        assert repaired.rc == 0, repaired.describe()
    missing = [f for f in fragments if f not in message]
    assert not missing, f"{what}: message lacks {missing}:\n{message}"
    for part in before:
        assert after[part] == before[part], f"{what}: {part} changed"


def table_text() -> str:
    """docs/validation.md from the answers of this session's runs."""
    lines = [
        "# Bad input the project refuses",
        "",
        "Generated by tests/lab/test_bad_input.py from what the runs really answered on a converged lab",
        "(`MIXEDSWARM_WRITE_DOCS=1 pytest tests/lab/test_bad_input.py` rewrites it; the suite fails when it",
        "is out of date). Every run failed before changing anything: node state, node labels, services,",
        "networks and every node's daemon.json were compared byte for byte before and after.",
        "",
        "| Bad input | Stage | Nothing changed | Message (first line) |",
        "|---|---|---|---|",
    ]
    for case_id, what, stage, _spec, _fragments in CASES:
        message, unchanged = ANSWERS[case_id]
        first = _portable(_first_problem(message)).replace("|", "\\|")
        lines.append(f"| {what} | {Path(stage).stem} | {'yes' if unchanged else 'NO'} | {first} |")
    tried = len(CASES)
    unchanged = sum(1 for m, u in ANSWERS.values() if u)
    lines += [
        "",
        f"{tried} bad inputs tried; {unchanged} left everything unchanged; {tried} answered with the "
        "message above, naming the host or object, the field and what is valid.",
        "",
    ]
    return "\n".join(lines)


def _first_problem(message: str) -> str:
    """The line of the message that names the problem (a header such as '1 problem(s) ...' is skipped)."""
    lines = [line.strip(" -") for line in message.splitlines() if line.strip(" -")]
    return next((line for line in lines if "problem(s)" not in line), lines[0]) if lines else ""


def _portable(text: str) -> str:
    """The same text whatever the lab's name, subnet and checkout path."""
    text = text.replace(str(REPO) + "/", "")
    text = re.sub(r"\b\d{1,3}(\.\d{1,3}){3}\b", "ADDR", text)
    return re.sub(r"mixedswarm-[a-z0-9]+-", "mixedswarm-LAB-", text)


def test_the_table_in_the_docs_is_current():
    missing = [c[0] for c in CASES if c[0] not in ANSWERS]
    if missing:
        pytest.skip(f"runs of {', '.join(missing)} did not finish; the table cannot be checked")
    text = table_text()
    if os.environ.get("MIXEDSWARM_WRITE_DOCS") == "1":
        TABLE.write_text(text)
    assert TABLE.exists() and TABLE.read_text() == text, (
        f"{TABLE.relative_to(REPO)} is out of date; rerun with MIXEDSWARM_WRITE_DOCS=1 and commit it"
    )

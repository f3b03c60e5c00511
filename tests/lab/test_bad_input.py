"""Bad input on a converged lab: every kind is refused with a clear message, and nothing changes.

Each case is one bad input (host, group or list variables in an extra inventory file). The cases
of one stage step run together, as a user's inventory with several mistakes would (every stage
reports all its problems at once): the run must fail, its answer must name the host or object,
the field and what is valid for each case, and node state, node labels, services, networks and
every node's daemon.json must be byte-for-byte as they were. A baseline network and service are deployed first so
"services unchanged" means something; they are removed at the end.

The messages the runs printed make docs/validation.md (test_the_table_in_the_docs_is_current),
so that table is always what the project really answers. MIXEDSWARM_WRITE_DOCS=1 rewrites it.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import LAB_SUBNET
from harness import REPO

LAB_SLICE = str(list(ipaddress.ip_network(LAB_SUBNET).subnets(new_prefix=28))[-1])

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


@dataclass(frozen=True)
class Group:
    """Bad inputs one run of a stage refuses together (each stage reports every problem at once)."""

    name: str
    stage: str
    limit: str = ""


ENGINES = Group("daemon-options", "playbooks/engines.yml", "worker1,worker2,manager2,manager3")
# With a manager in the run: worker1 is a swarm member, so its engine change rolls (drain first).
ENGINE_REFUSES = Group("daemon-refused", "playbooks/engines.yml", "worker1,manager1")
SWARM = Group("inventory", "playbooks/swarm.yml")
NETWORKS = Group("networks", "playbooks/services.yml")
SERVICES = Group("services", "playbooks/services.yml")
STACK_ENTRIES = Group("stack-entries", "playbooks/services.yml")
COMPOSE = Group("compose", "playbooks/services.yml")
# Loaded on the controller, and a login only a registry can answer: each stops the stage first.
SECRETS = Group("secrets", "playbooks/services.yml")
REGISTRY = Group("registry", "playbooks/services.yml")


@dataclass(frozen=True)
class Case:
    """One bad input: what the user did wrong, the inventory that does it, what the answer must say.

    spec: {"hosts": {host: vars}}, {"groups": {group: [hosts]}} or {"vars": {list variable: [entries]}}
    (entries are added to the baseline's). fragments[0] picks the answer's line for this case.
    """

    id: str
    what: str
    group: Group
    spec: dict
    fragments: tuple[str, ...]


def daemon(host: str, options: dict) -> dict:
    return {"hosts": {host: {"docker_linux_daemon_options": options}}}


def service(name: str, **fields) -> dict:
    return {"vars": {"swarm_services": [{"name": name, "image": SERVICE_IMAGE, "os": "linux", **fields}]}}


def stack(entry: dict) -> dict:
    return {"vars": {"swarm_stacks": [entry]}}


def compose(name: str, **deploy) -> dict:
    return stack(
        {
            "name": name,
            "definition": {"services": {"api": {"image": SERVICE_IMAGE, "x-os": "linux", "deploy": deploy}}},
        }
    )


CASES = (
    # Engine options: checked on the controller before daemon.json is written.
    Case("daemon-unknown-option", "unknown daemon option", ENGINES, daemon("worker1", {"bogus-option": 1}),
         ("worker1: docker_linux_daemon_options: option 'bogus-option'", "no such option")),
    Case("daemon-misspelt-option", "misspelt daemon option", ENGINES, daemon("worker2", {"log-driverr": "json-file"}),
         ("worker2: docker_linux_daemon_options: option 'log-driverr'", "did you mean 'log-driver'")),
    Case("daemon-live-restore", "live-restore on a swarm node", ENGINES, daemon("manager2", {"live-restore": True}),
         ("manager2: docker_linux_daemon_options: option 'live-restore'", "refuses it on swarm nodes")),
    Case("daemon-log-opts-number", "log-opts value not a string", ENGINES,
         daemon("manager3", {"log-opts": {"max-file": 3}}),
         ("manager3: docker_linux_daemon_options: option 'log-opts.max-file'", "strings")),
    # Only the engine can tell: the file is written, refused, put back, and the engine started again.
    Case("daemon-refused-by-engine", "daemon option value only the engine refuses (unknown storage driver)",
         ENGINE_REFUSES, daemon("worker1", {"storage-driver": "no-such-driver"}),
         ("worker1: dockerd refused to start", "driver not supported", "previous daemon.json was put back")),
    # Inventory: checked by the swarm plan before any join, role or label change.
    Case("label-reserved-key", "node label in Docker's namespace", SWARM,
         {"hosts": {"worker1": {"swarm_labels": {"com.docker.zone": "a"}}}},
         ("host worker1: swarm_labels key 'com.docker.zone'", "reserved")),
    Case("label-value-mapping", "node label value that is a mapping", SWARM,
         {"hosts": {"worker2": {"swarm_labels": {"zone": {"a": 1}}}}},
         ("host worker2: swarm_labels value of 'zone'", "string, number or boolean")),
    Case("host-in-both-groups", "host in both swarm_managers and swarm_workers", SWARM,
         {"groups": {"swarm_workers": ["manager3"]}}, ("host manager3: in both swarm_managers and swarm_workers",)),
    # Networks, services, stacks: checked against the swarm before any of them changes.
    Case("network-bridge-driver", "network driver other than overlay", NETWORKS,
         {"vars": {"swarm_networks": [{"name": "local", "driver": "bridge"}]}},
         ("network 'local', field 'driver'", "only overlay")),
    Case("network-named-ingress", "network named ingress", NETWORKS, {"vars": {"swarm_networks": [{"name": "ingress"}]}},
         ("network 'ingress', field 'name'", "routing mesh")),
    # Subnets against the nodes' own addresses and each other: refused before any network is made.
    Case("network-subnet-of-the-nodes", "overlay subnet holding the nodes' addresses", NETWORKS,
         {"vars": {"swarm_networks": [{"name": "labnet", "subnet": LAB_SUBNET}]}},
         ("network 'labnet', field 'subnet'", "cut the nodes off")),
    # Inside the lab network's route, holding no node's address (its last /28).
    Case("network-subnet-a-node-routes-to", "overlay subnet inside a network the nodes route to", NETWORKS,
         {"vars": {"swarm_networks": [{"name": "lanslice", "subnet": LAB_SLICE}]}},
         ("network 'lanslice', field 'subnet'", "route to (dev eth0)", "could not reach that range")),
    Case("network-subnets-overlap", "overlay subnets overlapping each other", NETWORKS,
         {"vars": {"swarm_networks": [{"name": "wide", "subnet": "10.123.0.0/16"},
                                      {"name": "narrow", "subnet": "10.123.4.0/24"}]}},
         ("network 'wide', field 'subnet'", "overlaps")),
    Case("service-env-mapping", "service env value that is a mapping", SERVICES,
         service("api-env", env={"CONFIG": {"a": 1}}), ("service 'api-env', field 'env.CONFIG'", "got a mapping")),
    Case("service-delay-words", "update_config delay in words", SERVICES,
         service("api-delay", update_config={"delay": "5 seconds"}),
         ("service 'api-delay', field 'update_config.delay'", "10s")),
    Case("service-replicas-text", "replicas not a number", SERVICES, service("api-replicas", replicas="three"),
         ("service 'api-replicas', field 'replicas'", 'a string "three"')),
    Case("service-misspelt-key", "misspelt service key", SERVICES, service("api-key", replica=2),
         ("service 'api-key', field 'replica'", "did you mean 'replicas'")),
    Case("service-unknown-os", "unknown os", SERVICES, service("api-os", os="macos"),
         ("service 'api-os', field 'os'", "valid: linux, windows")),
    Case("service-port-range", "published port out of range", SERVICES, service("api-port", publish=[70000]),
         ("service 'api-port', field 'publish[0]'", "1-65535")),
    Case("service-attach-ingress", "service attached to ingress", SERVICES, service("api-ingress", networks=["ingress"]),
         ("service 'api-ingress', field 'networks'", "routing mesh")),
    Case("service-unknown-network", "service on an undeclared network", SERVICES,
         service("api-net", networks=["nowhere"]), ("service 'api-net', field 'networks'", "neither declared nor existing")),
    Case("service-name-malformed", "malformed service name", SERVICES, service("api web!"),
         ("service 'api web!', field 'name'", "invalid;")),
    # Placement predicted against the nodes before the service exists (it would stay at 0/1, 5/6).
    Case("service-constraint-nowhere", "constraint no node satisfies", SERVICES,
         service("api-mars", constraints=["node.labels.zone==mars"]),
         ("service 'api-mars', field 'constraints'", "no Ready, active node")),
    Case("service-host-port-replicas", "more replicas than nodes for a host-mode port", SERVICES,
         service("api-hostport", replicas=6, publish=[{"published": 18080, "target": 80, "mode": "host"}]),
         ("service 'api-hostport', field 'publish'", "free on 5 of the 5")),
    Case("service-reservation-too-big", "reservation larger than any node", SERVICES,
         service("api-big", reservations={"memory": "64T"}), ("service 'api-big', field 'reservations'", "never placed")),
    Case("service-unknown-secret", "service secret neither declared nor existing", SERVICES,
         service("api-secret", secrets=[{"source": "nowhere"}]),
         ("service 'api-secret', field 'secrets'", "neither declared in swarm_secrets nor existing")),
    Case("secret-file-missing", "secret file missing on the controller", SECRETS,
         {"vars": {"swarm_secrets": [{"name": "badinput_password", "file": "badinput-nowhere.txt"}]}},
         ("secret 'badinput_password', field 'file'", "cannot read 'badinput-nowhere.txt' on the controller")),
    # The lab registry's login endpoint (lab_registry_auth) refuses the password; nothing answers on
    # port 5999 of the registry's address. Both logins are tried in the same run.
    Case("registry-wrong-password", "wrong registry password", REGISTRY,
         {"vars": {"swarm_registry_auth": [
             {"registry": "{{ lab_registry_login }}", "username": "lab", "password": "not-the-password"}
         ]}},
         (":5000': login as 'lab' failed", "nothing was changed", "401 Unauthorized")),
    Case("registry-unreachable", "registry that does not answer the login", REGISTRY,
         {"vars": {"swarm_registry_auth": [
             {"registry": "{{ lab_registry | split(':') | first }}:5999", "username": "badinput", "password": "x"}
         ]}},
         (":5999': login as 'badinput' failed", "nothing was changed")),
    # Keys of the service spec (docs/services.md): each refused with its field path before any change.
    Case("service-mount-type", "unknown mount type", SERVICES,
         service("api-mount", mounts=[{"type": "nfs", "source": "x", "target": "/data"}]),
         ("service 'api-mount', field 'mounts[0].type'", "valid: volume, bind, tmpfs, npipe")),
    Case("service-windows-key-on-linux", "Windows-only key on a Linux service", SERVICES,
         service("api-isolation", isolation="hyperv"),
         ("service 'api-isolation', field 'isolation'", "is a windows option")),
    Case("service-job-replicas", "job with replicas below 0", SERVICES,
         service("api-job", mode="replicated-job", replicas=-1),
         ("service 'api-job', field 'replicas'", "must be an integer >= 0")),
    Case("stack-definition-and-src", "stack with both definition and src", STACK_ENTRIES,
         stack({"name": "both", "definition": {"services": {}}, "src": str(FIXTURES / "compose.yml.j2")}),
         ("stack 'both', field 'definition'", "not both")),
    Case("stack-misspelt-key", "misspelt stack key", STACK_ENTRIES, stack({"name": "typo", "defintion": {}}),
         ("stack 'typo', field 'defintion'", "did you mean 'definition'")),
    Case("stack-replicas-text", "compose replicas not a number", COMPOSE, compose("shop", replicas="three"),
         ("stack service 'shop/api', field 'deploy.replicas'", 'a string "three"')),
    Case("stack-deploy-misspelt", "misspelt compose deploy key", COMPOSE,
         compose("blog", resources={"limit": {"memory": "64M"}}),
         ("stack service 'blog/api', field 'deploy.resources.limit'", "did you mean 'limits'")),
    Case("stack-template-yaml-error", "YAML error in a stack template", COMPOSE,
         stack({"name": "wiki", "src": str(FIXTURES / "broken-compose.yml.j2")}),
         ("stack 'wiki', field 'src'", "broken-compose.yml.j2", "is not valid YAML")),
)  # fmt: skip

# What each group's run answered: group -> (message, nothing changed).
ANSWERS: dict[Group, tuple[str, bool]] = {}


def group_inventory(group: Group) -> dict:
    """The baseline with every case of the group added."""
    data: dict = {"all": {"vars": {k: list(v) for k, v in BASELINE.items()}, "hosts": {}, "children": {}}}
    for case in CASES:
        if case.group != group:
            continue
        for name, value in case.spec.get("vars", {}).items():
            data["all"]["vars"].setdefault(name, []).extend(value)
        for host, host_vars in case.spec.get("hosts", {}).items():
            data["all"]["hosts"].setdefault(host, {}).update(host_vars)
        for name, hosts in case.spec.get("groups", {}).items():
            data["all"]["children"].setdefault(name, {"hosts": {}})["hosts"].update({h: {} for h in hosts})
    return data


def inventory_file(tmp_path: Path, label: str, data: dict) -> Path:
    path = tmp_path / f"{label}.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def answer_line(message: str, case: Case) -> str:
    """The line of a group's answer that is about this case."""
    return next((line.strip(" -") for line in message.splitlines() if case.fragments[0] in line), "")


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
        inventories=[inventory_file(tmp, "baseline", {"all": {"vars": BASELINE}})],
        label=f"{ops_lab.name}-bad-input-baseline",
    )
    assert deployed.rc == 0, deployed.describe()
    yield ops_lab
    # One run retires the service and the network it uses (the stage removes networks last).
    gone = {
        "swarm_services": [{"name": "badinput-web", "state": "absent"}],
        "swarm_networks": [{"name": "badinput-net", "state": "absent"}],
    }
    removed = ops_lab.play(
        "playbooks/services.yml",
        inventories=[inventory_file(tmp, "cleanup", {"all": {"vars": gone}})],
        label=f"{ops_lab.name}-bad-input-cleanup",
    )
    assert removed.rc == 0, removed.describe()

    def leftovers():
        # The node's own view of the network goes once the service's last container there stops.
        names = ops_lab.docker("manager1", "network", "ls", "--format", "{{.Name}}").stdout.split()
        names += ops_lab.docker("manager1", "service", "ls", "--format", "{{.Name}}").stdout.split()
        return {"badinput-net", "badinput-web"} & set(names)

    ops_lab.wait_for("the service and its network removed", lambda: not leftovers(), timeout=60)


def run_group(lab, tmp_path: Path, group: Group) -> tuple[str, bool]:
    """Run the group's stage once with all its bad inputs; its answer and whether nothing changed."""
    if group in ANSWERS:
        return ANSWERS[group]
    before = snapshot(lab)
    label = group.name
    limit = ["--limit", group.limit] if group.limit else []
    run = lab.play(
        group.stage,
        *limit,
        inventories=[inventory_file(tmp_path, label, group_inventory(group))],
        label=f"{lab.name}-bad-input-{label}",
    )
    message = "\n".join(msg for _host, _task, msg in run.failures())
    if group.stage == "playbooks/engines.yml":
        lab.wait_for("the engines to answer", lambda: all(lab.docker(h, "info", check=False).returncode == 0
                                                         for h in lab.hosts))  # fmt: skip
        lab.wait_for("every node to be Ready", lambda: all(n["Status"] == "Ready" for n in lab.nodes()))
    after = snapshot(lab)
    ANSWERS[group] = (message if run.rc != 0 else "", after == before)
    if after["daemon.json"] != before["daemon.json"]:
        # Leave the shared lab healthy for the next cases and modules, whatever this run did.
        repaired = lab.play("playbooks/engines.yml", label=f"{lab.name}-bad-input-repair")
        assert repaired.rc == 0, repaired.describe()
    for part in before:
        assert after[part] == before[part], f"{part} changed ({run.describe()})"
    return ANSWERS[group]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_clearly_and_changes_nothing(baseline_lab, tmp_path, case):
    message, unchanged = run_group(baseline_lab, tmp_path, case.group)
    assert message, f"{case.what}: accepted"
    line = answer_line(message, case)
    missing = [f for f in case.fragments if f not in line]
    assert not missing, f"{case.what}: the answer lacks {missing}:\n{message}"
    assert unchanged, f"{case.what}: the run changed the lab"


def test_an_engine_unit_left_in_the_failed_state_is_recovered(baseline_lab):
    """A refused daemon.json fixed by hand leaves systemd refusing to start the engine ("Start request
    repeated too quickly"); the next run of the engines stage clears that and starts it."""
    lab = baseline_lab
    good = lab.exec("worker1", "cat", "/etc/docker/daemon.json").stdout
    lab.exec("worker1", "sh", "-c", 'echo \'{"storage-driver": "no-such-driver"}\' > /etc/docker/daemon.json')
    for _ in range(4):
        lab.exec("worker1", "systemctl", "restart", "docker", check=False)
    lab.wait_for(
        "systemd to give up on the engine",
        lambda: (
            lab.exec("worker1", "systemctl", "is-failed", "docker", check=False).stdout.strip() == "failed"
        ),
    )
    lab.exec("worker1", "sh", "-c", f"cat > /etc/docker/daemon.json <<'EOF'\n{good}EOF")
    journal = lab.exec(
        "worker1", "journalctl", "--unit", "docker", "--lines", "20", "--no-pager", "-o", "cat"
    ).stdout
    assert "repeated too quickly" in journal, journal
    run = lab.play("playbooks/engines.yml", "--limit", "worker1", label=f"{lab.name}-bad-input-failed-unit")
    assert run.rc == 0, run.describe()
    assert lab.engine_state("worker1") == "active"
    assert lab.exec("worker1", "cat", "/etc/docker/daemon.json").stdout == good
    lab.wait_for("every node to be Ready", lambda: all(n["Status"] == "Ready" for n in lab.nodes()))


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
        "| Bad input | Stage | Nothing changed | Message |",
        "|---|---|---|---|",
    ]
    unchanged = clear = 0
    for case in CASES:
        message, nothing_changed = ANSWERS[case.group]
        line = answer_line(message, case)
        unchanged += nothing_changed
        clear += all(f in line for f in case.fragments)
        text = _portable(line).replace("|", "\\|")
        lines.append(
            f"| {case.what} | {Path(case.group.stage).stem} | {'yes' if nothing_changed else 'NO'} | {text} |"
        )
    lines += [
        "",
        f"{len(CASES)} bad inputs tried; {unchanged} left everything unchanged; {clear} answered with a message "
        "naming the host or object, the field and what is valid.",
        "",
    ]
    return "\n".join(lines)


def _portable(text: str) -> str:
    """The same text whatever the lab's name, subnet and checkout path."""
    text = text.replace(str(REPO) + "/", "")
    text = re.sub(r"\b\d{1,3}(\.\d{1,3}){3}\b", "ADDR", text)
    return re.sub(r"mixedswarm-[a-z0-9]+-", "mixedswarm-LAB-", text)


def test_the_table_in_the_docs_is_current():
    missing = [c.id for c in CASES if c.group not in ANSWERS]
    if missing:
        pytest.skip(f"the runs of {', '.join(missing)} did not finish; the table cannot be checked")
    text = table_text()
    if os.environ.get("MIXEDSWARM_WRITE_DOCS") == "1":
        TABLE.write_text(text)
    assert TABLE.exists() and TABLE.read_text() == text, (
        f"{TABLE.relative_to(REPO)} is out of date; rerun with MIXEDSWARM_WRITE_DOCS=1 and commit it"
    )

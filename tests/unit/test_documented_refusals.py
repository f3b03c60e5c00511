"""Every refusal docs/validation.md lists is what the code answers today, word for word.

The table is written from real lab runs (tests/lab/test_bad_input.py); here each row's bad input
goes through the same checks offline (the role's checks, the swarm plan, the service, network and
stack validation), so a changed message or a row without a reproduction fails without a lab.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ansible.errors import AnsibleActionFail
from role_runner import REPO, run_per_host
from swarm_fixtures import linux_facts, state
from test_linux_role import release_read

from ansible_collections.mixedswarm.swarm.plugins.action.swarm_stack import load_compose
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.definition import validate_services
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.network import (
    subnet_problems,
    validate_networks,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.stack import (
    prepare_compose,
    stack_entry_problems,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.plan import PlanError, plan_swarm

TABLE = REPO / "docs" / "validation.md"
IMAGE = "172.29.233.5:5000/busybox:1"
BROKEN_TEMPLATE = "tests/fixtures/bad_input/broken-compose.yml.j2"

# Rows only a running engine can answer: the lab test that writes the table runs them.
LAB_ONLY = {
    "daemon option value only the engine refuses (unknown storage driver)": (
        "dockerd itself refuses the value when it starts"
    ),
    "secret file missing on the controller": "the plugin looks the file up in the play's search path",
    "registry that does not answer the login": "only docker login against the address can tell",
    "wrong registry password": "only the registry can tell",
}


def documented() -> dict[str, str]:
    """Bad input -> message, from the table's rows."""
    rows = {}
    for line in TABLE.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 4 and cells[1] in ("engines", "swarm", "services"):
            rows[cells[0]] = cells[3]
    return rows


def service(name, **fields):
    _, errors = validate_services([{"name": name, "image": IMAGE, "os": "linux", **fields}], {"linux"}, set())
    return list(errors)


def network(definition):
    return list(validate_networks([definition], {"linux"})[1])


def compose(stack, **deploy):
    definition = {"services": {"api": {"image": IMAGE, "x-os": "linux", "deploy": deploy}}}
    return list(prepare_compose(stack, definition, {"linux"})[2])


LAB_HOSTS = ["manager1", "manager2", "manager3", "worker1", "worker2"]
# The lab's nodes as a manager lists them: Ready, active, Linux, with 2 CPUs and 8 GiB each.
LAB_NODES = [
    {
        "id": f"id-{host}",
        "hostname": f"lab-{host}",
        "role": host.rstrip("123"),
        "availability": "active",
        "status": "ready",
        "labels": {"os": "linux"},
        "os": "linux",
        "architecture": "x86_64",
        "nano_cpus": 2 * 10**9,
        "memory_bytes": 8 * 1024**3,
        "addr": f"172.29.223.{number}",
    }
    for number, host in enumerate(LAB_HOSTS, start=10)
]


# What `ip -o -4 route show` lists on a lab node (the default route left out): the lab network,
# docker0 and docker_gwbridge.
LAB_ROUTES = ["172.29.223.0/24 dev eth0", "172.17.0.0/16 dev docker0", "172.18.0.0/16 dev docker_gwbridge"]


def placed(name, **fields):
    """A service's refusals with the lab's nodes to place it on."""
    _, errors = validate_services(
        [{"name": name, "image": IMAGE, "os": "linux", **fields}],
        {"linux"},
        set(),
        nodes=LAB_NODES,
        host_ports={},
    )
    return list(errors)


def subnets(*definitions):
    """Subnet refusals against the lab's nodes, their addresses written ADDR as the table writes them."""
    networks, errors = validate_networks(list(definitions), {"linux"})
    assert errors == []
    addresses = {host: [node["addr"]] for host, node in zip(LAB_HOSTS, LAB_NODES, strict=True)}
    routes = {host: LAB_ROUTES for host in LAB_HOSTS}
    problems = subnet_problems(networks, addresses, [], routes)
    return [re.sub(r"\b\d{1,3}(\.\d{1,3}){3}\b", "ADDR", p) for p in problems]


def swarm_plan(workers=(), labels=None):
    """The swarm plan's refusal for the lab's shape with a host's swarm_labels or an extra worker."""
    managers = ["manager1", "manager2", "manager3"]
    hosts = {}
    for number, host in enumerate([*managers, "worker1", "worker2"], start=10):
        hosts[host] = {
            "state": state("linux_info_inactive.json"),
            "facts": linux_facts(f"172.29.223.{number}"),
            "labels": (labels or {}).get(host),
        }
    with pytest.raises(PlanError) as refused:
        plan_swarm(managers, ["worker1", "worker2", *workers], hosts)
    return refused.value.problems


def template_yaml_error():
    text = (REPO / BROKEN_TEMPLATE).read_text().replace("{{ lab_registry }}", "172.29.233.5:5000")
    with pytest.raises(AnsibleActionFail) as refused:
        load_compose("wiki", "src", text, f"template {BROKEN_TEMPLATE}")
    # The table keeps the first line; YAML's error goes on with where in the file.
    return [refused.value.message.splitlines()[0]]


DAEMON_CASES = {
    "unknown daemon option": ("worker1", {"bogus-option": 1}),
    "misspelt daemon option": ("worker2", {"log-driverr": "json-file"}),
    "live-restore on a swarm node": ("manager2", {"live-restore": True}),
    "log-opts value not a string": ("manager3", {"log-opts": {"max-file": 3}}),
}

OFFLINE = {
    "node label in Docker's namespace": lambda: swarm_plan(labels={"worker1": {"com.docker.zone": "a"}}),
    "node label value that is a mapping": lambda: swarm_plan(labels={"worker2": {"zone": {"a": 1}}}),
    "host in both swarm_managers and swarm_workers": lambda: swarm_plan(workers=["manager3"]),
    "network driver other than overlay": lambda: network({"name": "local", "driver": "bridge"}),
    "network named ingress": lambda: network({"name": "ingress"}),
    "service env value that is a mapping": lambda: service("api-env", env={"CONFIG": {"a": 1}}),
    "update_config delay in words": lambda: service("api-delay", update_config={"delay": "5 seconds"}),
    "replicas not a number": lambda: service("api-replicas", replicas="three"),
    "misspelt service key": lambda: service("api-key", replica=2),
    "unknown os": lambda: service("api-os", os="macos"),
    "published port out of range": lambda: service("api-port", publish=[70000]),
    "service attached to ingress": lambda: service("api-ingress", networks=["ingress"]),
    "service on an undeclared network": lambda: service("api-net", networks=["nowhere"]),
    "malformed service name": lambda: service("api web!"),
    "constraint no node satisfies": lambda: placed("api-mars", constraints=["node.labels.zone==mars"]),
    "more replicas than nodes for a host-mode port": lambda: placed(
        "api-hostport", replicas=6, publish=[{"published": 18080, "target": 80, "mode": "host"}]
    ),
    "reservation larger than any node": lambda: placed("api-big", reservations={"memory": "64T"}),
    "overlay subnet holding the nodes' addresses": lambda: subnets(
        {"name": "labnet", "subnet": "172.29.223.0/24"}
    ),
    "overlay subnet inside a network the nodes route to": lambda: subnets(
        {"name": "lanslice", "subnet": "172.29.223.240/28"}
    ),
    "overlay subnets overlapping each other": lambda: subnets(
        {"name": "wide", "subnet": "10.123.0.0/16"}, {"name": "narrow", "subnet": "10.123.4.0/24"}
    ),
    "service secret neither declared nor existing": lambda: service(
        "api-secret", secrets=[{"source": "nowhere"}]
    ),
    "unknown mount type": lambda: service(
        "api-mount", mounts=[{"type": "nfs", "source": "x", "target": "/data"}]
    ),
    "Windows-only key on a Linux service": lambda: service("api-isolation", isolation="hyperv"),
    "job with replicas below 0": lambda: service("api-job", mode="replicated-job", replicas=-1),
    "stack with both definition and src": lambda: stack_entry_problems(
        [{"name": "both", "definition": {"services": {}}, "src": "compose.yml.j2"}]
    ),
    "misspelt stack key": lambda: stack_entry_problems([{"name": "typo", "defintion": {}}]),
    "compose replicas not a number": lambda: compose("shop", replicas="three"),
    "misspelt compose deploy key": lambda: compose("blog", resources={"limit": {"memory": "64M"}}),
    "YAML error in a stack template": template_yaml_error,
}


def test_every_row_of_the_table_has_a_reproduction_here():
    assert set(documented()) == set(DAEMON_CASES) | set(OFFLINE) | set(LAB_ONLY)


@pytest.mark.parametrize("bad_input", sorted(OFFLINE))
def test_the_documented_message_is_the_answer(bad_input):
    assert documented()[bad_input] in OFFLINE[bad_input]()


def test_the_documented_daemon_option_messages_are_the_roles_answer(tmp_path: Path):
    cases = {
        host: {**release_read("debian-12"), "docker_linux_daemon_options": options}
        for host, options in DAEMON_CASES.values()
    }
    outcome = run_per_host(REPO / "tests" / "fixtures" / "linux" / "role_check.yml", tmp_path, cases, {})
    for bad_input, (host, _options) in DAEMON_CASES.items():
        assert outcome[host]["msg"] == documented()[bad_input], bad_input

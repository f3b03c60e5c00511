# Documentation of the action plugin plugins/action/swarm_verify.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_verify
short_description: Check a Docker Swarm's nodes and services as a user would, and summarise them
description:
  - Runs on one swarm manager (Linux or Windows) and reads the nodes and the declared services (and the services
    of the declared stacks) with all their tasks in two round trips.
  - Checks that every node is Ready, that every service converged (the wanted number of tasks running the current
    spec) and that each running task is on a node of the OS the service's placement pins.
  - Plans the probes the verify stage runs next, choosing nodes so they cross the network. A DNS probe runs
    from a node that hosts a task of O(dns_probe.source) but (if possible) none of O(dns_probe.target). An HTTP
    check goes to a node with a task for host-mode ports, to any ready node for ingress ports.
  - Fails listing every problem; the result still carries the summary. In check mode it warns instead, as it sees
    the cluster as it is before the changes the run would make (an engine it would start, a node it would
    rejoin), so its findings report the present, not a failure of the run.
options:
  services:
    description: Service definitions as given to M(mixedswarm.swarm.swarm_service); the names of those present are checked.
    type: list
    elements: dict
    default: []
  stacks:
    description:
      - Stack definitions as in O(ignore:swarm_stacks) (each deployed with M(mixedswarm.swarm.swarm_stack)); the
        services of those present are checked.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Stack name.
        type: str
        required: true
      state:
        description: Only the services of C(present) stacks are checked.
        type: str
        choices: [present, absent]
        default: present
      definition:
        description: The compose document (not read here).
        type: raw
      src:
        description: The compose template the stack was rendered from (not read here).
        type: path
  dns_probe:
    description: Look up O(dns_probe.target) and C(tasks.TARGET) from a container of O(dns_probe.source).
    type: dict
    suboptions:
      source:
        description: Service whose task container runs nslookup (its image must have it).
        type: str
        required: true
      target:
        description: Service to resolve; both must share a user-defined overlay network.
        type: str
        required: true
  probe_nodes:
    description:
      - NodeIDs a DNS probe may run from (the nodes of inventory hosts, which the verify stage can reach);
        any node when unset. With no source task on them the probe is skipped, saying why.
    type: list
    elements: str
  reachability:
    description:
      - "Pairs C({from: SERVICE, to: SERVICE, port: N}) (the verify stage's O(ignore:swarm_verify_reachability)): for
        each, a task of C(from) on a node of O(probe_nodes) is chosen, on a node that runs no task of C(to) where
        possible, with the address of every running task of C(to) on an overlay network both share; the plan is
        returned in RV(reach_probes) and M(mixedswarm.swarm.swarm_reach_probe) runs it."
      - Checked before anything else (also with O(validate_only)); each problem names the entry and the field. C(from)
        and C(to) must name a service of O(services) or a service of a stack of O(stacks) (C(STACK_SERVICE)), and
        C(port) must be an integer from 1 to 65535.
      - A pair whose services have no running task or share no overlay network is a problem.
    type: list
    elements: raw
    default: []
  validate_only:
    description: Only check O(reachability) (the services stage's validation runs it before any change); no node is read.
    type: bool
    default: false
  http_checks:
    description: Published services to request over HTTP; a service with 0 replicas is skipped, saying why.
    type: list
    elements: dict
    default: []
    suboptions:
      service:
        description: Service name.
        type: str
        required: true
      port:
        description: Published port; the first published port when unset.
        type: int
      path:
        description: URL path.
        type: str
        default: /
extends_documentation_fragment:
  - mixedswarm.swarm.node_cli
  - mixedswarm.swarm.swarm_read_only
"""

EXAMPLES = r"""
- name: Check nodes and services and plan the probes
  mixedswarm.swarm.swarm_verify:
    services: "{{ swarm_services }}"
    dns_probe: {source: ssh, target: web}
    http_checks: [{service: web}]
  run_once: true
  register: verify
"""

RETURN = r"""
nodes:
  description: Every node as M(mixedswarm.swarm.swarm_node_info) reads it (id, hostname, os, role, availability, status, addr, leader, labels, ...).
  returned: always
  type: list
services:
  description: One row per service with mode, replicas (running/desired), os, constraints, endpoint_mode, ports, nodes.
  returned: always
  type: list
problems:
  description: What is wrong, one sentence each.
  returned: always
  type: list
dns_probe:
  description: The probe plan (node_id, hostname, source, target, target_tasks), or null with dns_probe_skipped saying why.
  returned: always
  type: dict
dns_probe_skipped:
  description: Why no DNS probe is possible or requested (empty when planned).
  returned: always
  type: str
http_targets:
  description: For each HTTP check the node (node_id, hostname, addr), port, mode and path.
  returned: always
  type: list
http_skipped:
  description: HTTP checks not planned and why (service with 0 replicas), one line each.
  returned: always
  type: list
  elements: str
data_checks:
  description:
    - For each service that uses secrets or configs the project created, a node running one of its tasks (node_id,
      hostname, os) and each file's path in the task with the sha256 of the version it refers to
      (M(mixedswarm.swarm.swarm_data_probe) checks them there).
  returned: success
  type: list
  elements: dict
data_checks_skipped:
  description: Services whose secrets and configs cannot be checked and why, one line each.
  returned: success
  type: list
  elements: str
reach_probes:
  description:
    - One probe per O(reachability) pair (from, to, port, task, task_id, node_id, hostname, os and targets, each
      with task, node, os, network and address).
  returned: always
  type: list
report:
  description: The cluster as M(mixedswarm.swarm.swarm_report) draws it (nodes, services with their tasks, networks).
  returned: always
  type: dict
summary:
  description: Readable lines, nodes with OS, role and labels, services with replicas, placement and ports.
  returned: always
  type: list
"""

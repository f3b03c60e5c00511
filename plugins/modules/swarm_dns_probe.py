# Documentation of the action plugin plugins/action/swarm_dns_probe.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_dns_probe
short_description: Resolve a swarm service from inside another service's task container
description:
  - Runs on the node that hosts a running task of O(source) (over that node's own connection, Linux or Windows),
    and runs C(nslookup -type=a) for O(target) and C(tasks.TARGET) inside that task's container with C(docker exec).
  - Fails when O(target) does not resolve or C(tasks.TARGET) does not resolve to one address per running task.
    Names resolve only when both services share a user-defined overlay network (never through C(ingress)).
options:
  source:
    description: Service whose container runs the lookup; its image needs nslookup (busybox and Windows images have it).
    type: str
    required: true
  target:
    description: Service to resolve.
    type: str
    required: true
  expected_tasks:
    description: Number of running tasks of O(target), the number of addresses C(tasks.TARGET) must return.
    type: int
    required: true
  settle_timeout:
    description:
      - Seconds to keep looking while the answer is incomplete; the lookups are repeated every 2 seconds.
      - Tasks that just started reach the swarm's DNS within seconds; after every manager restarted at
        once, a node's DNS was seen on the lab to miss tasks on other nodes for more than 30 seconds
        (the engines' network gossip reconnecting).
    type: int
    default: 90
extends_documentation_fragment:
  - mixedswarm.swarm.node_cli
  - mixedswarm.swarm.swarm_read_only
"""

EXAMPLES = r"""
- name: Resolve web from a task of ssh
  mixedswarm.swarm.swarm_dns_probe:
    source: ssh
    target: web
    expected_tasks: 3
  delegate_to: "{{ verify.dns_probe.node_id | mixedswarm.swarm.swarm_host_for_node(hostvars, groups['swarm']) }}"
"""

RETURN = r"""
container:
  description: ID of the container the lookups ran in.
  returned: success
  type: str
lookups:
  description: IPv4 addresses found per name.
  returned: success
  type: dict
  sample: {"web": ["10.0.1.5"], "tasks.web": ["10.0.1.6", "10.0.1.7", "10.0.1.8"]}
output:
  description: What nslookup printed per name.
  returned: success
  type: dict
"""

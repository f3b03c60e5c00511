# Documentation of the action plugin plugins/action/swarm_reach_probe.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_reach_probe
short_description: Check that a task of one service reaches every task of another over the overlay (TCP connect)
description:
  - Runs on the node that hosts the probe's source task (over that node's own connection, Linux or Windows), finds the
    task's container and, inside it with C(docker exec), opens a TCP connection to each target task's overlay address
    and port, 3 seconds at most each. Not ping, since Windows overlay networks drop ICMP.
  - In a Windows container it runs PowerShell (C(System.Net.Sockets.TcpClient)), so the image needs C(powershell)
    (Windows Server Core images have it, Nano Server images do not); in a Linux container busybox or netcat C(nc).
  - Fails when any connect fails, one line per failed target naming the source task and its node, the target task
    and its node, the address, port and network, and the error.
options:
  probe:
    description: One entry of the RV(mixedswarm.swarm.swarm_verify#module:reach_probes) that M(mixedswarm.swarm.swarm_verify) returns.
    type: dict
    required: true
extends_documentation_fragment:
  - mixedswarm.swarm.node_cli
  - mixedswarm.swarm.swarm_read_only
"""

EXAMPLES = r"""
- name: Connect from a task of each source service to every task of its target
  mixedswarm.swarm.swarm_reach_probe:
    probe: "{{ item }}"
  delegate_to: "{{ item.node_id | mixedswarm.swarm.swarm_host_for_node(hostvars, groups['swarm']) }}"
  loop: "{{ verify.reach_probes }}"
"""

RETURN = r"""
container:
  description: ID of the container the connects ran in.
  returned: success
  type: str
pairs:
  description: One entry per target task, C(ok) and a C(text) naming both tasks, their nodes and the outcome.
  returned: when the container was found
  type: list
  elements: dict
"""

# Documentation of the action plugin plugins/action/swarm_node_info.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_node_info
short_description: Read a node's Docker Swarm state in one round trip
description:
  - Runs C(docker info) and, on a manager, C(docker node inspect) of every node, as one script over
    the node's own connection (sh over SSH, PowerShell over WinRM). Works on Linux and Windows nodes.
  - On Linux nodes the same round trip reads the host's addresses with C(ip), as Ansible's network
    facts do, so the swarm planner needs no fact gathering there (RV(swarm_node.network)).
  - Sets the facts C(swarm_node) and, when the node is in a swarm, C(swarm_node_id).
  - A node whose engine does not answer is reported with O(ignore:state=unavailable) instead of failing,
    so the planner can list every broken node at once.
  - In check mode on Linux nodes it first asks systemd whether the engine runs. A stopped engine whose
    C(docker.socket) listens would be started by any C(docker) call, so the node is reported
    O(ignore:state=unavailable) with RV(swarm_node.engine_stopped) instead and its engine left stopped
    (one more round trip).
options: {}
extends_documentation_fragment:
  - mixedswarm.swarm.node_cli
  - mixedswarm.swarm.swarm_read_only
"""

EXAMPLES = r"""
- name: Read each node's swarm state
  mixedswarm.swarm.swarm_node_info:
  register: node

- name: Show the node's local swarm state
  ansible.builtin.debug:
    msg: "{{ node.swarm_node.state }} {{ node.swarm_node.node_id }}"
"""

RETURN = r"""
swarm_node:
  description: The node's state as its engine reports it.
  returned: always
  type: dict
  contains:
    state:
      description: C(inactive), C(pending), C(active), C(error), C(locked), or C(unavailable) when the engine does not answer.
      type: str
      sample: active
    engine_error:
      description: What the engine said when C(state) is C(unavailable).
      type: str
    engine_stopped:
      description:
        - True when check mode left the node unread because its engine is stopped and reading would start it.
      type: bool
      returned: in check mode, on a Linux node whose stopped engine C(docker.socket) would start
    node_id:
      description: Swarm NodeID (empty when not in a swarm).
      type: str
      sample: 5xgbi1o9k9gbdlwdq4c3gl7bx
    cluster_id:
      description: ClusterID, reported by managers only.
      type: str
    is_manager:
      description: Whether this node is a manager (control available).
      type: bool
    node_addr:
      description: Address the node uses in the swarm.
      type: str
    remote_managers:
      description: Managers this node knows, as C(node_id) and C(addr).
      type: list
      elements: dict
    os_type:
      description: OS the engine reports (C(linux) or C(windows)).
      type: str
      sample: windows
    architecture:
      description: Architecture the engine reports.
      type: str
      sample: x86_64
    engine_version:
      description: Docker Engine version.
      type: str
    hostname:
      description: Host name the engine reports.
      type: str
    nodes:
      description:
        - On a manager, every node of the swarm (id, hostname, role, availability, labels, status, addr, os,
          architecture, engine_version, leader, reachability, manager_addr); empty elsewhere.
      type: list
      elements: dict
    network:
      description:
        - Linux nodes only. The host's addresses under the names of Ansible's network facts
          (C(all_ipv4_addresses), C(all_ipv6_addresses), C(default_ipv4.address)), and C(routes), the
          networks of the main IPv4 routing table but the default route (C(NETWORK via GATEWAY dev
          DEVICE)), which M(mixedswarm.swarm.swarm_network) keeps overlay subnets away from; empty when
          C(ip) is missing or printed no address.
      type: dict
      returned: on nodes reached over sh
      sample:
        all_ipv4_addresses: ["172.17.0.1", "10.0.0.4"]
        all_ipv6_addresses: []
        default_ipv4: {"address": "10.0.0.4"}
        routes: ["172.17.0.0/16 dev docker0", "10.0.0.0/24 dev eth0", "10.8.0.0/16 via 10.0.0.1 dev eth0"]
round_trips:
  description: Connections made to the node (1; 2 in check mode on Linux nodes whose engine runs).
  returned: always
  type: int
"""

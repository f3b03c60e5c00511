# Documentation of the action plugin plugins/action/swarm_join.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_join
short_description: Join this node to a Docker Swarm (internal to the swarm stage)
description:
  - B(Internal:) a step of the swarm stage (playbook C(mixedswarm.swarm.swarm)), which decides when and
    where it runs. Its options and results may change in any release; use the stage playbook instead.
  - Runs C(docker swarm join) on the node over its own connection (Linux or Windows) and reads back its
    NodeID, in one round trip. Sets the fact C(swarm_node_id).
  - With O(recover), the node first leaves the swarm it is stuck joining (state C(pending) or C(error)).
    A node that is active is never made to leave.
  - The token reaches sh nodes on stdin (no command line shows it) and is not in the result.
options:
  token:
    description: Join token for O(role), from M(mixedswarm.swarm.swarm_join_token).
    type: str
    required: true
  manager_addr:
    description: Address (host:port) of a manager of the swarm.
    type: str
    required: true
  advertise_addr:
    description: Address this node advertises (an IP address of the node).
    type: str
    required: true
  role:
    description: Role the token grants; shown in the diff.
    type: str
    choices: [manager, worker]
    required: true
  recover:
    description: Leave first (C(docker swarm leave --force)); only for nodes stuck in C(pending) or C(error).
    type: bool
    default: false
  data_path_addr:
    description: The node's data path (VXLAN) address, C(--data-path-addr); the advertise address when unset.
    type: str
attributes:
  check_mode:
    support: full
    description: Reports that it would join; changes nothing.
  diff_mode:
    support: full
    description: Swarm membership and role before and after.
  idempotent:
    support: full
    description: Joins only a node that is not a member yet.
author: mixed-swarm maintainers (!UNKNOWN)
extends_documentation_fragment:
  - mixedswarm.swarm.node_cli
"""

EXAMPLES = r"""
- name: Join workers
  mixedswarm.swarm.swarm_join:
    token: "{{ swarm_tokens.tokens.worker }}"
    manager_addr: "{{ swarm_tokens.join_addr }}"
    advertise_addr: 10.0.1.7
    role: worker
"""

RETURN = r"""
node_id:
  description: NodeID of this node in the swarm.
  returned: success
  type: str
round_trips:
  description: Connections made to the node.
  returned: always
  type: int
"""

# Documentation of the action plugin plugins/action/swarm_init.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_init
short_description: Create a Docker Swarm on this node (internal to the swarm stage)
description:
  - B(Internal:) a step of the swarm stage (playbook C(mixedswarm.swarm.swarm)), which decides when and
    where it runs. Its options and results may change in any release; use the stage playbook instead.
  - Runs C(docker swarm init) on the node over its own connection (Linux or Windows) and reads back the
    new NodeID, in one round trip. Sets the fact C(swarm_node_id).
  - A node that already is in a swarm is left as it is and reported unchanged; it never leaves a swarm.
  - The swarm stage calls it only on the host M(mixedswarm.swarm.swarm_plan) chose.
  - With O(force_new_cluster=true) (playbooks/swarm_restore.yml) it makes a one-manager swarm of the state
    a manager holds, keeping its services, networks, node entries and cluster ID; failing then fails the task.
options:
  advertise_addr:
    description: Address the node advertises to the other nodes (an IP address of the node).
    type: str
    required: true
  force_new_cluster:
    description: Run C(docker swarm init --force-new-cluster) on a manager whose swarm state was restored.
    type: bool
    default: false
  flags:
    description:
      - Further C(docker swarm init) flags for the settings fixed when the swarm is created
        (C(--default-addr-pool), C(--default-addr-pool-mask-length), C(--data-path-port)), as
        M(mixedswarm.swarm.swarm_plan) returns them in C(plan.settings.init_flags).
    type: list
    elements: str
    default: []
  data_path_addr:
    description: The node's data path (VXLAN) address, C(--data-path-addr); the advertise address when unset.
    type: str
attributes:
  check_mode:
    support: full
    description: Reports that it would initialize; changes nothing.
  diff_mode:
    support: full
    description: Swarm membership before and after.
  idempotent:
    support: full
    description: Initializes only a node that is in no swarm yet.
author: mixed-swarm maintainers (!UNKNOWN)
extends_documentation_fragment:
  - mixedswarm.swarm.node_cli
"""

EXAMPLES = r"""
- name: Initialize the swarm on the first manager
  mixedswarm.swarm.swarm_init:
    advertise_addr: 10.0.1.4
  when: inventory_hostname == swarm_plan.plan.init_host

- name: Make a one-manager swarm of a restored manager state
  mixedswarm.swarm.swarm_init:
    advertise_addr: 10.0.1.4
    force_new_cluster: true
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

# Documentation of the action plugin plugins/action/engine_roll_plan.py (it runs on the controller).
DOCUMENTATION = r"""
module: engine_roll_plan
short_description: Decide which Docker Engines change in place and which roll through the swarm
description:
  - Runs once on the controller after every host of the play has set why its engine would restart,
    reinstall or upgrade (the fact C(docker_linux_engine_change) or C(docker_windows_engine_change), set by
    the roles' C(engine_change) entry points) and read its swarm state (M(mixedswarm.swarm.swarm_node_info)).
  - Hosts whose engine does not change, and hosts not in a swarm yet (a first run), change in place, in
    parallel. Swarm members whose engine changes roll, in this order, workers first
    (O(batch) at a time), then the managers one at a time, the leader last.
  - Refuses, naming each host, when a manager's restart would lose quorum (its peers are not all up) or
    when no manager of the swarm answers to drain a node. Nothing is changed by this module.
options:
  batch:
    description: How many workers roll at once (C(swarm_rolling_batch)); a whole number of at least 1.
    type: raw
    default: 1
  change_facts:
    description: Host facts that list why a host's engine would change; the first one set is used.
    type: list
    elements: str
    default: [docker_linux_engine_change, docker_windows_engine_change]
extends_documentation_fragment:
  - mixedswarm.swarm.swarm_read_only
"""

EXAMPLES = r"""
- name: Plan which engines change in place and which roll through the swarm
  mixedswarm.swarm.engine_roll_plan:
    batch: "{{ swarm_rolling_batch | default(1) }}"
  run_once: true
  register: engine_plan

- name: Group the nodes by how their engine changes
  ansible.builtin.group_by:
    key: "engine_{{ engine_plan.plan.phase[inventory_hostname] }}"
"""

RETURN = r"""
plan:
  description: The decision.
  returned: success
  type: dict
  contains:
    phase:
      description: Per host, C(in_place), C(roll_workers), C(roll_managers) or C(roll_leader).
      type: dict
    order:
      description: Hosts that roll, in roll order.
      type: list
      elements: str
    reasons:
      description: Per rolling host, why its engine changes (for example C(daemon.json differs)).
      type: dict
    node_ids:
      description: Per rolling host, its swarm NodeID.
      type: dict
    control:
      description: Per rolling host, the manager host that drains it and waits for it.
      type: dict
    batch:
      description: Workers per batch.
      type: int
msg:
  description: The roll order with the reason for each host (C(would roll ...) in check mode).
  returned: always
  type: str
problems:
  description: Why the plan was refused, one line per host.
  returned: failure
  type: list
  elements: str
"""

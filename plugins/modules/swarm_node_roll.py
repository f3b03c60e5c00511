# Documentation of the action plugin plugins/action/swarm_node_roll.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_node_roll
short_description: Take a swarm node out of service before its engine changes, and give it back after
description:
  - Runs on a manager (delegate it) and acts on another node by its NodeID, over the manager's own
    connection (sh or PowerShell).
  - O(step=drain) checks that stopping the node keeps quorum (for a manager), sets its availability to
    C(drain), then waits until the node runs no task and every service that had a task there runs all
    its replicas elsewhere, at most O(timeout) seconds. A drain that cannot complete (a task the
    scheduler has no suitable node for, or tasks still not moved after O(timeout) seconds) gives the
    node its availability back and fails the task with the reason, so the engine is not changed under
    tasks that have nowhere to go.
  - O(step=restore) waits until the node is Ready, and for a manager reachable, then sets its availability
    to O(availability) when given. A node not back within O(timeout) seconds fails the task, naming it.
options:
  node_id:
    description: NodeID of the node to act on.
    type: str
    required: true
  step:
    description: C(drain) before the change, C(restore) after it.
    type: str
    required: true
    choices: [drain, restore]
  availability:
    description: Availability the node gets back with O(step=restore) (what O(step=drain) returned); unset, it is
      left as it is and the step only waits.
    type: str
    choices: [active, pause, drain]
  timeout:
    description: Seconds to wait for the tasks to move (drain) or for the node to come back (restore).
    type: int
    default: 300
  host:
    description: Inventory name of the node, for messages.
    type: str
    default: ""
attributes:
  check_mode:
    support: full
    description: Says what it would do; changes nothing.
  diff_mode:
    support: none
    description: Only the node's availability changes.
author: mixed-swarm maintainers (!UNKNOWN)
extends_documentation_fragment:
  - mixedswarm.swarm.node_cli
"""

EXAMPLES = r"""
- name: Drain the node and wait until its tasks run elsewhere
  mixedswarm.swarm.swarm_node_roll:
    node_id: "{{ swarm_node_id }}"
    host: "{{ inventory_hostname }}"
    step: drain
  delegate_to: manager1
  register: drained

- name: Wait until the node is back in the swarm and restore its availability
  mixedswarm.swarm.swarm_node_roll:
    node_id: "{{ swarm_node_id }}"
    host: "{{ inventory_hostname }}"
    step: restore
    availability: "{{ drained.previous_availability }}"
  delegate_to: manager1
"""

RETURN = r"""
previous_availability:
  description: The node's availability before O(step=drain).
  returned: step is drain
  type: str
  sample: active
moved_services:
  description: Services that had a task on the node when it was drained.
  returned: step is drain
  type: list
  elements: str
seconds:
  description: How long the step took.
  returned: success
  type: float
"""

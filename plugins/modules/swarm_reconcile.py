# Documentation of the action plugin plugins/action/swarm_reconcile.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_reconcile
short_description: Bring swarm roles and node labels in line with the inventory, by NodeID
description:
  - Runs on one manager (delegate it to the C(manager_host) M(mixedswarm.swarm.swarm_plan) chose). Reads every node in one
    round trip and applies all changes in a second one, only when there are changes.
  - Nodes are addressed by the NodeID in each host's C(swarm_node_id) fact, never by hostname.
  - Roles, quorum-safe, promotions first; a demotion that would leave the managers without a reachable
    majority is refused before anything changes. The manager running the commands is demoted last.
  - Labels, C(os=<OS the engine reports>) plus the host's labels. The label keys the project set are
    recorded in the node label C(mixedswarm.owned-labels); only those keys are ever removed, so labels
    set by hand survive.
  - O(prune) nodes are demoted if managers, drained and removed.
  - O(superseded) entries (old nodes of inventory hosts that joined again under a new NodeID) are removed the
    same way once they are C(down) (a node that just left is marked so within seconds) and the host's new node
    is Ready. An entry that is an inventory host's NodeID again is left alone.
  - While the node of an inventory host is not Ready (it just joined, or reconnects after a restart or a
    network cut), a superseded entry is not marked down yet, or the manager does not answer yet (just
    unlocked), the plugin reads again every 2 seconds
    for up to O(ready_timeout) seconds; then it applies what it can and warns about the nodes still not
    Ready (the verify stage fails on them).
  - A manager demoted by hand moments before is promoted again only once it has left the raft member
    list (promoting it earlier can leave it outside raft for good); a promoted node must become a
    reachable raft member within O(ready_timeout) seconds, or the task fails naming it.
options:
  desired:
    description:
      - Host to its desired C(role) (manager or worker) and C(labels) (dict), as M(mixedswarm.swarm.swarm_plan)
        returns; an C(availability) (active or drain) where the run manages it (managers under
        C(swarm_manager_availability)).
    type: dict
    required: true
  prune:
    description: NodeIDs to drain and remove (M(mixedswarm.swarm.swarm_plan) lists them only when pruning was asked for).
    type: list
    elements: str
    default: []
  superseded:
    description: Old NodeID to the host whose new node replaces it, as M(mixedswarm.swarm.swarm_plan) returns.
    type: dict
    default: {}
  ready_timeout:
    description: Seconds to wait for every inventory host's node to be Ready (and the manager to answer).
    type: int
    default: 60
  drain_timeout:
    description:
      - Seconds to wait, after nodes were set to drain, until no task runs on them any more (the swarm
        starts their replacements elsewhere first); the task fails naming the tasks left after that.
    type: int
    default: 120
attributes:
  check_mode:
    support: full
    description: Reports the commands it would run, including for nodes not joined yet; changes nothing.
  diff_mode:
    support: full
    description: Role and labels of every node before and after; removed nodes (pruned or superseded, with the host that superseded them).
  idempotent:
    support: full
    description: Changes only roles and labels that differ from the desired ones, and removes only entries that are pruned or superseded.
author: mixed-swarm maintainers (!UNKNOWN)
extends_documentation_fragment:
  - mixedswarm.swarm.node_cli
"""

EXAMPLES = r"""
- name: Reconcile roles and labels by NodeID
  mixedswarm.swarm.swarm_reconcile:
    desired:
      win1: {role: manager, labels: {os: windows}}
      ubuntu1: {role: worker, labels: {os: linux, tier: web}}
  delegate_to: win1
  run_once: true
"""

RETURN = r"""
commands:
  description: The docker commands run (or that would run in check mode), without their label values.
  returned: always
  type: list
  elements: str
  sample: ["docker node promote 5xgbi1o9k9gbdlwdq4c3gl7bx"]
pending:
  description: Hosts not in the swarm yet (check mode before their join).
  returned: always
  type: list
  elements: str
superseded:
  description: Superseded entries removed (or that would be, in check mode), with C(node_id), C(hostname), C(role) and C(host).
  returned: always
  type: list
  elements: dict
not_ready:
  description: Inventory hosts whose node was still not Ready at the end of the wait (C(host), C(hostname), C(status)).
  returned: always
  type: list
  elements: dict
round_trips:
  description: Connections made to the manager (1 when nothing changes, 2 otherwise; one more per wait for a Ready node).
  returned: always
  type: int
"""

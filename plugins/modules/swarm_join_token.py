# Documentation of the action plugin plugins/action/swarm_join_token.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_join_token
short_description: Read or rotate the swarm join tokens on a manager
description:
  - Reads the worker and manager join tokens and this manager's own swarm address, in one round trip,
    on any manager (delegate it to the one M(mixedswarm.swarm.swarm_plan) chose). The script reaches sh nodes on stdin,
    so tokens are in no command line; use C(no_log) on the task, the result holds the tokens.
  - In check mode before the swarm exists, returns empty tokens instead of failing.
options:
  rotate:
    description: Rotate both tokens first (nodes already joined are not affected). Not done in check mode.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reads only; rotation is reported, not done.
  diff_mode:
    support: none
    description: Tokens are secrets and are never shown.
  idempotent:
    support: partial
    description: Reading is; O(rotate=true) rotates the tokens on every run.
author: mixed-swarm maintainers (!UNKNOWN)
extends_documentation_fragment:
  - mixedswarm.swarm.node_cli
"""

EXAMPLES = r"""
- name: Read the join tokens from a reachable manager
  mixedswarm.swarm.swarm_join_token:
  delegate_to: "{{ swarm_plan.plan.token_host }}"
  run_once: true
  register: swarm_tokens
  no_log: true
"""

RETURN = r"""
tokens:
  description: C(worker) and C(manager) join tokens (secrets).
  returned: always
  type: dict
join_addr:
  description: This manager's swarm address (host:port) for joins.
  returned: always
  type: str
round_trips:
  description: Connections made to the node.
  returned: always
  type: int
"""

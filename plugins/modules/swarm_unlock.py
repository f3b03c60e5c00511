# Documentation of the action plugin plugins/action/swarm_unlock.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_unlock
short_description: Unlock a locked (autolock) swarm manager (internal to the swarm stage)
description:
  - B(Internal:) a step of the swarm stage (playbook C(mixedswarm.swarm.swarm)), which decides when and
    where it runs. Its options and results may change in any release; use the stage playbook instead.
  - Runs C(docker swarm unlock) with the key on its standard input (never as an argument; sh nodes also
    receive the script on stdin), then checks the node is active, in one round trip.
options:
  key:
    description: The swarm unlock key (C(docker swarm unlock-key)); keep it in a vault.
    type: str
    required: true
attributes:
  check_mode:
    support: full
    description: Reports that it would unlock; changes nothing.
  diff_mode:
    support: full
    description: Local state before and after.
  idempotent:
    support: full
    description: Unlocks only a locked node.
author: mixed-swarm maintainers (!UNKNOWN)
extends_documentation_fragment:
  - mixedswarm.swarm.node_cli
"""

EXAMPLES = r"""
- name: Unlock locked managers
  mixedswarm.swarm.swarm_unlock:
    key: "{{ swarm_unlock_key }}"
  when: inventory_hostname in swarm_plan.plan.unlock
"""

RETURN = r"""
round_trips:
  description: Connections made to the node.
  returned: always
  type: int
"""

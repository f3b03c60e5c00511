# Documentation of the action plugin plugins/action/swarm_backup_plan.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_backup_plan
short_description: Choose the manager a swarm backup stops, and describe the backup
description:
  - Runs once on the controller after M(mixedswarm.swarm.swarm_node_info) read every host of the managers group.
  - Chooses a Linux manager that is Ready, reachable and not the leader when there is one (else the leader),
    and only when stopping its engine keeps quorum; refuses, naming the host, otherwise, and naming the groups
    when no host is in both O(managers_group) and C(linux).
  - With autolock on, refuses unless the unlock key is given, because the stopped manager comes back locked.
  - Returns the description stored in the archive (engine version, node and cluster ID, manager and node
    counts, autolock; never the key), the archive's file name and a manager to watch the node from.
options:
  managers_group:
    description: Inventory group of the managers.
    type: str
    default: swarm_managers
  unlock_key_given:
    description: Whether C(swarm_unlock_key) is set.
    type: bool
    default: false
extends_documentation_fragment:
  - mixedswarm.swarm.swarm_read_only
"""

EXAMPLES = r"""
- name: Choose the manager to stop and describe the backup
  mixedswarm.swarm.swarm_backup_plan:
    unlock_key_given: "{{ swarm_unlock_key is defined }}"
  run_once: true
  register: swarm_backup
"""

RETURN = r"""
host:
  description: Inventory host whose swarm state is archived.
  returned: success
  type: str
node_id:
  description: Its NodeID.
  returned: success
  type: str
control:
  description: Another manager that is up, to wait for the host from (the host itself when there is none).
  returned: success
  type: str
leader:
  description: Whether the chosen host is the leader (only when no other manager is up).
  returned: success
  type: bool
description:
  description: What C(mixedswarm-backup.json) in the archive holds.
  returned: success
  type: dict
archive:
  description: File name of the archive, C(swarm-<cluster ID>-<UTC time>.tar.gz).
  returned: success
  type: str
"""

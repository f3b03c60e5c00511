# Documentation of the action plugin plugins/action/swarm_restore_plan.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_restore_plan
short_description: Check a swarm backup archive and the host it is restored onto, before anything changes
description:
  - Runs once on the controller. Reads every member of the archive (so a truncated or corrupt file is found
    now), checks it holds a manager's swarm state and its description, then checks the target host's state
    as M(swarm_node_info) read it.
  - Refuses, with one line naming what is wrong, when the archive is missing, incomplete, corrupt or not a
    swarm backup; when it was made with autolock on and no unlock key is given; when the host is not a Linux
    host of C(swarm_managers), is unreachable, has no answering engine or runs another engine release than the
    archive's; and when the host is part of a working swarm, unless O(force) is true.
options:
  archive:
    description: Controller path of the archive made by playbooks/swarm_backup.yml.
    type: str
    required: true
  host:
    description: Inventory host to restore onto.
    type: str
    required: true
  unlock_key_given:
    description: Whether C(swarm_unlock_key) is set.
    type: bool
    default: false
  force:
    description: Restore even onto a host that is part of a working swarm (its state is replaced).
    type: bool
    default: false
extends_documentation_fragment:
  - swarm_read_only
"""

EXAMPLES = r"""
- name: Check the archive and the target before changing anything
  swarm_restore_plan:
    archive: backups/swarm-xn7m5qhjrrip-20261126T120000Z.tar.gz
    host: manager1
  run_once: true
  register: swarm_restore
"""

RETURN = r"""
description:
  description: The archive's description (engine version, node and cluster ID, manager count, autolock).
  returned: success
  type: dict
problems:
  description: Why the restore was refused, one line each.
  returned: failure
  type: list
  elements: str
"""

# Documentation of the action plugin plugins/action/swarm_restore_plan.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_restore_plan
short_description: Check a swarm backup archive and the host it is restored onto, before anything changes
description:
  - Runs once on the controller. Reads every member of the archive (so a truncated or corrupt file is found
    now), checks it holds a manager's swarm state and its description, chooses the target host, then checks
    its state as M(mixedswarm.swarm.swarm_node_info) read it.
  - The target is O(host), else the Linux host of C(swarm_managers) whose advertise address (chosen as the
    swarm stage chooses it, from gathered network facts) is the archived manager's raft address, else the first
    of them. C(docker swarm init --force-new-cluster) keeps that raft address and ignores C(--advertise-addr), so
    on a host with another address every node that joins would be sent to the old one.
  - Refuses, with one line naming what is wrong and the remedy, when the archive is missing, incomplete, corrupt
    or not a swarm backup (its description missing, unreadable, lacking a key or holding a value of another
    kind); when it was made with autolock on and no unlock key is given; when no host is in both
    C(swarm_managers) and C(linux); when the host is not such a host, is unreachable, has no answering engine
    or runs another engine release than the archive's or advertises another address than the archived
    manager's; and when the host is part of a working swarm, unless O(force) is true.
options:
  archive:
    description: Controller path of the archive made by playbooks/swarm_backup.yml.
    type: str
    required: true
  host:
    description: Inventory host to restore onto; empty, the one with the archived manager's address.
    type: str
    default: ""
  advertise_subnet:
    description: C(swarm_advertise_subnet), for the choice of each host's advertise address.
    type: str
  unlock_key_given:
    description: Whether C(swarm_unlock_key) is set.
    type: bool
    default: false
  force:
    description: Restore even onto a host that is part of a working swarm (its state is replaced).
    type: bool
    default: false
extends_documentation_fragment:
  - mixedswarm.swarm.swarm_read_only
"""

EXAMPLES = r"""
- name: Check the archive and the target before changing anything
  mixedswarm.swarm.swarm_restore_plan:
    archive: backups/swarm-xn7m5qhjrrip-20261126T120000Z.tar.gz
  run_once: true
  register: swarm_restore
"""

RETURN = r"""
host:
  description: The inventory host the archive goes to.
  returned: success
  type: str
  sample: manager2
advertise_addr:
  description: The address that host advertises (the archived manager's).
  returned: success
  type: str
  sample: 10.0.1.5
description:
  description: The archive's description (engine version, node and cluster ID, raft address, manager count, autolock).
  returned: success
  type: dict
problems:
  description: Why the restore was refused, one line each.
  returned: failure
  type: list
  elements: str
"""

# Documentation of the action plugin plugins/action/swarm_run_lock.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_run_lock
short_description: One run at a time per cluster, with a lock kept on the first manager
description:
  - Run it once per stage, delegated to the inventory's first manager, before the first change. It creates
    the directory C(/var/lib/mixedswarm/run.lock) (Linux) or C(C:\ProgramData\mixedswarm\run.lock) (Windows)
    with a file naming its holder (controller host, process, its start time, playbook, lease). Creating a
    directory is atomic, so of two runs started at once exactly one gets it; it exists before any swarm does.
  - A run that finds the lock held waits, printing a progress line every 30 seconds, at most O(wait) seconds,
    then fails naming the holder and changing nothing. The lock of the same ansible-playbook process (an
    earlier stage of this run) is taken again at once.
  - A lock whose holder is gone is taken over with a warning naming it - its process no longer runs on this
    controller host (same process ID and start time), or its lease (O(lease) seconds after its start) has
    expired. The takeover renames the lock aside and checks it renamed the stale holder, putting it back when
    another run took the lock first.
  - O(state=released) removes the lock only when this run holds it.
  - Check mode changes nothing and takes no lock.
options:
  state:
    description: C(held) to take the lock (waiting for it), C(released) to give it back.
    type: str
    default: held
    choices: [held, released]
  wait:
    description: Seconds to wait for a lock another run holds; C(0) refuses at once.
    type: int
    default: 600
  lease:
    description: Seconds after this run's start when another controller may take the lock over if this run
      has not released it (a controller that died cannot release it).
    type: int
    default: 14400
attributes:
  check_mode:
    support: full
    description: Takes no lock and changes nothing.
  diff_mode:
    support: none
    description: Only the lock directory changes, which is the run's own bookkeeping, so the task always
      reports C(changed=false) (a second run of site.yml reports changed=0).
author: mixed-swarm maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Take the run lock on the first manager, or wait for the run that holds it
  mixedswarm.swarm.swarm_run_lock:
    wait: 900
  run_once: true
  delegate_to: "{{ groups['swarm_managers'][0] }}"
  become: true
"""

RETURN = r"""
holder:
  description: This run's holder record.
  returned: always
  type: dict
  sample: {"host": "laptop", "pid": 4242, "started": 1796227200, "playbook": "site.yml", "expires": 1796241600}
lock:
  description: What happened to the lock - C(acquired) (taken now), C(held) (this run held it already),
    C(released), C(not-ours) (held by another run, left alone).
  returned: unless in check mode
  type: str
  sample: acquired
taken_over_from:
  description: The record of the holder whose stale lock this run took over.
  returned: when a stale lock was taken over
  type: dict
"""

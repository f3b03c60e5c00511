# Documentation of the action plugin plugins/action/swarm_settings.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_settings
short_description: Converge the swarm's own settings and write autolock's unlock key (internal to the swarm stage)
description:
  - B(Internal:) a step of the swarm stage (playbook C(mixedswarm.swarm.swarm)), which decides when and
    where it runs. Its options and results may change in any release; use the stage playbook instead.
  - Runs on one manager. Reads C(docker info) and runs one C(docker swarm update) with the flags of the
    settings a running swarm can change that differ (C(--autolock), C(--cert-expiry), C(--task-history-limit),
    C(--snapshot-interval), C(--dispatcher-heartbeat)); settings not in O(wanted) are left as they are.
  - When autolock is turned on, or O(rotate_unlock_key) is true, or autolock is on and O(unlock_key_file)
    does not exist yet, reads the key (C(docker swarm unlock-key --quiet), with C(--rotate) on rotation) in the
    same round trip and writes it to O(unlock_key_file) on the controller, mode 0600, then warns with the
    command that vault-encrypts it. The key is in no result, message or log. The file's directory is checked
    before anything changes; turning autolock on or rotating without O(unlock_key_file) is refused.
  - Settings fixed when the swarm was created are compared and their differences returned in
    C(fixed_differences) (M(mixedswarm.swarm.swarm_plan) warns about them).
options:
  wanted:
    description: The settings to converge, as M(mixedswarm.swarm.swarm_plan) returns them in C(plan.settings.wanted) (durations in nanoseconds).
    type: dict
    default: {}
  unlock_key_file:
    description: Controller file the unlock key is written to (C(swarm_unlock_key_file)).
    type: path
  rotate_unlock_key:
    description: Rotate the unlock key on this run (C(swarm_rotate_unlock_key)) and write the new key to O(unlock_key_file).
    type: bool
    default: false
  rotate_ca:
    description:
      - Rotate the swarm's root CA on this run (C(swarm_ca_rotate); C(docker swarm ca --rotate --detach)), then
        wait until the rotation is over and every Ready node's certificate issuer (C(docker node inspect),
        C(Description.TLSInfo.CertIssuerPublicKey)) is the new CA's; fails naming the nodes still behind after
        O(ca_timeout). Set it for one run only, as every run with it rotates again.
    type: bool
    default: false
  ca_timeout:
    description: Seconds to wait for every node to hold a certificate from the new CA.
    type: int
    default: 300
attributes:
  check_mode:
    support: full
    description: Reads the settings and reports the update it would make; changes nothing and writes no file.
  diff_mode:
    support: full
    description: Each changed setting before and after (durations as Go prints them), and the key file.
  idempotent:
    support: full
    description: Updates only settings that differ; writes the key only on the occasions above.
author: mixed-swarm maintainers (!UNKNOWN)
extends_documentation_fragment:
  - mixedswarm.swarm.node_cli
"""

EXAMPLES = r"""
- name: Converge the swarm's own settings
  mixedswarm.swarm.swarm_settings:
    wanted: "{{ swarm_plan.plan.settings.wanted }}"
    unlock_key_file: "{{ swarm_unlock_key_file | default(omit) }}"
  delegate_to: "{{ swarm_plan.plan.manager_host }}"
  run_once: true
"""

RETURN = r"""
fixed_differences:
  description: One line per setting fixed at init whose wanted value differs from the swarm's, with what changing it takes.
  returned: always
  type: list
  elements: str
ca_rotated:
  description: True when the root CA was rotated and every Ready node holds a certificate from it.
  returned: when O(rotate_ca) is true
  type: bool
unlock_key_file:
  description: The file the unlock key was written to (never the key).
  returned: when a key was written
  type: str
round_trips:
  description: Connections made to the node.
  returned: always
  type: int
"""

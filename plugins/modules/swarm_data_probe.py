# Documentation of the action plugin plugins/action/swarm_data_probe.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_data_probe
short_description: Check that a service's task holds the secrets and configs the controller sent
description:
  - Runs on a node that hosts a task of the service (Linux over SSH or Windows over WinRM); the verify stage picks
    the node and the expected hashes with M(mixedswarm.swarm.swarm_verify) (its C(data_checks)).
  - Hashes each file inside the task's container (C(sha256sum) on Linux, C(Get-FileHash) on Windows) and compares
    it with the sha256 the controller computed from the content it sent (the version's C(mixedswarm.data.hash)
    label). Only the verdict is returned; neither the content nor the hash a task read is printed.
options:
  service:
    description: Service name.
    type: str
    required: true
  os:
    description: OS of the node, which decides how a file is hashed.
    type: str
    choices: [linux, windows]
    default: linux
  files:
    description: Each file's path in the task and the sha256 it must have.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Path inside the container.
        type: str
        required: true
      sha256:
        description: Expected sha256, 64 hex digits.
        type: str
        required: true
attributes:
  check_mode:
    support: full
    description: Only reads.
  diff_mode:
    support: none
    description: Nothing in the swarm changes, so there is nothing to show.
  idempotent:
    support: full
    description: Only reads.
author: mixed-swarm maintainers (!UNKNOWN)
extends_documentation_fragment:
  - mixedswarm.swarm.node_cli
"""

EXAMPLES = r"""
- name: Check the secrets and configs of each service inside one of its tasks
  mixedswarm.swarm.swarm_data_probe:
    service: "{{ item.service }}"
    os: "{{ item.os }}"
    files: "{{ item.files }}"
  delegate_to: "{{ item.node_id | mixedswarm.swarm.swarm_host_for_node(hostvars, groups['swarm']) }}"
  loop: "{{ swarm_verify.data_checks }}"
"""

RETURN = r"""
container:
  description: The container the files were hashed in.
  returned: success
  type: str
checked:
  description: The paths checked.
  returned: success
  type: list
  elements: str
problems:
  description: One line per file whose hash differs.
  returned: always
  type: list
  elements: str
"""

"""Filter plugin: the daemon.json check both engine roles run on the controller."""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.daemon_json import (
    daemon_config_problems,
)

DOCUMENTATION = r"""
name: daemon_config_problems
short_description: List the problems in a daemon.json mapping
description:
  - The one daemon.json check of both engine roles (C(docker_linux) and C(docker_windows)). Checks a dict meant
    for C(/etc/docker/daemon.json) or C(C:\ProgramData\docker\config\daemon.json) and returns one message per
    problem, so a role stops before a node's engine fails to start.
  - Checks every option against the options dockerd accepts on that OS and engine release (an unknown or
    misspelt option is named with the closest valid one), list, boolean, integer and mapping values, string
    values in C(log-opts), C(live-restore) (refused on swarm nodes) and options the calling role manages itself.
positional: os_name, engine_version
options:
  _input:
    description: The daemon options.
    type: dict
    required: true
  os_name:
    description: The node's OS.
    type: str
    choices: [linux, windows]
    default: linux
  engine_version:
    description:
      - The engine release the file is for, e.g. C(20.10.24+dfsg1) or C(27.5.1).
      - When not known (no engine installed yet), every option some release accepts passes.
    type: str
  managed_keys:
    description: Options the role sets from its own variables; setting them here is reported.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Stop on a daemon.json the node's engine would refuse
  ansible.builtin.assert:
    that: docker_linux_daemon_options | mixedswarm.swarm.daemon_config_problems('linux', '20.10.24') | length == 0
    fail_msg: "{{ docker_linux_daemon_options | mixedswarm.swarm.daemon_config_problems('linux', '20.10.24') }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the options are fine.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"daemon_config_problems": daemon_config_problems}

"""Filter plugin: validate daemon.json contents on the controller."""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils.docker_daemon import daemon_config_problems

DOCUMENTATION = r"""
name: daemon_config_problems
short_description: List the problems in a daemon.json mapping
description:
  - Checks a dict meant for C(/etc/docker/daemon.json) (or the Windows equivalent) and returns one message
    per problem, so a role can stop before a node's engine fails to start.
  - Checks option names, list and boolean options, string values in C(log-opts), C(live-restore) (refused on
    swarm nodes) and options the calling role manages itself.
options:
  _input:
    description: The daemon options.
    type: dict
    required: true
  managed_keys:
    description: Options the role sets from its own variables; setting them here is reported.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Stop on a malformed daemon.json
  ansible.builtin.assert:
    that: docker_linux_daemon_options | daemon_config_problems | length == 0
    fail_msg: "{{ docker_linux_daemon_options | daemon_config_problems }}"
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

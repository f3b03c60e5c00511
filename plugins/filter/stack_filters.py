"""Filter plugin: check the swarm_stacks entries themselves before any compose file is read."""

from __future__ import annotations

from ansible_collections.mixedswarm.swarm.plugins.module_utils.service_compose import stack_entry_problems

DOCUMENTATION = r"""
name: stack_entry_problems
short_description: List the problems in the swarm_stacks entries
description:
  - Checks each entry of C(swarm_stacks) for unknown keys (naming the closest valid key), for C(definition)
    and C(src) given together, and for a present stack with neither; one message per problem.
  - The compose files themselves are checked by M(swarm_stack) with C(validate_only).
options:
  _input:
    description: The C(swarm_stacks) list.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Stop on a malformed stack entry
  ansible.builtin.assert:
    that: swarm_stacks | stack_entry_problems | length == 0
    fail_msg: "{{ swarm_stacks | stack_entry_problems | join('; ') }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the entries are fine.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"stack_entry_problems": stack_entry_problems}

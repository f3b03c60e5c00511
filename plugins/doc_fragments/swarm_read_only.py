"""Documentation shared by the project's plugins that only read from nodes."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
attributes:
  check_mode:
    support: full
    description: Reads only.
  diff_mode:
    support: none
    description: Reads only.
  idempotent:
    support: full
    description: Reads only.
author: mixed-swarm maintainers (!UNKNOWN)
"""

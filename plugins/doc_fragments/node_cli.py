"""Documentation shared by every action plugin that drives the docker CLI on a node."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
attributes:
  action:
    support: full
    description:
      - Runs on the controller and drives the C(docker) CLI on the node over the task's own connection,
        one round trip per batch of commands; the node needs no Python and no Docker SDK.
  async:
    support: none
    description: Not supported.
  platform:
    support: full
    platforms: [posix, windows]
    description: Linux nodes over SSH (sh), Windows nodes over WinRM, PSRP or SSH (PowerShell).
"""

# Documentation of the action plugin plugins/action/swarm_registry_login.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_registry_login
short_description: Log the deploying swarm manager in to private image registries
description:
  - Runs C(docker login --password-stdin) on the manager it is given (Linux over SSH or Windows over WinRM), for every
    registry in one round trip; the passwords travel on stdin only, never on a command line or in the result.
  - Services (M(mixedswarm.swarm.swarm_service) with O(mixedswarm.swarm.swarm_service#module:with_registry_auth=true))
    and stacks deployed afterwards from this manager send the login to the nodes that pull, Linux or Windows.
  - A wrong password or an unreachable registry fails with one line naming the registry and the user, before any
    service changes.
  - The engine keeps the login in the manager's Docker client configuration (or its credential helper), as
    C(docker login) always does; C(changed) is always false, since nothing in the swarm changes.
options:
  registries:
    description: Registry credentials (O(ignore:swarm_registry_auth)).
    type: list
    elements: dict
    required: true
    suboptions:
      registry:
        description: Registry host (and port), for example C(myregistry.azurecr.io) or C(registry.lab:5000).
        type: str
        required: true
      username:
        description: User name (for Azure Container Registry, a service principal's app ID).
        type: str
        required: true
      password:
        description: Password or token, from vault or the environment; it reaches C(docker login) on stdin only.
        type: str
        required: true
attributes:
  check_mode:
    support: full
    description: Checks the entries and does not log in.
  diff_mode:
    support: none
    description: Nothing in the swarm changes, so there is nothing to show.
  idempotent:
    support: full
    description: Logging in again with the same credentials changes nothing in the swarm.
author: mixed-swarm maintainers (!UNKNOWN)
extends_documentation_fragment:
  - mixedswarm.swarm.node_cli
"""

EXAMPLES = r"""
- name: Log in to an Azure Container Registry with a service principal (app ID and secret from the environment)
  mixedswarm.swarm.swarm_registry_login:
    registries:
      - registry: myregistry.azurecr.io
        username: "{{ lookup('ansible.builtin.env', 'ACR_SP_APP_ID') }}"
        password: "{{ lookup('ansible.builtin.env', 'ACR_SP_PASSWORD') }}"
  run_once: true
"""

RETURN = r"""
registries:
  description: The registries logged in to.
  returned: always
  type: list
  elements: str
  sample: ["myregistry.azurecr.io"]
"""

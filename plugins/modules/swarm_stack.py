# Documentation of the action plugin plugins/action/swarm_stack.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_stack
short_description: Deploy a compose file as a Docker Swarm stack, each service on its declared OS
description:
  - Runs on one swarm manager (Linux over SSH or Windows over WinRM). The compose document is given already
    rendered (templated on the controller), is prepared, copied to the manager's temporary directory and
    deployed with C(docker stack deploy).
  - Before anything is deployed, the compose services' C(deploy) sections are checked (known keys, with the
    closest valid name for a misspelt one; C(replicas) an integer; C(resources) and C(placement)).
  - Each compose service may carry the extension key C(x-os) (C(linux) or C(windows)); it is replaced by the
    placement constraint C(node.platform.os==OS) under C(deploy.placement.constraints). In a swarm with nodes of
    more than one OS, a service with neither C(x-os) nor an explicit OS constraint is refused (a task on a node
    of the other OS is rejected with C(No such image) and retried forever).
  - A Windows service whose image tag names a Windows release (C(ltsc2022), ...) is refused when no Windows node runs
    that build, or when the Windows nodes run several builds unless it carries C(x-windows-build) set to C(match), which adds
    the constraint C(node.labels.os.build==BUILD).
  - Every service gets the labels C(mixedswarm.managed=true) and C(mixedswarm.stack-hash) (a hash of the
    prepared file). When all services of the stack carry the current hash, nothing is deployed (C(changed=false)).
  - A stack whose services the project did not deploy is never touched.
  - Top-level C(secrets) and C(configs) with a C(file) are read on the controller (relative to O(src), or to the
    playbook for O(definition)), copied next to the compose file and named C(STACK_KEY-HASH) with the project's labels,
    so a new content is a new version; superseded versions no service uses are removed after the deploy.
  - After a deployment, waits for the stack's services to converge and fails fast, like M(mixedswarm.swarm.swarm_service).
options:
  name:
    description: Stack name (lowercase letters, digits, C(_), C(-)).
    type: str
    required: true
  state:
    description: C(absent) runs C(docker stack rm), only for a stack this project deployed.
    type: str
    choices: [present, absent]
    default: present
  definition:
    description:
      - The compose document, as a dict or YAML text (format 3.x; C(version) defaults to 3.8).
      - Mutually exclusive with O(src); one of them is required when O(state=present).
    type: raw
  src:
    description:
      - A compose template file (Jinja2), rendered on the controller with the task's variables like M(ansible.builtin.template)
        does; a YAML error names this file.
      - Mutually exclusive with O(definition).
    type: path
  prune:
    description: Remove services of the stack that are no longer in the file.
    type: bool
    default: true
  with_registry_auth:
    description: Send the manager's registry credentials to the nodes.
    type: bool
    default: false
  validate_only:
    description: Validate and plan against the swarm, change nothing (C(changed=false)).
    type: bool
    default: false
  wait:
    description: Wait for convergence after a deployment.
    type: bool
    default: true
  timeout:
    description: Seconds to wait for convergence.
    type: int
    default: 300
  max_task_failures:
    description: Stop waiting once a service has this many new tasks rejected or failed.
    type: int
    default: 2
attributes:
  check_mode:
    support: full
    description: Prepares and compares only.
  diff_mode:
    support: full
    description: Shows the prepared compose file when it would be deployed.
  idempotent:
    support: full
    description: Deploys only when the prepared stack differs from the running one.
author: mixed-swarm maintainers (!UNKNOWN)
extends_documentation_fragment:
  - mixedswarm.swarm.node_cli
"""

EXAMPLES = r"""
- name: A stack with one Linux and one Windows service
  mixedswarm.swarm.swarm_stack:
    name: shop
    definition:
      version: "3.8"
      services:
        api:
          image: registry.example:5000/api:2
          x-os: linux
          deploy:
            replicas: 2
        frontend:
          image: registry.example:5000/frontend:2
          x-os: windows
  run_once: true

- name: A stack from a compose template rendered on the controller
  mixedswarm.swarm.swarm_stack:
    name: shop
    src: shop-compose.yml.j2
  run_once: true
"""

RETURN = r"""
removed_versions:
  description: Superseded versions of the stack's file secrets and configs removed after the deploy.
  returned: when the stack was deployed
  type: list
  elements: str
services:
  description: Swarm service names of the stack.
  returned: always
  type: list
  sample: [shop_api, shop_frontend]
hash:
  description: Hash of the prepared compose file, also in each service's C(mixedswarm.stack-hash) label.
  returned: when state is present
  type: str
replicas:
  description: Running/desired tasks per service after waiting.
  returned: after a deployment with wait
  type: dict
"""

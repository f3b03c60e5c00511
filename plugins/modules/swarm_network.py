# Documentation of the action plugin plugins/action/swarm_network.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_network
short_description: Create or remove user-defined overlay networks in a Docker Swarm
description:
  - Runs on one swarm manager (Linux over SSH or Windows over WinRM) and reads the nodes and the declared
    networks in one round trip; validates every definition before creating or removing anything.
  - Service discovery (a service name and C(tasks.NAME) resolving) works only on user-defined overlay networks,
    never on the routing mesh network C(ingress); declaring C(ingress) is refused with that explanation.
  - Encrypted overlays are refused when the swarm has Windows nodes, because Windows does not support them.
  - Networks the project creates carry the label C(mixedswarm.managed=true). A network of the same name that
    the project did not create is used as it is and never altered or removed.
  - Docker cannot change a network in place, so a managed network that differs from its definition is reported
    as an error naming the fields, not re-created behind the services' back.
options:
  networks:
    description: Network definitions.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Network name (not C(ingress), C(bridge), C(host), C(none), C(docker_gwbridge)).
        type: str
        required: true
      state:
        description: C(absent) removes the network, only if this project created it (it must have no services attached).
        type: str
        choices: [present, absent]
        default: present
      driver:
        description: Only C(overlay) spans the swarm.
        type: str
        default: overlay
      attachable:
        description: Standalone containers may attach too.
        type: bool
        default: true
      encrypted:
        description: Encrypt the overlay's data traffic (IPsec). Refused when the swarm has Windows nodes.
        type: bool
        default: false
      internal:
        description: No outside connectivity. Refused when the swarm has Windows nodes.
        type: bool
        default: false
      ipv6:
        description: Give the overlay IPv6 addresses too. Refused when the swarm has Windows nodes.
        type: bool
        default: false
      mtu:
        description:
          - MTU of the overlay's interfaces (option C(com.docker.network.driver.mtu)); unset takes the engine's default
            (1450 on Linux). Set it to the smallest path MTU when Linux and Windows nodes share the overlay (moby/moby#33596).
        type: int
      subnet:
        description: Subnet in CIDR form; unset lets the engine choose. Refused when it holds an address of a node,
          overlaps another network's subnet, or (for a new network) overlaps a network a Linux node routes to (its
          LAN, a range behind a gateway, a Docker bridge).
        type: str
      gateway:
        description: Gateway address inside O(networks[].subnet).
        type: str
      labels:
        description: Network labels; C(mixedswarm.managed=true) is always added.
        type: dict
  validate_only:
    description: Validate and plan against the swarm, change nothing (C(changed=false)).
    type: bool
    default: false
  changes:
    description:
      - Which of the planned changes to make; every definition is still validated.
      - C(create) only creates networks and C(remove) only removes those declared absent, so a playbook can create
        networks before its services and remove them after the services that used them are gone.
    type: str
    choices: [all, create, remove]
    default: all
attributes:
  check_mode:
    support: full
    description: Reads and plans only.
  diff_mode:
    support: full
    description: Shows each created or removed network.
  idempotent:
    support: full
    description: Creates or removes only what differs from the definitions.
author: mixed-swarm maintainers (!UNKNOWN)
extends_documentation_fragment:
  - mixedswarm.swarm.node_cli
"""

EXAMPLES = r"""
- name: One attachable overlay for services that must find each other
  mixedswarm.swarm.swarm_network:
    networks:
      - name: appnet
        subnet: 10.20.0.0/24
  run_once: true
"""

RETURN = r"""
networks:
  description: Per network, what was done (C(create), C(remove), C(none)); a network whose change O(changes) leaves out is not listed.
  returned: always
  type: dict
  sample: {"appnet": "create"}
"""

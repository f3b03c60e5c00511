# Documentation of the action plugin plugins/action/swarm_plan.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_plan
short_description: Validate the inventory against the nodes' swarm state and plan the swarm (internal to the swarm stage)
description:
  - B(Internal:) a step of the swarm stage (playbook C(mixedswarm.swarm.swarm)), which decides when and
    where it runs. Its options and results may change in any release; use the stage playbook instead.
  - Runs on the controller only (use C(run_once)), after M(mixedswarm.swarm.swarm_node_info) set the C(swarm_node) fact on
    every host, and with facts gathered (for host addresses, Linux and Windows alike).
  - Refuses, before any node changes, listing every problem with the host and the fix. A host in both
    groups; no managers; an invalid C(swarm_labels) key or value; a C(swarm_advertise_addr) that is not
    one of the host's addresses, or no address on O(advertise_subnet); a Windows host with several IPv4
    addresses and none chosen (no C(swarm_advertise_addr), O(advertise_subnet) or C(ansible_host) among them); an unreachable manager (or one whose
    engine does not answer); a locked swarm without C(swarm_unlock_key); inventory nodes in different
    swarms (listing which node is in which); a role change that would lose quorum.
  - Decides the init host (the first manager, only when no inventory node is in a swarm), the manager the
    join tokens come from (any reachable manager of the swarm), which hosts join and as what (nodes stuck in
    C(pending) or C(error) are recovered), which are unlocked, the desired role and labels of every host
    (C(os=<OS the engine reports>), on Windows C(os.build=<its build>), merged with its C(swarm_labels)), the
    nodes to prune, and the superseded entries to remove.
  - A superseded entry is a node whose hostname is the one an inventory host's engine reports while that
    host is, or is about to be, in the swarm under another NodeID (it left, was re-installed or re-imaged
    and joins again), and that is C(down) or belongs to a host outside the swarm now (it just left). It is
    removed once it is C(down) and its replacement is Ready, without O(prune_nodes).
    Entries whose hostname matches no inventory host are left to O(prune_nodes); a hostname that several
    inventory hosts report is ambiguous, so its entries are kept with a warning.
  - Warns on an even number of managers, on unreachable workers (left as they are), and on nodes that are
    not in the inventory when pruning is off.
  - In check mode a host whose engine does not answer is planned as a new node, and a host whose stopped
    engine M(mixedswarm.swarm.swarm_node_info) left unread is left out of the plan; both with a warning.
  - Reads host variables C(swarm_labels), C(swarm_advertise_addr), C(swarm_data_path_addr), C(ansible_host) and
    C(azure_os_version) of every host. A C(swarm_data_path_addr) must be one of the host's addresses; it is
    given to init and join; a member is not checked (its engine does not report it), and the plan warns.
options:
  managers_group:
    description: Inventory group of the managers.
    type: str
    default: swarm_managers
  workers_group:
    description: Inventory group of the workers.
    type: str
    default: swarm_workers
  advertise_subnet:
    description:
      - Advertise each node's address on this network (CIDR) unless C(swarm_advertise_addr) is set;
        else C(ansible_host) when it is one of the host's addresses; else the default IPv4.
    type: str
  unlock_key_given:
    description: Whether C(swarm_unlock_key) is set, so locked managers can be unlocked.
    type: bool
    default: false
  prune_nodes:
    description: Drain and remove swarm nodes that are not in the inventory. Refused while any inventory host cannot be read.
    type: bool
    default: false
  settings:
    description:
      - The swarm's own settings, each key the value of the variable C(swarm_<key>) or null when unset
        (unset settings are not managed). Keys C(autolock), C(cert_expiry), C(task_history_limit),
        C(snapshot_interval), C(dispatcher_heartbeat), C(default_addr_pools), C(default_addr_pool_mask_length),
        C(data_path_port), C(manager_availability); docs/swarm.md has their table.
      - Refused before any change, naming the variable and what is valid. A value of the wrong type; a
        duration that is not one (C(2160h), C(5s)); a certificate expiry under 1h; a port outside 1024-49151; a
        pool that is no IPv4 CIDR network or overlaps another; a mask length giving subnets larger than a pool; a
        data path port other than 4789 while a Windows node runs a build before 1909 (Windows Server 2019);
        autolock turned on without O(unlock_key_file); managers drained with no worker.
      - Settings fixed at init (pools, mask length, data path port) that differ from the running swarm's are
        warned about, saying what changing them takes; the plan returns them in C(plan.settings).
    type: dict
    default: {}
  unlock_key_file:
    description: C(swarm_unlock_key_file), the controller file autolock's unlock key is written to; required to turn autolock on.
    type: str
attributes:
  check_mode:
    support: full
    description: Plans only; changes nothing anywhere.
  diff_mode:
    support: none
    description: Plans only.
  idempotent:
    support: full
    description: Plans only.
author: mixed-swarm maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Validate the inventory and plan the swarm
  mixedswarm.swarm.swarm_plan:
    advertise_subnet: 10.0.1.0/24
    unlock_key_given: "{{ swarm_unlock_key is defined }}"
  run_once: true
  register: swarm_plan
"""

RETURN = r"""
plan:
  description: What the following tasks do.
  returned: success
  type: dict
  contains:
    init_host:
      description: Host that initializes the swarm, or null when the swarm exists.
      type: str
    token_host:
      description: Manager the join tokens are read from.
      type: str
    manager_host:
      description: Manager that applies role, label and prune changes (one that stays a manager).
      type: str
    cluster_id:
      description: ClusterID of the existing swarm, or null.
      type: str
    unlock:
      description: Hosts to unlock.
      type: list
      elements: str
    joins:
      description: Host to C(role), C(advertise_addr) and C(recover) (leave first, the node was stuck).
      type: dict
    advertise_addrs:
      description: Advertise address chosen for every reachable host.
      type: dict
    manager_addrs:
      description: Swarm addresses of the inventory managers active in the swarm now (whose port 2377 every node must reach).
      type: list
      elements: str
    desired:
      description: Host to its desired C(role) and C(labels).
      type: dict
    role_steps:
      description: Promotions and demotions known now (C(node_id), C(step)), promotions first.
      type: list
      elements: dict
    prune:
      description: NodeIDs to drain and remove (only with O(prune_nodes)).
      type: list
      elements: str
    superseded:
      description: Old NodeID to the inventory host whose new node replaces it; managers among them are demoted first.
      type: dict
    warnings:
      description: Warnings also shown on the console.
      type: list
      elements: str
problems:
  description: Why the plan was refused, one line per problem naming the host and the fix.
  returned: failure
  type: list
  elements: str
"""

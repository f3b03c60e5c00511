# Documentation of the action plugin plugins/action/swarm_secret.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_secret
short_description: Create, roll and remove versioned Docker Swarm secrets and configs
description:
  - Loads each content on the controller (a file, vault-encrypted or not; an inline value; or a Jinja2 template
    rendered with the task's variables), then on one swarm manager (Linux over SSH or Windows over WinRM) reads the
    existing secrets and configs and which services refer to them, in one round trip.
  - Each content is a version named C(NAME-HASH) (the first 12 hex digits of its sha256), labelled
    C(mixedswarm.managed=true), C(mixedswarm.data.name=NAME) and C(mixedswarm.data.hash=SHA256). An unchanged run
    compares these labels and never reads a content back. A changed content creates a new version; services
    declared with it as C(source) roll to it (M(mixedswarm.swarm.swarm_service) with the returned C(versions)); the
    old version is removed once no service refers to it.
  - Contents reach C(docker secret create) / C(docker config create) on stdin, byte for byte, never on a command line
    and never in the task's result.
  - A secret or config the project did not create is never changed or removed, whatever its name.
  - The sha256 of each content is visible, as a label, to anyone who can inspect the swarm; give secrets enough
    entropy that a hash does not reveal them (a generated password, not a dictionary word).
options:
  secrets:
    description: Secret definitions (O(ignore:swarm_secrets)).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: &id001
          - Logical name, which services give as their C(source). The swarm object is named C(NAME-HASH), the first
            12 hex digits of the content's sha256, so a new content is a new version.
        type: str
        required: true
      state:
        description: C(absent) removes every version this project created, once no service refers to it.
        type: str
        choices: [present, absent]
        default: present
      file:
        description: &id002
          - A file on the controller (relative paths are looked up like M(ansible.builtin.copy)'s C(src)); a vault-encrypted
            file is decrypted. Its content must be UTF-8 text.
        type: path
      data:
        description: The content itself, for example a vault-encrypted variable.
        type: str
      template:
        description: A Jinja2 file rendered on the controller with the task's variables, like M(ansible.builtin.template).
        type: path
  configs:
    description: Config definitions (O(ignore:swarm_configs)), the same keys as O(secrets).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: *id001
        type: str
        required: true
      state:
        description: C(absent) removes every version this project created, once no service refers to it.
        type: str
        choices: [present, absent]
        default: present
      file:
        description: *id002
        type: path
      data:
        description: The content itself, for example a vault-encrypted variable.
        type: str
      template:
        description: A Jinja2 file rendered on the controller with the task's variables, like M(ansible.builtin.template).
        type: path
  validate_only:
    description: Validate, load the contents and plan against the swarm, change nothing (C(changed=false)).
    type: bool
    default: false
  changes:
    description:
      - Which of the planned changes to make; every definition is still validated.
      - C(create) only creates new versions and C(remove) only removes superseded or absent ones that no service refers
        to, so a playbook creates versions before its services roll to them and removes the old ones after.
    type: str
    choices: [all, create, remove]
    default: all
attributes:
  check_mode:
    support: full
    description: Loads, reads and plans only.
  diff_mode:
    support: full
    description: Shows each created or removed version (name, version and hash, never the content).
  idempotent:
    support: full
    description: An unchanged content is compared by label and hash and left alone.
author: mixed-swarm maintainers (!UNKNOWN)
extends_documentation_fragment:
  - mixedswarm.swarm.node_cli
"""

EXAMPLES = r"""
- name: A database password from vault and an nginx.conf rendered from a template
  mixedswarm.swarm.swarm_secret:
    secrets:
      - name: db_password
        data: "{{ vault_db_password }}"
    configs:
      - name: nginx_conf
        template: templates/nginx.conf.j2
  register: data
  run_once: true

- name: The service reads them by their logical names
  mixedswarm.swarm.swarm_service:
    data_versions: "{{ data.versions }}"
    services:
      - name: web
        image: nginx:1.27
        os: linux
        secrets:
          - source: db_password
            mode: "0400"
        configs:
          - source: nginx_conf
            target: /etc/nginx/nginx.conf
  run_once: true
"""

RETURN = r"""
versions:
  description: The current object name of each declared secret and config, by logical name.
  returned: always
  type: dict
  sample: {"secret": {"db_password": "db_password-9f86d081884c"}, "config": {"nginx_conf": "nginx_conf-2c26b46b68ff"}}
secrets:
  description: Per secret object, what was done (C(create), C(remove), C(none)).
  returned: always
  type: dict
  sample: {"db_password-9f86d081884c": "create", "db_password-60303ae22b99": "remove"}
configs:
  description: Per config object, what was done (C(create), C(remove), C(none)).
  returned: always
  type: dict
  sample: {"nginx_conf-2c26b46b68ff": "none"}
"""

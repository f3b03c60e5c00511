# Documentation of the action plugin plugins/action/swarm_report.py (it runs on the controller).
DOCUMENTATION = r"""
module: swarm_report
short_description: Write the cluster report of the verify stage, one self-contained HTML page and its data as JSON
description:
  - Runs on the controller and writes O(path), an HTML page that needs no network and no script to read (inline
    CSS and SVG), and beside it the same data as JSON (O(path) with the extension C(.json)).
  - The page shows the nodes in OS lanes (Windows, Linux) with role, leader, status, availability, engine version,
    Windows build (the C(os.build) label) and labels; each service's tasks as boxes on their nodes coloured by state
    (a task on no node, such as one no node can take, in a lane of its own with its error); the networks; the
    verify findings (cluster checks, DNS, HTTP, reachability); the run's time per stage; the time it was taken.
  - Every name, label and error is escaped; the page stays readable at 50 nodes and 100 services.
  - The report is written in check mode too (it describes the cluster as it is and changes nothing on a node).
options:
  path:
    description: Where to write the HTML page; a relative path is taken from the directory ansible-playbook runs in.
    type: str
    required: true
  cluster:
    description: The RV(mixedswarm.swarm.swarm_verify#module:report) of M(mixedswarm.swarm.swarm_verify).
    type: dict
    default: {}
  problems:
    description: The RV(mixedswarm.swarm.swarm_verify#module:problems) of M(mixedswarm.swarm.swarm_verify).
    type: list
    elements: str
    default: []
  dns_probe:
    description: The DNS probe plan of M(mixedswarm.swarm.swarm_verify); none when no probe ran.
    type: dict
  dns_result:
    description: The result of M(mixedswarm.swarm.swarm_dns_probe).
    type: dict
    default: {}
  dns_skipped:
    description: Why no DNS probe ran.
    type: str
    default: ""
  http_results:
    description: The results of the verify stage's HTTP requests (ansible.builtin.uri in a loop).
    type: list
    elements: dict
    default: []
  http_skipped:
    description: The HTTP checks skipped, and why.
    type: list
    elements: str
    default: []
  reach_results:
    description: The results of M(mixedswarm.swarm.swarm_reach_probe) in a loop.
    type: list
    elements: dict
    default: []
  reach_requested:
    description: Whether reachability pairs were asked for (the summary then says "not run" rather than "none requested").
    type: bool
    default: false
  stages:
    description: When each stage started (stage name to seconds since the epoch), as playbooks/site.yml records them.
    type: dict
    default: {}
attributes:
  check_mode:
    support: full
    description: Writes the report in check mode too; it changes nothing on a node.
  diff_mode:
    support: none
    description: Writes a local file only.
  idempotent:
    support: full
    description: Always reports changed=false; the file describes the cluster at the time of the run.
author: mixed-swarm maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Write the cluster report
  mixedswarm.swarm.swarm_report:
    path: swarm-report.html
    cluster: "{{ verify.report }}"
    problems: "{{ verify.problems }}"
  delegate_to: localhost
"""

RETURN = r"""
path:
  description: Absolute path of the HTML page.
  returned: success
  type: str
data_path:
  description: Absolute path of the JSON document beside it.
  returned: success
  type: str
findings:
  description: The verify findings as drawn (check, result pass/fail/skipped, detail).
  returned: success
  type: list
  elements: dict
reachability:
  description: Every reachability pair (ok, text).
  returned: success
  type: list
  elements: dict
lines:
  description: The summary's reachability lines and the line naming the report.
  returned: success
  type: list
  elements: str
"""

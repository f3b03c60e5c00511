"""The cluster report the verify stage writes: the data (nodes in OS lanes, each service's tasks on
their nodes, networks, verify findings, the run's time per stage) gathered from what the verify
stage read (data), and one self-contained HTML page drawn from it with inline CSS and SVG, no
external asset and no script (html). Pure functions; the action plugin swarm_report writes the
files.
"""

"""Docker Engine decisions: the one check of daemon.json options (Linux and Windows), Windows
builds (which one a node runs, which one an image needs), the rolling change of engines in a
swarm (roll) and draining a node and giving it back (drain). Pure functions.
"""

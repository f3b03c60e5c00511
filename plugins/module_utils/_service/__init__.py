"""What users run on the swarm: a service definition checked field by field (definition,
placement, ports, units), the comparable spec both sides produce (fields), the comparison and
docker commands (spec), overlay networks, stacks from compose files (stack), convergence of
tasks (convergence), the verify stage's checks and summary (verify) and its cross-OS reachability
pairs (reach). Pure functions.
"""

"""The swarm stage's decisions: what a node's engine says about its swarm (node_read), the
address it advertises, the plan that validates the inventory and picks init and joins, the
init/join/token/unlock commands (membership), roles and quorum, owned labels, superseded
entries, the reconcile that orders them, the one read of the cluster that service plugins share
(cluster_read), and backup/restore. Pure functions; the runner of docker batches is passed in.
"""

"""Azure Resource Manager listings turned into the project's inventory contract, for the
azure_swarm inventory plugin. Pure functions on the REST payloads.
"""

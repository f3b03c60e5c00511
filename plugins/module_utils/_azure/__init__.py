"""Azure Resource Manager listings turned into the project's inventory contract, for the
azure_swarm inventory plugin (inventory.py), and how it signs in and names the cause of a failed
connection (connection.py). Pure functions on the REST payloads and exceptions.
"""

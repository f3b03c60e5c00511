"""Azure Resource Manager listings turned into the project's inventory contract, for the
azure_swarm inventory plugin (inventory.py), and how it signs in and names the cause of a failed
connection (connection.py); and, for the azure_lab role, whether the subscription's quota in a
region has room for the VMs and public IPs a lab still has to create (quota.py). Pure functions on
the REST payloads and exceptions.
"""

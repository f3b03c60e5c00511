"""Controller-side glue of the action plugins: the base class that validates a task's
arguments (base), the one round trip of a docker batch over the task's own connection, sh or
PowerShell (transport), the end of an init or join (membership), and the steps the service,
network, stack and verify plugins share on their manager (manager_steps).
"""

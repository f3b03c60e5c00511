"""What every concern shares: problem messages that name the object and the field (the
definition checks' base), the label that marks what the project owns, the form of one planned
step, scalars as docker stores them, the one polling loop every wait uses and its progress lines. Controller-only,
like every sub-package here (the leading underscore says so): nothing in module_utils runs on a
node, since Windows nodes run no Python.
"""

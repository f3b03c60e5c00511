"""The docker CLI as argument lists: how an argument is quoted for sh and for PowerShell
(quoting), and how a batch of invocations becomes one script run in one round trip over the
node's own connection and how its output is split back per invocation (batch). The one place
that knows how the two target shells differ.
"""

"""The docker CLI as argument lists: how an argument is written for sh and for a Windows command
line (quoting), and how a batch of invocations becomes one sh script, or data for one fixed
PowerShell runner that starts docker.exe itself, run in one round trip over the node's own
connection, and how its output is split back per invocation (batch). The one place that knows how
the two target shells differ.
"""

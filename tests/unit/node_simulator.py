"""A Windows node as the connection tests see it: it decodes the batch the loader reads on stdin (as
POWERSHELL_LOADER does: the lines joined, base64, UTF-8), finds its steps with the PowerShell model,
and prints what docker would for each, fenced the way the batch's Invoke-Step fences it."""

import base64
import json

from powershell_model import batch_steps, received


def node_answers(stdin: str, join_token: str) -> str:
    script = base64.b64decode("".join(stdin.split())).decode("utf-8")
    lines = []
    for index, step in enumerate(batch_steps(script)):
        args = received(step)
        lines.append(f"<<<mixedswarm begin {index}>>>")
        if args[:2] == ["swarm", "join-token"]:
            lines.append(join_token)
        elif args[:1] == ["info"]:
            lines.append(
                json.dumps({"OSType": "windows", "Swarm": {"LocalNodeState": "active", "NodeID": "n1"}})
            )
        lines.append(f"<<<mixedswarm end {index} rc=0>>>")
    return "\r\n".join(lines) + "\r\n"

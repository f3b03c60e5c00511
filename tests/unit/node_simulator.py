"""A Windows node as the connection tests see it: it takes the runner and the batch from what the
loader reads on stdin (powershell_model.payload_parts: the lines joined, split at '.'), works out
with the model what docker.exe receives for each step, and prints what docker would, fenced and
encoded the way the runner fences and encodes it (base64 of UTF-8 between the markers)."""

import base64
import json

from powershell_model import launched, payload_parts, runner_steps


def _data(text: str) -> str:
    return f"<<<mixedswarm data {base64.b64encode(text.encode('utf-8')).decode('ascii')}>>>"


def node_answers(stdin: str, join_token: str) -> str:
    if not stdin.strip():
        return ""  # not the loader: a command that reads nothing prints nothing here
    runner, batch = payload_parts(stdin)
    lines = []
    for index, step in enumerate(runner_steps(batch)):
        args = launched(step, runner, printed=lambda nested: "n1\n")
        lines.append(f"<<<mixedswarm begin {index}>>>")
        if args[:2] == ["swarm", "join-token"]:
            lines.append(_data(join_token + "\n"))
        elif args[:1] == ["info"]:
            info = {"OSType": "windows", "Swarm": {"LocalNodeState": "active", "NodeID": "n1"}}
            lines.append(_data(json.dumps(info) + "\n"))
        elif args[:2] == ["swarm", "unlock"] and step.stdin is None:
            lines.append(_data("Error: no unlock key on stdin\n"))
            lines.append(f"<<<mixedswarm end {index} rc=1>>>")
            continue
        lines.append(f"<<<mixedswarm end {index} rc=0>>>")
    return "\r\n".join(lines) + "\r\n"

"""Build docker CLI scripts for sh and PowerShell and parse what they print.

This is the one place that knows how the two target shells differ. The swarm and service
plugins describe docker invocations as argument lists; a batch of them becomes one script,
run in one round trip over the node's own Ansible connection (SSH or WinRM), and comes back
as one result per invocation. Pure functions: unit-tested without Ansible or a node.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.quoting import (
    POWERSHELL,
    SH,
    SHELLS,
    ps_literal,
    quote,
)

# Markers cannot collide with docker output: docker never prints this prefix.
_MARK = "<<<mixedswarm"
_BEGIN_RE = re.compile(r"^<<<mixedswarm begin (\d+)>>>\s*$")
_END_RE = re.compile(r"^<<<mixedswarm end (\d+) rc=(-?\d+)>>>\s*$")


class OutputOf(list):
    """An argument that stands for the words another invocation prints: `$(...)` in sh, `(...)` in PowerShell.

    Lets one invocation act on a list the node computes (`docker node inspect` of every
    `docker node ls --quiet` ID) without a second round trip.
    """


class Invocation(list):
    """An argv list with text for the program's stdin (e.g. an unlock key), kept out of its arguments.

    exact: the program must read the text byte for byte, with no line end added (the content of a
    secret or config); otherwise a line end follows it, as a typed key would.
    """

    def __init__(self, argv, stdin: str | None = None, exact: bool = False):
        super().__init__(argv)
        self.stdin = stdin
        self.exact = exact


def _word(arg, shell: str) -> str:
    if isinstance(arg, OutputOf):
        inner = command_line(arg, shell)
        return f"({inner})" if shell == POWERSHELL else f"$({inner})"
    return quote(arg, shell)


def command_line(argv: list[str], shell: str) -> str:
    """One invocation as a command line. PowerShell runs the program (named literally, never
    re-quoted) with the call operator."""
    if shell == POWERSHELL:
        words = [ps_literal(argv[0]), *(_word(a, shell) for a in argv[1:])]
        line = "& " + " ".join(words)
    else:
        line = " ".join(_word(a, shell) for a in argv)
    stdin = getattr(argv, "stdin", None)
    if stdin is None:
        return line
    if shell == POWERSHELL:
        return f"{ps_literal(stdin)} | {line}"
    end = "" if getattr(argv, "exact", False) else "\\n"
    return f"printf '%s{end}' {quote(stdin, shell)} | {line}"


# What every PowerShell batch does first: behave alike on Windows PowerShell 5.1 and PowerShell 7
# (legacy native-argument passing), read the machine and user PATH as they are now (a WinRM
# process keeps the environment it started with, from before docker was installed), and talk
# UTF-8 with docker.exe both ways. Invoke-Step fences each invocation's output and reports an exit
# code even when the program could not be started (127, as sh does).
_POWERSHELL_PRELUDE = """\
$ErrorActionPreference = 'Continue'
$PSNativeCommandArgumentPassing = 'Legacy'
$env:Path = [Environment]::GetEnvironmentVariable('Path', 'Machine') + ';' + [Environment]::GetEnvironmentVariable('Path', 'User')
$OutputEncoding = New-Object System.Text.UTF8Encoding
try { [Console]::OutputEncoding = $OutputEncoding } catch { }
function Invoke-Step([int] $Index, [scriptblock] $Step) {
    "<<<mixedswarm begin $Index>>>"
    $global:LASTEXITCODE = $null
    try { & $Step 2>&1 | ForEach-Object { "$_" } } catch { "$_" }
    $rc = if ($null -eq $global:LASTEXITCODE) { 127 } else { $global:LASTEXITCODE }
    "<<<mixedswarm end $Index rc=$rc>>>"
}"""

# The fixed command a PowerShell connection runs: it decodes the batch from stdin (base64 of
# UTF-8, so no console code page can alter it) and runs it. Ansible's own bootstrap wrapper
# reads its payload the same way: `$input` is stdin under winrm and ssh, and the pipeline
# input under psrp. The batch, and any secret in it, is never part of a command line.
POWERSHELL_LOADER = (
    "try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding } catch { }; "
    "& ([ScriptBlock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String(-join @($input)))))"
)


def powershell_payload(script: str) -> str:
    """What POWERSHELL_LOADER reads on stdin for `script`."""
    return base64.encodebytes(script.encode("utf-8")).decode("ascii")


def batch_script(invocations: list[list[str]], shell: str) -> str:
    """Several invocations as one script; each one's output and exit code are fenced by markers.

    stderr is merged into stdout so error text reaches the controller; JSON lines are told apart
    from messages when parsing.
    """
    if shell == POWERSHELL:
        lines = [_POWERSHELL_PRELUDE]
        for index, argv in enumerate(invocations):
            lines.append(f"Invoke-Step {index} {{ {command_line(argv, shell)} }}")
        lines.append("exit 0")
        return "\n".join(lines)
    if shell == SH:
        parts = []
        for index, argv in enumerate(invocations):
            parts.append(
                f"echo '{_MARK} begin {index}>>>'; {command_line(argv, shell)} 2>&1; "
                f'echo "{_MARK} end {index} rc=$?>>>"'
            )
        return "; ".join(parts)
    raise ValueError(f"unknown shell {shell!r}; valid: {', '.join(SHELLS)}")


@dataclass
class Result:
    """What one docker invocation printed, split into JSON documents and plain text."""

    argv: list[str]
    rc: int
    documents: list = field(default_factory=list)
    text: str = ""

    @property
    def ok(self) -> bool:
        return self.rc == 0


def split_output(lines: list[str]) -> tuple[list, str]:
    """JSON documents (one per line, as `--format '{{json .}}'` prints) and the remaining text."""
    documents, text = [], []
    for line in lines:
        stripped = line.strip()
        if stripped[:1] in ("{", "["):
            try:
                documents.append(json.loads(stripped))
                continue
            except ValueError:
                pass
        if stripped:
            text.append(stripped)
    return documents, "\n".join(text)


def parse_batch_output(stdout: str, invocations: list[list[str]]) -> list[Result]:
    """Results in invocation order. An invocation whose end marker is missing gets rc -1."""
    results: list[Result | None] = [None] * len(invocations)
    current, buffer = None, []
    for line in stdout.replace("\r\n", "\n").split("\n"):
        begin = _BEGIN_RE.match(line)
        if begin:
            current, buffer = int(begin.group(1)), []
            continue
        end = _END_RE.match(line)
        if end and current is not None and int(end.group(1)) == current:
            documents, text = split_output(buffer)
            results[current] = Result(invocations[current], int(end.group(2)), documents, text)
            current = None
            continue
        if current is not None:
            buffer.append(line)
    if current is not None:
        documents, text = split_output(buffer)
        results[current] = Result(invocations[current], -1, documents, text or "output ended early")
    return [
        r if r is not None else Result(invocations[i], -1, [], "did not run") for i, r in enumerate(results)
    ]

"""Build docker CLI scripts for sh and PowerShell and parse what they print.

This is the one place that knows how the two target shells differ. The swarm and service
plugins describe docker invocations as argument lists; a batch of them becomes one sh script, or,
for PowerShell, data for one fixed runner script, run in one round trip over the node's own
Ansible connection (SSH, WinRM or PSRP), and comes back as one result per invocation. Pure
functions: unit-tested without Ansible or a node.
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
    quote,
)

# Markers cannot collide with docker output: docker never prints this prefix.
_MARK = "<<<mixedswarm"
_BEGIN_RE = re.compile(r"^<<<mixedswarm begin (\d+)>>>\s*$")
_END_RE = re.compile(r"^<<<mixedswarm end (\d+) rc=(-?\d+)>>>\s*$")
# What a PowerShell step printed, as base64 of UTF-8 (POWERSHELL_RUNNER).
_DATA_RE = re.compile(r"^<<<mixedswarm data ([A-Za-z0-9+/=]*)>>>\s*$")


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
        return f"$({command_line(arg, shell)})"
    return quote(arg, shell)


def command_line(argv: list[str], shell: str) -> str:
    """One invocation as an sh command line. PowerShell batches carry invocations as data instead
    (powershell_batch): no PowerShell command line is ever built from an argument."""
    if shell != SH:
        raise ValueError(f"no {shell} command line: a PowerShell batch carries its invocations as data")
    line = " ".join(_word(a, shell) for a in argv)
    stdin = getattr(argv, "stdin", None)
    if stdin is None:
        return line
    end = "" if getattr(argv, "exact", False) else "\\n"
    return f"printf '%s{end}' {quote(stdin, shell)} | {line}"


# The one script every PowerShell batch runs: fixed text, whatever the invocations and secrets are
# (Script Block Logging, event 4104, stores only this). Its argument is the batch as data
# (powershell_batch): steps split by ';', fields by ',', each field a tag letter and base64:
# p = program, i = the bytes for its stdin, a = one argument already in Windows command-line form
# (quoting.windows_arg: Go's syscall.EscapeArg rules, which docker.exe's os.Args reverses),
# w = the words another step prints (that step's fields, in base64).
# Each program is started with System.Diagnostics.Process (UseShellExecute off): the Arguments
# string goes to CreateProcess as it is, on .NET Framework 4.x (Windows PowerShell 5.1) and .NET
# (PowerShell 7) alike, so no PowerShell native-argument binder (legacy or standard) sees an
# argument. stdout and stderr are read as UTF-8, both asynchronously (no pipe can fill while stdin
# is written); stdin gets the exact bytes; the exit code is kept (127: not found, 126: could not
# start). What a step printed comes back as base64 of UTF-8, so no console code page can alter it.
# Handling a value uses only .NET methods and operators, never a cmdlet's parameter.
POWERSHELL_RUNNER = r"""param([string] $Batch)
$ErrorActionPreference = 'Stop'
$env:Path = [Environment]::GetEnvironmentVariable('Path', 'Machine') + ';' + [Environment]::GetEnvironmentVariable('Path', 'User')
$Utf8 = New-Object System.Text.UTF8Encoding -ArgumentList $false
try { if ([Console]::InputEncoding.GetPreamble().Length -gt 0) { [Console]::InputEncoding = $Utf8 } } catch { }
function Start-Native([string] $Step) {
    $program = ''
    $stdin = $null
    $words = New-Object System.Collections.Generic.List[string]
    $notes = ''
    foreach ($field in $Step.Split(',')) {
        $bytes = [Convert]::FromBase64String($field.Substring(1))
        $tag = $field.Substring(0, 1)
        if ($tag -ceq 'i') { $stdin = $bytes; continue }
        $text = $Utf8.GetString($bytes)
        if ($tag -ceq 'p') { $program = $text }
        elseif ($tag -ceq 'a') { $words.Add($text) }
        elseif ($tag -ceq 'w') {
            $inner = @(Start-Native $text)[-1]
            $notes += $inner.Err
            foreach ($word in $inner.Out.Split([char[]] " `t`r`n", [StringSplitOptions]::RemoveEmptyEntries)) {
                $words.Add(($word -replace '(\\*)"', '$1$1\"'))
            }
        }
    }
    $found = @(Get-Command -Name $program -CommandType Application -ErrorAction SilentlyContinue)
    if ($found.Count -eq 0) { return @{ Rc = 127; Out = ''; Err = $notes + "${program}: not found on PATH" } }
    $info = New-Object System.Diagnostics.ProcessStartInfo
    $info.FileName = $found[0].Path
    $info.Arguments = [string]::Join(' ', $words.ToArray())
    $info.UseShellExecute = $false
    $info.CreateNoWindow = $true
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.StandardOutputEncoding = $Utf8
    $info.StandardErrorEncoding = $Utf8
    if ($info.PSObject.Properties['StandardInputEncoding']) { $info.StandardInputEncoding = $Utf8 }
    try { $process = [System.Diagnostics.Process]::Start($info) }
    catch { return @{ Rc = 126; Out = ''; Err = $notes + "${program}: $($_.Exception.Message)" } }
    $out = $process.StandardOutput.ReadToEndAsync()
    $err = $process.StandardError.ReadToEndAsync()
    try { if ($null -ne $stdin) { $process.StandardInput.BaseStream.Write($stdin, 0, $stdin.Length) } } catch { }
    try { $process.StandardInput.Close() } catch { }
    $process.WaitForExit()
    return @{ Rc = $process.ExitCode; Out = $out.Result; Err = $notes + $err.Result }
}
$Index = 0
foreach ($step in $Batch.Split(';')) {
    "<<<mixedswarm begin $Index>>>"
    try { $result = @(Start-Native $step)[-1] }
    catch { $result = @{ Rc = 127; Out = ''; Err = "$_" } }
    foreach ($text in @($result.Out, $result.Err)) {
        if ($text) { '<<<mixedswarm data ' + [Convert]::ToBase64String($Utf8.GetBytes($text)) + '>>>' }
    }
    "<<<mixedswarm end $Index rc=$($result.Rc)>>>"
    $Index += 1
}
exit 0
"""

# The fixed command a PowerShell connection runs: it reads the payload from stdin, makes the
# runner's script block from its first part (base64 of UTF-8) and hands it the batch, the second
# part, as a string: data, never code. Ansible's own bootstrap wrapper reads its payload the same
# way: `$input` is stdin under winrm and ssh, and the pipeline input under psrp.
POWERSHELL_LOADER = (
    "$p = (-join @($input)) -split '\\.'; "
    "& ([ScriptBlock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($p[0])))) $p[1]"
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _step_fields(argv) -> str:
    fields = ["p" + _b64(str(argv[0]).encode("utf-8"))]
    stdin = getattr(argv, "stdin", None)
    if stdin is not None:
        fields.append("i" + _b64(stdin.encode("utf-8")))
    for arg in argv[1:]:
        if isinstance(arg, OutputOf):
            fields.append("w" + _b64(_step_fields(arg).encode("ascii")))
        else:
            fields.append("a" + _b64(quote(arg, POWERSHELL).encode("utf-8")))
    return ",".join(fields)


def powershell_batch(invocations: list[list[str]]) -> str:
    """The invocations as the data POWERSHELL_RUNNER reads (ASCII: tags, base64, ',' and ';').

    stdin text is sent as its UTF-8 bytes, exactly: no newline is added and none is translated.
    """
    return ";".join(_step_fields(argv) for argv in invocations)


def powershell_payload(invocations: list[list[str]]) -> str:
    """What POWERSHELL_LOADER reads on stdin: the runner and the batch, in lines of 76 characters."""
    payload = _b64(POWERSHELL_RUNNER.encode("utf-8")) + "." + powershell_batch(invocations)
    return "\n".join(payload[i : i + 76] for i in range(0, len(payload), 76)) + "\n"


def batch_script(invocations: list[list[str]], shell: str) -> str:
    """Several invocations as one sh script; each one's output and exit code are fenced by markers.

    stderr is merged into stdout so error text reaches the controller; JSON lines are told apart
    from messages when parsing. PowerShell gets the fixed POWERSHELL_RUNNER and powershell_batch.
    """
    if shell == SH:
        parts = []
        for index, argv in enumerate(invocations):
            parts.append(
                f"echo '{_MARK} begin {index}>>>'; {command_line(argv, shell)} 2>&1; "
                f'echo "{_MARK} end {index} rc=$?>>>"'
            )
        return "; ".join(parts)
    if shell == POWERSHELL:
        raise ValueError("a PowerShell batch is POWERSHELL_RUNNER with powershell_batch(invocations) as data")
    raise ValueError(f"unknown shell {shell!r}; valid: {', '.join(SHELLS)}")


@dataclass
class Result:
    """What one docker invocation printed, split into JSON documents and plain text."""

    argv: list[str]
    rc: int
    documents: list = field(default_factory=list)
    text: str = ""
    # Everything it printed, in order, before JSON documents and text were told apart.
    output: str = ""

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
            results[current] = Result(
                invocations[current], int(end.group(2)), documents, text, "\n".join(buffer)
            )
            current = None
            continue
        if current is not None:
            data = _DATA_RE.match(line)
            if data:
                text = base64.b64decode(data.group(1)).decode("utf-8", "replace")
                buffer.extend(text.replace("\r\n", "\n").split("\n"))
            else:
                buffer.append(line)
    if current is not None:
        documents, text = split_output(buffer)
        results[current] = Result(invocations[current], -1, documents, text or "output ended early")
    return [
        r if r is not None else Result(invocations[i], -1, [], "did not run") for i, r in enumerate(results)
    ]

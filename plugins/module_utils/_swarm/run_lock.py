"""One run at a time per cluster: the run lock kept on the first manager.

Two runs of the playbooks against one cluster at once (an AWX schedule, CI and a laptop) would
both init, join and create, so every stage that changes nodes first takes a lock: a directory
created on the inventory's first manager (it exists before any swarm does, on Linux and Windows),
holding one line that names its holder (controller host, process, its start time, playbook,
lease). Creating a directory is atomic on both systems (mkdir(2); CreateDirectory fails when it
exists), so exactly one run gets it. A lock whose holder is gone is taken over: the holder's
process no longer runs on this controller, or its lease has expired. The takeover renames the
lock aside and checks that what it renamed is the stale holder it read, putting it back when
another run got there first. This module builds the scripts (sh and PowerShell) and decides; the
action plugin swarm_run_lock runs them. Pure functions.
"""

from __future__ import annotations

import base64
import json
import time

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.quoting import (
    POWERSHELL,
    ps_literal,
    quote,
)

LINUX_LOCK = "/var/lib/mixedswarm/run.lock"
WINDOWS_LOCK = r"C:\ProgramData\mixedswarm\run.lock"
ACQUIRED, HELD, RELEASED, NOT_OURS, TAKEN_OVER, RACED = (
    "acquired",
    "held",
    "released",
    "not-ours",
    "taken-over",
    "raced",
)


def holder_line(host: str, pid: int, started: int, playbook: str, lease: int) -> str:
    """The holder record: one JSON line, compared byte for byte on release and takeover."""
    return json.dumps(
        {"host": host, "pid": pid, "started": started, "playbook": playbook, "expires": started + lease},
        sort_keys=True,
    )


def describe(holder: dict | None) -> str:
    """`run of site.yml by pid 4242 on laptop, started 2026-12-02 16:10:00 UTC` for messages."""
    if not holder:
        return "a run whose record is not written yet (or unreadable)"
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(int(holder.get("started", 0))))
    return (
        f"the run of {holder.get('playbook', '?')} by process {holder.get('pid', '?')} on "
        f"{holder.get('host', '?')}, started {started}"
    )


def parse_holder(text: str) -> dict | None:
    try:
        holder = json.loads(text.strip())
    except ValueError:
        return None
    return holder if isinstance(holder, dict) else None


def stale_reason(holder: dict | None, now: float, local_host: str, process_alive) -> str | None:
    """Why a lock's holder is gone (so the lock may be taken over), or None while it may still run.

    `process_alive(pid, started)` answers for processes of this controller host only; a holder on
    another host is gone only once its lease has expired.
    """
    if holder is None:
        return None  # being written right now, or not ours to judge: wait
    if holder.get("host") == local_host and not process_alive(holder.get("pid"), holder.get("started")):
        return f"its process {holder.get('pid')} no longer runs on {local_host}"
    if now > float(holder.get("expires", 0)):
        return "its lease expired"
    return None


def _sh(script: str, *args: str) -> str:
    return "/bin/sh -c " + quote(script, "sh") + " sh " + " ".join(quote(a, "sh") for a in args)


# Every script prints one status word on its first line, then the holder line when it is relevant.
_SH_ACQUIRE = (
    'lock=$1; mkdir -p "${lock%/*}" || exit 1; '
    'if mkdir "$lock" 2>/dev/null; then printf "%s\\n" "$2" > "$lock/holder"; echo acquired; '
    'else echo held; cat "$lock/holder" 2>/dev/null; fi'
)
_SH_RELEASE = (
    'lock=$1; if [ ! -d "$lock" ]; then echo released; '
    'elif [ "$(cat "$lock/holder" 2>/dev/null)" = "$2" ]; then rm -rf "$lock" && echo released; '
    'else echo not-ours; cat "$lock/holder" 2>/dev/null; fi'
)
_SH_TAKE_OVER = (
    'lock=$1; aside="$lock.stale.$$"; mv "$lock" "$aside" 2>/dev/null || { echo raced; exit 0; }; '
    'if [ "$(cat "$aside/holder" 2>/dev/null)" = "$2" ]; then rm -rf "$aside"; echo taken-over; '
    'else mv "$aside" "$lock" 2>/dev/null; echo raced; fi'
)

_PS_COMMON = "$lock = {lock}; $holder = {holder}; $file = Join-Path $lock 'holder'\n"
_PS_ACQUIRE = (
    "New-Item -ItemType Directory -Force -Path (Split-Path $lock) | Out-Null\n"
    "try { New-Item -ItemType Directory -Path $lock -ErrorAction Stop | Out-Null\n"
    "  [IO.File]::WriteAllText($file, $holder + \"`n\"); 'acquired' }\n"
    "catch { 'held'; if (Test-Path $file) { ([IO.File]::ReadAllText($file)).Trim() } }"
)
_PS_RELEASE = (
    "if (-not (Test-Path $lock)) { 'released' }\n"
    "elseif ((Test-Path $file) -and ([IO.File]::ReadAllText($file)).Trim() -eq $holder) {\n"
    "  Remove-Item -Recurse -Force $lock; 'released' }\n"
    "else { 'not-ours'; if (Test-Path $file) { ([IO.File]::ReadAllText($file)).Trim() } }"
)
_PS_TAKE_OVER = (
    '$aside = "$lock.stale.$PID"\n'
    "try { Rename-Item -Path $lock -NewName (Split-Path -Leaf $aside) -ErrorAction Stop } catch { 'raced'; exit 0 }\n"
    "$seen = if (Test-Path (Join-Path $aside 'holder')) { ([IO.File]::ReadAllText((Join-Path $aside 'holder'))).Trim() }\n"
    "if ($seen -eq $holder) { Remove-Item -Recurse -Force $aside; 'taken-over' }\n"
    "else { Rename-Item -Path $aside -NewName (Split-Path -Leaf $lock) -ErrorAction SilentlyContinue; 'raced' }"
)
_SCRIPTS = {
    "acquire": (_SH_ACQUIRE, _PS_ACQUIRE),
    "release": (_SH_RELEASE, _PS_RELEASE),
    "take_over": (_SH_TAKE_OVER, _PS_TAKE_OVER),
}


def lock_script(step: str, shell: str, holder: str, path: str = "") -> str:
    """The script for `step` (acquire, release, take_over) in the node's shell; `holder` is our line
    (acquire, release) or the stale holder's line as read (take_over); `path` replaces the lock's
    place (tests). A PowerShell script runs through lock_invocation."""
    sh, powershell = _SCRIPTS[step]
    if shell == POWERSHELL:
        return (
            _PS_COMMON.format(lock=ps_literal(path or WINDOWS_LOCK), holder=ps_literal(holder)) + powershell
        )
    return _sh(sh, path or LINUX_LOCK, holder)


def lock_invocation(script: str) -> list[str]:
    """A PowerShell lock script as an invocation the batch runner starts (module_utils._cli.batch):
    powershell.exe with the script as -EncodedCommand (base64 of UTF-16LE, as powershell.exe
    documents it), so no quoting layer sees its text. It holds no secret, only the holder line."""
    encoded = base64.b64encode(script.encode("utf-16-le")).decode("ascii")
    return ["powershell.exe", "-NoProfile", "-NonInteractive", "-EncodedCommand", encoded]


def parse_answer(stdout: str) -> tuple[str, str]:
    """(status word, holder line) from a lock script's output; ('', text) when it printed no status."""
    lines = [line.strip() for line in stdout.splitlines() if line.strip()]
    words = (ACQUIRED, HELD, RELEASED, NOT_OURS, TAKEN_OVER, RACED)
    for index, line in enumerate(lines):
        if line in words:
            return line, (lines[index + 1] if index + 1 < len(lines) else "")
    return "", "\n".join(lines)

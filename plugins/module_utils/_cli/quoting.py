"""One argument of a docker invocation as the target must receive it written.

sh gets POSIX single quotes. On Windows no PowerShell syntax is involved: the argument is written
in Windows command-line form, the text the PowerShell runner (batch.POWERSHELL_RUNNER) hands to
CreateProcess and docker.exe's Go runtime reads back. The few PowerShell scripts the project
writes itself (the run lock, a file hash inside a Windows container) hold their values as
single-quoted literals (ps_literal). Pure functions.
"""

from __future__ import annotations

import re
import shlex
import unicodedata

SH = "sh"
POWERSHELL = "powershell"
SHELLS = (SH, POWERSHELL)

# The characters PowerShell's tokenizer takes as a single quote (CharTraits.IsSingleQuote in
# PowerShell's src/System.Management.Automation/engine/parser/CharTraits.cs, the same in 5.1 and 7):
# each one ends a single-quoted literal unless it is doubled.
_PS_SINGLE_QUOTE_RE = re.compile("(['\u2018\u2019\u201a\u201b])")


def ps_literal(text: str) -> str:
    """A PowerShell single-quoted literal whose value is exactly `text` (no expansion of $ or `)."""
    return "'" + _PS_SINGLE_QUOTE_RE.sub(r"\1\1", text) + "'"


def _dotnet_whitespace(char: str) -> bool:
    """.NET's char.IsWhiteSpace: quoting every such character (Go splits only at space and tab)
    keeps the form safe for any Windows command-line parser."""
    return char in "\t\n\v\f\r\x85" or unicodedata.category(char) in ("Zs", "Zl", "Zp")


def windows_arg(arg: str) -> str:
    """One argument in Windows command-line form (the C runtime and Go's os.Args rules).

    Empty and whitespace-holding arguments are quoted; a `"` and the backslashes before it are
    escaped, and so are trailing backslashes inside quotes. The result holds no whitespace outside
    its quotes. Go's syscall.EscapeArg writes the same (checked against its own test table in
    test_powershell_quoting.py), and Go's os.Args reverses it (os/exec_windows.go).
    """
    arg = str(arg)
    quoted = arg == "" or any(_dotnet_whitespace(c) for c in arg)
    out, slashes = [], 0
    for char in arg:
        if char == "\\":
            slashes += 1
            continue
        if char == '"':
            out.append("\\" * (2 * slashes + 1))
        else:
            out.append("\\" * slashes)
        slashes = 0
        out.append(char)
    out.append("\\" * (2 * slashes if quoted else slashes))
    body = "".join(out)
    return f'"{body}"' if quoted else body


def quote(arg: str, shell: str) -> str:
    """Quote one argument so the target shell passes it to docker unchanged.

    PowerShell: the argument in Windows command-line form, as the runner passes it to
    CreateProcess (never through PowerShell's own argument binder) and docker.exe reads it back.
    """
    if shell == POWERSHELL:
        return windows_arg(arg)
    if shell == SH:
        return shlex.quote(str(arg))
    raise ValueError(f"unknown shell {shell!r}; valid: {', '.join(SHELLS)}")

"""One argument of a docker invocation as sh or PowerShell must write it.

sh gets POSIX single quotes; PowerShell gets a single-quoted literal whose text is what
docker.exe must receive after Windows' command-line parsing. Pure functions.
"""

from __future__ import annotations

import re
import shlex
import unicodedata

SH = "sh"
POWERSHELL = "powershell"
SHELLS = (SH, POWERSHELL)


# The characters PowerShell's tokenizer takes as a single quote (CharTraits.IsSingleQuote): each
# one ends a single-quoted literal unless it is doubled.
_PS_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
_PS_SINGLE_QUOTE_RE = re.compile(f"([{_PS_SINGLE_QUOTES}])")


def ps_literal(text: str) -> str:
    """A PowerShell single-quoted literal whose value is exactly `text` (no expansion of $ or `)."""
    return "'" + _PS_SINGLE_QUOTE_RE.sub(r"\1\1", str(text)) + "'"


def _dotnet_whitespace(char: str) -> bool:
    """.NET's char.IsWhiteSpace, which PowerShell uses to decide whether to quote an argument."""
    return char in "\t\n\v\f\r\x85" or unicodedata.category(char) in ("Zs", "Zl", "Zp")


def windows_arg(arg: str) -> str:
    """One argument in Windows command-line form (the C runtime and Go's os.Args rules).

    Empty and whitespace-holding arguments are quoted; a `"` and the backslashes before it are
    escaped, and so are trailing backslashes inside quotes. The result holds no whitespace outside
    its quotes, so Windows PowerShell's legacy native-argument passing copies it unchanged
    (it adds quotes only around unquoted whitespace, and drops only empty strings).
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

    PowerShell: a literal holding the argument in Windows command-line form, so docker.exe reads
    back the original through PowerShell's legacy argument passing and Go's command-line parsing.
    """
    if shell == POWERSHELL:
        return ps_literal(windows_arg(arg))
    if shell == SH:
        return shlex.quote(str(arg))
    raise ValueError(f"unknown shell {shell!r}; valid: {', '.join(SHELLS)}")

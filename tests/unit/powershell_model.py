"""Stand-ins for what a PowerShell batch becomes on a Windows node, where no PowerShell runs here.

Each stage is modelled after its published rules and checked against published examples in
test_powershell_quoting.py before any test trusts it:

- The loader and the runner (batch.POWERSHELL_LOADER, POWERSHELL_RUNNER): the payload's two parts,
  the runner's steps decoded from the batch data, and how the runner starts a program, read from
  the runner's own syntax tree (tree-sitter-powershell): through System.Diagnostics.Process with
  the Arguments string joined from the data, which CreateProcess receives as it is (.NET
  Framework's and .NET's Process.BuildCommandLine: quoted file name, a space, Arguments).
- PowerShell's native-argument binders, for what the runner no longer uses and the former
  `& 'docker' '...'` batches did (NativeCommandParameterBinder):
  - Windows PowerShell 5.1: an empty argument is dropped; an argument with whitespace outside
    double quotes is wrapped in double quotes, nothing inside escaped, and EVERY `"` counts as a
    quote (the rule that skips `\"` came with PowerShell 6: PR #2182, commit 8bca1f50c5).
  - PowerShell 7 'Legacy': the 6+ NeedQuotes (a `"` after a backslash does not count) and the
    trailing backslashes of a wrapped argument doubled (commit 59311d03e1).
  - PowerShell 7 'Standard' (and 'Windows' for docker.exe, which is not on its list of
    exceptions): the arguments go to ProcessStartInfo.ArgumentList and .NET's PasteArguments.
- PowerShell's tokenizer for the part of the language the former batches used: single-quoted
  literals (any of U+0027, U+2018-U+201B opens and closes one; two in a row stand for the second),
  the call operator `&`, pipes and subexpressions.
- Go's Windows command-line parsing (os.commandLineToArgv / readNextArg), which docker.exe uses:
  space and tab separate, 2n backslashes + `"` give n backslashes and a quote toggle, 2n+1 give n
  and a literal quote, `""` inside quotes gives a literal quote ("prior to 2008" rule).
"""

from __future__ import annotations

import base64
import functools
import re
import unicodedata
from dataclasses import dataclass, field

SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"


class ModelError(ValueError):
    """The script holds something the model does not know, so it cannot say what PowerShell does."""


def _ps_space(char: str) -> bool:
    # PowerShell's tokenizer skips these between tokens (CharTraits: space, tab, form feed, NBSP...).
    return char in " \t\f\v\x85" or unicodedata.category(char) == "Zs"


def _dotnet_whitespace(char: str) -> bool:
    """.NET char.IsWhiteSpace."""
    return char in "\t\n\v\f\r\x85" or unicodedata.category(char) in ("Zs", "Zl", "Zp")


@dataclass
class Command:
    """One pipeline element run with `&`: the program, its arguments (strings, or Command for a
    `( ... )` subexpression), and the literal piped into it, if any."""

    program: str
    args: list = field(default_factory=list)
    stdin: str | None = None


def single_quoted(text: str, pos: int) -> tuple[str, int]:
    """The value of the single-quoted literal starting at text[pos], and the index after it."""
    if text[pos] not in SINGLE_QUOTES:
        raise ModelError(f"no single-quoted literal at {pos}")
    value, i = [], pos + 1
    while i < len(text):
        char = text[i]
        if char in SINGLE_QUOTES:
            if i + 1 < len(text) and text[i + 1] in SINGLE_QUOTES:
                value.append(text[i + 1])
                i += 2
                continue
            return "".join(value), i + 1
        value.append(char)
        i += 1
    raise ModelError("single-quoted literal is not closed")


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and _ps_space(text[i]):
        i += 1
    return i


def _literal_word(text: str, i: int) -> tuple[str, int]:
    value, end = single_quoted(text, i)
    if end < len(text) and not (_ps_space(text[end]) or text[end] in ")}|\n"):
        raise ModelError(f"literal followed by {text[end]!r}: not a plain argument")
    return value, end


def command(text: str, i: int = 0, closing: str = "") -> tuple[Command, int]:
    """Parse `['stdin' |] & 'program' 'arg' ( & ... ) ...` from text[i:] up to `closing` or the end."""
    i = _skip_space(text, i)
    stdin = None
    if i < len(text) and text[i] in SINGLE_QUOTES:
        stdin, i = _literal_word(text, i)
        i = _skip_space(text, i)
        if text[i : i + 1] != "|":
            raise ModelError("a literal statement that is not piped")
        i = _skip_space(text, i + 1)
    if text[i : i + 1] != "&":
        raise ModelError(f"expected the call operator at {i}: {text[i : i + 20]!r}")
    i = _skip_space(text, i + 1)
    program, i = _literal_word(text, i)
    args: list = []
    while True:
        i = _skip_space(text, i)
        if i >= len(text) or text[i] in closing or text[i] == "\n":
            return Command(program, args, stdin), i
        if text[i] == "(":
            inner, i = command(text, i + 1, ")")
            if text[i : i + 1] != ")":
                raise ModelError("subexpression is not closed")
            args.append(inner)
            i += 1
            continue
        value, i = _literal_word(text, i)
        args.append(value)


def need_quotes(arg: str, version: str = "5.1") -> bool:
    """NativeCommandParameterBinder.NeedQuotes: whitespace outside double quotes. Windows PowerShell
    5.1 counts every `"`; PowerShell 6 and later skip one that follows a backslash."""
    need, following_backslash, quotes = False, False, 0
    for char in arg:
        if char == '"' and not (following_backslash and version != "5.1"):
            quotes += 1
        elif _dotnet_whitespace(char) and quotes % 2 == 0:
            need = True
        following_backslash = char == "\\"
    return need


def paste_argument(arg: str) -> str:
    """.NET's PasteArguments.AppendArgument (dotnet/runtime), what ArgumentList becomes."""
    if arg and not any(_dotnet_whitespace(c) or c == '"' for c in arg):
        return arg
    out, i = ['"'], 0
    while i < len(arg):
        char = arg[i]
        i += 1
        if char == "\\":
            slashes = 1
            while i < len(arg) and arg[i] == "\\":
                i += 1
                slashes += 1
            if i == len(arg):
                out.append("\\" * (2 * slashes))
            elif arg[i] == '"':
                out.append("\\" * (2 * slashes + 1) + '"')
                i += 1
            else:
                out.append("\\" * slashes)
            continue
        out.append('\\"' if char == '"' else char)
    out.append('"')
    return "".join(out)


BINDERS = ("5.1", "7-legacy", "7-standard")


def binder_arguments(args: list[str], binder: str) -> str:
    """The argument string a PowerShell binder builds for a native command's string arguments."""
    if binder == "7-standard":
        return " ".join(paste_argument(a) for a in args)
    parts = []
    for arg in args:
        if arg == "":
            continue
        if need_quotes(arg, "5.1" if binder == "5.1" else "7"):
            tail = len(arg) - len(arg.rstrip("\\")) if binder == "7-legacy" else 0
            parts.append('"' + arg + "\\" * tail + '"')
        else:
            parts.append(arg)
    return " ".join(parts)


def legacy_arguments(args: list[str], double_trailing_backslashes: bool = False) -> str:
    """Legacy passing: Windows PowerShell 5.1, or PowerShell 7 'Legacy' with double_trailing_backslashes."""
    return binder_arguments(args, "7-legacy" if double_trailing_backslashes else "5.1")


def go_argv(command_line: str) -> list[str]:
    """Go's os.Args from a Windows command line (os/exec_windows.go commandLineToArgv)."""
    args, i, n = [], 0, len(command_line)
    while i < n:
        if command_line[i] in " \t":
            i += 1
            continue
        arg, inquote, slashes = [], False, 0
        while i < n:
            char = command_line[i]
            if char in " \t" and not inquote:
                break
            if char == "\\":
                slashes += 1
                i += 1
                continue
            if char == '"':
                arg.append("\\" * (slashes // 2))
                if slashes % 2 == 0:
                    if inquote and i + 1 < n and command_line[i + 1] == '"':
                        arg.append('"')
                        i += 1
                    inquote = not inquote
                else:
                    arg.append('"')
                slashes = 0
                i += 1
                continue
            arg.append("\\" * slashes + char)
            slashes = 0
            i += 1
        arg.append("\\" * slashes)
        args.append("".join(arg))
    return args


def received(cmd: Command, binder: str = "5.1") -> list[str]:
    """The argv docker.exe (argv[0] excluded) receives for a `& 'docker' ...` command (the former
    batches) through one of PowerShell's binders."""
    if binder is True or binder is False:
        binder = "7-legacy" if binder else "5.1"
    if any(isinstance(a, Command) for a in cmd.args):
        raise ModelError("the words of a subexpression are only known on the node")
    return go_argv('"docker.exe" ' + binder_arguments(cmd.args, binder))[1:]


# --- the loader and the runner ------------------------------------------------------------------

DOCKER_PATH = "C:\\Program Files\\Docker\\docker.exe"


@dataclass
class Step:
    """One step of the runner's batch: the program, its arguments (each in Windows command-line
    form, or a Step whose printed words stand there) and the bytes for its stdin."""

    program: str
    args: list = field(default_factory=list)
    stdin: bytes | None = None


def payload_parts(stdin: str) -> tuple[str, str]:
    """The runner's text and the batch string, as the loader takes them from what it reads:
    `-join @($input)` (the lines joined), `-split '\\.'`, base64 of UTF-8 for the first part."""
    parts = "".join(stdin.splitlines()).split(".")
    if len(parts) != 2:
        raise ModelError(f"the loader would find {len(parts)} parts, not the runner and its batch")
    return base64.b64decode(parts[0], validate=True).decode("utf-8"), parts[1]


def _step(fields: str) -> Step:
    step = Step("")
    for item in fields.split(","):
        tag, data = item[:1], base64.b64decode(item[1:], validate=True)
        if tag == "i":
            step.stdin = data
        elif tag == "p":
            step.program = data.decode("utf-8")
        elif tag == "a":
            step.args.append(data.decode("utf-8"))
        elif tag == "w":
            step.args.append(_step(data.decode("ascii")))
        else:
            raise ModelError(f"the runner ignores a field tagged {tag!r}")
    return step


def runner_steps(batch: str) -> list[Step]:
    """The steps the runner's `$Batch.Split(';')` and Start-Native decode."""
    return [_step(fields) for fields in batch.split(";")]


@functools.lru_cache(maxsize=8)
def runner_launch(runner: str):
    """How the runner starts a program, read from its syntax tree: returns the word-escaping the
    runner applies to another step's printed words (its `-replace` operands), after checking that
    the only way it starts a program is Process.Start with Arguments = the joined words, and that
    no command it calls is a native program (so no PowerShell binder is ever reached)."""
    tree = syntax_tree(runner)
    names = {n.children[0].text.decode() for n in nodes_of(tree, "command")}
    if not names <= {"New-Object", "Get-Command", "Start-Native"}:
        raise ModelError(f"the runner calls commands the model does not know: {sorted(names)}")
    values = assignments(tree)
    arguments = [v.text.decode() for v in values.get("$info.Arguments", [])]
    if arguments != ["[string]::Join(' ', $words.ToArray())"]:
        raise ModelError(f"the runner builds Arguments the model does not know: {arguments}")
    if [v.text.decode() for v in values.get("$info.UseShellExecute", [])] != ["$false"]:
        raise ModelError("the runner leaves UseShellExecute on")
    if "[System.Diagnostics.Process]::Start($info)" not in runner:
        raise ModelError("the runner starts no process")
    (replace,) = [
        n
        for n in nodes_of(tree, "comparison_expression")
        if any(c.type == "comparison_operator" and c.text == b"-replace" for c in n.children)
    ]
    pattern, replacement = (single_quoted(s.text.decode(), 0)[0] for s in nodes_of(replace, "string_literal"))
    python_replacement = re.sub(r"\$(\d)", r"\\\1", replacement.replace("\\", "\\\\"))
    return lambda word: re.sub(pattern, python_replacement, word)


def command_line_of(step: Step, escape_word, printed=lambda step: "") -> str:
    """The command line CreateProcess gets for a step: the resolved path, quoted, then Arguments.
    `printed(step)` stands for what a nested step prints on the node."""
    words = []
    for arg in step.args:
        if isinstance(arg, Step):
            words += [escape_word(w) for w in re.split(r"[ \t\r\n]+", printed(arg)) if w]
        else:
            words.append(arg)
    return f'"{DOCKER_PATH}" ' + " ".join(words)


def launched(step: Step, runner: str, printed=lambda step: "") -> list[str]:
    """The argv docker.exe (argv[0] excluded) receives from the runner, under any PowerShell:
    runner_launch shows no binder is reached, so only Go's parsing of the command line remains."""
    return go_argv(command_line_of(step, runner_launch(runner), printed))[1:]


# PowerShell reads these as the ASCII characters they resemble (CharTraits: IsSingleQuote,
# IsDoubleQuote, IsDash); tree-sitter-powershell knows only the ASCII ones, so they are mapped
# before parsing, and a literal a typographic quote would end early fails to parse here too.
_PS_EQUIVALENTS = str.maketrans(
    {
        **dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b"), "'"),
        **dict.fromkeys(map(ord, "\u201c\u201d\u201e"), '"'),
        **dict.fromkeys(map(ord, "\u2013\u2014\u2015"), "-"),
    }
)


def syntax_tree(script: str):
    """The root node tree-sitter-powershell gives for a script."""
    import tree_sitter_powershell
    from tree_sitter import Language, Parser

    parser = Parser(Language(tree_sitter_powershell.language()))
    return parser.parse(script.translate(_PS_EQUIVALENTS).encode("utf-8")).root_node


def nodes_of(root, kind: str) -> list:
    """Every node of one type under root, in source order."""
    found, stack = [], [root]
    while stack:
        node = stack.pop()
        if node.type == kind:
            found.append(node)
        stack.extend(reversed(node.children))
    return found


def assignments(root) -> dict[str, list]:
    """Assigned variable (as written) -> the value subtrees assigned to it."""
    values: dict[str, list] = {}
    for node in nodes_of(root, "assignment_expression"):
        target = node.children[0].text.decode()
        values.setdefault(target, []).append(node.children[-1])
    return values


def grammar_problems(script: str) -> list[str]:
    """ERROR and MISSING nodes tree-sitter-powershell finds in a script, with their text."""
    problems, stack = [], [syntax_tree(script)]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            kind = "MISSING" if node.is_missing else "ERROR"
            problems.append(f"{kind} at line {node.start_point[0] + 1}: {node.text.decode()[:80]!r}")
            continue
        stack.extend(node.children)
    return problems


def on_node(invocations: list, printed=lambda step: "") -> list[tuple[Step, list[str]]]:
    """Each invocation of a PowerShell batch as the node runs it: its decoded step and the argv
    docker.exe receives (argv[0] excluded), through the payload, the loader and the runner."""
    from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import powershell_payload

    runner, batch = payload_parts(powershell_payload(invocations))
    return [(step, launched(step, runner, printed)) for step in runner_steps(batch)]

"""Stand-ins for what a PowerShell batch becomes on a Windows node, where no PowerShell runs here.

Each stage is modelled after its published rules and checked against published examples in
test_powershell_transport.py before any test trusts it:

- PowerShell's tokenizer for the part of the language the batches use for data: single-quoted
  literals (any of U+0027, U+2018-U+201B opens and closes one; two in a row stand for the second),
  the call operator `&`, pipes, script blocks and subexpressions.
- Windows PowerShell 5.1's legacy native-argument passing (NativeCommandParameterBinder): every
  argument is converted to a string; an empty one is dropped; one with whitespace outside
  unescaped double quotes (NeedQuotes) is wrapped in double quotes, with nothing inside escaped.
  PowerShell 7's 'Legacy' mode also doubles the trailing backslashes of a wrapped argument.
- Go's Windows command-line parsing (os.commandLineToArgv / readNextArg), which docker.exe uses:
  space and tab separate, 2n backslashes + `"` give n backslashes and a quote toggle, 2n+1 give n
  and a literal quote, `""` inside quotes gives a literal quote ("prior to 2008" rule).
"""

from __future__ import annotations

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


def batch_steps(script: str) -> list[Command]:
    """The commands of a batch's `Invoke-Step N { ... }` statements, in order."""
    steps, marker, i = [], "\nInvoke-Step ", 0
    while True:
        start = script.find(marker, i)
        if start < 0:
            return steps
        i = start + len(marker)
        number_end = script.index(" ", i)
        if int(script[i:number_end]) != len(steps) or script[number_end : number_end + 2] != " {":
            raise ModelError(f"unexpected step header at {start}")
        step, i = command(script, number_end + 2, "}")
        if script[i : i + 1] != "}":
            raise ModelError("step block is not closed")
        steps.append(step)


def need_quotes(arg: str) -> bool:
    """PowerShell's NativeCommandParameterBinder.NeedQuotes."""
    need, following_backslash, quotes = False, False, 0
    for char in arg:
        if char == '"' and not following_backslash:
            quotes += 1
        elif _dotnet_whitespace(char) and quotes % 2 == 0:
            need = True
        following_backslash = char == "\\"
    return need


def legacy_arguments(args: list[str], double_trailing_backslashes: bool = False) -> str:
    """The argument string legacy native-argument passing builds: Windows PowerShell 5.1, or
    PowerShell 7 'Legacy' with double_trailing_backslashes."""
    parts = []
    for arg in args:
        if arg == "":
            continue
        if need_quotes(arg):
            tail = len(arg) - len(arg.rstrip("\\")) if double_trailing_backslashes else 0
            parts.append('"' + arg + "\\" * tail + '"')
        else:
            parts.append(arg)
    return " ".join(parts)


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


def received(cmd: Command, ps7: bool = False) -> list[str]:
    """The argv docker.exe (argv[0] included) receives for a command without subexpressions."""
    if any(isinstance(a, Command) for a in cmd.args):
        raise ModelError("the words of a subexpression are only known on the node")
    line = '"docker.exe" ' + legacy_arguments(cmd.args, double_trailing_backslashes=ps7)
    return go_argv(line)[1:]


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

"""What every definition check shares: problems that name the object and the field, the typing
of keys by their argument spec, the name and state checks every definition gets first, and user
words for values.

A problem reads "KIND 'NAME', field 'FIELD': what is wrong and what would be valid"; FIELD is the
full path of a nested field (update_config.delay, env.CONFIG). All problems of all definitions
are collected before anything is applied. Pure functions; types are converted by Ansible's own
converters (ansible.module_utils), so a definition reads as the same value given as a module option.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping

from ansible.module_utils.common.parameters import DEFAULT_TYPE_VALIDATORS

# What a value of each option type must be, in user words.
TYPE_RULES = {
    "str": "a string",
    "path": "a path (a string)",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "list": "a list",
    "dict": "a mapping",
}


class DefinitionErrors(list):
    """Problems found in definitions, each naming the object and the field."""

    def add(self, kind: str, name: str, field: str, message: str) -> None:
        self.append(f"{kind} {name!r}, field {field!r}: {message}")


def type_word(value) -> str:
    """What a user calls the kind of a value (never Python's or Ansible's internal type names)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple | set):
        return "a list"
    return "a value of unknown kind"


def shown(value) -> str:
    """A value as the user wrote it: its kind and its YAML/JSON text, e.g. 'a mapping {"a": 1}'."""
    if value is None:
        return type_word(value)
    try:
        text = json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        text = str(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{type_word(value)} {text}"


def closest(word, valid) -> str:
    """' (did you mean X?)' when a valid name is close to the misspelt one, else ''."""
    matches = difflib.get_close_matches(str(word), sorted(valid), n=1, cutoff=0.75)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def unknown_key_problems(mapping: Mapping, valid) -> list[tuple[str, str]]:
    """(key, message) for each key of mapping that is not valid, with the closest valid key."""
    return [
        (str(key), f"unknown key{closest(key, valid)}; valid keys: {', '.join(sorted(valid))}")
        for key in sorted(set(mapping) - set(valid), key=str)
    ]


_REFUSED = object()  # a value that could not be typed, or whose problem was reported


def _converted(value, kind: str):
    """value as Ansible converts it to an option of this type, or _REFUSED."""
    # Ansible would make a null an empty string and a mapping or list its Python text for a str;
    # refuse to guess instead.
    if value is None or (kind in ("str", "path") and isinstance(value, Mapping | list)):
        return _REFUSED
    try:
        return DEFAULT_TYPE_VALIDATORS[kind](value)
    except (TypeError, ValueError):
        return _REFUSED


def typed_value(value, option: dict):
    """value converted as Ansible converts a module option of this spec ("3" to 3 for an int, "yes"
    to True for a bool, 3 to "3" for a str) and checked against its choices; ValueError says what
    would be valid."""
    kind, choices = option.get("type", "str"), option.get("choices")
    typed = _converted(value, kind)
    if choices and typed not in choices:
        given = value if typed is _REFUSED else typed
        raise ValueError(f"{shown(given)}; valid: {', '.join(choices)}{closest(given, choices)}")
    if typed is _REFUSED:
        raise ValueError(f"must be {TYPE_RULES[kind]}, got {shown(value)}")
    return typed


def _typed(value, option: dict, field: str, fail):
    if value is None and not option.get("required") and option.get("default") is None:
        return None  # Ansible leaves such a null alone
    try:
        value = typed_value(value, option)
    except ValueError as exc:
        fail(field, str(exc))
        return _REFUSED
    if "elements" not in option:
        return typed_values(value, option["options"], fail, f"{field}.") if "options" in option else value
    # Each element by its type, and a dict element by the options (a list of dicts with options).
    element = {"type": option["elements"], **({"options": option["options"]} if "options" in option else {})}
    items = [_typed(item, element, f"{field}[{i}]", fail) for i, item in enumerate(value)]
    return _REFUSED if any(item is _REFUSED for item in items) else items


def typed_values(mapping: Mapping, options: dict, fail, path: str = "") -> dict:
    """The keys of mapping typed by their argument spec (typed_value; list elements and the options
    of a dict too), so a definition reads as Ansible reads module options. Unknown keys and values
    Ansible cannot convert are problems, each named by its full path (path is the prefix, e.g.
    'update_config.'), and are left out."""
    for key, message in unknown_key_problems(mapping, options):
        fail(f"{path}{key}", message)
    typed = {
        key: _typed(mapping[key], option, f"{path}{key}", fail)
        for key, option in options.items()
        if key in mapping
    }
    return {key: value for key, value in typed.items() if value is not _REFUSED}


class DefinitionCheck:
    """What every definition is checked for first: its keys typed by their argument spec
    (typed_values, kept in `values`), a valid name, a valid state.

    `fail(field, message)` records a problem of this definition; `failed` says whether any was.
    """

    def __init__(self, kind: str, definition: dict, options: dict, name_re, name_rule: str, errors):
        self.kind, self.errors, self._start = kind, errors, len(errors)
        given_name = definition.get("name")
        self.label = str(given_name) if given_name is not None else "(no name)"
        self.values = typed_values(definition, options, self.fail)
        self.name = self.values.get("name")
        self.name_ok = isinstance(self.name, str) and bool(name_re.match(self.name))
        refused_name = "name" in definition and "name" not in self.values  # typed_values said why
        if not self.name_ok and not refused_name:
            # Missing or empty is "required"; a name given but malformed is "invalid".
            given = isinstance(self.name, str) and self.name != ""
            self.fail("name", f"{'invalid' if given else 'required'}; {name_rule}")
        self.state = self.values.get("state", "present")

    def fail(self, field: str, message: str) -> None:
        self.errors.add(self.kind, self.label, field, message)

    @property
    def failed(self) -> bool:
        return len(self.errors) > self._start


def errors_message(what: str, errors: list[str]) -> str:
    """One failure message listing every problem, stating that nothing was changed."""
    return f"{len(errors)} problem(s) in the {what}; nothing was changed:\n- " + "\n- ".join(errors)

"""What every definition check shares: problems that name the object and the field, the checks
of keys, name and state every definition gets first, and user words for values.

A problem reads "KIND 'NAME', field 'FIELD': what is wrong and what would be valid"; FIELD is the
full path of a nested field (update_config.delay, env.CONFIG). All problems of all definitions
are collected before anything is applied. Pure functions, no Ansible.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping


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


class DefinitionCheck:
    """What every definition is checked for first: only known keys, a valid name, a valid state.

    `fail(field, message)` records a problem of this definition; `failed` says whether any was.
    """

    def __init__(self, kind: str, definition: dict, known_keys, name_re, name_rule: str, errors):
        self.kind, self.errors, self._start = kind, errors, len(errors)
        self.name = definition.get("name")
        self.label = str(self.name) if self.name is not None else "(no name)"
        for key, message in unknown_key_problems(definition, known_keys):
            self.fail(key, message)
        self.name_ok = isinstance(self.name, str) and bool(name_re.match(self.name))
        if not self.name_ok:
            self.fail("name", f"required; {name_rule}")
        self.state = definition.get("state", "present")
        if self.state not in ("present", "absent"):
            self.fail("state", f"{shown(self.state)}; valid: present, absent")

    def fail(self, field: str, message: str) -> None:
        self.errors.add(self.kind, self.label, field, message)

    @property
    def failed(self) -> bool:
        return len(self.errors) > self._start


def errors_message(what: str, errors: list[str]) -> str:
    """One failure message listing every problem, stating that nothing was changed."""
    return f"{len(errors)} problem(s) in the {what}; nothing was changed:\n- " + "\n- ".join(errors)

"""Scalars as docker stores them: the text of an env value, a service label or a node label.

YAML gives booleans and numbers; docker keeps strings, and `true` (not `True`) is what a user
wrote. Pure functions.
"""

from __future__ import annotations


def scalar_text(value) -> str | None:
    """A scalar as its YAML text, the way docker stores env and label values; None if not a scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, str | int | float):
        return str(value)
    return None

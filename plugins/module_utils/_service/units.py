"""Durations, sizes, CPU counts and resource mappings as users write them, in the engine's units.

Go durations ("10s", "1m30s") become nanoseconds, sizes ("512M", "1g") bytes, CPU counts
("0.5") nano-CPUs, like the docker CLI parses them. A bad value raises ValueError whose text
says what would be valid. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import closest, shown

_DURATION_PART_RE = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_DURATION_UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "ms": 1_000_000,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}
_MEMORY_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$", re.IGNORECASE)
_MEMORY_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}

DURATION_RULE = "a duration such as 10s, 1m30s or 500ms"
SIZE_RULE = "a size such as 512M or 1G"
CPUS_RULE = "a number of CPUs such as 0.5"
RESOURCE_KEYS = ("cpus", "memory")


def parse_duration(value) -> int:
    """Nanoseconds from a Go duration ("10s", "1m30s", "500ms") or a number of seconds."""
    if isinstance(value, bool):
        raise ValueError(DURATION_RULE)
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a duration >= 0")
        return int(value * 10**9)
    text = str(value).strip()
    if text == "0":
        return 0
    parts = _DURATION_PART_RE.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(DURATION_RULE)
    return int(sum(float(n) * _DURATION_UNITS[u] for n, u in parts))


def format_duration(nanoseconds: int) -> str:
    """The shortest exact Go duration for a number of nanoseconds (what the CLI flags accept)."""
    for unit, size in (("h", 3600 * 10**9), ("m", 60 * 10**9), ("s", 10**9), ("ms", 10**6)):
        if nanoseconds and nanoseconds % size == 0:
            return f"{nanoseconds // size}{unit}"
    return f"{nanoseconds}ns" if nanoseconds else "0s"


def parse_memory(value) -> int:
    """Bytes from 512M, 1g, 256MiB or a plain number of bytes (binary units, like the docker CLI)."""
    if isinstance(value, bool):
        raise ValueError(SIZE_RULE)
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a size >= 0")
        return value
    if not isinstance(value, str | float):
        raise ValueError(SIZE_RULE)
    match = _MEMORY_RE.match(str(value).strip())
    if not match:
        raise ValueError(SIZE_RULE)
    number, unit, _suffix = match.groups()
    return int(float(number) * _MEMORY_UNITS[unit.lower()])


def parse_cpus(value) -> int:
    """Nano-CPUs from a number of CPUs (0.5, "1.5")."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(CPUS_RULE)
    try:
        nano_cpus = round(float(value) * 10**9)
    except ValueError:
        raise ValueError(CPUS_RULE) from None
    if nano_cpus < 0:
        raise ValueError("a number of CPUs >= 0")
    return nano_cpus


def resources(value, field: str, fail) -> dict:
    """{cpus: nano-CPUs, memory: bytes} from {cpus: 0.5, memory: 256M}; shared by services and compose files."""
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        fail(field, f"a mapping with cpus (e.g. 0.5) and/or memory (e.g. 256M), got {shown(value)}")
        return {"cpus": 0, "memory": 0}
    for key in sorted(set(value) - set(RESOURCE_KEYS), key=str):
        fail(
            f"{field}.{key}",
            f"unknown key{closest(key, RESOURCE_KEYS)}; valid keys: {', '.join(RESOURCE_KEYS)}",
        )
    parsed = {"cpus": 0, "memory": 0}
    for key, parse in (("cpus", parse_cpus), ("memory", parse_memory)):
        if key in value:
            try:
                parsed[key] = parse(value[key])
            except ValueError as exc:
                fail(f"{field}.{key}", f"must be {exc}, got {shown(value[key])}")
    return parsed

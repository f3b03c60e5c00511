"""Published ports as users write them (80, '8080:80', '53:53/udp' or a mapping). Pure functions."""

from __future__ import annotations

import re

PUBLISH_MODES = ("ingress", "host")
PROTOCOLS = ("tcp", "udp", "sctp")
PORT_KEYS = ("published", "target", "protocol", "mode")
_PORT_SHORT_RE = re.compile(r"^(\d+)(?::(\d+))?(?:/([a-z]+))?$")


def parse_port(item, default_mode: str) -> dict:
    """One published port: 80, '8080:80', '8080:80/udp' or a dict (published, target, protocol, mode)."""
    if isinstance(item, bool):
        raise ValueError("a port such as 80, '8080:80', '53:53/udp' or {published: 8080, target: 80}")
    if isinstance(item, int):
        port = {"published": item, "target": item, "protocol": "tcp", "mode": default_mode}
    elif isinstance(item, str):
        match = _PORT_SHORT_RE.match(item.strip())
        if not match:
            raise ValueError(f"{item!r} is not PUBLISHED[:TARGET][/PROTOCOL], e.g. '8080:80' or '53:53/udp'")
        published, target, protocol = match.groups()
        port = {
            "published": int(published),
            "target": int(target or published),
            "protocol": protocol or "tcp",
            "mode": default_mode,
        }
    elif isinstance(item, dict):
        unknown = set(item) - set(PORT_KEYS)
        if unknown:
            raise ValueError(f"unknown key(s) {sorted(map(str, unknown))}; valid: {', '.join(PORT_KEYS)}")
        try:
            port = {
                "published": int(item["published"]),
                "target": int(item.get("target", item["published"])),
                "protocol": str(item.get("protocol", "tcp")).lower(),
                "mode": str(item.get("mode", default_mode)).lower(),
            }
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{item!r} needs integer 'published' (and optional 'target')") from None
    else:
        raise ValueError(f"{item!r} is not a port")
    for key in ("published", "target"):
        if not 1 <= port[key] <= 65535:
            raise ValueError(f"{key} port {port[key]} is outside 1-65535")
    if port["protocol"] not in PROTOCOLS:
        raise ValueError(f"protocol {port['protocol']!r}; valid: {', '.join(PROTOCOLS)}")
    if port["mode"] not in PUBLISH_MODES:
        raise ValueError(f"mode {port['mode']!r}; valid: {', '.join(PUBLISH_MODES)}")
    return port


def port_sort_key(port: dict):
    return (port["target"], port["protocol"], port["published"], port["mode"])

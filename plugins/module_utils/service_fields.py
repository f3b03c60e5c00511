"""The comparable form of a service ("spec") that both sides produce.

service_definition.py builds it from what a user declares, service_spec.py from
`docker service inspect`; both use the engine defaults and the image naming here, so the two
compare field by field. Pure functions.
"""

from __future__ import annotations

# Spec fields in the order they are compared and shown.
FIELDS = (
    "image",
    "mode",
    "replicas",
    "args",
    "entrypoint",
    "env",
    "ports",
    "networks",
    "endpoint_mode",
    "labels",
    "constraints",
    "placement_preferences",
    "limits",
    "reservations",
    "update_config",
    "rollback_config",
)

# What `docker service create` sets when no update/rollback flag is given (Docker 20.10 and later),
# so a key removed from a definition goes back to the engine's default instead of staying put.
UPDATE_DEFAULTS = {
    "parallelism": 1,
    "delay": 0,
    "failure_action": "pause",
    "monitor": 5_000_000_000,
    "max_failure_ratio": 0.0,
    "order": "stop-first",
}


def normalise_image(image: str) -> str:
    """Compare images without digest and with the implicit :latest tag made explicit."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else name + ":latest"

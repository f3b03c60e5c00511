"""The comparable form of a service ("spec") that both sides produce.

definition.py builds it from what a user declares, spec.py from
`docker service inspect`; both use the engine defaults and the image naming here, so the two
compare field by field. Pure functions.
"""

from __future__ import annotations

import re

from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.task_options import TASK_FIELDS

# Spec fields in the order they are compared and shown.
FIELDS = (
    "image",
    "mode",
    "replicas",
    "max_concurrent",
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
    *TASK_FIELDS,
    "secrets",
    "configs",
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


# Registries address image manifests by sha256 digest; the OCI image spec ("Digests") requires its
# encoded part to be 64 lower-case hex digits. Only that form is accepted.
_DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
DIGEST_EXAMPLES = "nginx@sha256:<64 hex> or nginx:1.27@sha256:<64 hex>"


def has_digest(image: str) -> bool:
    return "@" in image


def image_digest_problem(image: str) -> str | None:
    """What is wrong with the digest part of an image reference (after '@'); None when it is fine or absent."""
    if not has_digest(image):
        return None
    name, digest = image.split("@", 1)
    if not name:
        return f"{image!r} has no image name before '@'; valid: {DIGEST_EXAMPLES}"
    if not _DIGEST_RE.match(digest):
        return (
            f"digest {digest!r} is not valid; valid: sha256: followed by 64 lower-case hex digits, "
            f"as in {DIGEST_EXAMPLES}"
        )
    return None


def normalise_image(image: str, keep_digest: bool) -> str:
    """An image as it is compared and deployed.

    keep_digest: for a definition that gives a digest, the reference is kept exactly as written (the
    engine stores such a reference unchanged: moby daemon/cluster/services.go, imageWithDigestString,
    asks the registry only for a reference without a digest). Otherwise the digest the engine pinned when it
    resolved the tag is dropped and the implicit :latest tag is made explicit.
    """
    if keep_digest and has_digest(image):
        return image
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else name + ":latest"

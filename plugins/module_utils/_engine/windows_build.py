"""Windows builds: which one a node runs, which one an image needs. Pure functions.

With process isolation (the default on Windows Server) a container shares the host's kernel, so
its image must be built for the host's Windows build: an ltsc2022 image runs on Windows Server 2022
(build 20348) and nowhere else (Microsoft, "Windows container version compatibility"). Each Windows
node carries the owned label BUILD_LABEL with the build its engine reports; a service whose image tag
names a release is checked against those labels before anything changes.
"""

from __future__ import annotations

import re

BUILD_LABEL = "os.build"

# Image tag words that name a Windows release (as Microsoft tags its base images) -> (build, release).
RELEASES = {
    "ltsc2016": ("14393", "Windows Server 2016"),
    "1607": ("14393", "Windows Server 2016"),
    "1709": ("16299", "Windows Server 1709"),
    "1803": ("17134", "Windows Server 1803"),
    "ltsc2019": ("17763", "Windows Server 2019"),
    "1809": ("17763", "Windows Server 2019"),
    "1903": ("18362", "Windows Server 1903"),
    "1909": ("18363", "Windows Server 1909"),
    "2004": ("19041", "Windows Server 2004"),
    "20h2": ("19042", "Windows Server 20H2"),
    "ltsc2022": ("20348", "Windows Server 2022"),
    "ltsc2025": ("26100", "Windows Server 2025"),
}

_KERNEL_RE = re.compile(r"^\d+\.\d+ (\d{5,})")
_OS_BUILD_RE = re.compile(r"OS Build (\d{5,})")
_VERSION_RE = re.compile(r"^10\.0\.(\d{5,})(?:\.\d+)?$")


def engine_build(info: dict) -> str:
    """The build a Windows engine reports in `docker info` (KernelVersion `10.0 20348 (...)`, else
    OperatingSystem `... (OS Build 20348.2340)`); '' for other engines."""
    if info.get("OSType") != "windows":
        return ""
    kernel = _KERNEL_RE.match(info.get("KernelVersion") or "")
    if kernel:
        return kernel.group(1)
    os_build = _OS_BUILD_RE.search(info.get("OperatingSystem") or "")
    return os_build.group(1) if os_build else ""


def version_build(version) -> str:
    """The build in a Windows version string such as Azure's `10.0.20348.2340`; '' otherwise."""
    match = _VERSION_RE.match(str(version or ""))
    return match.group(1) if match else ""


def image_release(image: str) -> tuple[str, str] | None:
    """(build, release) the image's tag names (`...:ltsc2022`, `...:aspnetapp-windowsservercore-ltsc2022`),
    or None when the tag names no Windows release."""
    reference = image.split("@", 1)[0]
    name, tag = reference.rpartition(":")[::2]
    if not name or "/" in tag:
        return None
    for word in re.split(r"[-_.]", tag.lower()):
        if word in RELEASES:
            return RELEASES[word]
    return None


def build_problems_and_constraint(
    image: str, match: bool, node_builds: set[str]
) -> tuple[list[str], str | None]:
    """(problems, placement constraint) for a Windows service's image on nodes of `node_builds`.

    Refused: an image for a build no node runs; an image for one build on a swarm of several builds
    unless `match` (then constrained to the nodes of that build); `match` without a release in the tag.
    """
    release = image_release(image)
    if release is None:
        if match:
            known = ", ".join(sorted(RELEASES))
            return [f"windows_build: match needs an image tag that names a Windows release ({known})"], None
        return [], None
    build, name = release
    if not node_builds:
        return [], f"node.labels.{BUILD_LABEL}=={build}" if match else None
    listing = ", ".join(sorted(node_builds))
    if build not in node_builds:
        return [
            f"the image is for {name} (build {build}) but the Windows nodes run build(s) {listing}; with "
            "process isolation a container needs its host's build: use the image tag for the nodes' release"
        ], None
    if match:
        return [], f"node.labels.{BUILD_LABEL}=={build}"
    if len(node_builds) > 1:
        return [
            f"the image is for {name} (build {build}) and the Windows nodes run builds {listing}; set "
            "windows_build: match to place it only on the nodes of that build"
        ], None
    return [], None

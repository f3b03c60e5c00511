"""Windows builds: which one a node runs, which one an image needs. Pure functions.

With process isolation (the default on Windows Server) a container shares the host's kernel, so
its image must be built for the host's Windows build, except where Microsoft's compatibility matrix
allows more (Windows Server 2022 images on Windows Server 2025 hosts); with Hyper-V isolation an
older image runs on a newer host (runs_on). Each Windows
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


# Which image builds a host build runs, after Microsoft's "Windows container version compatibility"
# matrix (learn.microsoft.com/virtualization/windowscontainers/deploy-containers/version-compatibility):
# - process isolation (the default on Windows Server) needs the host's own build ("Windows Server
#   containers are blocked from starting when the build number between the container host and the
#   container image are different"), with one documented exception: the Windows Server 2025 table
#   marks Windows Server 2022 images as supported with process isolation;
# - Hyper-V isolation runs an image of the host's build or an older one ("Older containers will run
#   the same on newer hosts with Hyper-V isolation ... a container based on a newer Windows build
#   can only run on the newer host build").
PROCESS_FORWARD = {"20348": {"26100"}}  # image build -> newer host builds that run it process-isolated
ISOLATIONS = ("default", "process", "hyperv")


def runs_on(image_build: str, host_build: str, isolation: str = "default") -> bool:
    """Whether a host of host_build runs an image of image_build with this isolation ("default" is
    process isolation, the default of Windows Server)."""
    if isolation == "hyperv":
        return int(image_build) <= int(host_build)
    return host_build == image_build or host_build in PROCESS_FORWARD.get(image_build, set())


def build_problems_and_constraint(
    image: str, match: bool, node_builds: set[str], isolation: str = "default"
) -> tuple[list[str], list[str]]:
    """(problems, placement constraints) for a Windows service's image on nodes of `node_builds`.

    Refused: an image no node's build runs with this isolation; an image some nodes cannot run unless
    `match` (then constrained to the nodes that can); `match` without a release in the tag.
    """
    release = image_release(image)
    if release is None:
        if match:
            known = ", ".join(sorted(RELEASES))
            return [f"windows_build: match needs an image tag that names a Windows release ({known})"], []
        return [], []
    build, name = release
    mode = "Hyper-V isolation" if isolation == "hyperv" else "process isolation"
    if not node_builds:
        return [], [f"node.labels.{BUILD_LABEL}=={build}"] if match else []
    listing = ", ".join(sorted(node_builds))
    runnable = {b for b in node_builds if runs_on(build, b, isolation)}
    if not runnable:
        advice = "use the image tag for the nodes' release"
        if isolation != "hyperv" and any(runs_on(build, b, "hyperv") for b in node_builds):
            advice += ", or isolation: hyperv (it runs older images on newer hosts)"
        return [
            f"the image is for {name} (build {build}) but the Windows nodes run build(s) {listing}; with "
            f"{mode} a container needs its host's build (or, with Hyper-V isolation, an older one): {advice}"
        ], []
    others = node_builds - runnable
    if match:
        if len(runnable) == 1:
            return [], [f"node.labels.{BUILD_LABEL}=={next(iter(runnable))}"]
        return [], [f"node.labels.{BUILD_LABEL}!={b}" for b in sorted(others)]
    if others:
        return [
            f"the image is for {name} (build {build}) and the Windows nodes run builds {listing}, of which "
            f"{', '.join(sorted(others))} cannot run it with {mode}; set windows_build: match to place it only on "
            "the nodes that can"
        ], []
    return [], []

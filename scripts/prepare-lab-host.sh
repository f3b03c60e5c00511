#!/usr/bin/env bash
# Makes this machine ready to run labs and the whole test suite. On Debian/Ubuntu as root it
# installs what is missing and starts a Docker Engine; anywhere else it says what to do.
set -euo pipefail

# Every host program that the lab, the tests or a scenario runs on this machine and that a fresh
# Debian/Ubuntu may lack: "program package who needs it". tests/unit/test_host_programs.py fails
# when a test or scenario runs a host program (or copies a host file) that this list, Debian's
# essential packages or the project's .venv do not provide.
HOST_PROGRAMS=(
  "dockerd docker.io the lab nodes' engine (make lab, tests/lab, every molecule scenario)"
  "docker docker.io the lab role, tests/lab/harness.py, molecule verify steps"
  "iptables iptables dockerd's bridge and NAT rules for the lab network"
  "debootstrap debootstrap the lab node image (roles/lab/tasks/image.yml)"
  "ssh openssh-client Ansible's connection to lab nodes"
  "ssh-keygen openssh-client the lab's SSH key (community.crypto.openssh_keypair)"
  "chromium chromium the cluster report rendered by a real browser (tests/lab/test_operator_view.py)"
)

engine_answers() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

missing=()
for entry in "${HOST_PROGRAMS[@]}"; do
  read -r program package _ <<<"$entry"
  # An engine that already answers (Docker CE, a remote socket) serves as docker.io does.
  [[ $package == docker.io ]] && engine_answers && continue
  command -v "$program" >/dev/null 2>&1 && continue
  [[ " ${missing[*]} " == *" $package "* ]] || missing+=("$package")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    cat >&2 <<MSG
This machine lacks what the lab needs: ${missing[*]}.
The lab runs its nodes as containers on a local Docker Engine and builds their image with
debootstrap. On Debian/Ubuntu: sudo apt-get install ${missing[*]} (or Docker CE from
docs.docker.com), start the engine (sudo systemctl start docker), make sure your user may use
it (docker info), then run the command again. As root on Debian/Ubuntu, make does all this itself.
MSG
    exit 1
  fi
  echo "Installing ${missing[*]} ..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

engine_answers && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "No Docker Engine answers (docker info failed): start it (sudo systemctl start docker) and make sure your user may use it." >&2
  exit 1
fi
if [[ -d /run/systemd/system ]]; then
  systemctl start docker
else
  # No systemd (containers, CI sandboxes): run the daemon in the background, detached,
  # and leave its PID where whoever asked for it can stop it again (.ci/run does).
  setsid nohup dockerd >/var/log/dockerd.log 2>&1 </dev/null &
  echo $! >"${DOCKERD_PIDFILE:-/run/mixedswarm-dockerd.pid}"
fi

for _ in $(seq 1 60); do
  engine_answers && exit 0
  sleep 1
done
echo "Docker Engine did not answer within 60 s; see /var/log/dockerd.log or 'journalctl -u docker'." >&2
exit 1

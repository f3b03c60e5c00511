#!/usr/bin/env bash
# Makes this machine ready to run labs: a Docker Engine that answers, debootstrap (builds the
# lab node image) and an SSH client (Ansible reaches the nodes over SSH). On Debian/Ubuntu as
# root it installs what is missing (Debian's docker.io for the engine) and starts the engine;
# anywhere else it says what to do.
set -euo pipefail

engine_answers() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

missing=()
command -v dockerd >/dev/null 2>&1 || engine_answers || missing+=(docker.io iptables)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)

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

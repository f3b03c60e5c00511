#!/usr/bin/env bash
# Makes sure a Docker Engine answers on this machine. On Debian/Ubuntu as root it installs
# Debian's docker.io and starts the engine; anywhere else it explains what to do.
set -euo pipefail

engine_answers() { docker info >/dev/null 2>&1; }

if command -v docker >/dev/null 2>&1 && engine_answers; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  cat >&2 <<'MSG'
No Docker Engine answers here (`docker info` failed).
The lab runs its nodes as containers on a local Docker Engine. Install one, e.g. on
Debian/Ubuntu `sudo apt-get install docker.io` (or Docker CE from docs.docker.com),
start it (`sudo systemctl start docker`), make sure your user may use it (`docker info`),
then run the command again. Run as root on Debian/Ubuntu, `make` installs and starts it itself.
MSG
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "Installing Docker Engine (Debian package docker.io)..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io iptables >/dev/null
fi

if [[ -d /run/systemd/system ]]; then
  systemctl start docker
else
  # No systemd (containers, CI sandboxes): run the daemon in the background, detached,
  # and leave its PID where whoever asked for it can stop it again (.ci/run does).
  setsid nohup dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
  echo $! > "${DOCKERD_PIDFILE:-/run/mixedswarm-dockerd.pid}"
fi

for _ in $(seq 1 60); do
  engine_answers && exit 0
  sleep 1
done
echo "Docker Engine did not answer within 60 s; see /var/log/dockerd.log or 'journalctl -u docker'." >&2
exit 1

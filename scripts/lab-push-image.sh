#!/usr/bin/env bash
# Push an image built on this machine into a lab's registry, so lab services pull it as a
# real cluster would: scripts/lab-push-image.sh IMAGE[:TAG] [LAB_NAME]
# Prints the reference the lab nodes use (e.g. 172.29.213.5:5000/web:1.0).
set -euo pipefail
image=${1:?usage: $0 IMAGE[:TAG] [LAB_NAME]}
lab=${2:-default}
inventory="$(dirname "$0")/../.lab/$lab/inventory.yml"
[[ -f $inventory ]] || { echo "No lab '$lab' ($inventory missing): run playbooks/lab.yml first." >&2; exit 1; }

read_var() { sed -n "s/^ *$1: *//p" "$inventory" | head -n 1; }
push_to=$(read_var lab_registry_push)
pull_from=$(read_var lab_registry)
[[ -n $push_to && -n $pull_from ]] || { echo "Lab '$lab' has no registry (lab_registry_enabled=false)." >&2; exit 1; }

name=${image##*/}
[[ $name == *:* ]] || name="$name:latest"
docker tag "$image" "$push_to/$name"
docker push --quiet "$push_to/$name" >/dev/null
docker rmi "$push_to/$name" >/dev/null
echo "$pull_from/$name"

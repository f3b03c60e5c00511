#!/usr/bin/env bash
# Runs ansible-test on the collection as it ships, e.g. `scripts/ansible-test.sh sanity --venv`.
# ansible-test works only inside ansible_collections/NAMESPACE/NAME, resolves symlinks and, inside
# a git work tree, sees only what git tracks; so the collection is built (galaxy.yml's
# build_ignore leaves the development files out; tests/sanity and tests/config.yml ship) and
# unpacked into such a tree in a temporary directory, removed afterwards.
# ansible-test downloads a pip bootstrap script from a host that may be unreachable; an offline
# stand-in (scripts/get_pip_offline.py) is saved at the path it looks in first.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$repo/.venv/bin

requirements=$("$bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')/_internal/python_requirements.py
pip_version=$(sed -n "s/^ *pip='\([0-9.]*\)',\$/\1/p" "$requirements")
if [[ -z $pip_version ]]; then
  echo "cannot find the pip version ansible-test bootstraps in $requirements" >&2
  exit 1
fi
bootstrap=~/.ansible/test/cache/get_pip_${pip_version//./_}.py
mkdir -p "$(dirname "$bootstrap")"
[[ -e $bootstrap ]] || cp "$repo/scripts/get_pip_offline.py" "$bootstrap"

top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
tree=$top/ansible_collections/mixedswarm/swarm
mkdir -p "$tree"
"$bin/ansible-galaxy" collection build --output-path "$top" "$repo" >/dev/null
tar -C "$tree" -xzf "$top"/mixedswarm-swarm-*.tar.gz

cd "$tree"
"$bin/ansible-test" "$@"

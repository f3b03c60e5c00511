#!/usr/bin/env bash
# Runs ansible-test (sanity, units) on this repository, e.g. `scripts/ansible-test.sh sanity`.
# ansible-test works only inside ansible_collections/NAMESPACE/NAME, resolves symlinks and, inside
# a git work tree, sees only what git tracks there; so the collection's files (those git tracks or
# would track) are copied to such a tree in a temporary directory, removed afterwards.
# It downloads a pip bootstrap script from a host that may be unreachable; an offline stand-in
# (scripts/get_pip_offline.py) is saved at the path it looks in first.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$repo/.venv/bin
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
tree=$top/ansible_collections/mixedswarm/swarm

requirements=$("$bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')/_internal/python_requirements.py
pip_version=$(sed -n "s/^ *pip='\([0-9.]*\)',\$/\1/p" "$requirements")
if [[ -z $pip_version ]]; then
  echo "cannot find the pip version ansible-test bootstraps in $requirements" >&2
  exit 1
fi
bootstrap=~/.ansible/test/cache/get_pip_${pip_version//./_}.py
mkdir -p "$(dirname "$bootstrap")"
[[ -e $bootstrap ]] || cp "$repo/scripts/get_pip_offline.py" "$bootstrap"

mkdir -p "$tree"
cd "$repo"
git ls-files -z --cached --others --exclude-standard -- . ':!collections' |
  while IFS= read -r -d '' file; do [[ -e $file ]] && printf '%s\0' "$file"; done |
  tar --null -T - -cf - | tar -C "$tree" -xf -

cd "$tree"
"$bin/ansible-test" "$@"

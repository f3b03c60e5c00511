#!/usr/bin/env bash
# The pytest part of `make test`, in two processes side by side: tests/lab (one shared lab serves
# its modules in turn, then a fresh one; mostly waiting on their nodes) and everything else (unit
# tests, the collection test, the scenarios, each with labs of its own names and subnets). Every
# line is prefixed with its half; the script fails when either half fails. Arguments go to both.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=${PYTEST:-.venv/bin/pytest}

"$PYTEST" tests/lab "$@" 2>&1 | sed -u 's/^/[lab] /' &
lab=$!
"$PYTEST" --ignore=tests/lab tests "$@" 2>&1 | sed -u 's/^/[rest] /'
rest=$?
wait "$lab"
lab_rc=$?
echo "tests/lab: exit ${lab_rc}; the rest: exit ${rest}"
exit $((rest != 0 ? rest : lab_rc))

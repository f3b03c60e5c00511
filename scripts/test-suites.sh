#!/usr/bin/env bash
# The pytest part of `make test`, in two processes side by side: tests/lab (one shared lab serves
# its modules in turn, then a fresh one; mostly waiting on their nodes) and everything else (unit
# tests, the collection test, the scenarios, each with labs of its own names and subnets). Every
# line is prefixed with its half; the script fails when either half fails. Arguments go to both.
# The halves' lines interleave and CI keeps only the end of the output, so each half is also
# written to .cache/test-<half>.log and their failures and counts are printed again last.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=${PYTEST:-.venv/bin/pytest}
mkdir -p .cache

"$PYTEST" tests/lab "$@" 2>&1 | tee .cache/test-lab.log | sed -u 's/^/[lab] /' &
lab=$!
"$PYTEST" --ignore=tests/lab tests "$@" 2>&1 | tee .cache/test-rest.log | sed -u 's/^/[rest] /'
rest=$?
wait "$lab"
lab_rc=$?
for half in lab rest; do
  echo "== ${half}: failures and counts (.cache/test-${half}.log)"
  grep -E '^(FAILED|ERROR) |^=+ .*(passed|failed|error).* =+$' ".cache/test-${half}.log"
done
echo "tests/lab: exit ${lab_rc}; the rest: exit ${rest}"
exit $((rest != 0 ? rest : lab_rc))

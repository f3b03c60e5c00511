"""Mutation testing of the decision modules with cosmic-ray (`make mutation`, docs/testing.md).

The modules, the unit tests that exercise each and the operators left out are read from
pyproject.toml, [tool.mixedswarm.mutation]: the one list to update when a file moves. Each module
gets its own cosmic-ray session under .cache/mutation; one mutant at a time is written into the
module in place, its unit tests run, and the original is put back. Arguments name the modules to
run (as listed there); none runs them all. Prints each module's score and every surviving mutant.
"""

import ast
import json
import subprocess
import sys
import tomllib
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

REPO = Path(__file__).resolve().parent.parent
SESSIONS = REPO / ".cache" / "mutation"
TEST_TIMEOUT_SECONDS = 120
# Plugins the unit tests do not need; hypothesis's alone takes most of pytest's start-up, paid once
# per mutant.
PYTEST_PLUGINS_OFF = [
    "-p",
    "no:cacheprovider",
    "-p",
    "no:hypothesispytest",
    "-p",
    "no:testinfra",
    "-p",
    "no:anyio",
]


def settings() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mixedswarm"]["mutation"]


def session_config(module: str, tests: list[str], excluded_operators: list[str]) -> str:
    """A cosmic-ray configuration (TOML; JSON strings are valid TOML strings)."""
    test_command = " ".join([sys.executable, "-m", "pytest", "-x", "-q", *PYTEST_PLUGINS_OFF, *tests])
    return "\n".join(
        [
            "[cosmic-ray]",
            f"module-path = {json.dumps(module)}",
            f"timeout = {TEST_TIMEOUT_SECONDS}",
            "excluded-modules = []",
            f"test-command = {json.dumps(test_command)}",
            "[cosmic-ray.distributor]",
            'name = "local"',
            "[cosmic-ray.filters.operators-filter]",
            f"exclude-operators = {json.dumps(excluded_operators)}",
            "",
        ]
    )


def annotation_spans(module: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(start, end) positions of the module's annotations; cosmic-ray counts columns from 0, as ast does."""
    spans = []
    for node in ast.walk(ast.parse((REPO / module).read_text())):
        for annotation in (getattr(node, "annotation", None), getattr(node, "returns", None)):
            if annotation is not None:
                spans.append(
                    (
                        (annotation.lineno, annotation.col_offset),
                        (annotation.end_lineno, annotation.end_col_offset),
                    )
                )
    return spans


def skip_annotation_mutants(module: str, database: Path) -> None:
    """Every module starts with `from __future__ import annotations`: a mutated annotation is never
    evaluated, so such a mutant (`str | None` made `str + None`) is equivalent and not run."""
    spans = annotation_spans(module)
    with use_db(str(database), WorkDB.Mode.open) as db:
        for item in db.pending_work_items:
            start = tuple(item.mutations[0].start_pos)
            if any(first <= start < last for first, last in spans):
                db.set_result(
                    item.job_id, WorkResult(output="annotation", worker_outcome=WorkerOutcome.SKIPPED)
                )


def run_session(module: str, tests: list[str], excluded_operators: list[str]) -> Path:
    SESSIONS.mkdir(parents=True, exist_ok=True)
    config = SESSIONS / f"{Path(module).stem}.toml"
    database = SESSIONS / f"{Path(module).stem}.sqlite"
    config.write_text(session_config(module, tests, excluded_operators))
    database.unlink(missing_ok=True)
    cosmic_ray = Path(sys.executable).parent / "cosmic-ray"
    filter_operators = Path(sys.executable).parent / "cr-filter-operators"
    subprocess.run([cosmic_ray, "init", config, database], cwd=REPO, check=True)
    subprocess.run([filter_operators, database, config], cwd=REPO, check=True)
    skip_annotation_mutants(module, database)
    subprocess.run([cosmic_ray, "exec", config, database], cwd=REPO, check=True)
    return database


def changed_lines(diff: str) -> str:
    """The removed and added lines of a mutant's diff, e.g. `- if k in current: / + if k not in current:`."""
    lines = diff.splitlines()
    removed = [line[1:].strip() for line in lines if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in lines if line.startswith("+") and not line.startswith("+++")]
    return f"- {' | '.join(removed)}  / + {' | '.join(added)}"


def summary(module: str, database: Path) -> tuple[str, list[str]]:
    """The module's score line and one line per surviving mutant. A mutant whose tests fail, time out
    or cannot start counts as killed."""
    killed, tested, survivors = 0, 0, []
    with use_db(str(database), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            tested += 1
            if result.test_outcome == TestOutcome.SURVIVED:
                mutation = item.mutations[0]
                survivors.append(
                    f"  {module}:{mutation.start_pos[0]} {mutation.operator_name}: {changed_lines(result.diff)}"
                )
            else:
                killed += 1
    score = 100 * killed / tested if tested else 100.0
    return f"{module}: {killed}/{tested} mutants killed ({score:.1f}%)", survivors


def main(requested: list[str]) -> int:
    config = settings()
    modules = config["modules"]
    unknown = [module for module in requested if module not in modules]
    if unknown:
        print(f"not in [tool.mixedswarm.mutation.modules]: {', '.join(unknown)}", file=sys.stderr)
        return 2
    reports = []
    for module in requested or modules:
        database = run_session(module, modules[module], config["excluded-operators"])
        reports.append(summary(module, database))
    for score, survivors in reports:
        print(score, *survivors, sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

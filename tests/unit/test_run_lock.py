"""The run lock (module_utils._swarm.run_lock): its sh scripts run for real against a temporary
folder, its PowerShell scripts parse with PowerShell's grammar, and the takeover rules decide as
docs/operations.md says."""

from __future__ import annotations

import base64
import json
import os
import subprocess

import pytest
from powershell_model import grammar_problems

from ansible_collections.mixedswarm.swarm.plugins.action.swarm_run_lock import process_alive, process_started
from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.quoting import POWERSHELL, SH
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm import run_lock

A = run_lock.holder_line("laptop", 4242, 1796227200, "site.yml", 14400)
B = run_lock.holder_line("ci", 77, 1796227260, "site.yml", 14400)


def sh(step, holder, path):
    out = subprocess.run(
        run_lock.lock_script(step, SH, holder, str(path)), shell=True, capture_output=True, text=True
    )
    return run_lock.parse_answer(out.stdout)


def test_of_two_runs_one_gets_the_lock_the_other_sees_who_holds_it(tmp_path):
    lock = tmp_path / "mixedswarm" / "run.lock"
    assert sh("acquire", A, lock) == ("acquired", "")
    assert sh("acquire", B, lock) == ("held", A)
    assert sh("release", B, lock) == ("not-ours", A)  # only its holder releases it
    assert sh("release", A, lock) == ("released", "")
    assert not lock.exists()
    assert sh("acquire", B, lock) == ("acquired", "")


def test_a_stale_lock_is_taken_over_only_if_it_is_still_the_stale_holders(tmp_path):
    lock = tmp_path / "run.lock"
    sh("acquire", A, lock)
    # B read A's record, but C took over and holds the lock now: B's takeover puts C's back.
    assert sh("take_over", B, lock) == ("raced", "")
    assert (lock / "holder").read_text().strip() == A
    assert sh("take_over", A, lock) == ("taken-over", "")
    assert not lock.exists() and list(tmp_path.iterdir()) == []
    assert sh("take_over", A, lock) == ("raced", "")  # nothing left to take over


def test_the_powershell_scripts_parse_and_carry_the_holder_as_a_literal():
    for step in ("acquire", "release", "take_over"):
        script = run_lock.lock_script(step, POWERSHELL, A)
        assert grammar_problems(script) == [], step
        assert "$holder = '" + A + "'" in script
        argv = run_lock.lock_invocation(script)
        assert argv[:-1] == ["powershell.exe", "-NoProfile", "-NonInteractive", "-EncodedCommand"]
        assert base64.b64decode(argv[-1]).decode("utf-16-le") == script


def test_a_typographic_quote_in_the_holder_stays_inside_its_literal():
    holder = A.replace("site.yml", "\u2019site'.yml")
    script = run_lock.lock_script("acquire", POWERSHELL, holder)
    assert grammar_problems(script) == []
    assert "$holder = '" + holder.replace("'", "''").replace("\u2019", "\u2019\u2019") + "'" in script


def test_a_holder_is_gone_when_its_process_is_gone_here_or_its_lease_expired():
    holder = run_lock.parse_holder(A)
    alive, dead = (lambda pid, started: True), (lambda pid, started: False)
    assert run_lock.stale_reason(holder, 1796227300, "laptop", alive) is None
    assert (
        run_lock.stale_reason(holder, 1796227300, "laptop", dead)
        == "its process 4242 no longer runs on laptop"
    )
    # Another controller cannot see the process: only the lease counts.
    assert run_lock.stale_reason(holder, 1796227300, "ci", dead) is None
    assert run_lock.stale_reason(holder, 1796227200 + 14401, "ci", alive) == "its lease expired"
    assert run_lock.stale_reason(None, 1796227200 + 99999, "ci", dead) is None  # record not written yet: wait
    assert (
        run_lock.describe(holder)
        == "the run of site.yml by process 4242 on laptop, started 2026-12-02 16:00:00 UTC"
    )


def test_a_process_is_alive_only_with_its_own_start_time():
    me = os.getpid()
    started = process_started(me)
    assert started is not None and process_alive(me, started)
    assert not process_alive(me, started - 3600)  # the pid reused by another process
    child = subprocess.Popen(["true"])
    child.wait()
    assert process_started(child.pid) is None and not process_alive(child.pid, started)


@pytest.mark.parametrize("out", ["", "sh: mkdir: Permission denied\n"])
def test_a_script_that_printed_no_status_is_reported_with_what_it_printed(out):
    assert run_lock.parse_answer(out) == ("", out.strip())


def test_the_record_names_host_process_start_playbook_and_lease():
    assert json.loads(A) == {
        "host": "laptop",
        "pid": 4242,
        "started": 1796227200,
        "playbook": "site.yml",
        "expires": 1796241600,
    }


def test_the_playbook_is_named_without_the_inventory_or_extra_vars():
    from ansible_collections.mixedswarm.swarm.plugins.action.swarm_run_lock import playbook_name

    argv = [
        "-i",
        "inv/hosts.yml",
        "--check",
        "playbooks/site.yml",
        "-e",
        "@vars.yml",
        "--limit=w1",
        "-e",
        "a=b",
    ]
    assert playbook_name(argv) == "site.yml"
    assert playbook_name(["--inventory", "x.yml"]) == "a playbook"


def test_the_holder_record_is_one_fixed_json_line_and_anything_else_is_no_holder():
    # Compared byte for byte on release and takeover: the same fields always in the same order.
    assert A == (
        '{"expires": 1796241600, "host": "laptop", "pid": 4242, "playbook": "site.yml", "started": 1796227200}'
    )
    assert run_lock.parse_holder("not json") is None and run_lock.parse_holder("[1, 2]") is None


def test_the_status_word_is_found_after_other_output_and_the_holder_is_the_line_after_it():
    assert run_lock.parse_answer(f"a warning\nheld\n{B}\n") == ("held", B)
    assert run_lock.parse_answer("noise\nreleased\n") == ("released", "")


def test_a_lease_ends_after_its_last_second_and_a_record_without_one_counts_as_expired():
    holder = run_lock.parse_holder(A)
    alive = lambda pid, started: True  # noqa: E731
    assert run_lock.stale_reason(holder, holder["expires"], "ci", alive) is None
    assert run_lock.stale_reason({"host": "ci", "pid": 1}, 1, "laptop", alive) == "its lease expired"


def test_the_powershell_lock_is_under_programdata_unless_a_path_is_given():
    assert f"$lock = '{run_lock.WINDOWS_LOCK}'" in run_lock.lock_script("acquire", POWERSHELL, A)
    assert "$lock = 'D:\\locks\\x'" in run_lock.lock_script("acquire", POWERSHELL, A, "D:\\locks\\x")

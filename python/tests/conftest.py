"""Shared fixtures: the checkout's root, the built program, and runs of it.

SYNDIC_PROG names the `syndic` program built from the same checkout (make
test-python sets it); the tests compare the package's results with its.
The session ends with the line "N passed, N failed" that make check sums.
"""
import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def prog():
    p = os.environ.get("SYNDIC_PROG", os.path.join(ROOT, "build", "syndic"))
    if not os.path.exists(p):
        pytest.fail("the syndic program is missing (%s): run make test-python" % p)
    return p


def run_prog(prog, *args, input=None):
    """Runs the program from the checkout's root; returns its standard output."""
    r = subprocess.run([prog, *args], cwd=ROOT, capture_output=True, input=input)
    assert r.returncode in (0, 1), r.stderr.decode()
    return r.stdout.decode("utf-8")


def run_lines(prog, *args):
    return [json.loads(line) for line in run_prog(prog, *args).splitlines()]


@pytest.fixture(scope="session")
def gen_dedup():
    p = os.path.join(ROOT, "build", "bench", "gen_dedup")
    if not os.path.exists(p):
        pytest.fail("build/bench/gen_dedup is missing: run make test-python")
    return p


def pytest_terminal_summary(terminalreporter):
    st = terminalreporter.stats
    passed = len(st.get("passed", []))
    failed = len(st.get("failed", [])) + len(st.get("error", []))
    terminalreporter.write_line("%d passed, %d failed" % (passed, failed))

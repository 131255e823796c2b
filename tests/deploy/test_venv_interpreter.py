"""`make venv` builds the venv from what scripts/pick_python.sh prints: an interpreter the
project runs on (3.11 or newer, able to make a venv), the distribution's when it qualifies."""

from __future__ import annotations

import pathlib
import subprocess

import pytest

from tests import harness

SCRIPT = harness.ROOT / "scripts" / "pick_python.sh"
DISTRIBUTION_PYTHON = pathlib.Path("/usr/bin/python3")
CAN_MAKE_A_VENV = "import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))"


def _picked() -> str:
    done = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=30, check=True)
    lines = done.stdout.splitlines()
    assert len(lines) == 1, f"one interpreter, nothing else, on stdout: {done.stdout!r}"
    return lines[0]


def test_the_picked_interpreter_is_one_the_project_runs_on():
    picked = _picked()
    assert subprocess.run([picked, "-c", CAN_MAKE_A_VENV], timeout=30).returncode == 0, picked


def test_the_distribution_interpreter_is_preferred_when_it_qualifies():
    if not DISTRIBUTION_PYTHON.exists() or subprocess.run(
            [str(DISTRIBUTION_PYTHON), "-c", CAN_MAKE_A_VENV], timeout=30).returncode != 0:
        pytest.skip("no distribution python3 that can make a venv on this machine")
    assert _picked() == str(DISTRIBUTION_PYTHON)


def _venv_recipe(*make_args: str) -> str:
    """The command `make venv` would make the venv with (a dry run, as if pyproject.toml changed)."""
    done = subprocess.run(["make", "-n", "-W", "pyproject.toml", "venv", *make_args], cwd=harness.ROOT,
                          capture_output=True, text=True, timeout=60, check=True)
    return next(line for line in done.stdout.splitlines() if " -m venv " in line)


def test_make_venv_uses_the_picked_interpreter_unless_told_another():
    assert _venv_recipe().endswith(f"|| {_picked()} -m venv .venv")
    assert _venv_recipe("PYTHON=/opt/other/python3").endswith("|| /opt/other/python3 -m venv .venv")

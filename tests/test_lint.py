"""Lint and types run with the tests, so `.ci/run` (the README's test command) checks both.

ruff and mypy read their settings from pyproject.toml: ruff over the package, the tests and
the benchmarks; mypy strict on ``model``, ``parse``, ``ical``, ``vtimezone`` and ``filters``, the
rest checked with ``check_untyped_defs``. Both are in the ``test`` extras.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    """The tool beside this interpreter (the venv's), else on PATH; skip when it is not installed."""
    beside = Path(sys.executable).with_name(name)
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]' installs it)")
    return found


def test_ruff_finds_nothing() -> None:
    proc = subprocess.run([_tool("ruff"), "check", "--no-cache", "--output-format", "concise",
                           "calsync", "tests", "bench"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_finds_nothing() -> None:
    proc = subprocess.run([_tool("mypy"), "--no-error-summary"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr

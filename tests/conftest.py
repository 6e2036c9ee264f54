"""Shared test helpers: paths, the reference date, and the icscheck runner."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
PAGES = FIXTURES / "pages"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
ICSCHECK = SHARED / "tools" / "icscheck" / "icscheck"

#: Reference date for year inference in tests: fixed, so no test depends on the clock.
TODAY = date(2026, 11, 23)


def page_text(name: str) -> str:
    """A fixture page's text."""
    return (PAGES / name).read_text(encoding="utf-8")


def run_icscheck(target: str | Path) -> dict:
    """Run icscheck on a file or URL and return its JSON report; skip when it is not there."""
    if not ICSCHECK.exists():
        pytest.skip(f"icscheck not available ({ICSCHECK} missing: ../shared/ exists only in CI)")
    proc = subprocess.run(
        [str(ICSCHECK), str(target), "--json"], capture_output=True, text=True, timeout=300
    )
    if proc.returncode == 2:
        pytest.fail(f"icscheck could not run: {proc.stderr[-2000:]}")
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"icscheck printed no JSON: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
    report["_exit"] = proc.returncode
    return report

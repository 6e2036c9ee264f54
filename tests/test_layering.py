"""Layering: one owner per rule, and commands that need no database do not load the store."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import calsync
from calsync.config import Config, FetchConfig, load_config
from calsync.fetch import FetchPolicy

ROOT = Path(calsync.__file__).resolve().parents[1]
PAGE = ROOT / "tests" / "fixtures" / "pages" / "icml_basic.txt"


def test_parse_command_does_not_import_the_store() -> None:
    """``calsync parse`` runs without SQLAlchemy (nor the store, the refresher or Flask)."""
    script = (
        "import sys\n"
        "from calsync.cli import main\n"
        f"code = main(['parse', {str(PAGE)!r}, '--year', '2023'])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'flask')\n"
        "                or m in ('calsync.store', 'calsync.refresh', 'calsync.web', 'calsync.service'))\n"
        "print('exit', code, 'loaded', *loaded, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.lstrip().startswith("{")  # the schedule's JSON
    assert done.stderr.splitlines()[-1] == "exit 0 loaded", done.stderr


def test_fetch_settings_have_one_owner() -> None:
    """FetchPolicy's defaults are FetchConfig's, and from_config carries every setting it uses."""
    assert FetchPolicy.from_config(FetchConfig(), allow_hosts=()) == FetchPolicy()
    changed = FetchConfig(connect_timeout_seconds=1, read_timeout_seconds=2, total_timeout_seconds=3, max_bytes=4,
                          max_redirects=0, retries=0, backoff_seconds=0.125)
    policy = FetchPolicy.from_config(changed, allow_hosts=())
    assert (policy.connect_timeout, policy.read_timeout, policy.total_timeout, policy.max_bytes, policy.max_redirects,
            policy.retries, policy.backoff) == (1.0, 2.0, 3.0, 4, 0, 0, 0.125)
    assert {f.name for f in fields(FetchConfig)} - {f.name for f in fields(FetchPolicy)} >= {"backoff_seconds"}


def test_backoff_setting_from_file_and_environment(tmp_path: Path) -> None:
    from calsync.sources import fetch_policy

    assert Config().fetch.backoff_seconds == 0.5
    path = tmp_path / "c.toml"
    path.write_text("[fetch]\nbackoff_seconds = 0\n", encoding="utf-8")
    assert fetch_policy(load_config(path, environ={})).backoff == 0.0
    config = load_config(path, environ={"CALSYNC_FETCH_BACKOFF_SECONDS": "0.05"})
    assert config.fetch.backoff_seconds == 0.05 and fetch_policy(config).backoff == 0.05


def test_compatibility_names() -> None:
    """Names that moved stay importable from their old homes."""
    from calsync import clock, feedspec, service, sources
    from calsync.refresh import fetch_policy, is_url, page_options
    from calsync.store import FeedSpec

    assert FeedSpec is feedspec.FeedSpec and service.utcnow is clock.utcnow
    assert (fetch_policy, is_url, page_options) == (sources.fetch_policy, sources.is_url, sources.page_options)

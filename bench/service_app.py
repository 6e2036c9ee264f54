"""The calsync app for ``bench_service.py``: ``create_app`` over a prepared SQLite file.

    CALSYNC_BENCH_DB=/tmp/x/bench.db gunicorn --pythonpath bench 'service_app:create_app()'

The database path comes from ``$CALSYNC_BENCH_DB``. Every other setting is
calsync's default (``Config()``: ``limits.cache_check_seconds`` = 2, abstracts on…),
except ``sample=False`` so that the bundled sample is not added to the bench
database, and no refresh scheduler (``refresh.interval_minutes = 0``; by default
its first run would come after an hour, outside any bench run, but a bench must
not fetch anything). No config file or other ``CALSYNC_*`` variable is read, so
the figures do not depend on the environment of whoever runs them.
"""

from __future__ import annotations

import os
from dataclasses import replace

from flask import Flask

from calsync.config import Config
from calsync.web import create_app as calsync_create_app

DB_ENV = "CALSYNC_BENCH_DB"


def bench_config(path: str) -> Config:
    """calsync's default configuration over the SQLite file ``path``."""
    config = Config(database_url=f"sqlite:///{os.path.abspath(path)}", sample=False)
    if hasattr(config, "refresh"):
        config = replace(config, refresh=replace(config.refresh, interval_minutes=0))
    return config


def create_app() -> Flask:
    """The calsync app over ``$CALSYNC_BENCH_DB``."""
    path = os.environ.get(DB_ENV)
    if not path:
        raise RuntimeError(f"set {DB_ENV} to the bench's SQLite file")
    if not os.path.exists(path):
        raise RuntimeError(f"{DB_ENV}={path}: no such file")
    return calsync_create_app(bench_config(path))

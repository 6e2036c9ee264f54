"""gunicorn settings for calsync (``gunicorn -c python:calsync.gunicorn_conf 'calsync.web:create_app()'``).

Every value can be overridden on the command line or with ``GUNICORN_CMD_ARGS``;
the defaults below are read from ``CALSYNC_*`` variables when set.

* ``workers`` (``CALSYNC_WORKERS``, default 2) × ``threads`` (``CALSYNC_THREADS``,
  default 4) with the ``gthread`` worker: feeds are served from memory, so a few
  threads per process keep slow calendar clients from blocking others.
* ``timeout`` 30 s: a request (even a cold feed of 10,000 talks) takes well under a
  second; a worker silent for 30 s is restarted.
* ``graceful_timeout`` 20 s: on SIGTERM (``docker stop``) workers finish the requests
  they hold and exit; the refresh scheduler stops with them.
* ``bind`` ``CALSYNC_BIND`` (default ``0.0.0.0:8000`` in a container).
* No ``preload_app``: each worker runs the app factory, migrations are safe to run
  concurrently, and each worker has its own scheduler thread (a database lease lets
  only one of them refresh at a time).
* Memory: with glibc, blocks of 1 MiB and more (feed bodies) are mapped on their own
  and given back to the system when freed (``mallopt(M_MMAP_THRESHOLD)``; glibc would
  otherwise raise that threshold after the first large free and keep evicted feeds'
  memory in its heap), so a worker's RSS follows its byte budget
  (``limits.cache_megabytes``); at most two malloc arenas (threads share them, less
  fragmentation). Set in the master, inherited by every worker.
* Errors gunicorn answers itself, before the app sees the request (a request line over
  ``limit_request_line``: 414; headers too large: 431; a malformed request: 400), are
  short JSON bodies like the app's API errors, not gunicorn's HTML page
  (:func:`json_error`, installed in each worker by :func:`post_fork`).
* Slow clients: gthread workers are held by clients that send half a request; the
  documented deployment puts nginx in front (``compose.yaml``), which hands gunicorn
  only whole requests.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
from typing import Any

# Log records need no thread or multiprocessing names here (the format shows the pid):
# skipping them saves a few microseconds on every request's log line.
logging.logThreads = False
logging.logMultiprocessing = False

bind = os.environ.get("CALSYNC_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("CALSYNC_WORKERS", "2"))
threads = int(os.environ.get("CALSYNC_THREADS", "4"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
# gunicorn ≥ 23 opens a control socket under $HOME (the data volume in the image): not needed.
control_socket_disable = True
accesslog = None  # calsync logs one structured line per request itself
errorlog = "-"
loglevel = os.environ.get("CALSYNC_LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line", "stream": "ext://sys.stderr"}},
    "root": {"level": loglevel.upper(), "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stderr"], "propagate": False},
    },
}


#: glibc's mallopt parameter numbers of M_MMAP_THRESHOLD and M_ARENA_MAX, and the values set.
_M_MMAP_THRESHOLD, _M_ARENA_MAX = -3, -8
MMAP_THRESHOLD = 1024 * 1024
ARENA_MAX = 2


def _fixed_mmap_threshold() -> bool:
    """Large blocks straight from mmap (returned on free), on glibc; elsewhere nothing happens."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return bool(libc is not None and libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                    and libc.mallopt(_M_ARENA_MAX, ARENA_MAX))
    except (OSError, AttributeError):
        return False


_fixed_mmap_threshold()


def worker_exit(server: Any, worker: Any) -> None:
    """Stop the refresh scheduler of an exiting worker (graceful shutdown)."""
    app = getattr(worker, "wsgi", None)
    extensions = getattr(app, "extensions", {}) if app is not None else {}
    scheduler = getattr(extensions.get("calsync"), "scheduler", None)  # web.services.Services
    if scheduler is not None:
        scheduler.stop()


def json_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's ``util.write_error`` with a JSON body (``{"error": …, "status": …}``).

    gunicorn writes these answers itself (the request never reaches Flask); its own
    version sends an HTML page, which API clients cannot read.
    """
    import json

    from gunicorn import util

    body = json.dumps({"error": f"{reason}: {mesg}" if mesg else reason, "status": status_int}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"X-Content-Type-Options: nosniff\r\nContent-Length: {len(body)}\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin-1") + body)


def post_fork(server: Any, worker: Any) -> None:
    """In each worker: gunicorn's own error answers in JSON (:func:`json_error`)."""
    from gunicorn import util

    util.write_error = json_error

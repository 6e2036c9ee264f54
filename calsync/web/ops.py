"""Operations: ``/healthz``, ``/readyz``, ``/metrics``, and one log line and metric per request."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from .. import __version__
from ..clock import utcnow
from ..errors import CalsyncError
from ..metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from .services import services
from .shapes import source_json

log = logging.getLogger(__name__)
bp = Blueprint("ops", __name__)

_LOG_UNSAFE_RE = re.compile(r'[\x00-\x1f\x7f"\\]')


def log_escape(text: str) -> str:
    r"""A value for a quoted log field: quotes, backslashes and control characters %-escaped.

    >>> log_escape('/x"\r\nrequest method=GET')
    '/x%22%0D%0Arequest method=GET'
    """
    return _LOG_UNSAFE_RE.sub(lambda m: f"%{ord(m.group()):02X}", text)


@bp.before_app_request
def start_timer() -> None:
    g.started = time.perf_counter()


@bp.after_app_request
def log_request(response: Response) -> Response:
    """Count the request (route, method, status; its time) and log one logfmt line at INFO."""
    started = g.get("started")
    if started is None:
        return response
    seconds = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    found = services()
    key = (route, request.method, response.status_code)
    counter = found.counters.get(key)
    if counter is None:
        counter = found.counters[key] = (
            found.metrics.requests.labels(route, request.method, str(response.status_code)),
            found.metrics.request_seconds.labels(route),
        )
    counter[0].inc()
    counter[1].observe(seconds)
    if not log.isEnabledFor(logging.INFO):
        return response
    environ = request.environ  # raw values: cheaper than Werkzeug's decoded properties
    query = environ.get("QUERY_STRING")
    path = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
    log.info(
        'request method=%s path="%s" status=%s bytes=%s ms=%.1f feed=%s client=%s',
        environ.get("REQUEST_METHOD"), log_escape(path), response.status_code,
        response.headers.get("Content-Length", 0), seconds * 1000, g.get("feed_id", "-"),
        environ.get("REMOTE_ADDR", "-"),
    )
    return response


@bp.get("/metrics")
def metrics() -> Response:
    return Response(services().metrics.render(), content_type=METRICS_CONTENT_TYPE)


@bp.get("/readyz")
def readyz() -> Any:
    """Ready to serve: the database reads and takes writes, and refreshes are not long overdue."""
    found = services()
    try:
        found.store.check(utcnow())
        status = found.store.health()
        sources = found.store.list_sources()
    except CalsyncError as exc:
        return jsonify({"ready": False, "error": exc.message}), 503
    checked = [s.last_checked for s in sources if s.last_checked is not None]
    age = (utcnow() - max(checked)).total_seconds() if checked else None
    interval = found.config.refresh.interval_minutes * 60
    overdue = bool(interval and sources and (age is None or age > 3 * interval + 60))
    body = {"ready": not overdue, "store": status, "sources": len(sources),
            "last_refresh_age_seconds": round(age, 1) if age is not None else None}
    if overdue:
        body["error"] = "refreshes are overdue"
    return jsonify(body), (503 if overdue else 200)


@bp.get("/healthz")
def healthz() -> Any:
    """Alive, with the store's state and each source's last refresh."""
    store = services().store
    try:
        status = store.health()
        sources = [source_json(s) for s in store.list_sources()]
    except CalsyncError as exc:
        return jsonify({"status": "error", "error": exc.message}), 503
    overall = "degraded" if any(not s["ok"] for s in sources) else "ok"
    return jsonify({"status": overall, "version": __version__, "store": status, "sources": sources})

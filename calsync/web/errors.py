"""One error renderer: JSON under ``/api/`` and for the JSON health checks, plain text for feeds
(``.ics``), a page for people.

Every :class:`~calsync.errors.CalsyncError` and Werkzeug HTTP error is answered
here with its status and message; anything else is logged and answered with a
bare 500 — never a traceback.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import CalsyncError, Unauthorized
from .services import services
from .shapes import error_json

log = logging.getLogger(__name__)

#: Paths outside ``/api/`` that answer JSON, so their errors are JSON too.
JSON_PATHS = frozenset({"/healthz", "/readyz"})

#: Headers of a Werkzeug error passed on (a 405 says which methods it takes).
_PASSED_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def wants_json(path: str) -> bool:
    """Whether errors on ``path`` are answered in JSON (the API and the health checks).

    >>> wants_json("/api/feeds"), wants_json("/readyz"), wants_json("/conferences/x.ics")
    (True, True, False)
    """
    return path.startswith("/api/") or path in JSON_PATHS


def render_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The answer to a failed request, in the form its path asks for."""
    if wants_json(request.path):
        response = jsonify(error_json(message, status))
    elif request.path.endswith(".ics"):
        response = Response(f"{message}\n", content_type="text/plain; charset=utf-8")
    else:
        html = render_template("error.html", status=status, message=message)
        response = Response(html, content_type="text/html; charset=utf-8")
    response.status_code = status
    response.headers.update(headers or {})
    return response


def register_error_handlers(app: Flask) -> None:
    """Route every error of ``app`` to :func:`render_error`."""

    @app.errorhandler(CalsyncError)
    def calsync_error(exc: CalsyncError) -> Response:
        if exc.status >= 500:
            log.error("%s %s: %s", request.method, request.path, exc)
        headers = {"WWW-Authenticate": 'Bearer realm="calsync feed"'} if isinstance(exc, Unauthorized) else {}
        return render_error(exc.status, exc.message, headers)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        message, status = exc.description or exc.name, exc.code or 500
        if status == 413:  # an oversized body is a bad request like any other (with a message)
            limit = services().config.limits.max_body_bytes
            message, status = f"request body too large (at most {limit} bytes)", 400
        given = dict(exc.get_headers())
        return render_error(status, message, {k: given[k] for k in _PASSED_HEADERS if given.get(k)})

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        if wants_json(request.path):
            response = jsonify(error_json("internal error", 500))
            response.status_code = 500
            return response
        return Response("internal error\n", status=500, content_type="text/plain; charset=utf-8")

"""The smallest Flask app: the reference point of ``bench_service.py``'s HTTP figures.

    gunicorn --pythonpath bench 'trivial_app:app'

One route, ``GET /``, answering a short ``text/plain`` body: what the calsync
feed endpoints are compared with (same gunicorn settings, same load).
"""

from __future__ import annotations

from flask import Flask, Response

app = Flask(__name__)


@app.get("/")
def index() -> Response:
    return Response("ok\n", content_type="text/plain; charset=utf-8")


def create_app() -> Flask:
    """The same app, for ``gunicorn 'trivial_app:create_app()'``."""
    return app

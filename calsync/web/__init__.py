"""The Flask service: one blueprint per job, composed by :func:`create_app`.

``create_app(config=None)`` is the app factory (also what gunicorn runs:
``gunicorn 'calsync.web:create_app()'``). Nothing reads the environment at import.

* :mod:`.services` — the typed :class:`~.services.Services` object the views use;
* :mod:`.pages` — the programme, session and talk pages; :mod:`.personal` — My schedule, custom feeds; :mod:`.feeds` — ``.ics`` feeds; :mod:`.api` — JSON API;
  :mod:`.ops` — health, readiness, metrics, request log;
* :mod:`.errors` — the one error renderer; :mod:`.shapes` — the JSON shapes;
  :mod:`.kit` — absolute links and the subscribe kit; :mod:`.security` — security headers.

Another part plugs in by adding its blueprint to :data:`BLUEPRINTS`.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from .. import __version__
from ..bootstrap import SAMPLE_NAME, SAMPLE_SLUG, bootstrap, load_sample
from ..config import Config, load_config
from ..model import SLUG_PATTERN, web_url
from . import admin, api, exports, feeds, intake, ops, pages, personal, security
from .errors import register_error_handlers
from .kit import base_url
from .mathtext import math_text
from .ops import log_escape
from .services import Services, build_services

__all__ = [
    "BLUEPRINTS", "SAMPLE_NAME", "SAMPLE_SLUG", "IdConverter", "Services", "TokenConverter",
    "bootstrap", "create_app", "load_sample", "log_escape",
]


class IdConverter(BaseConverter):
    """Slugs and ids: lower-case letters, digits and dashes (no dots, so ``x.ics`` is a feed)."""

    regex = SLUG_PATTERN


class TokenConverter(BaseConverter):
    """Feed tokens: URL-safe base64."""

    regex = r"[A-Za-z0-9_-]{16,64}"


PACKAGE_DIR = Path(__file__).resolve().parent.parent

#: Every part of the service, in registration order.
BLUEPRINTS: list[Blueprint] = [pages.bp, personal.bp, feeds.bp, api.bp, ops.bp, security.bp, intake.bp, admin.bp, exports.bp]


def create_app(config: Config | None = None) -> Flask:
    """The app factory: config (``load_config()`` when not given), services, blueprints, error pages."""
    config = config or load_config()
    app = Flask(__name__, root_path=str(PACKAGE_DIR))  # calsync/templates/ and calsync/static/
    app.config["MAX_CONTENT_LENGTH"] = config.limits.max_body_bytes
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["token"] = TokenConverter
    app.url_map.strict_slashes = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.jinja_env.filters["web_url"] = web_url  # links from pages: only http(s) becomes an href
    app.jinja_env.filters["math"] = math_text  # $\ell_p$ → ℓₚ
    if config.proxy_fix_hops:
        hops = config.proxy_fix_hops
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
    app.extensions["calsync"] = build_services(config)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    register_error_handlers(app)

    @app.context_processor
    def template_globals() -> dict[str, object]:
        return {"version": __version__, "base_url": base_url()}

    return app

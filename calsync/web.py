"""The Flask service: pages, feeds, the JSON API. Composes config, store and service.

``create_app(config=None)`` is the app factory (also what gunicorn runs:
``gunicorn 'calsync.web:create_app()'``). Nothing reads the environment at import.
Every error is a :class:`~calsync.errors.CalsyncError` answered in one place
(JSON for the API, plain text for feeds, a page for people); anything else is
logged and answered with a bare 500 — never a traceback.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
import time
from dataclasses import replace
from datetime import date, datetime
from importlib import resources
from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date, parse_date, parse_etags
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from . import __version__
from .clock import utcnow
from .config import Config, load_config
from .errors import ApiError, CalsyncError, NotFound, TooManyRequests, Unauthorized
from .feedspec import FeedSpec, feed_spec_from_json, text_problem  # noqa: F401 (text_problem: still importable here)
from .filters import (
    FeedQuery,
    InvalidQuery,
    canonical_query,
    parse_feed_query,
    select_sessions,
    select_talks,
)
from .ical import build_talk_description, event_end, talk_summary
from .links import (
    GOOGLE_REFRESH_NOTE,
    content_disposition,
    feed_size_warning,
    google_add_event_url,
    google_subscribe_url,
    human_size,
    outlook_add_event_urls,
    outlook_subscribe_urls,
    qr_svg,
    webcal_url,
)
from .metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from .metrics import Metrics
from .model import SLUG_PATTERN, Session, Talk, web_url
from .openapi import openapi_document
from .parse import PageOptions, parse_pages
from .refresh import Scheduler, SourceOutcome
from .serialize import build_session_dict, build_talk_dict
from .service import FeedService, RenderedFeed
from .store import SourceState, Store, StoredFeed

log = logging.getLogger(__name__)

SAMPLE_SLUG = "icil-2026"
SAMPLE_NAME = "ICIL 2026 — International Conference on Invented Learning (sample)"


class IdConverter(BaseConverter):
    """Slugs and ids: lower-case letters, digits and dashes (no dots, so ``x.ics`` is a feed)."""

    regex = SLUG_PATTERN


class TokenConverter(BaseConverter):
    """Feed tokens: URL-safe base64."""

    regex = r"[A-Za-z0-9_-]{16,64}"


def load_sample(store: Store, now: datetime) -> None:
    """Import the bundled sample conference (our own invented pages) into an empty store."""
    files = sorted(p for p in resources.files("calsync.samples").iterdir() if p.name.endswith(".txt"))
    pages = [(p.read_text(encoding="utf-8"), PageOptions(year=2026, source=p.name)) for p in files]
    schedule = parse_pages(pages)
    store.ensure_conference(SAMPLE_SLUG, SAMPLE_NAME, schedule.timezone, 2026, now, [p.name for p in files])
    store.import_schedule(SAMPLE_SLUG, schedule, now)


def bootstrap(store: Store, config: Config, lease_seconds: int = 10, wait_seconds: float = 25.0) -> None:
    """Create the configured conferences and, in an empty database, the sample — once.

    Several workers or instances start together: a short lease in the database lets
    one of them do it while the others wait. A holder killed midway loses the lease
    when it expires (``lease_seconds``), and a waiter takes over; a sample left without
    talks by such a kill (its conference row exists, version 0) is imported again.
    """
    holder = f"bootstrap:{os.getpid()}:{threading.get_ident()}:{time.monotonic_ns()}"
    deadline = time.monotonic() + wait_seconds
    while not store.try_lease("bootstrap", holder, utcnow(), lease_seconds):
        if time.monotonic() > deadline:
            log.warning("bootstrap: another worker holds the lease for too long; starting without waiting for it")
            return
        time.sleep(0.2)
    try:
        conferences = store.list_conferences()
        unfinished_sample = any(c.slug == SAMPLE_SLUG and c.version == 0 for c in conferences)
        if config.sample and (not conferences or unfinished_sample):
            load_sample(store, utcnow())
        for conf in config.conferences:
            store.ensure_conference(conf.slug, conf.name, conf.timezone, conf.year, utcnow(), conf.sources)
    finally:
        store.release_lease("bootstrap", holder)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _is_feed() -> bool:
    return request.path.endswith(".ics")


_LOG_UNSAFE_RE = re.compile(r'[\x00-\x1f\x7f"\\]')


def log_escape(text: str) -> str:
    r"""A value for a quoted log field: quotes, backslashes and control characters %-escaped.

    >>> log_escape('/x"\r\nrequest method=GET')
    '/x%22%0D%0Arequest method=GET'
    """
    return _LOG_UNSAFE_RE.sub(lambda m: f"%{ord(m.group()):02X}", text)


def create_app(config: Config | None = None) -> Flask:
    """The app factory: config (``load_config()`` when not given), store, schema, sample data."""
    config = config or load_config()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.limits.max_body_bytes
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["token"] = TokenConverter
    app.url_map.strict_slashes = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.jinja_env.filters["web_url"] = web_url  # links from pages: only http(s) becomes an href

    store = Store(config.database_url)
    store.migrate()
    bootstrap(store, config)
    metrics = Metrics()
    service = FeedService(store, config, observe_render=lambda kind, seconds: metrics.render_seconds.labels(kind).observe(seconds))

    def count_refresh(_done: int, _total: int, outcome: SourceOutcome) -> None:
        metrics.refreshes.labels(outcome.status).inc()
        metrics.last_refresh.set(time.time())

    scheduler = None
    if config.refresh.interval_minutes > 0:
        scheduler = Scheduler(store, config, utcnow, on_outcome=count_refresh)
        scheduler.start()
    if config.proxy_fix_hops:
        hops = config.proxy_fix_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)  # type: ignore[method-assign]
    app.extensions["calsync"] = {
        "config": config, "store": store, "service": service, "scheduler": scheduler, "metrics": metrics,
    }
    max_age = config.feed.refresh_minutes * 60

    def absolute(path: str) -> str:
        return config.base_url + path

    # -- helpers --------------------------------------------------------------

    parsed_queries: dict[bytes, FeedQuery] = {}

    def feed_query() -> FeedQuery:
        """The request's filters, parsed once per distinct query string (a feed URL is fetched often)."""
        raw = request.query_string
        query = parsed_queries.get(raw)
        if query is None:
            query = parse_feed_query(request.args)
            if len(parsed_queries) > 4096:
                parsed_queries.clear()
            parsed_queries[raw] = query
        return query

    @functools.lru_cache(maxsize=4096)
    def feed_headers(etag: str, modified: datetime, filename: str, public: bool, download: bool) -> tuple[tuple[str, str], ...]:
        """Validators and caching headers of a feed (computed once per feed version)."""
        headers = [
            ("ETag", etag),
            ("Last-Modified", http_date(modified)),
            ("Cache-Control", f"{'public' if public else 'private'}, max-age={max_age}"),
        ]
        if public:
            headers += [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "ETag, Last-Modified")]
        disposition = content_disposition(filename.removesuffix(".ics"))
        headers.append(("Content-Disposition", disposition if download else disposition.replace("attachment", "inline", 1)))
        headers.append(("X-Content-Type-Options", "nosniff"))
        return tuple(headers)

    def not_modified(feed: RenderedFeed) -> bool:
        """RFC 9110 §13.1: If-None-Match (weak comparison) wins over If-Modified-Since."""
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            return if_none_match == feed.etag or parse_etags(if_none_match).contains_weak(feed.etag.strip('"'))
        since = parse_date(request.headers.get("If-Modified-Since"))
        return since is not None and feed.last_modified.replace(microsecond=0) <= since

    def feed_response(feed: RenderedFeed, *, download: bool, public: bool) -> Response:
        headers = feed_headers(feed.etag, feed.last_modified, feed.filename, public, download)
        g.feed_id = feed.etag
        if not_modified(feed):  # RFC 9110 §15.4.5: the validators and caching headers a 200 would carry
            return Response(status=304, headers=headers[:4] if public else headers[:3])
        return Response(feed.body, content_type="text/calendar; charset=utf-8", headers=list(headers))

    def kit(path: str, query: str, name: str, feed: RenderedFeed | None) -> dict[str, Any]:
        https = absolute(path) + (f"?{query}" if query else "")
        return {
            "url": https,
            "webcal": webcal_url(https),
            "google": google_subscribe_url(https),
            "outlook": outlook_subscribe_urls(https, name),
            "download": https + ("&" if query else "?") + "download=1",
            "qr": qr_svg(webcal_url(https)),
            "size": human_size(feed.size) if feed else None,
            "size_bytes": feed.size if feed else None,
            "warning": feed_size_warning(feed.size) if feed else None,
            "note": GOOGLE_REFRESH_NOTE,
            "name": name,
        }

    link_options = config.feed.feed_options(abstracts=False)  # "add once" links stay short

    def talk_links(slug: str, session: Session, talk: Talk) -> dict[str, Any]:
        title = talk_summary(talk, session)
        end = event_end(talk, link_options)
        details = build_talk_description(talk, session, link_options)
        where = talk.location or session.location or ""
        return {
            "ics": url_for("talk_feed", slug=slug, talk_id=talk.id),
            "google": google_add_event_url(title, talk.start, end, details, where),
            "outlook": outlook_add_event_urls(title, talk.start, end, details, where),
        }

    def api_talk(slug: str, session: Session, talk: Talk) -> dict[str, Any]:
        out = build_talk_dict(talk)
        out["session_id"] = session.id
        out["ics_url"] = absolute(url_for("talk_feed", slug=slug, talk_id=talk.id))
        return out

    def api_session(slug: str, session: Session, talks: bool = True) -> dict[str, Any]:
        out = build_session_dict(session, talks=False)
        out["ics_url"] = absolute(url_for("session_feed", slug=slug, session_id=session.id))
        out["page_url"] = absolute(url_for("session_page", slug=slug, session_id=session.id))
        if talks:
            out["talks"] = [api_talk(slug, session, t) for t in session.talks]
        return out

    # -- errors ---------------------------------------------------------------

    @app.errorhandler(CalsyncError)
    def handle_calsync_error(exc: CalsyncError) -> Any:
        status = exc.status
        if status >= 500:
            log.error("%s %s: %s", request.method, request.path, exc)
        if _wants_json():
            response = jsonify({"error": exc.message, "status": status})
        elif _is_feed():
            response = Response(f"{exc.message}\n", status=status, content_type="text/plain; charset=utf-8")
        else:
            response = Response(render_template("error.html", status=status, message=exc.message), content_type="text/html; charset=utf-8")
        response.status_code = status
        if isinstance(exc, Unauthorized):
            response.headers["WWW-Authenticate"] = 'Bearer realm="calsync feed"'
        return response

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException) -> Any:
        message = exc.description or exc.name
        status = exc.code or 500
        if status == 413:  # an oversized body is a bad request like any other (with a message)
            message, status = f"request body too large (at most {config.limits.max_body_bytes} bytes)", 400
        if _wants_json():
            response = jsonify({"error": message, "status": status})
        elif _is_feed():
            response = Response(f"{message}\n", content_type="text/plain; charset=utf-8")
        else:
            response = Response(render_template("error.html", status=status, message=message), content_type="text/html; charset=utf-8")
        response.status_code = status
        for name in ("Allow", "Retry-After", "WWW-Authenticate"):  # a 405 says which methods it takes
            if exc.get_headers() and (value := dict(exc.get_headers()).get(name)):
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        if _wants_json():
            return jsonify({"error": "internal error", "status": 500}), 500
        return Response("internal error\n", status=500, content_type="text/plain; charset=utf-8")

    counters: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    @app.after_request
    def log_request(response: Response) -> Response:
        started = g.get("started")
        if started is None:
            return response
        seconds = time.perf_counter() - started
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        counter = counters.get((route, request.method, response.status_code))
        if counter is None:
            counter = counters[(route, request.method, response.status_code)] = (
                metrics.requests.labels(route, request.method, str(response.status_code)),
                metrics.request_seconds.labels(route),
            )
        counter[0].inc()
        counter[1].observe(seconds)
        if not log.isEnabledFor(logging.INFO):
            return response
        # One structured line per request (logfmt): easy to grep and to ship.
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

    @app.before_request
    def start_timer() -> None:
        g.started = time.perf_counter()

    @app.context_processor
    def template_globals() -> dict[str, Any]:
        return {"version": __version__, "base_url": config.base_url}

    # -- pages ----------------------------------------------------------------

    @app.get("/")
    def index() -> str:
        return render_template("index.html", conferences=store.list_conferences())

    @app.get("/conferences/<id:slug>")
    def conference_page(slug: str) -> str:
        snap = service.snapshot(slug)
        query = feed_query()
        feed = service.conference_feed(slug, query)
        chosen = select_talks(snap.sessions, query)
        chosen_ids = {t.id for _, t in chosen}
        sessions = select_sessions(snap.sessions, query)
        days: dict[date, list[Session]] = {}
        for session in sessions:
            assert session.start is not None
            days.setdefault(session.start.date(), []).append(session)
        all_talks = [t for s in snap.sessions for t in s.talks]
        path = url_for("conference_feed", slug=slug)
        return render_template(
            "conference.html",
            conference=snap.conference,
            sources=store.list_sources(slug),
            days=sorted(days.items()),
            chosen_ids=chosen_ids,
            query=query,
            types=sorted({t.type for t in all_talks if t.type}),
            rooms=sorted({(t.location or s.location) for s in snap.sessions for t in s.talks if (t.location or s.location)}),
            dates=sorted({s.start.date() for s in snap.sessions if s.start}),
            kit=kit(path, canonical_query(query), feed.name, feed),
            feed_path=path,
            talk_links={t.id: talk_links(slug, s, t) for s, t in chosen},
        )

    @app.get("/conferences/<id:slug>/sessions/<id:session_id>")
    def session_page(slug: str, session_id: str) -> str:
        snap = service.snapshot(slug)
        session = snap.session(session_id)
        if session is None:
            raise NotFound(f"no session {session_id!r} in {slug!r}")
        query = feed_query()
        feed = service.session_feed(slug, session_id, query)
        path = url_for("session_feed", slug=slug, session_id=session_id)
        return render_template(
            "session.html",
            conference=snap.conference,
            session=session,
            kit=kit(path, canonical_query(query), feed.name, feed),
            talk_links={t.id: talk_links(slug, session, t) for t in session.talks},
        )

    @app.get("/feeds/<token:token>")
    def custom_feed_page(token: str) -> str:
        stored = service.stored_feed(token)
        feed = service.custom_feed(token)
        return render_template("feed.html", stored=stored, kit=kit(f"/feeds/{token}.ics", "", stored.spec.name, feed), editing=False)

    @app.get("/feeds/<token:token>/edit")
    def custom_feed_edit(token: str) -> str:
        stored = service.stored_feed(token)
        assert stored.spec.conference is not None
        snap = service.snapshot(stored.spec.conference)
        _, talks = service.select_custom(snap, stored.spec)
        feed = service.custom_feed(token)
        return render_template(
            "edit.html", stored=stored, conference=snap.conference, sessions=snap.sessions,
            chosen_ids={t.id for _, t in talks}, kit=kit(f"/feeds/{token}.ics", "", stored.spec.name, feed),
        )

    # -- feeds ----------------------------------------------------------------

    @app.get("/conferences/<id:slug>.ics")
    def conference_feed(slug: str) -> Response:
        query = feed_query()
        return feed_response(service.conference_feed(slug, query), download=query.download, public=True)

    @app.get("/conferences/<id:slug>/sessions/<id:session_id>.ics")
    def session_feed(slug: str, session_id: str) -> Response:
        query = feed_query()
        return feed_response(service.session_feed(slug, session_id, query), download=query.download, public=True)

    @app.get("/conferences/<id:slug>/talks/<id:talk_id>.ics")
    def talk_feed(slug: str, talk_id: str) -> Response:
        return feed_response(service.talk_feed(slug, talk_id), download=True, public=True)

    @app.get("/feeds/<token:token>.ics")
    def custom_feed(token: str) -> Response:
        download = parse_feed_query({k: v for k, v in request.args.lists() if k == "download"}).download
        unknown = set(request.args) - {"download"}
        if unknown:
            raise InvalidQuery(f"a custom feed takes no parameter but download; got {', '.join(sorted(unknown))}", "query")
        return feed_response(service.custom_feed(token), download=download, public=False)

    # -- JSON API -------------------------------------------------------------

    @app.get("/api/conferences")
    def api_conferences() -> Any:
        return jsonify({
            "conferences": [
                {
                    "slug": c.slug, "name": c.name, "timezone": c.timezone, "year": c.year,
                    "ics_url": absolute(url_for("conference_feed", slug=c.slug)),
                    "page_url": absolute(url_for("conference_page", slug=c.slug)),
                    "sessions_url": absolute(url_for("api_sessions", slug=c.slug)),
                    "talks_url": absolute(url_for("api_talks", slug=c.slug)),
                    "modified": c.modified.isoformat(),
                }
                for c in store.list_conferences()
            ]
        })

    @app.get("/api/conferences/<id:slug>/sessions")
    def api_sessions(slug: str) -> Any:
        snap = service.snapshot(slug)
        query = feed_query()
        return jsonify({"sessions": [api_session(slug, s) for s in select_sessions(snap.sessions, query)]})

    @app.get("/api/conferences/<id:slug>/talks")
    def api_talks(slug: str) -> Any:
        snap = service.snapshot(slug)
        query = feed_query()
        return jsonify({"talks": [api_talk(slug, s, t) for s, t in select_talks(snap.sessions, query)]})

    openapi_body = app.json.dumps(
        openapi_document(version=__version__, max_feed_items=config.limits.max_feed_items, base_url=config.base_url)
    )

    @app.get("/api/openapi.json")
    def api_openapi() -> Response:
        """The OpenAPI 3.1 description of this API (built once; cacheable, with an ETag)."""
        response = Response(openapi_body, content_type="application/json")
        response.headers["Cache-Control"] = f"public, max-age={max_age}"
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.add_etag()
        return response.make_conditional(request)

    def request_feed_spec() -> FeedSpec:
        """The request's JSON body as a feed spec (validated by :mod:`calsync.feedspec`), its conference resolved."""
        if not request.is_json:
            raise ApiError("send a JSON object with Content-Type: application/json")
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            raise ApiError("malformed JSON: nested too deeply") from None
        spec = feed_spec_from_json(body, max_items=config.limits.max_feed_items)
        return replace(spec, conference=service.resolve_conference(spec))

    def feed_json(stored: StoredFeed, edit_key: str | None = None) -> dict[str, Any]:
        ics = absolute(url_for("custom_feed", token=stored.token))
        out: dict[str, Any] = {
            "token": stored.token,
            "name": stored.spec.name,
            "conference": stored.spec.conference,
            "talk_ids": list(stored.spec.talk_ids),
            "session_ids": list(stored.spec.session_ids),
            "filter": stored.spec.filter,
            "alarm": stored.spec.alarm,
            "view": stored.spec.view,
            "ics_url": ics,
            "webcal_url": webcal_url(ics),
            "google_url": google_subscribe_url(ics),
            "page_url": absolute(url_for("custom_feed_page", token=stored.token)),
            "modified": stored.modified.isoformat(),
        }
        if edit_key is not None:
            out["edit_key"] = edit_key
            out["edit_url"] = absolute(url_for("custom_feed_edit", token=stored.token)) + f"#key={edit_key}"
        return out

    def require_key(token: str) -> None:
        header = request.headers.get("Authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise Unauthorized("send the feed's edit key as 'Authorization: Bearer <edit_key>'")
        if not store.check_edit_key(token, key.strip()):
            raise Unauthorized("wrong edit key for this feed")

    @app.post("/api/feeds")
    def api_create_feed() -> Any:
        client = request.remote_addr or "unknown"
        if not store.count_event(f"feed-create {client}", config.limits.feed_creations_per_hour, 3600, utcnow()):
            raise TooManyRequests("too many feeds created from this address; try again later")
        spec = request_feed_spec()
        stored, key = store.create_feed(spec, utcnow())
        response = jsonify(feed_json(stored, key))
        response.status_code = 201
        response.headers["Location"] = feed_json(stored)["page_url"]
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/api/feeds/<token:token>")
    def api_get_feed(token: str) -> Any:
        return jsonify(feed_json(service.stored_feed(token)))

    @app.put("/api/feeds/<token:token>")
    def api_update_feed(token: str) -> Any:
        require_key(token)
        spec = request_feed_spec()
        stored = store.update_feed(token, spec, utcnow())
        service.forget_feed(token)
        return jsonify(feed_json(stored))

    @app.post("/api/feeds/<token:token>/rotate")
    def api_rotate_feed(token: str) -> Any:
        require_key(token)
        stored = store.rotate_feed_token(token, utcnow())
        service.forget_feed(token)
        return jsonify(feed_json(stored))

    @app.delete("/api/feeds/<token:token>")
    def api_delete_feed(token: str) -> Any:
        require_key(token)
        store.delete_feed(token)
        service.forget_feed(token)
        return Response(status=204)

    def source_json(source: SourceState) -> dict[str, Any]:
        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return {
            "conference": source.conference, "url": source.url, "ok": not source.failing,
            "last_success": iso(source.last_success), "last_error": source.last_error,
            "last_error_at": iso(source.last_error_at), "last_checked": iso(source.last_checked),
            "talks": source.talks, "note": source.note,
        }

    @app.get("/metrics")
    def metrics_endpoint() -> Response:
        return Response(metrics.render(), content_type=METRICS_CONTENT_TYPE)

    @app.get("/readyz")
    def readyz() -> Any:
        """Ready to serve: the database reads and takes writes, and refreshes are not long overdue."""
        try:
            store.check(utcnow())
            status = store.health()
            sources = store.list_sources()
        except CalsyncError as exc:
            return jsonify({"ready": False, "error": exc.message}), 503
        checked = [s.last_checked for s in sources if s.last_checked is not None]
        age = (utcnow() - max(checked)).total_seconds() if checked else None
        interval = config.refresh.interval_minutes * 60
        overdue = bool(interval and sources and (age is None or age > 3 * interval + 60))
        body = {"ready": not overdue, "store": status, "sources": len(sources),
                "last_refresh_age_seconds": round(age, 1) if age is not None else None}
        if overdue:
            body["error"] = "refreshes are overdue"
        return jsonify(body), (503 if overdue else 200)

    @app.get("/healthz")
    def healthz() -> Any:
        try:
            status = store.health()
            sources = [source_json(s) for s in store.list_sources()]
        except CalsyncError as exc:
            return jsonify({"status": "error", "error": exc.message}), 503
        overall = "degraded" if any(not s["ok"] for s in sources) else "ok"
        return jsonify({"status": overall, "version": __version__, "store": status, "sources": sources})

    return app

"""The JSON API under ``/api/``: conferences, sessions and talks (with the feeds' filters), custom feeds.

Shapes are :mod:`calsync.web.shapes`; the OpenAPI document is :mod:`calsync.openapi`.
Custom feeds are created by anyone (rate-limited per address) and changed only
with their edit key (``Authorization: Bearer <edit_key>``).
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.wrappers import Response as BaseResponse

from .. import __version__
from ..clock import utcnow
from ..errors import ApiError, TooManyRequests, Unauthorized
from ..feedspec import FeedSpec, feed_spec_from_json
from ..filters import select_sessions
from ..openapi import openapi_document
from .answers import cached_answer
from .kit import base_url, kit_json
from .pages import conference_kit_of
from .personal import custom_kit
from .services import feed_query, services
from .shapes import conference_json, feed_json, session_json, talk_json

bp = Blueprint("api", __name__, url_prefix="/api")

JSON = "application/json"


@bp.get("/conferences")
def conferences() -> Any:
    return jsonify({"conferences": [conference_json(c) for c in services().store.list_conferences()]})


@bp.get("/conferences/<id:slug>/sessions")
def sessions(slug: str) -> Any:
    """The sessions of the filters, cached per data version and URL (see :mod:`.answers`)."""
    query = feed_query()
    snap = services().service.snapshot(slug)

    def build() -> bytes:
        return jsonify({"sessions": [session_json(slug, s) for s in select_sessions(snap.sessions, query)]}).get_data()

    return cached_answer("api-sessions", snap, build, JSON)


@bp.get("/conferences/<id:slug>/talks")
def talks(slug: str) -> Any:
    """The talks of the filters, selected by the programme's index (what ``select_talks`` selects, prepared);
    cached per data version and URL."""
    query = feed_query()
    snap, index = services().programme(slug)

    def build() -> bytes:
        return jsonify({"talks": [talk_json(slug, e.session, e.talk) for e in index.select(query)]}).get_data()

    return cached_answer("api-talks", snap, build, JSON)


@functools.lru_cache(maxsize=64)
def openapi_body(max_feed_items: int, server: str) -> str:
    """The OpenAPI document's JSON text (built once per setting and server address)."""
    return str(current_app.json.dumps(openapi_document(version=__version__, max_feed_items=max_feed_items, base_url=server)))


@bp.get("/openapi.json")
def openapi() -> BaseResponse:
    """The OpenAPI 3.1 description of this API (cacheable, with an ETag)."""
    found = services()
    body = openapi_body(found.config.limits.max_feed_items, base_url())
    response = Response(body, content_type="application/json")
    response.headers["Cache-Control"] = f"public, max-age={found.max_age}"
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
    found = services()
    spec = feed_spec_from_json(body, max_items=found.config.limits.max_feed_items)
    return replace(spec, conference=found.service.resolve_conference(spec))


def require_key(token: str) -> None:
    """The request carries the feed's edit key, or :class:`Unauthorized`."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("send the feed's edit key as 'Authorization: Bearer <edit_key>'")
    if not services().store.check_edit_key(token, key.strip()):
        raise Unauthorized("wrong edit key for this feed")


@bp.post("/feeds")
def create_feed() -> Any:
    found = services()
    client = request.remote_addr or "unknown"
    if not found.store.count_event(f"feed-create {client}", found.config.limits.feed_creations_per_hour, 3600, utcnow()):
        raise TooManyRequests("too many feeds created from this address; try again later")
    stored, key = found.store.create_feed(request_feed_spec(), utcnow())
    response = jsonify(feed_json(stored, key))
    response.status_code = 201
    response.headers["Location"] = feed_json(stored)["page_url"]
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/conferences/<id:slug>/kit")
def conference_kit(slug: str) -> Any:
    """The subscribe kit of the conference feed with the filters: links and measured sizes (Google's plan)."""
    return jsonify(kit_json(conference_kit_of(slug, feed_query())))


@bp.get("/feeds/<token:token>/kit")
def feed_kit(token: str) -> Any:
    """The subscribe kit of a custom feed: links and measured sizes (Google's plan)."""
    service = services().service
    return jsonify(kit_json(custom_kit(token, service.stored_feed(token).spec.name, service.custom_feed(token))))


@bp.get("/feeds/<token:token>")
def get_feed(token: str) -> Any:
    return jsonify(feed_json(services().service.stored_feed(token)))


@bp.put("/feeds/<token:token>")
def update_feed(token: str) -> Any:
    require_key(token)
    found = services()
    stored = found.store.update_feed(token, request_feed_spec(), utcnow())
    found.service.forget_feed(token)
    return jsonify(feed_json(stored))


@bp.post("/feeds/<token:token>/rotate")
def rotate_feed(token: str) -> Any:
    require_key(token)
    found = services()
    stored = found.store.rotate_feed_token(token, utcnow())
    found.service.forget_feed(token)
    return jsonify(feed_json(stored))


@bp.delete("/feeds/<token:token>")
def delete_feed(token: str) -> Response:
    require_key(token)
    found = services()
    found.store.delete_feed(token)
    found.service.forget_feed(token)
    return Response(status=204)

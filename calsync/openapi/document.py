"""The document builder: :func:`openapi_document`, the public paths and the components put together.

Pure: a plain dict, no Flask and no I/O; ``max_feed_items`` (a setting) and ``base_url``
are the only inputs besides the version.
"""

from __future__ import annotations

from typing import Any

from ..model import SLUG_PATTERN
from .common import _URL, OPENAPI_VERSION, TOKEN_PATTERN, _ref
from .paths import _filter_parameters, _organiser_paths
from .responses import _RESPONSES, _json, _response
from .schemas import _schemas


def openapi_document(*, version: str, max_feed_items: int = 500, base_url: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the JSON API, ``/healthz`` and ``/readyz``.

    >>> doc = openapi_document(version="0.1.0")
    >>> doc["openapi"], sorted(doc["paths"])[2:4]
    ('3.1.0', ['/api/admin/conferences/{slug}/refresh', '/api/admin/conferences/{slug}/sources'])
    """
    slug = {
        "name": "slug", "in": "path", "required": True,
        "schema": {"type": "string", "pattern": f"^{SLUG_PATTERN}$"}, "description": "A conference's slug.",
    }
    token = {
        "name": "token", "in": "path", "required": True,
        "schema": {"type": "string", "pattern": f"^{TOKEN_PATTERN}$"}, "description": "A custom feed's read token.",
    }
    feed_body = {"required": True, "content": {"application/json": {"schema": _ref("FeedInput")}}}
    bearer: list[dict[str, list[str]]] = [{"editKey": []}]
    no_store = {"Cache-Control": {"required": True, "schema": {"const": "no-store"}}}
    paths: dict[str, Any] = {
        "/api/conferences": {
            "get": {
                "operationId": "listConferences",
                "summary": "The conferences, with their feed and API links.",
                "responses": {"200": _json(_ref("ConferenceList"), "Every conference."), "503": _response("Unavailable")},
            }
        },
        "/api/conferences/{slug}/sessions": {
            "get": {
                "operationId": "listSessions",
                "summary": "A conference's sessions (talks inside) matching the filters.",
                "parameters": [slug, *_filter_parameters()],
                "responses": {
                    "200": _json(_ref("SessionList"), "The sessions with a matching talk (every session without talk filters)."),
                    "400": _response("BadRequest"),
                    "404": _response("NotFound"),
                    "503": _response("Unavailable"),
                },
            }
        },
        "/api/conferences/{slug}/talks": {
            "get": {
                "operationId": "listTalks",
                "summary": "A conference's talks matching the filters.",
                "parameters": [slug, *_filter_parameters()],
                "responses": {
                    "200": _json(_ref("TalkList"), "The matching talks, by start time."),
                    "400": _response("BadRequest"),
                    "404": _response("NotFound"),
                    "503": _response("Unavailable"),
                },
            }
        },
        "/api/feeds": {
            "post": {
                "operationId": "createFeed",
                "summary": "Create a custom feed; the answer holds its secret edit key, once.",
                "requestBody": feed_body,
                "responses": {
                    "201": _json(
                        _ref("NewFeed"),
                        "Created.",
                        {"Location": {"required": True, "schema": _URL}, **no_store},
                    ),
                    "400": _response("BadRequest"),
                    "404": _response("NotFound"),
                    "429": _response("TooManyRequests"),
                    "503": _response("Unavailable"),
                },
            }
        },
        "/api/conferences/{slug}/kit": {
            "get": {
                "operationId": "conferenceKit",
                "summary": "The subscribe kit of the conference feed with the filters, with the measured sizes.",
                "parameters": [slug, *_filter_parameters()],
                "responses": {
                    "200": _json(_ref("Kit"), "The links and what Google's link subscribes to."),
                    "400": _response("BadRequest"),
                    "404": _response("NotFound"),
                    "503": _response("Unavailable"),
                },
            }
        },
        "/api/feeds/{token}/kit": {
            "get": {
                "operationId": "feedKit",
                "summary": "The subscribe kit of a custom feed, with the measured sizes.",
                "parameters": [token],
                "responses": {"200": _json(_ref("Kit"), "The links and what Google's link subscribes to."),
                              "404": _response("NotFound"), "503": _response("Unavailable")},
            }
        },
        "/api/feeds/{token}": {
            "parameters": [token],
            "get": {
                "operationId": "getFeed",
                "summary": "A custom feed's definition.",
                "responses": {"200": _json(_ref("Feed"), "The feed."), "404": _response("NotFound"), "503": _response("Unavailable")},
            },
            "put": {
                "operationId": "updateFeed",
                "summary": "Replace what a custom feed contains; its URL stays.",
                "security": bearer,
                "requestBody": feed_body,
                "responses": {
                    "200": _json(_ref("Feed"), "The feed as it now is."),
                    "400": _response("BadRequest"),
                    "401": _response("Unauthorized"),
                    "404": _response("NotFound"),
                    "503": _response("Unavailable"),
                },
            },
            "delete": {
                "operationId": "deleteFeed",
                "summary": "Delete a custom feed.",
                "security": bearer,
                "responses": {
                    "204": {"description": "Deleted."},
                    "401": _response("Unauthorized"),
                    "404": _response("NotFound"),
                    "503": _response("Unavailable"),
                },
            },
        },
        "/api/feeds/{token}/rotate": {
            "parameters": [token],
            "post": {
                "operationId": "rotateFeedToken",
                "summary": "Give a custom feed a new read token (the old URL stops working); the edit key stays.",
                "security": bearer,
                "responses": {
                    "200": _json(_ref("Feed"), "The feed with its new token."),
                    "401": _response("Unauthorized"),
                    "404": _response("NotFound"),
                    "503": _response("Unavailable"),
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This document.",
                "responses": {
                    "200": _json({"type": "object", "required": ["openapi", "paths"]}, "The OpenAPI document."),
                    "304": {"description": "Not modified (`If-None-Match` names its ETag)."},
                },
            }
        },
        "/healthz": {
            "get": {
                "operationId": "health",
                "summary": "Liveness: the store status and each source's refresh state.",
                "responses": {
                    "200": _json(_ref("Health"), "`degraded` when a source is failing."),
                    "503": _json(_ref("HealthError"), "The database is unreachable."),
                },
            }
        },
        "/readyz": {
            "get": {
                "operationId": "ready",
                "summary": "Readiness: the database reads and takes writes, and refreshes are not overdue.",
                "responses": {
                    "200": _json(_ref("Ready"), "Ready."),
                    "503": _json(_ref("NotReady"), "The database fails, or refreshes are overdue."),
                },
            }
        },
    }
    doc: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "calsync",
            "version": version,
            "description": "Conference schedules as iCalendar feeds: the JSON API. Feeds themselves "
            "(`/conferences/<conf>.ics`, `/feeds/<token>.ics`) are iCalendar, not described here; "
            "their filters are the query parameters of the session and talk listings.",
        },
        "paths": paths,
        "components": {
            "schemas": _schemas(max_feed_items),
            "responses": _RESPONSES,
            "securitySchemes": {
                "editKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A custom feed's edit key, given once when the feed is created.",
                }
            },
        },
    }
    doc["paths"].update(_organiser_paths(slug, token))
    doc["components"]["securitySchemes"]["adminToken"] = {
        "type": "http", "scheme": "bearer",
        "description": "The `admin_token` setting; without it the organisers' paths answer 404.",
    }
    if base_url:
        doc["servers"] = [{"url": base_url}]
    return doc

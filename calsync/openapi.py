"""The OpenAPI 3.1 description of the JSON API (``GET /api/openapi.json``).

Pure: :func:`openapi_document` returns a plain dict (no Flask, no I/O). The schemas
follow what the web layer really answers — :mod:`calsync.serialize` and the JSON
builders of :mod:`calsync.web` — closely enough that responses are checked against
them (required fields, types, ``null`` where it occurs, no undocumented fields):
``tests/test_api_fuzz.py`` fuzzes a live server from this document.

The limits in it (text lengths, alarm range, number of values) are those of
:mod:`calsync.filters` and :mod:`calsync.feedspec`; ``max_feed_items`` is a setting.
"""

from __future__ import annotations

from typing import Any

from .feedspec import MAX_ID_CHARS, MAX_NAME_CHARS
from .filters import MAX_ALARM_MINUTES, MAX_VALUE_LENGTH, MAX_VALUES, VIEWS
from .model import SLUG_PATTERN

__all__ = ["OPENAPI_VERSION", "TOKEN_PATTERN", "openapi_document"]

OPENAPI_VERSION = "3.1.0"
#: Custom feed tokens in URLs (the web layer's ``token`` converter).
TOKEN_PATTERN = r"[A-Za-z0-9_-]{16,64}"
#: Text without control characters (C0, DEL, C1): what the API accepts in stored text.
_NO_CONTROLS = r"^[^\u0000-\u001f\u007f-\u009f]*$"
#: A URL parameter's value: whitespace (tab, newline, ...) collapses to a space, other control
#: characters are refused.
_NO_CONTROLS_BUT_SPACE = r"^[^\u0000-\u0008\u000e-\u001b\u007f-\u0084\u0086-\u009f]*$"
#: Not only whitespace.
_NOT_BLANK = r"\S"

_REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or ``null`` (JSON Schema 2020-12, as OpenAPI 3.1 uses it)."""
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Any], *, optional: tuple[str, ...] = (), description: str | None = None) -> dict[str, Any]:
    """A closed object: every property required unless listed in ``optional``."""
    out: dict[str, Any] = {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "properties": properties,
        "additionalProperties": False,
    }
    if description:
        out["description"] = description
    return out


_STRING = {"type": "string"}
_URL = {"type": "string", "format": "uri"}
_DATETIME = {"type": "string", "format": "date-time"}
_FILTER_TEXT = {"type": "string", "maxLength": MAX_VALUE_LENGTH, "pattern": _NO_CONTROLS}
_FILTER_LIST = {"type": "array", "maxItems": MAX_VALUES, "items": _FILTER_TEXT}
_PARAM_TEXT = {"type": "string", "maxLength": MAX_VALUE_LENGTH, "pattern": _NO_CONTROLS_BUT_SPACE}
_PARAM_LIST = {"type": "array", "maxItems": MAX_VALUES, "items": _PARAM_TEXT}
_BLANK = {"type": "string", "maxLength": MAX_VALUE_LENGTH, "pattern": r"^\s*$"}


def _set_filter() -> dict[str, Any]:
    """A filter that sets something: one of its values is not blank (an all-blank filter is no filter)."""
    text = {"type": "string", "pattern": _NOT_BLANK}
    one_or_many = {"anyOf": [text, {"type": "array", "contains": text}]}
    values = {"type": one_or_many, "room": text, "day": {"type": "string", "format": "date"}, "author": text,
              "q": text, "session": one_or_many}
    return {"type": "object", "anyOf": [{"required": [key], "properties": {key: value}} for key, value in values.items()]}


def _kit_schema() -> dict[str, Any]:
    """The subscribe kit: links, and the sizes of what each link subscribes to (Google's plan)."""
    sized = _object({"url": _URL, "size_bytes": {"type": "integer", "minimum": 0}, "size": _STRING})
    day = _object({
        "day": {"type": "string", "format": "date"}, "url": _URL, "webcal": _STRING, "google": _nullable(_URL),
        "size_bytes": {"type": "integer", "minimum": 0}, "size": _STRING, "fits": {"type": "boolean"},
    })
    plan = _object(
        {
            "feed": {"type": "string", "enum": ["full", "compact", "days"],
                     "description": "What the Google link subscribes to: the feed, its compact variant, or nothing (a feed per day)."},
            "url": _nullable(_URL),
            "max_bytes": {"type": "integer", "description": "feed.google_max_bytes"},
            "max_size": _STRING,
            "full": sized,
            "compact": _nullable(sized),
            "days": {"type": "array", "items": day},
            "note": _nullable(_STRING),
        },
        description="Sizes measured from the rendered feeds: over max_bytes, Google gets the compact variant, then a compact feed per day.",
    )
    return _object(
        {
            "url": _URL, "webcal": _STRING, "google": _nullable(_URL), "google_plan": _nullable(plan),
            "outlook": {"type": "object", "additionalProperties": _URL},
            "download": _URL, "size": _nullable(_STRING), "size_bytes": _nullable({"type": "integer", "minimum": 0}),
            "warning": _nullable(_STRING), "note": _STRING, "name": _STRING, "reach": _nullable(_STRING),
        },
        description="The subscribe kit of a feed. Outlook and webcal links always subscribe to the full feed.",
    )


def _schemas(max_feed_items: int) -> dict[str, Any]:
    talk_props: dict[str, Any] = {
        "id": {"type": "string", "pattern": f"^{SLUG_PATTERN}$"},
        "start": _DATETIME,
        "end": _nullable(_DATETIME),
        "type": _nullable(_STRING),
        "title": _nullable(_STRING),
        "authors": {"type": "array", "items": _STRING},
        "abstract": _nullable(_STRING),
        "location": _nullable(_STRING),
        "url": _nullable(_STRING),
        "session_id": {"type": "string", "pattern": f"^{SLUG_PATTERN}$"},
        "ics_url": _URL,
    }
    session_props: dict[str, Any] = {
        "id": {"type": "string", "pattern": f"^{SLUG_PATTERN}$"},
        "title": _STRING,
        "location": _nullable(_STRING),
        "moderators": {"type": "array", "items": _STRING},
        "start": _nullable(_DATETIME),
        "end": _nullable(_DATETIME),
        "timezone": _STRING,
        "source_url": _nullable(_STRING),
        "abstract": _nullable(_STRING),
        "ics_url": _URL,
        "page_url": _URL,
        "talks": {"type": "array", "items": _ref("Talk")},
    }
    id_list = {
        "type": "array",
        "maxItems": max_feed_items,
        "items": {"type": "string", "minLength": 1, "maxLength": MAX_ID_CHARS, "pattern": _NO_CONTROLS},
    }
    one_or_many = {"anyOf": [_FILTER_TEXT, _FILTER_LIST, {"type": "null"}]}
    day = {"anyOf": [{"type": "string", "format": "date"}, {"const": ""}, {"type": "null"}]}
    feed_props: dict[str, Any] = {
        "token": {"type": "string", "pattern": f"^{TOKEN_PATTERN}$"},
        "name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME_CHARS},
        "conference": {"type": "string", "pattern": f"^{SLUG_PATTERN}$"},
        "talk_ids": {"type": "array", "items": _STRING},
        "session_ids": {"type": "array", "items": _STRING},
        "filter": _nullable(_ref("StoredFilter")),
        "alarm": _nullable({"type": "integer", "minimum": 0, "maximum": MAX_ALARM_MINUTES}),
        "view": {"type": "string", "enum": list(VIEWS)},
        "ics_url": _URL,
        "webcal_url": {"type": "string", "pattern": "^webcal://"},
        "google_url": _URL,
        "page_url": _URL,
        "modified": _DATETIME,
    }
    store = _object(
        {
            "database": {"const": "ok"},
            "dialect": _STRING,
            "schema_version": {"type": "integer", "minimum": 0},
            "conferences": {"type": "integer", "minimum": 0},
        },
        description="The database answers: its dialect, schema version and number of conferences.",
    )
    source = _object({
        "conference": _STRING,
        "url": _STRING,
        "ok": {"type": "boolean"},
        "last_success": _nullable(_DATETIME),
        "last_error": _nullable(_STRING),
        "last_error_at": _nullable(_DATETIME),
        "last_checked": _nullable(_DATETIME),
        "talks": _nullable({"type": "integer", "minimum": 0}),
        "note": _nullable(_STRING),
    })
    return {
        "Error": _object(
            {"error": {"type": "string", "minLength": 1}, "status": {"type": "integer", "minimum": 400, "maximum": 599}},
            description="Every error of the API: a message for people and the HTTP status.",
        ),
        "Conference": _object({
            "slug": {"type": "string", "pattern": f"^{SLUG_PATTERN}$"},
            "name": _STRING,
            "timezone": _STRING,
            "year": _nullable({"type": "integer"}),
            "ics_url": _URL,
            "page_url": _URL,
            "sessions_url": _URL,
            "talks_url": _URL,
            "modified": _DATETIME,
        }),
        "ConferenceList": _object({"conferences": {"type": "array", "items": _ref("Conference")}}),
        "Talk": _object(
            talk_props,
            description="A talk as `calsync parse` writes it, with its session's id and its own feed. "
            "Times are ISO 8601 with the UTC offset of the session's zone; `end` is null where the page "
            "published none.",
        ),
        "TalkList": _object({"talks": {"type": "array", "items": _ref("Talk")}}),
        "Session": _object(
            session_props,
            description="A session as `calsync parse` writes it, with its feed, its page and its talks. "
            "`start`/`end` are null for a session without talks.",
        ),
        "SessionList": _object({"sessions": {"type": "array", "items": _ref("Session")}}),
        "FeedFilter": {
            "type": "object",
            "description": "The filters of feed URLs; a missing key, null or an empty value means 'not set'.",
            "properties": {
                "type": one_or_many,
                "room": _nullable(_FILTER_TEXT),
                "day": day,
                "author": _nullable(_FILTER_TEXT),
                "q": _nullable(_FILTER_TEXT),
                "session": one_or_many,
            },
            "additionalProperties": False,
        },
        "StoredFilter": _object(
            {
                "type": {"type": "array", "minItems": 1, "items": _STRING},
                "room": _STRING,
                "day": {"type": "string", "format": "date"},
                "author": _STRING,
                "q": _STRING,
                "session": {"type": "array", "minItems": 1, "items": _STRING},
            },
            optional=("type", "room", "day", "author", "q", "session"),
            description="A feed's filter in its canonical form: only the filters that are set.",
        ),
        "FeedInput": {
            "type": "object",
            "description": "What a custom feed contains: at least one talk or session id, or a filter. "
            "`talks`/`sessions` are aliases of `talk_ids`/`session_ids`; `conference` may be left out "
            f"when the ids say it (a filter alone needs it when there are several conferences). "
            f"At most {max_feed_items} ids in all.",
            "required": ["name"],
            "properties": {
                "name": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_NAME_CHARS,
                    "pattern": r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$",
                },
                "conference": _nullable({"type": "string", "pattern": _NO_CONTROLS}),
                "talk_ids": id_list,
                "talks": id_list,
                "session_ids": id_list,
                "sessions": id_list,
                "filter": _nullable(_ref("FeedFilter")),
                "alarm": _nullable({
                    "type": "integer", "minimum": 0, "maximum": MAX_ALARM_MINUTES,
                    "description": "Minutes before each event; a JSON integer (10, not 10.0).",
                }),
                "view": {"type": "string", "enum": list(VIEWS), "default": "talks"},
            },
            "anyOf": [
                {"required": ["talk_ids"], "properties": {"talk_ids": {"minItems": 1}}},
                {"required": ["talks"], "properties": {"talks": {"minItems": 1}}},
                {"required": ["session_ids"], "properties": {"session_ids": {"minItems": 1}}},
                {"required": ["sessions"], "properties": {"sessions": {"minItems": 1}}},
                {"required": ["filter"], "properties": {"filter": _set_filter()}},
            ],
            "additionalProperties": False,
        },
        "Feed": _object(feed_props, description="A custom feed's definition and its subscription links."),
        "Kit": _kit_schema(),
        "NewFeed": _object(
            {
                **feed_props,
                "edit_key": {"type": "string", "minLength": 16},
                "edit_url": {"type": "string", "format": "uri"},
            },
            description="A new custom feed: its definition and, this once only, the secret edit key.",
        ),
        "Store": store,
        "Source": source,
        "Health": _object({
            "status": {"type": "string", "enum": ["ok", "degraded"]},
            "version": _STRING,
            "store": _ref("Store"),
            "sources": {"type": "array", "items": _ref("Source")},
        }),
        "HealthError": _object({"status": {"const": "error"}, "error": _STRING}),
        "Ready": _object(
            {
                "ready": {"type": "boolean"},
                "store": _ref("Store"),
                "sources": {"type": "integer", "minimum": 0},
                "last_refresh_age_seconds": _nullable({"type": "number"}),
                "error": _STRING,
            },
            optional=("error",),
        ),
        "NotReady": {
            "anyOf": [
                _ref("Ready"),
                _object({"ready": {"const": False}, "error": _STRING}),
            ]
        },
    }


def _json(schema: dict[str, Any], description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        out["headers"] = headers
    return out


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return _json(_ref("Error"), description, headers)


_RESPONSES: dict[str, Any] = {
    "BadRequest": _error(
        "Malformed request: bad filters, bad JSON, unknown fields, too many ids, an oversized body, "
        "text with control characters."
    ),
    "Unauthorized": _error(
        "A missing or wrong edit key.",
        {"WWW-Authenticate": {"required": True, "schema": {"type": "string", "pattern": "^Bearer "}}},
    ),
    "NotFound": _error("Unknown conference, feed, or talk or session id."),
    "TooManyRequests": _error("Too many feeds created from this client address in the last hour."),
    "Unavailable": _error("The database is unreachable."),
}


def _response(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


#: An answer of the intake and organiser API: a JSON object (its fields are described in the
#: README's "Adding a conference from the browser" and "Organisers").
_ANY_OBJECT = {"type": "object"}
#: Their errors: the API's error fields, and for intake the parse report beside them.
_OPEN_ERROR = _json({"type": "object", "required": ["error", "status"],
                     "properties": {"error": {"type": "string", "minLength": 1},
                                    "status": {"type": "integer", "minimum": 400, "maximum": 599}}},
                    "An error, with what is known (intake: the page's report and its problem).")


def _organiser_paths(slug: dict[str, Any], token: dict[str, Any]) -> dict[str, Any]:
    """Adding pages (``/api/intake``) and the organisers' API (``/api/admin``, 404 without ``admin_token``)."""
    admin: list[dict[str, list[str]]] = [{"adminToken": []}]
    hidden = {"404": _OPEN_ERROR, "400": _OPEN_ERROR, "409": _OPEN_ERROR, "503": _OPEN_ERROR}
    json_body = {"required": False, "content": {"application/json": {"schema": _ANY_OBJECT}}}

    def admin_op(op_id: str, summary: str, status: str = "200", body: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"operationId": op_id, "summary": summary, "security": admin,
                               "responses": {status: _json(_ANY_OBJECT, "Done."), **hidden}}
        if body:
            out["requestBody"] = json_body
        return out

    intake_errors = {code: _OPEN_ERROR for code in ("400", "403", "404", "409", "413", "422", "429", "503")}
    return {
        "/api/intake": {"post": {
            "operationId": "previewPages",
            "summary": "Read a pasted page, an uploaded file or a URL: the parse report, a preview and a confirm URL.",
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": _ANY_OBJECT},
                "multipart/form-data": {"schema": _ANY_OBJECT},
                "application/x-www-form-urlencoded": {"schema": _ANY_OBJECT},
            }},
            "responses": {"200": _json(_ANY_OBJECT, "The report and preview, with `confirm_url`."), **intake_errors},
        }},
        "/api/intake/{token}/confirm": {"parameters": [token], "post": {
            "operationId": "confirmPages",
            "summary": "Store a previewed page in its conference; the subscribe kit.",
            "responses": {"201": _json(_ANY_OBJECT, "Stored."), **intake_errors},
        }},
        "/api/admin/conferences": {"get": admin_op("adminConferences", "Every conference with its sources' state.")},
        "/api/admin/conferences/{slug}": {
            "parameters": [slug],
            "get": admin_op("adminConference", "A conference with its sources' state."),
            "patch": admin_op("adminEditConference", "Rename, re-slug, change year, zone or days.", body=True),
            "delete": admin_op("adminDeleteConference", "Delete a conference and its talks."),
        },
        "/api/admin/conferences/{slug}/sources": {
            "parameters": [slug],
            "post": admin_op("adminAddSource", "Add a source URL.", "201", body=True),
            "delete": admin_op("adminRemoveSource", "Remove a source URL.", body=True),
        },
        "/api/admin/conferences/{slug}/refresh": {
            "parameters": [slug], "post": admin_op("adminRefresh", "Refresh the conference's sources now."),
        },
        "/api/admin/sample": {"delete": admin_op("adminRemoveSample", "Remove the sample conference.")},
    }


def _filter_parameters() -> list[dict[str, Any]]:
    def query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description, **extra}

    def or_blank(schema: dict[str, Any]) -> dict[str, Any]:
        return {"anyOf": [schema, _BLANK]}  # a blank value (``?day=``) means "not set"

    boolean = {"type": "string", "enum": ["0", "1", "false", "true"]}
    feed_option = "Feed option: validated, no effect on JSON. A blank value means not set."
    return [
        query("type", _PARAM_LIST, "Talk type, case-insensitive (repeat for either).", style="form", explode=True),
        query("room", _PARAM_TEXT, "Room of the talk or its session, case-insensitive."),
        query("day", or_blank({"type": "string", "format": "date"}), "The talk's local date (YYYY-MM-DD)."),
        query("author", _PARAM_TEXT, "Substring of an author's name (case- and accent-insensitive)."),
        query("q", _PARAM_TEXT, "Every word in the title, the authors or the abstract."),
        query("session", _PARAM_LIST, "Session id (repeat for either).", style="form", explode=True),
        query("view", or_blank({"type": "string", "enum": list(VIEWS)}), feed_option),
        query("abstracts", or_blank(boolean), feed_option),
        query("alarm", or_blank({"type": "integer", "minimum": 0, "maximum": MAX_ALARM_MINUTES}), feed_option),
        query("download", or_blank(boolean), feed_option),
        query("compact", or_blank(boolean), feed_option + " In feeds: short descriptions (five authors, no abstract)."),
        query("speakers", or_blank(boolean), feed_option + " In feeds: the first authors in each talk's SUMMARY."),
    ]


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

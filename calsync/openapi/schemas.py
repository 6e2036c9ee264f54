"""The component schemas (``components.schemas``): what each JSON answer and request body holds.

They follow what the web layer really answers (:mod:`calsync.serialize`,
:mod:`calsync.web.shapes`) closely enough that responses are checked against them:
closed objects, every field required unless optional, ``null`` where it occurs.
"""

from __future__ import annotations

from typing import Any

from ..feedspec import MAX_ID_CHARS, MAX_NAME_CHARS
from ..filters import MAX_ALARM_MINUTES, VIEWS
from ..model import SLUG_PATTERN
from .common import (
    _DATETIME,
    _FILTER_LIST,
    _FILTER_TEXT,
    _NO_CONTROLS,
    _NOT_BLANK,
    _STRING,
    _URL,
    TOKEN_PATTERN,
    _nullable,
    _object,
    _ref,
)


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

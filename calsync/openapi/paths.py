"""Operations beside the main listing: the intake and organisers' paths, and the feed filter parameters.

:func:`_filter_parameters` are the query parameters of the session and talk listings and
the conference kit (the filters of feed URLs, :mod:`calsync.filters`);
:func:`_organiser_paths` are ``/api/intake`` and ``/api/admin``.
"""

from __future__ import annotations

from typing import Any

from ..filters import MAX_ALARM_MINUTES, VIEWS
from .common import _BLANK, _PARAM_LIST, _PARAM_TEXT
from .responses import _ANY_OBJECT, _OPEN_ERROR, _json


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

"""Responses of the OpenAPI document: JSON bodies, the shared error responses (``components.responses``).

Every error of the API is an ``Error`` object; the intake and organiser API answer open
JSON objects (``_ANY_OBJECT``, ``_OPEN_ERROR``), described in the README instead.
"""

from __future__ import annotations

from typing import Any

from .common import _ref


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

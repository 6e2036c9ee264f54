"""Building blocks of the OpenAPI document: its version, patterns, ``$ref`` and the small schemas.

The text limits are those of :mod:`calsync.filters`: ``_FILTER_*`` is text as the API stores
it (no control characters), ``_PARAM_*`` a URL parameter's value (whitespace collapses).
"""

from __future__ import annotations

from typing import Any

from ..filters import MAX_VALUE_LENGTH, MAX_VALUES

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

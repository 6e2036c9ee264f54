"""Security headers on every answer: CSP, framing, referrer, sniffing.

The Content-Security-Policy allows scripts, styles, images and fonts from this
service only — no ``unsafe-inline``: the pages have no inline script, style
element or style attribute (see ``calsync/static/``). Custom feeds and their edit
pages put a secret in the URL, so they send no referrer at all; other pages send
it to this site only.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

bp = Blueprint("security", __name__)

#: The policy of every HTML page and JSON answer.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

#: Paths whose URL holds a secret (a custom feed's token, an edit key in the fragment).
SECRET_PATHS = ("/feeds/", "/api/feeds/")


def referrer_policy(path: str) -> str:
    """``no-referrer`` where the URL holds a secret, ``same-origin`` elsewhere.

    >>> referrer_policy("/feeds/abcdefghijklmnopqrstuv/edit"), referrer_policy("/conferences/x")
    ('no-referrer', 'same-origin')
    """
    return "no-referrer" if path.startswith(SECRET_PATHS) else "same-origin"


@bp.after_app_request
def security_headers(response: Response) -> Response:
    """Add the headers; a feed (``.ics``, never rendered as a page) only gets ``nosniff``."""
    headers = response.headers
    if request.path.endswith(".ics"):
        headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", referrer_policy(request.path))
    return response

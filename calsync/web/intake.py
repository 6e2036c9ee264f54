"""Adding a conference from the browser: a page pasted, uploaded or given by URL, previewed, confirmed.

Anyone may do it (organisers too, without the rate limit): ``GET /add`` is the form,
``POST /add`` shows the parse report and a preview of the events (the page is kept as a
draft for an hour), ``POST /add/<draft>/confirm`` stores them in the conference (new or
existing) and shows its subscribe kit. The JSON API does the same: ``POST /api/intake``
(JSON ``{"text"|"url", "conference", ...}`` or a multipart form with ``file``) and
``POST /api/intake/<draft>/confirm``. The work is :mod:`calsync.intake`'s; URLs go through
the fetch guard, submissions through the database's rate limiter
(``limits.intakes_per_hour`` per address), bodies up to ``limits.max_upload_bytes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from ..clock import utcnow
from ..errors import ApiError, CalsyncError, ConfigError, Forbidden
from ..filters import FeedQuery
from ..intake import (
    IntakeRequest,
    PageInput,
    Preview,
    check_rate,
    check_replacing,
    confirm,
    in_form_words,
    preview_json,
    read_paste,
    read_upload,
    read_url,
    submit,
)
from .admin import is_admin
from .kit import absolute, kit
from .services import services
from .shapes import conference_json

bp = Blueprint("intake", __name__)

#: Room for the form's other fields and the multipart framing beside the page itself (bytes).
FORM_OVERHEAD = 64 * 1024
#: The request's fields besides the page: what :class:`~calsync.intake.IntakeRequest` takes.
OPTION_FIELDS = ("page_url", "year", "timezone", "first_day", "last_day", "site")


@bp.before_request
def allow_pages() -> None:
    """Pages and data files are larger than other bodies: this blueprint's limit is ``max_upload_bytes``."""
    limit = services().config.limits.max_upload_bytes
    request.max_content_length = limit + FORM_OVERHEAD
    request.max_form_memory_size = limit


def _fields() -> Mapping[str, Any]:
    """The submission's fields: a JSON object, or the (multipart or urlencoded) form."""
    limit = services().config.limits.max_upload_bytes
    try:
        if request.is_json:
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                raise ApiError("send a JSON object with Content-Type: application/json")
            return body
        return request.form
    except RequestEntityTooLarge:
        raise ApiError(f"the page is too large: at most {limit:,} bytes (limits.max_upload_bytes)") from None


def _text(fields: Mapping[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ApiError(f"{name}: expected a string, got {value!r}")
    return str(value).strip()


def intake_request(fields: Mapping[str, Any]) -> IntakeRequest:
    """Where the page goes and how it is read (``conference``: an existing or new slug; ``name`` for a new one)."""
    values: dict[str, Any] = {k: _text(fields, k) for k in OPTION_FIELDS}
    slug = _text(fields, "conference") or _text(fields, "slug")
    if slug is None:
        raise ApiError("choose a conference, or give the new conference's slug (e.g. icml-2025)")
    if values["year"] is not None:
        if not values["year"].isdigit():
            raise ApiError(f"year: expected a year such as 2025, got {values['year']!r}")
        values["year"] = int(values["year"])
    for key in ("first_day", "last_day"):
        if values[key] is not None:
            try:
                values[key] = date.fromisoformat(values[key])
            except ValueError:
                raise ApiError(f"{key}: expected YYYY-MM-DD, got {values[key]!r}") from None
    return IntakeRequest(slug=slug, name=_text(fields, "name"), **values)


def read_submission(fields: Mapping[str, Any], request_: IntakeRequest) -> PageInput:
    """The page: exactly one of a pasted ``text``, an uploaded ``file`` or a ``url``."""
    upload = request.files.get("file")
    has_upload = upload is not None and bool(upload.filename)
    text, url = fields.get("text"), _text(fields, "url")
    given = [n for n, v in (("text", isinstance(text, str) and text.strip()), ("file", has_upload), ("url", url)) if v]
    if len(given) != 1:
        raise ApiError("give the page one way: paste its text, choose a file, or give its URL"
                       + (f" (got {' and '.join(given)})" if given else ""))
    if given == ["url"]:
        assert url is not None
        try:
            return read_url(url, services().config, site=request_.site)
        except ConfigError as exc:  # a home URL of a site whose name the host does not tell
            raise ApiError(in_form_words(exc.message)) from None
    if given == ["file"]:
        assert upload is not None
        return read_upload(upload.filename, upload.read())
    return read_paste(str(text))


def take(fields: Mapping[str, Any]) -> tuple[Preview, str | None]:
    """Check the request, count it against the rate limit (not an organiser's), read and preview the page."""
    found = services()
    wanted = intake_request(fields)
    if not is_admin():
        check_rate(found.store, found.config, request.remote_addr or "unknown", utcnow())
    page = read_submission(fields, wanted)
    return submit(found.store, found.config, page, wanted, utcnow(), organiser=is_admin())


def subscribe(slug: str) -> dict[str, Any]:
    """The conference feed's subscribe kit."""
    feed = services().service.conference_feed(slug, FeedQuery())
    return kit(url_for("feeds.conference_feed", slug=slug), "", feed.name, feed)


def _page(template: str, status: int = 200, **values: Any) -> Response:
    html = render_template(template, **values)
    response = Response(html, status=status, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


# -- pages ---------------------------------------------------------------------------


def _form(status: int = 200, error: str | None = None, values: Mapping[str, Any] | None = None) -> Response:
    found = services()
    return _page("intake.html", status=status, error=error, values=values or {},
                 conferences=found.store.list_conferences(), max_bytes=found.config.limits.max_upload_bytes,
                 organiser=is_admin())


@bp.get("/add")
def form() -> Response:
    return _form(values={"conference": request.args.get("conference", "")})


@bp.post("/add")
def preview_page() -> Response:
    fields: Mapping[str, Any] = {}
    try:
        fields = _fields()
        found, token = take(fields)
    except CalsyncError as exc:  # the form again, with what was typed and why it was refused
        kept = {k: v for k, v in fields.items() if k != "text" and isinstance(v, str)}
        return _form(status=exc.status, error=exc.message, values={**kept, "text": fields.get("text", "")})
    status = 422 if not found.ok else 403 if token is None else 200
    return _page("intake_preview.html", status=status, preview=preview_json(found, token), refused=_refusal(found, token))


def _refusal(found: Preview, token: str | None) -> str | None:
    """Why a readable page cannot be stored by this client (it would replace stored sessions), or ``None``."""
    if not found.ok or token is not None:
        return None
    try:
        check_replacing(found, organiser=False)
    except Forbidden as exc:
        return exc.message
    return None


@bp.post("/add/<token:token>/confirm")
def confirm_page(token: str) -> Response:
    found = services()
    stored = confirm(found.store, found.config, token, utcnow(), organiser=is_admin())
    slug = stored.report.conference
    return _page("intake_done.html", status=201, conference=found.store.get_conference(slug), stored=stored,
                 kit=subscribe(slug))


# -- the JSON API ------------------------------------------------------------------------


@bp.post("/api/intake")
def api_preview() -> Response:
    found, token = take(_fields())
    body = preview_json(found, token)
    if token is not None:
        body["confirm_url"] = absolute(url_for("intake.api_confirm", token=token))
    response = jsonify(body)
    refused = _refusal(found, token)
    if found.problem is not None or refused is not None:
        status = found.problem.status if found.problem is not None else Forbidden.status
        body.update(error=body["problem"]["message"] if found.problem is not None else refused, status=status)
        response = jsonify(body)
        response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/api/intake/<token:token>/confirm")
def api_confirm(token: str) -> Response:
    found = services()
    stored = confirm(found.store, found.config, token, utcnow(), organiser=is_admin())
    slug = stored.report.conference
    report = stored.report
    subscribe_kit = {k: v for k, v in subscribe(slug).items() if k != "qr"}
    response = jsonify({
        "conference": conference_json(found.store.get_conference(slug)),
        "import": {"summary": report.summary(), "created": len(report.created), "changed": len(report.changed),
                   "unchanged": len(report.unchanged), "removed": len(report.removed)},
        "said": stored.said,
        "kit": subscribe_kit,
    })
    response.status_code = 201
    return response

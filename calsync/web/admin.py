"""Organisers: rename, edit and delete conferences, add and remove sources, refresh now, remove the sample.

Only with the ``admin_token`` setting. The pages under ``/admin`` take a session cookie set
by the login form (HttpOnly, SameSite=Strict, Secure over https; an HMAC of the token, so
changing the token ends every session) and a CSRF token in every form post; the JSON API
under ``/api/admin`` takes ``Authorization: Bearer <admin_token>``. Without the token (or
with a wrong one, or when the setting is unset) every one of these paths answers 404, like
a path that does not exist — the login form only exists when the setting is set.
"""

from __future__ import annotations

import hmac
import time
from hashlib import sha256
from typing import Any

from flask import Blueprint, Response, g, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound as NoSuchPath
from werkzeug.wrappers import Response as BaseResponse

from ..bootstrap import SAMPLE_SLUG
from ..clock import utcnow
from ..errors import ApiError, Busy, TooManyRequests
from ..refresh import refresh_all
from .services import services
from .shapes import conference_json, source_json

bp = Blueprint("admin", __name__)

COOKIE = "calsync_admin"
#: How long a login lasts (seconds).
SESSION_SECONDS = 12 * 3600
#: Login attempts one address may make per hour (the database's limiter).
LOGINS_PER_HOUR = 10
#: What a form post's redirect says (``?done=<key>``): fixed texts, nothing from the request.
DONE = {
    "edited": "Saved.", "source-added": "Source added.", "source-removed": "Source removed.",
    "refreshed": "Refreshed: see each source's state below.", "deleted": "Conference deleted.",
    "sample-removed": "The sample conference is removed.", "logged-in": "Logged in.",
}


# -- who is an organiser ---------------------------------------------------------


def _token() -> str | None:
    return services().config.admin_token


def _sign(token: str, message: str) -> str:
    return hmac.new(token.encode("utf-8"), message.encode("utf-8"), sha256).hexdigest()


def session_value(token: str, issued: int) -> str:
    """The cookie's value: when it was issued and an HMAC of that under the token."""
    return f"{issued}.{_sign(token, f'session|{issued}')}"


def _valid_session(token: str, value: str, now: float) -> bool:
    issued_text, _, mac = value.partition(".")
    if not issued_text.isdigit():
        return False
    issued = int(issued_text)
    fresh = issued - 60 <= now <= issued + SESSION_SECONDS
    return fresh and hmac.compare_digest(mac, _sign(token, f"session|{issued}"))


def csrf_token() -> str:
    """The CSRF token of this session's forms (an HMAC of the session cookie)."""
    token = _token()
    return _sign(token, f"csrf|{request.cookies.get(COOKIE, '')}") if token else ""


def bearer_admin() -> bool:
    """Whether the request carries ``Authorization: Bearer <admin_token>``."""
    token = _token()
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(key.strip().encode("utf-8"), token.encode("utf-8"))


def cookie_admin() -> bool:
    """Whether the request carries a valid organiser's session cookie."""
    token = _token()
    value = request.cookies.get(COOKIE)
    if not token or not value:
        return False
    return _valid_session(token, value, time.time())


def is_admin() -> bool:
    """Whether this request is an organiser's (bearer header or session cookie)."""
    if "calsync_admin" not in g:
        g.calsync_admin = bearer_admin() or cookie_admin()
    return bool(g.calsync_admin)


def _hidden() -> NoSuchPath:
    return NoSuchPath()  # the same 404 as any path that does not exist


def require_form_admin() -> None:
    """An organiser's form post: the session cookie and the form's CSRF token, else 404."""
    if not cookie_admin():
        raise _hidden()
    if request.method == "POST" and not hmac.compare_digest(request.form.get("csrf", ""), csrf_token()):
        raise ApiError("this form has expired (its CSRF token does not match): reload the page and try again")


@bp.before_request
def only_organisers() -> None:
    """Every path here exists only for organisers (the login form: only when the token is set)."""
    if not _token():
        raise _hidden()
    if request.endpoint in ("admin.login", "admin.login_post"):
        return
    if request.path.startswith("/api/"):
        if not bearer_admin():
            raise _hidden()
        return
    require_form_admin()


# -- shared ------------------------------------------------------------------------


def conference_state(slug: str) -> dict[str, Any]:
    """A conference as organisers see it: the public shape, its days and its sources."""
    store = services().store
    first, last = store.get_days(slug)
    return {
        **conference_json(store.get_conference(slug)),
        "first_day": first.isoformat() if first else None,
        "last_day": last.isoformat() if last else None,
        "sources": [source_json(s) for s in store.list_sources(slug)],
    }


def refresh_now(slug: str) -> list[dict[str, Any]]:
    """Refresh one conference's sources now (under the refresh lease), or :class:`Busy`."""
    found = services()
    found.store.get_conference(slug)
    outcomes = refresh_all(found.store, found.config, utcnow, only=slug)
    if outcomes is None:
        raise Busy("a refresh is running (another worker or instance holds its lease): try again in a minute")
    return [{"url": o.url, "status": o.status, "message": o.message, "talks": o.talks} for o in outcomes]


def remove_sample() -> dict[str, Any]:
    """Delete the sample conference and remember not to load it again."""
    store = services().store
    deleted = store.delete_conference(SAMPLE_SLUG)
    store.mark_sample_removed()
    return deleted.__dict__


# -- the JSON API (bearer) ------------------------------------------------------------


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict):
        raise ApiError("send a JSON object with Content-Type: application/json")
    return body


@bp.get("/api/admin/conferences")
def api_conferences() -> Any:
    return jsonify({"conferences": [conference_state(c.slug) for c in services().store.list_conferences()]})


@bp.route("/api/admin/conferences/<id:slug>", methods=["GET", "PATCH", "DELETE"])
def api_conference(slug: str) -> Any:
    if request.method == "PATCH":
        body = _body()
        known = {"name", "slug", "year", "timezone", "first_day", "last_day"}
        if unknown := set(body) - known:
            raise ApiError(f"unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
        slug = services().store.edit_conference(slug, body, utcnow())
    elif request.method == "DELETE":
        return jsonify({"deleted": services().store.delete_conference(slug).__dict__})
    return jsonify(conference_state(slug))


@bp.route("/api/admin/conferences/<id:slug>/sources", methods=["POST", "DELETE"])
def api_sources(slug: str) -> Any:
    store = services().store
    store.get_conference(slug)
    url = _body().get("url") if request.method == "POST" or request.is_json else request.args.get("url")
    if request.method == "POST":
        store.add_conference_source(slug, url)
        response = jsonify(conference_state(slug))
        response.status_code = 201
        return response
    store.remove_source(slug, str(url or ""))
    return jsonify(conference_state(slug))


@bp.post("/api/admin/conferences/<id:slug>/refresh")
def api_refresh(slug: str) -> Any:
    return jsonify({"outcomes": refresh_now(slug), "conference": conference_state(slug)})


@bp.delete("/api/admin/sample")
def api_remove_sample() -> Any:
    return jsonify({"deleted": remove_sample()})


# -- the pages (session cookie + CSRF) -----------------------------------------------------


def _page(template: str, status: int = 200, **values: Any) -> Response:
    html = render_template(template, csrf=csrf_token(), done=DONE.get(request.args.get("done", "")), **values)
    response = Response(html, status=status, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


def _back(endpoint: str, done: str, **values: Any) -> BaseResponse:
    return redirect(url_for(endpoint, done=done, **values), code=303)


@bp.get("/admin/login")
def login() -> Response:
    return _page("admin_login.html", logged_in=cookie_admin())


@bp.post("/admin/login")
def login_post() -> BaseResponse:
    found = services()
    client = request.remote_addr or "unknown"
    if not found.store.count_event(f"admin-login {client}", LOGINS_PER_HOUR, 3600, utcnow()):
        raise TooManyRequests("too many login attempts from this address; try again in an hour")
    given = request.form.get("token", "")
    if not hmac.compare_digest(given.encode(), (found.config.admin_token or "").encode()):
        return _page("admin_login.html", status=401, error="That is not the organisers' token.", logged_in=False)
    response = _back("admin.dashboard", "logged-in")
    response.set_cookie(COOKIE, session_value(found.config.admin_token or "", int(time.time())), max_age=SESSION_SECONDS,
                        path="/", secure=request.is_secure, httponly=True, samesite="Strict")
    return response


@bp.post("/admin/logout")
def logout() -> BaseResponse:
    response = redirect(url_for("pages.index"), code=303)
    response.delete_cookie(COOKIE, path="/", secure=request.is_secure, httponly=True, samesite="Strict")
    return response


@bp.get("/admin")
def dashboard() -> Response:
    store = services().store
    conferences = [(c, store.get_days(c.slug), len(store.list_sources(c.slug))) for c in store.list_conferences()]
    has_sample = any(c.slug == SAMPLE_SLUG for c, _, _ in conferences)
    return _page("admin.html", conferences=conferences, sample=SAMPLE_SLUG, has_sample=has_sample)


@bp.get("/admin/conferences/<id:slug>")
def conference(slug: str, error: str | None = None, status: int = 200) -> Response:
    store = services().store
    first, last = store.get_days(slug)
    return _page("admin_conference.html", status=status, conference=store.get_conference(slug), first_day=first,
                 last_day=last, sources=store.list_sources(slug), error=error,
                 configured=any(c.slug == slug for c in services().config.conferences))


def _form_action(slug: str, action: Any) -> BaseResponse:
    """Run a form's action; a bad value re-shows the page with the reason (nothing changed)."""
    try:
        return action()  # type: ignore[no-any-return]
    except ApiError as exc:
        return conference(slug, error=exc.message, status=exc.status)


@bp.post("/admin/conferences/<id:slug>")
def conference_post(slug: str) -> BaseResponse:
    fields = ("name", "slug", "year", "timezone", "first_day", "last_day")
    values = {k: request.form.get(k, "").strip() for k in fields if k in request.form}
    return _form_action(slug, lambda: _back("admin.conference", "edited",
                                            slug=services().store.edit_conference(slug, values, utcnow())))


@bp.post("/admin/conferences/<id:slug>/sources")
def source_add(slug: str) -> BaseResponse:
    def add() -> BaseResponse:
        services().store.add_conference_source(slug, request.form.get("url", ""))
        return _back("admin.conference", "source-added", slug=slug)

    return _form_action(slug, add)


@bp.post("/admin/conferences/<id:slug>/sources/remove")
def source_remove(slug: str) -> BaseResponse:
    services().store.remove_source(slug, request.form.get("url", ""))
    return _back("admin.conference", "source-removed", slug=slug)


@bp.post("/admin/conferences/<id:slug>/refresh")
def refresh(slug: str) -> BaseResponse:
    try:
        refresh_now(slug)
    except Busy as exc:
        return conference(slug, error=exc.message, status=exc.status)
    return _back("admin.conference", "refreshed", slug=slug)


@bp.post("/admin/conferences/<id:slug>/delete")
def delete(slug: str) -> BaseResponse:
    if request.form.get("confirm", "") != slug:
        return conference(slug, error=f"To delete it, type its slug ({slug}) in the box beside the button.", status=400)
    services().store.delete_conference(slug)
    return _back("admin.dashboard", "deleted")


@bp.post("/admin/sample/remove")
def sample_remove() -> BaseResponse:
    remove_sample()
    return _back("admin.dashboard", "sample-removed")


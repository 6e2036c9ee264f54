"""The HTTP GET of one page under a :class:`~calsync.fetch.policy.FetchPolicy`.

:func:`fetch_page` follows redirects by hand (each hop checked again by the address
guard), retries 5xx answers, timeouts and connection errors with exponential backoff
(4xx answers and refusals are not retried), makes the request conditional with
``ETag`` / ``Last-Modified`` (``304`` → no body), streams the body and stops it past
``max_bytes``, and a watchdog thread shuts the socket down when the whole body takes
longer than ``total_timeout`` (a server dripping a byte at a time never trips the
per-read timeout). The body is decoded by its declared charset
(:func:`calsync.decoding.decode_page`).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

import requests
from urllib3.exceptions import ReadTimeoutError

from ..decoding import decode_page
from ..errors import FetchError, display_url
from .guard import _check_url, make_session
from .policy import FetchPolicy

logger = logging.getLogger(__name__)

__all__ = ["FetchResult", "fetch_page"]

_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
#: Bytes asked of the stream at a time: at most ``max_bytes + _CHUNK`` are ever read.
_CHUNK = 64 * 1024


# -- fetching --------------------------------------------------------------------


@dataclass(frozen=True)
class FetchResult:
    """What a fetch produced."""

    #: The final URL, after redirects.
    url: str
    #: 200 (any 2xx) or 304.
    status: int
    #: The decoded body; ``None`` on 304.
    text: str | None
    content_type: str | None
    etag: str | None
    last_modified: str | None


class _Retry(Exception):
    """An attempt failed in a way worth retrying."""

    def __init__(self, reason: str, http_status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.http_status = http_status


def fetch_page(
    url: str,
    policy: FetchPolicy,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    session: requests.Session | None = None,
) -> FetchResult:
    """GET ``url`` under ``policy``; see the module docstring for the rules.

    ``etag`` / ``last_modified`` (from an earlier :class:`FetchResult`) make the
    request conditional: an unchanged page gives ``status=304`` and ``text=None``.
    Pass a ``session`` from :func:`make_session` to reuse connections; another
    session works but lacks the connect-time address re-check.

    Raises :class:`FetchRefused` (scheme, allow-list, address guard) and
    :class:`FetchError` (DNS, network, HTTP status, size, too many redirects).
    """
    own_session = session is None
    if session is None:
        session = make_session(policy)
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        current = url
        for hop in range(policy.max_redirects + 1):
            outcome = _fetch_hop(session, current, policy, headers)
            if isinstance(outcome, FetchResult):
                if outcome.status == 304:
                    outcome = FetchResult(
                        url=outcome.url,
                        status=304,
                        text=None,
                        content_type=outcome.content_type,
                        etag=outcome.etag or etag,
                        last_modified=outcome.last_modified or last_modified,
                    )
                logger.info("fetched %s: HTTP %d", display_url(outcome.url), outcome.status)
                return outcome
            logger.debug("redirect %d: %s -> %s", hop + 1, display_url(current), display_url(outcome))
            current = outcome
        raise FetchError(f"too many redirects (more than {policy.max_redirects})", url=url)
    finally:
        if own_session:
            session.close()


def _fetch_hop(
    session: requests.Session, url: str, policy: FetchPolicy, headers: dict[str, str]
) -> FetchResult | str:
    """One URL, with retries: a result, or the URL a redirect points to."""
    _check_url(url, policy)
    attempts = policy.retries + 1
    for attempt in range(1, attempts + 1):
        try:
            return _attempt(session, url, policy, headers)
        except _Retry as retry:
            if attempt == attempts:
                tried = f"after {attempts} attempts" if attempts > 1 else "no retries configured"
                raise FetchError(f"{retry.reason} ({tried})", url=url, http_status=retry.http_status) from None
            delay = policy.backoff * 2 ** (attempt - 1)
            logger.warning(
                "fetching %s: %s; retrying in %.2g s (attempt %d of %d)",
                display_url(url), retry.reason, delay, attempt + 1, attempts,
            )
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def _attempt(
    session: requests.Session, url: str, policy: FetchPolicy, headers: dict[str, str]
) -> FetchResult | str:
    """One request: a result, a redirect target, or :class:`_Retry` / :class:`FetchError`."""
    try:
        prepared = session.prepare_request(requests.Request("GET", url, headers=headers))
        response = session.send(
            prepared,
            stream=True,
            allow_redirects=False,
            timeout=(policy.connect_timeout, policy.read_timeout),
        )
    except FetchError as exc:
        if exc.url is None:  # raised by the connect-time guard, which does not know the URL
            raise type(exc)(exc.reason, url=url, http_status=exc.http_status) from exc
        raise
    except requests.exceptions.SSLError as exc:
        raise FetchError(f"TLS error: {_exception_reason(exc)}", url=url) from exc
    except requests.exceptions.Timeout as exc:
        kind = "connect" if isinstance(exc, requests.exceptions.ConnectTimeout) else "read"
        limit = policy.connect_timeout if kind == "connect" else policy.read_timeout
        raise _Retry(f"{kind} timeout after {limit:g} s") from exc
    except requests.exceptions.ConnectionError as exc:
        raise _Retry(f"connection error: {_exception_reason(exc)}") from exc
    except requests.exceptions.RequestException as exc:
        raise FetchError(f"invalid request: {_exception_reason(exc)}", url=url) from exc

    with response:
        status = response.status_code
        if status in _REDIRECT_CODES:
            target = session.get_redirect_target(response)
            if not target:
                raise FetchError(f"HTTP {status} redirect without a Location header", url=url, http_status=status)
            return urljoin(url, target)
        if status == 304:
            return _result(url, response, status, None)
        if status >= 500:
            raise _Retry(f"HTTP {status} {response.reason or ''}".rstrip(), http_status=status)
        if not 200 <= status < 300 or status == 206:
            raise FetchError(f"HTTP {status} {response.reason or ''}".rstrip(), url=url, http_status=status)
        length = response.headers.get("Content-Length", "")
        if length.strip().isdigit() and int(length) > policy.max_bytes:
            raise FetchError(
                f"response larger than {policy.max_bytes} bytes (Content-Length: {int(length)})", url=url
            )
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            _shutdown(response)  # unblocks a read that is waiting for the next drip

        watchdog = threading.Timer(policy.total_timeout, expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            body = _read_capped(response.iter_content(chunk_size=_CHUNK), policy.max_bytes)
        except Exception as exc:
            watchdog.cancel()
            if expired.is_set():  # the closed connection surfaced as some error
                raise FetchError(f"the response took longer than {policy.total_timeout:g} s in all", url=url) from None
            raise _body_error(exc, url, policy) from exc
        watchdog.cancel()
        if expired.is_set():  # closed mid-body: what arrived is incomplete
            raise FetchError(f"the response took longer than {policy.total_timeout:g} s in all", url=url)
        text = _decode(body, response.headers.get("Content-Type"))
        return _result(url, response, status, text)


def _shutdown(response: requests.Response) -> None:
    """Shut the response's socket down from another thread (a blocked ``recv`` then returns)."""
    raw = response.raw
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is None:  # urllib3 released the connection object: reach the socket of the stream
        fp = getattr(getattr(getattr(raw, "_fp", None), "fp", None), "raw", None)
        sock = getattr(fp, "_sock", None)
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    response.close()


def _body_error(exc: Exception, url: str, policy: FetchPolicy) -> Exception:
    """What a failure while reading a body becomes: a retry, or a final :class:`FetchError`."""
    if isinstance(exc, _TooLarge):
        return FetchError(f"response larger than {policy.max_bytes} bytes", url=url)
    if isinstance(exc, requests.exceptions.ConnectionError):
        if isinstance(exc.args[0] if exc.args else None, ReadTimeoutError):
            return _Retry(f"read timeout after {policy.read_timeout:g} s while reading the body")
        return _Retry(f"connection error while reading the body: {_exception_reason(exc)}")
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return _Retry(f"connection broken while reading the body: {_exception_reason(exc)}")
    if isinstance(exc, requests.exceptions.RequestException):
        return FetchError(f"cannot read the body: {_exception_reason(exc)}", url=url)
    return exc


def _result(url: str, response: requests.Response, status: int, text: str | None) -> FetchResult:
    return FetchResult(
        url=url,
        status=status,
        text=text,
        content_type=response.headers.get("Content-Type"),
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
    )


class _TooLarge(Exception):
    """The body went over the cap."""


def _read_capped(chunks: Iterator[bytes], max_bytes: int) -> bytes:
    """Join ``chunks``, stopping as soon as more than ``max_bytes`` arrived.

    >>> _read_capped(iter([b"ab", b"cd"]), 4)
    b'abcd'
    >>> _read_capped(iter([b"ab", b"cd", b"e"]), 4)
    Traceback (most recent call last):
    ...
    calsync.fetch.client._TooLarge
    """
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > max_bytes:
            raise _TooLarge
    return bytes(body)


def _charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type, if any.

    >>> _charset('text/html; Charset="ISO-8859-1"'), _charset("text/html"), _charset(None)
    ('iso-8859-1', None, None)
    """
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("'\"").lower() or None
    return None


def _decode(body: bytes, content_type: str | None) -> str:
    """Decode a response body by its declared charset (see :func:`calsync.decoding.decode_page`).

    >>> _decode("café".encode("latin-1"), "text/html; charset=iso-8859-1")
    'café'
    >>> _decode(b"aGk=", "text/html; charset=base64")
    'aGk='
    """
    return decode_page(body, _charset(content_type))


def _exception_reason(exc: BaseException) -> str:
    """The innermost useful message of a requests/urllib3 exception chain."""
    inner: BaseException = exc
    while inner.args and isinstance(inner.args[0], BaseException):
        inner = inner.args[0]
    reason = getattr(inner, "reason", None)
    if isinstance(reason, BaseException):
        inner = reason
    return str(inner) or type(inner).__name__

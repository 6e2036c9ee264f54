"""Fetch conference schedule pages by URL, safely (an SSRF-guarded HTTP GET).

Pages are fetched with :mod:`requests`, under a :class:`FetchPolicy`:

* only ``http`` and ``https``;
* only hosts in the allow-list (``"host"`` for the scheme's default port,
  ``"host:port"`` for any other port);
* every address a host resolves to must be public (not loopback, link-local,
  private, multicast, reserved or unspecified), unless that *address* is itself
  in the allow-list (``"127.0.0.1:8080"``, ``"10.0.0.5"``); a listed *name* that
  resolves to a private address is refused, so that a public name whose DNS
  points inside (by mistake or on purpose) cannot reach internal services;
* redirects are followed by hand and every hop is checked again;
* bodies are streamed and capped at ``max_bytes``;
* 5xx answers, timeouts and connection errors are retried with exponential
  backoff; 4xx answers and refusals are not;
* ``ETag`` / ``Last-Modified`` make conditional requests (``304`` → no body).

The address check runs twice: once before each request (a clear refusal, no
connection attempt) and again inside the connection that :func:`make_session`
sets up, on the very addresses the socket connects to, so that DNS answers that
change between the check and the connection (DNS rebinding) are caught too.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import idna
import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    LocationParseError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.util import connection as urllib3_connection
from urllib3.util import parse_url

from . import __version__
from .config import FetchConfig
from .decoding import decode_page
from .errors import ConfigError, FetchError, FetchRefused, display_url

logger = logging.getLogger(__name__)

__all__ = [
    "WELL_KNOWN_HOSTS",
    "FetchError",
    "FetchPolicy",
    "FetchRefused",
    "FetchResult",
    "default_allow_hosts",
    "fetch_page",
    "make_session",
    "parse_allow_hosts",
]

#: The conference sites calsync knows how to import.
WELL_KNOWN_HOSTS: frozenset[str] = frozenset(
    {
        "icml.cc",
        "www.icml.cc",
        "neurips.cc",
        "www.neurips.cc",
        "nips.cc",
        "www.nips.cc",
        "iclr.cc",
        "www.iclr.cc",
    }
)

_ALLOW_HINT = "fetch.allow_hosts / CALSYNC_FETCH_ALLOW_HOSTS"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
#: Bytes asked of the stream at a time: at most ``max_bytes + _CHUNK`` are ever read.
_CHUNK = 64 * 1024
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


# -- policy ----------------------------------------------------------------------

#: The ``[fetch]`` settings' defaults: the one owner of every default below.
_DEFAULTS = FetchConfig()


@dataclass(frozen=True)
class FetchPolicy:
    """What may be fetched, and how: the ``[fetch]`` settings (:class:`~calsync.config.FetchConfig`,
    which owns the defaults) with the allow-list worked out for one run.

    :meth:`from_config` is the one conversion from the settings; tests build policies
    directly. ``allow_hosts`` entries are canonicalised (lower-case, IDNA, IPv6 in
    brackets when a port is given); an invalid entry is a :class:`ConfigError`.

    >>> sorted(FetchPolicy(allow_hosts=frozenset({"ICML.cc", "[::1]:8080"})).allow_hosts)
    ['[::1]:8080', 'icml.cc']
    >>> FetchPolicy().read_timeout == FetchConfig().read_timeout_seconds
    True
    """

    #: ``"host"`` (scheme's default port) or ``"host:port"``; empty = no host allowed.
    allow_hosts: frozenset[str] = frozenset()
    #: The entries that may vouch for a private, loopback or link-local address (the
    #: config's, never a command line's); ``None``: all of ``allow_hosts``.
    address_hosts: frozenset[str] | None = None
    connect_timeout: float = float(_DEFAULTS.connect_timeout_seconds)
    read_timeout: float = float(_DEFAULTS.read_timeout_seconds)
    max_bytes: int = _DEFAULTS.max_bytes
    max_redirects: int = _DEFAULTS.max_redirects
    #: Extra attempts on 5xx / timeouts / connection errors only.
    retries: int = _DEFAULTS.retries
    #: Seconds one response body may take in all (a server that drips a byte every few
    #: seconds never trips the read timeout, which is per socket read).
    total_timeout: float = float(_DEFAULTS.total_timeout_seconds)
    #: Seconds before the first retry, doubled for each further one.
    backoff: float = float(_DEFAULTS.backoff_seconds)
    user_agent: str = f"calsync/{__version__} (+conference calendar exporter)"

    @classmethod
    def from_config(
        cls, settings: FetchConfig, allow_hosts: Iterable[str], address_hosts: Iterable[str] | None = None
    ) -> FetchPolicy:
        """The policy of the ``[fetch]`` settings with these allow-lists (see :func:`default_allow_hosts`).

        >>> policy = FetchPolicy.from_config(FetchConfig(retries=0, backoff_seconds=0.25), {"a.org"})
        >>> policy.retries, policy.backoff, policy.read_timeout, sorted(policy.address_hosts or ())
        (0, 0.25, 20.0, ['a.org'])
        """
        return cls(
            allow_hosts=frozenset(allow_hosts),
            address_hosts=None if address_hosts is None else frozenset(address_hosts),
            connect_timeout=float(settings.connect_timeout_seconds),
            read_timeout=float(settings.read_timeout_seconds),
            total_timeout=float(settings.total_timeout_seconds),
            max_bytes=settings.max_bytes,
            max_redirects=settings.max_redirects,
            retries=settings.retries,
            backoff=float(settings.backoff_seconds),
        )

    def __post_init__(self) -> None:
        if isinstance(self.allow_hosts, str):
            raise ConfigError("FetchPolicy.allow_hosts must be a set of hosts; use parse_allow_hosts() for text")
        object.__setattr__(self, "allow_hosts", frozenset(_canonical_entry(e) for e in self.allow_hosts))
        vouch = self.allow_hosts if self.address_hosts is None else self.address_hosts
        object.__setattr__(self, "address_hosts", frozenset(_canonical_entry(e) for e in vouch))
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"fetch.{name} must be > 0, not {getattr(self, name)!r}")
        if self.max_bytes < 1:
            raise ConfigError(f"fetch.max_bytes must be >= 1, not {self.max_bytes!r}")
        for name in ("max_redirects", "retries"):
            if getattr(self, name) < 0:
                raise ConfigError(f"fetch.{name} must be >= 0, not {getattr(self, name)!r}")
        if self.backoff < 0:
            raise ConfigError(f"fetch.backoff must be >= 0, not {self.backoff!r}")


def parse_allow_hosts(text: str) -> frozenset[str]:
    """Parse a comma- (or space-) separated allow-list, validated and lower-cased.

    >>> sorted(parse_allow_hosts("a.org, 127.0.0.1:8080"))
    ['127.0.0.1:8080', 'a.org']
    >>> sorted(parse_allow_hosts(" Schedule.Example.ORG  [::1]:8000,,fe80::1 "))
    ['[::1]:8000', 'fe80::1', 'schedule.example.org']
    >>> parse_allow_hosts("")
    frozenset()
    >>> parse_allow_hosts("https://icml.cc/")
    Traceback (most recent call last):
    ...
    calsync.errors.ConfigError: invalid allow-list entry 'https://icml.cc/': give a host or host:port, not a URL
    """
    return frozenset(_canonical_entry(item) for item in re.split(r"[,\s]+", text) if item)


def default_allow_hosts(source_urls: Iterable[str], extra: Iterable[str] = ()) -> frozenset[str]:
    """The hosts of the configured http(s) sources, :data:`WELL_KNOWN_HOSTS` and ``extra``.

    Sources that are not http(s) URLs (local files) add nothing; a source on a
    non-default port adds ``"host:port"``.

    >>> hosts = default_allow_hosts(
    ...     ["https://Conf.Example.org/schedule", "http://10.1.2.3:8080/p", "pages/day1.html"],
    ...     extra=["mirror.example.net"],
    ... )
    >>> sorted(hosts - WELL_KNOWN_HOSTS)
    ['10.1.2.3:8080', 'conf.example.org', 'mirror.example.net']
    >>> "icml.cc" in hosts
    True
    """
    hosts = set(WELL_KNOWN_HOSTS)
    for url in source_urls:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            continue
        try:
            host, port = parts.hostname, parts.port
        except ValueError as exc:
            raise ConfigError(f"invalid source URL {url!r}: {exc}") from exc
        if not host:
            raise ConfigError(f"invalid source URL {url!r}: no host")
        host = _canonical_host(host, what=f"source URL {url!r}")
        hosts.add(_host_key(host, None if port in (None, _DEFAULT_PORTS[scheme]) else port))
    hosts.update(_canonical_entry(item) for item in extra)
    return frozenset(hosts)


def _canonical_host(host: str, *, what: str) -> str:
    """A host name or IP literal in the form allow-list entries are compared in.

    >>> _canonical_host("ICML.cc.", what="x")
    'icml.cc'
    >>> _canonical_host("[0:0::1]", what="x")
    '::1'
    >>> _canonical_host("bücher.example", what="x")
    'xn--bcher-kva.example'
    """
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    host = host.removesuffix(".")
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise ConfigError(f"invalid host in {what}: {exc}") from exc
    if len(host) > 253 or not all(_LABEL_RE.match(label) for label in host.split(".")):
        raise ConfigError(f"invalid host in {what}")
    return host


def _canonical_entry(entry: str) -> str:
    """One allow-list entry, validated: ``host``, ``host:port``, ``ipv6`` or ``[ipv6]:port``.

    >>> _canonical_entry("LocalHost:8080")
    'localhost:8080'
    >>> _canonical_entry("*.icml.cc")
    Traceback (most recent call last):
    ...
    calsync.errors.ConfigError: invalid allow-list entry '*.icml.cc': wildcards are not supported; list each host
    """
    raw = entry
    entry = entry.strip()
    if not entry:
        raise ConfigError("invalid allow-list entry: empty")
    if "://" in entry or "/" in entry:
        raise ConfigError(f"invalid allow-list entry {raw!r}: give a host or host:port, not a URL")
    if "*" in entry:
        raise ConfigError(f"invalid allow-list entry {raw!r}: wildcards are not supported; list each host")
    port: int | None = None
    host = entry
    if entry.startswith("["):
        close = entry.find("]")
        rest = entry[close + 1 :] if close >= 0 else ""
        if close < 0 or (rest and not rest.startswith(":")):
            raise ConfigError(f"invalid allow-list entry {raw!r}")
        host = entry[: close + 1]
        if rest:
            port = _parse_port(rest[1:], raw)
    elif entry.count(":") == 1:
        host, port_text = entry.split(":")
        port = _parse_port(port_text, raw)
    what = f"allow-list entry {raw!r}"
    return _host_key(_canonical_host(host, what=what), port)


def _parse_port(text: str, raw: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ConfigError(f"invalid allow-list entry {raw!r}: bad port {text!r}")
    return int(text)


def _host_key(host: str, port: int | None) -> str:
    """The allow-list key for a canonical host and an optional port.

    >>> _host_key("a.org", None), _host_key("a.org", 8080), _host_key("::1", 8080)
    ('a.org', 'a.org:8080', '[::1]:8080')
    """
    if port is None:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _host_allowed(allow: frozenset[str], host: str, port: int, scheme: str) -> bool:
    """Whether ``host`` on ``port`` is listed: ``host:port``, or ``host`` on the default port.

    >>> allow = frozenset({"a.org", "b.org:8080"})
    >>> _host_allowed(allow, "a.org", 443, "https"), _host_allowed(allow, "a.org", 8443, "https")
    (True, False)
    >>> _host_allowed(allow, "b.org", 8080, "http"), _host_allowed(allow, "b.org", 80, "http")
    (True, False)
    """
    if _host_key(host, port) in allow:
        return True
    return port == _DEFAULT_PORTS.get(scheme) and host in allow


# -- the address guard -----------------------------------------------------------


def _address_problem(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address must not be fetched from, or ``None`` for a public address.

    IPv4 addresses embedded in IPv6 (mapped, NAT64, 6to4) are judged as IPv4.

    >>> ip = ipaddress.ip_address
    >>> [_address_problem(ip(a)) for a in ("93.184.216.34", "127.0.0.1", "169.254.169.254", "10.0.0.1")]
    [None, 'loopback', 'link-local', 'private']
    >>> [_address_problem(ip(a)) for a in ("::ffff:127.0.0.1", "fd00::1", "0.0.0.0", "224.0.0.1")]
    ['loopback', 'private', 'unspecified', 'multicast']
    >>> _address_problem(ip("100.64.0.1"))
    'not globally routable'
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return _address_problem(embedded)
    for attr, label in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_private", "private"),
        ("is_reserved", "reserved"),
    ):
        if getattr(address, attr):
            return label
    if not address.is_global:
        return "not globally routable"
    return None


def _address_listed(allow: frozenset[str], address: str, port: int) -> bool:
    """Whether an address is itself in the allow-list (bare, or with this port)."""
    return address in allow or _host_key(address, port) in allow


def _resolve(host: str, port: int, family: int = socket.AF_UNSPEC) -> list[tuple[int, str]]:
    """``(family, address)`` pairs for ``host``, in resolver order, without duplicates."""
    infos = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
    seen: dict[tuple[int, str], None] = {}
    for fam, _type, _proto, _canon, sockaddr in infos:
        seen.setdefault((fam, str(sockaddr[0])), None)
    return list(seen)


def _vet_addresses(
    allow: frozenset[str], host: str, port: int, addresses: list[tuple[int, str]], *, url: str | None
) -> None:
    """Raise :class:`FetchRefused` unless every address is public or itself listed."""
    if not addresses:
        raise FetchError(f"host {host!r} resolved to no address", url=url)
    for _family, text in addresses:
        try:
            address = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            raise FetchRefused(f"host {host!r} resolved to an unusable address {text!r}", url=url) from None
        problem = _address_problem(address)
        if problem is None or _address_listed(allow, str(address), port):
            continue
        resolved = "is" if str(address) == host else "resolves to"
        raise FetchRefused(
            f"host {host!r} {resolved} the {problem} address {address}, which is not in the allow-list "
            f"(list the address itself in {_ALLOW_HINT} to allow it)",
            url=url,
        )


def _check_url(url: str, policy: FetchPolicy) -> None:
    """Scheme, allow-list and address checks for one URL (no connection is made)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise FetchRefused(f"scheme {scheme or '(none)'!r} is not allowed (only http and https)", url=url)
    if "@" in parts.netloc:
        raise FetchRefused(
            "the URL holds credentials (user:password@host): source URLs are shown on public pages, "
            "so give a URL without them",
            url=url,
        )
    # Judge the URL the way urllib3 (which opens the connection) will read it.
    try:
        parsed = parse_url(url)
    except LocationParseError as exc:
        raise FetchRefused(f"invalid URL ({exc})", url=url) from exc
    if not parsed.host:
        raise FetchRefused("the URL has no host", url=url)
    try:
        host = _canonical_host(parsed.host, what="URL")
    except ConfigError:
        raise FetchRefused(f"invalid host {parsed.host!r}", url=url) from None
    port = parsed.port or _DEFAULT_PORTS[scheme]
    if not _host_allowed(policy.allow_hosts, host, port, scheme):
        shown = host if port == _DEFAULT_PORTS[scheme] else _host_key(host, port)
        raise FetchRefused(f"host {shown!r} is not in the allow-list ({_ALLOW_HINT})", url=url)
    try:
        addresses = _resolve(host, port)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}", url=url) from exc
    _vet_addresses(policy.address_hosts or frozenset(), host, port, addresses, url=url)


class _GuardedConnectionMixin:
    """Re-check the allow-list and addresses where the socket is opened.

    The addresses are resolved once, vetted, and the socket connects to exactly
    those, so DNS answers cannot change between the check and the connection.
    """

    _calsync_allow: frozenset[str] = frozenset()
    _calsync_vouch: frozenset[str] = frozenset()
    _calsync_scheme = "http"
    # Provided by urllib3's HTTPConnection:
    _dns_host: str
    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        allow = self._calsync_allow
        try:
            host = _canonical_host(self._dns_host, what="connection")
        except ConfigError:
            raise FetchRefused(f"invalid host {self._dns_host!r}") from None
        where = _host_key(host, self.port)
        if not _host_allowed(allow, host, self.port, self._calsync_scheme):
            raise FetchRefused(f"connection to {where} refused: not in the allow-list ({_ALLOW_HINT})")
        try:
            addresses = _resolve(self._dns_host, self.port, urllib3_connection.allowed_gai_family())
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[arg-type]
        _vet_addresses(self._calsync_vouch, host, self.port, addresses, url=None)
        error: Exception | None = None
        for _family, address in addresses:
            try:
                sock = urllib3_connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                error = ConnectTimeoutError(
                    self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
                )
                error.__cause__ = exc
            except OSError as exc:
                error = NewConnectionError(self, f"Failed to establish a new connection: {exc}")  # type: ignore[arg-type]
                error.__cause__ = exc
            else:
                sys.audit("http.client.connect", self, self.host, self.port)
                return sock
        assert error is not None
        raise error


class _GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    _calsync_scheme = "http"


class _GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    _calsync_scheme = "https"


class _GuardedAdapter(HTTPAdapter):
    """An adapter whose connections run the allow-list and address guard at connect time."""

    __attrs__ = [*HTTPAdapter.__attrs__, "allow_hosts", "address_hosts"]

    def __init__(self, allow_hosts: frozenset[str], address_hosts: frozenset[str], **kwargs: Any) -> None:
        self.allow_hosts = allow_hosts
        self.address_hosts = address_hosts
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        attrs = {"_calsync_allow": self.allow_hosts, "_calsync_vouch": self.address_hosts}
        http_conn = type("CalsyncHTTPConnection", (_GuardedHTTPConnection,), attrs)
        https_conn = type("CalsyncHTTPSConnection", (_GuardedHTTPSConnection,), attrs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("CalsyncHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("CalsyncHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        # Through a proxy the guard would vet the proxy, not the page's host.
        raise FetchRefused(f"fetching through a proxy ({display_url(proxy)}) is not supported")


def make_session(policy: FetchPolicy) -> requests.Session:
    """One :class:`requests.Session` for ``policy``: its User-Agent and the connect-time guard.

    The session ignores proxy, ``.netrc`` and CA-bundle settings from the
    environment (``trust_env = False``): a proxy would defeat the address guard.
    """
    session = requests.Session()
    session.trust_env = False
    session.headers["User-Agent"] = policy.user_agent
    session.headers["Accept"] = "text/html, text/plain;q=0.9, */*;q=0.1"
    session.max_redirects = policy.max_redirects
    adapter = _GuardedAdapter(policy.allow_hosts, policy.address_hosts or frozenset())
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


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
    calsync.fetch._TooLarge
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

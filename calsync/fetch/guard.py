"""The address guard: refuse URLs and connections that would reach a non-public address.

:func:`_check_url` runs before each request (scheme, credentials, allow-list, and every
address the host resolves to must be public unless that address is itself listed) and
refuses with a clear :class:`~calsync.errors.FetchRefused`, no connection attempted.
:func:`make_session` mounts an adapter whose connections run the same checks where the
socket is opened, on the very addresses it connects to, so DNS answers that change
between the check and the connection (DNS rebinding) are caught too. IPv4 addresses
embedded in IPv6 (mapped, NAT64, 6to4) are judged as IPv4; proxies are refused (the
guard would vet the proxy, not the page's host).
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    LocationParseError,
    NameResolutionError,
    NewConnectionError,
)
from urllib3.util import connection as urllib3_connection
from urllib3.util import parse_url

from ..errors import ConfigError, FetchError, FetchRefused, display_url
from .policy import _ALLOW_HINT, _DEFAULT_PORTS, FetchPolicy, _canonical_host, _host_allowed, _host_key

__all__ = ["make_session"]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


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

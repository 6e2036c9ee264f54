"""What may be fetched, and how: the :class:`FetchPolicy` and its allow-list of hosts.

:meth:`FetchPolicy.from_config` is the one conversion from the ``[fetch]`` settings
(:class:`~calsync.config.FetchConfig`, which owns every default). Allow-list entries
are ``"host"`` (the scheme's default port) or ``"host:port"``, canonicalised on the way
in (lower case, IDNA, no trailing dot, IPv6 in brackets when a port is given); an
invalid entry (a URL, a wildcard, a bad port) is a :class:`~calsync.errors.ConfigError`.
:func:`default_allow_hosts` lists the configured sources' hosts and
:data:`WELL_KNOWN_HOSTS`. Pure: no I/O, no DNS.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna

from .. import __version__
from ..config import FetchConfig
from ..errors import ConfigError

__all__ = ["WELL_KNOWN_HOSTS", "FetchPolicy", "default_allow_hosts", "parse_allow_hosts"]

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
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


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

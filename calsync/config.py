"""One typed configuration object: TOML file (see ``config.example.toml``) + ``CALSYNC_*`` overrides.

Nothing here runs at import: :func:`load_config` reads the file and the
environment it is given when a command or the app factory calls it.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from .errors import ConfigError
from .ical import FeedOptions
from .model import SLUG_RE

DEFAULT_DATABASE_URL = "sqlite:///calsync.db"


@dataclass(frozen=True)
class FeedConfig:
    """``[feed]``: how events and calendars are written."""

    #: Right-hand side of every UID (``<talk id>@<uid_host>``). Keep it fixed once
    #: feeds are public: changing it makes every client see new events.
    uid_host: str = "calsync.invalid"
    #: REFRESH-INTERVAL / X-PUBLISHED-TTL hint and Cache-Control max-age, in minutes.
    refresh_minutes: int = 60
    #: Duration given to slots whose end time is not published, in minutes.
    default_duration_minutes: int = 30
    #: Whether abstracts go into event descriptions by default (``abstracts=0`` per feed).
    abstracts: bool = True
    #: Whether feeds are sent gzip-compressed to clients that ask (Accept-Encoding); off for clients that misbehave.
    gzip: bool = True
    #: Days a talk that vanished from its page stays in feeds as STATUS:CANCELLED (0: dropped at once).
    cancelled_days: int = 0
    #: Largest feed the subscribe kit sends Google Calendar (bytes): above it, the compact variant, then a feed per day.
    google_max_bytes: int = 1_000_000

    def feed_options(self, **overrides: Any) -> FeedOptions:
        """The exporter's options for these settings."""
        base = FeedOptions(
            host=self.uid_host,
            abstracts=self.abstracts,
            refresh=timedelta(minutes=self.refresh_minutes),
            default_duration=timedelta(minutes=self.default_duration_minutes),
        )
        return replace(base, **overrides)


@dataclass(frozen=True)
class LimitsConfig:
    """``[limits]``: protection of the service."""

    #: Largest request body accepted (bytes).
    max_body_bytes: int = 65536
    #: Most talk + session ids one custom feed may list.
    max_feed_items: int = 500
    #: Custom feeds one client address may create per hour (per process).
    feed_creations_per_hour: int = 30
    #: Longest a cached feed is served before the database is asked whether it changed (seconds).
    cache_check_seconds: int = 2
    #: Most a worker keeps of rendered feeds, gzipped feeds, pages and event pieces (MiB), LRU by size.
    cache_megabytes: int = 256
    #: Pages one client address may submit to "add a conference" per hour (previews; every worker and instance).
    intakes_per_hour: int = 20
    #: Largest page or data file pasted or uploaded to "add a conference" (bytes).
    max_upload_bytes: int = 16_000_000


@dataclass(frozen=True)
class FetchConfig:
    """``[fetch]``: how source pages are fetched — the one owner of these settings and their
    defaults; :meth:`calsync.fetch.FetchPolicy.from_config` turns them into a policy."""

    #: Hosts ("host" or "host:port") that may be fetched besides the configured sources'
    #: hosts and the well-known conference sites; an address listed here is allowed even
    #: when private or loopback.
    allow_hosts: tuple[str, ...] = ()
    connect_timeout_seconds: int = 5
    read_timeout_seconds: int = 20
    #: Seconds one response may take in all (a server dripping bytes is cut off).
    total_timeout_seconds: int = 60
    max_bytes: int = 5_000_000
    #: Largest whole-conference data file (a site's orals-posters JSON, each of its pages,
    #: its abstracts): these run to several MB where a page is a few hundred KB.
    max_data_bytes: int = 30_000_000
    max_redirects: int = 5
    #: Extra attempts on 5xx answers, timeouts and connection errors.
    retries: int = 2
    #: Seconds before the first retry, doubled for each further one (0: retry at once).
    backoff_seconds: float = 0.5


@dataclass(frozen=True)
class RefreshConfig:
    """``[refresh]``: keeping conferences fresh from their sources."""

    #: Minutes between refreshes inside the service (0: no scheduler; use ``calsync refresh``).
    interval_minutes: int = 60
    #: A page that suddenly yields fewer talks than this percentage of the last good count
    #: is treated as broken: the last good data stays.
    min_talks_percent: int = 50


@dataclass(frozen=True)
class ConferenceConfig:
    """``[[conferences]]``: a conference and the pages it is imported from."""

    slug: str
    name: str
    timezone: str
    year: int | None = None
    sources: tuple[str, ...] = ()
    #: First and last day (YYYY-MM-DD), for workshop pages whose slots name only a weekday.
    first_day: str | None = None
    last_day: str | None = None
    #: The ``<conf>`` of the site's data files (``icml`` for ``icml-2025-orals-posters.json``),
    #: for home URLs whose host does not say it (mirrors, local servers); see calsync.sites.
    site: str | None = None
    #: Put the first authors in every talk's SUMMARY (``Title — A. Author et al.``), for calendar
    #: grids that show only titles; a feed can also ask with ``speakers=1``.
    speakers: bool = False

    def days(self) -> tuple[date, ...]:
        """The conference's days (empty when not configured)."""
        if not self.first_day:
            return ()
        first = date.fromisoformat(self.first_day)
        last = date.fromisoformat(self.last_day or self.first_day)
        return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))


@dataclass(frozen=True)
class Config:
    """All settings. Each is documented in ``config.example.toml``."""

    #: SQLAlchemy URL of the store (SQLite file by default, PostgreSQL: postgresql+psycopg://…).
    database_url: str = DEFAULT_DATABASE_URL
    #: Public base URL of the service, for absolute feed links, webcal:// and QR codes.
    base_url: str = "http://127.0.0.1:8000"
    #: Load the bundled sample conference when the database has no conference yet.
    sample: bool = True
    #: Number of proxies in front of the service whose X-Forwarded-* headers are trusted
    #: (Werkzeug's ProxyFix); 0 trusts none.
    proxy_fix_hops: int = 0
    #: The organisers' secret (at least 16 characters): with it they log in and edit, refresh and
    #: delete conferences and sources; without it (unset) those actions do not exist.
    admin_token: str | None = field(default=None, repr=False)  # a secret: never in a repr or a log
    feed: FeedConfig = field(default_factory=FeedConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    refresh: RefreshConfig = field(default_factory=RefreshConfig)
    conferences: tuple[ConferenceConfig, ...] = ()


#: Environment variable → (section or "" for top level, key).
ENV_OVERRIDES: dict[str, tuple[str, str]] = {
    "CALSYNC_DATABASE_URL": ("", "database_url"),
    "CALSYNC_BASE_URL": ("", "base_url"),
    "CALSYNC_SAMPLE": ("", "sample"),
    "CALSYNC_PROXY_FIX_HOPS": ("", "proxy_fix_hops"),
    "CALSYNC_ADMIN_TOKEN": ("", "admin_token"),
    "CALSYNC_UID_HOST": ("feed", "uid_host"),
    "CALSYNC_REFRESH_MINUTES": ("feed", "refresh_minutes"),
    "CALSYNC_DEFAULT_DURATION_MINUTES": ("feed", "default_duration_minutes"),
    "CALSYNC_ABSTRACTS": ("feed", "abstracts"),
    "CALSYNC_GZIP": ("feed", "gzip"),
    "CALSYNC_CANCELLED_DAYS": ("feed", "cancelled_days"),
    "CALSYNC_GOOGLE_MAX_BYTES": ("feed", "google_max_bytes"),
    "CALSYNC_MAX_BODY_BYTES": ("limits", "max_body_bytes"),
    "CALSYNC_MAX_FEED_ITEMS": ("limits", "max_feed_items"),
    "CALSYNC_FEED_CREATIONS_PER_HOUR": ("limits", "feed_creations_per_hour"),
    "CALSYNC_CACHE_CHECK_SECONDS": ("limits", "cache_check_seconds"),
    "CALSYNC_CACHE_MEGABYTES": ("limits", "cache_megabytes"),
    "CALSYNC_INTAKES_PER_HOUR": ("limits", "intakes_per_hour"),
    "CALSYNC_MAX_UPLOAD_BYTES": ("limits", "max_upload_bytes"),
    "CALSYNC_FETCH_ALLOW_HOSTS": ("fetch", "allow_hosts"),
    "CALSYNC_FETCH_MAX_BYTES": ("fetch", "max_bytes"),
    "CALSYNC_FETCH_MAX_DATA_BYTES": ("fetch", "max_data_bytes"),
    "CALSYNC_FETCH_BACKOFF_SECONDS": ("fetch", "backoff_seconds"),
    "CALSYNC_REFRESH_INTERVAL_MINUTES": ("refresh", "interval_minutes"),
    "CALSYNC_REFRESH_MIN_TALKS_PERCENT": ("refresh", "min_talks_percent"),
}

_ZERO_ALLOWED = {"top level.proxy_fix_hops", "feed.cancelled_days", "limits.cache_check_seconds", "refresh.interval_minutes",
                 "refresh.min_talks_percent", "fetch.retries", "fetch.max_redirects", "fetch.backoff_seconds"}
_T = TypeVar("_T")

_TYPES = {"str": str, "int": int, "float": float, "bool": bool, "int | None": int, "tuple[str, ...]": tuple,
          "str | None": str}


def _coerce(value: Any, kind: type, name: str) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
            return value.lower() in {"1", "true", "yes", "on"}
        raise ConfigError(f"{name}: expected true or false, got {value!r}")
    if kind is int:
        if isinstance(value, bool):
            raise ConfigError(f"{name}: expected a whole number, got {value!r}")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name}: expected a whole number, got {value!r}") from None
        if number < 0 or (number == 0 and name not in _ZERO_ALLOWED):
            raise ConfigError(f"{name}: must be positive, got {number}")
        return number
    if kind is float:
        if isinstance(value, bool):
            raise ConfigError(f"{name}: expected a number, got {value!r}")
        try:
            real = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name}: expected a number, got {value!r}") from None
        if not math.isfinite(real) or real < 0 or (real == 0 and name not in _ZERO_ALLOWED):
            raise ConfigError(f"{name}: must be a positive number, got {value!r}")
        return real
    if kind is tuple:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{name}: expected a list of strings")
        return tuple(value)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{name}: expected a non-empty string, got {value!r}")
    return value.strip()


def _section(cls: type[_T], data: Mapping[str, Any], section: str) -> _T:
    if not isinstance(data, Mapping):
        raise ConfigError(f"[{section}]: expected a table")
    known = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]  # every cls here is a dataclass
    unknown = set(data) - set(known)
    if unknown:
        raise ConfigError(f"[{section}]: unknown setting(s) {', '.join(sorted(unknown))}")
    values = {k: _coerce(v, _TYPES[str(known[k].type)], f"{section}.{k}") for k, v in data.items()}
    try:
        return cls(**values)
    except TypeError as exc:
        raise ConfigError(f"[{section}]: {exc}") from None


def _conference(data: Any, index: int) -> ConferenceConfig:
    conf = _section(ConferenceConfig, data, f"conferences[{index}]")
    try:
        days = conf.days()
    except ValueError:
        raise ConfigError(f"conferences[{index}]: first_day/last_day must be YYYY-MM-DD dates") from None
    if conf.last_day and (not days or len(days) > 62):
        raise ConfigError(f"conferences[{index}]: last_day must follow first_day, at most two months later")
    if not SLUG_RE.match(conf.slug):
        raise ConfigError(f"conferences[{index}].slug: use lower-case letters, digits and '-', got {conf.slug!r}")
    if conf.site is not None and not re.match(r"^[a-z0-9][a-z0-9_-]{0,62}$", conf.site):
        raise ConfigError(f"conferences[{index}].site: the data file's prefix in lower case, e.g. icml, got {conf.site!r}")
    for source in conf.sources:
        scheme, sep, rest = source.partition("://")
        if sep and "@" in rest.split("/", 1)[0]:
            raise ConfigError(f"conferences[{index}].sources: a URL with credentials (user:password@) is refused: "
                              "source URLs are shown on public pages")
        if sep and scheme.lower() not in ("http", "https"):
            raise ConfigError(f"conferences[{index}].sources: only http and https URLs (or files), got {scheme!r}")
    from .zones import ZoneError, load_zone

    try:
        load_zone(conf.timezone)
    except ZoneError as exc:
        raise ConfigError(f"conferences[{index}].timezone: {exc}") from None
    return conf


def load_config(path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read a TOML file (optional) and apply ``CALSYNC_*`` overrides from ``environ``.

    ``path`` defaults to ``$CALSYNC_CONFIG`` when set.
    """
    environ = os.environ if environ is None else environ
    path = path or environ.get("CALSYNC_CONFIG") or None
    data: dict[str, Any] = {}
    if path:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read config {path}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config {path} is not valid TOML: {exc}") from None
    sections = {"feed", "limits", "fetch", "refresh", "conferences"}
    top_keys = {"database_url", "base_url", "sample", "proxy_fix_hops", "admin_token"}
    unknown = set(data) - sections - top_keys
    if unknown:
        raise ConfigError(f"unknown config section(s) or setting(s): {', '.join(sorted(unknown))}")
    parts: dict[str, dict[str, Any]] = {
        "": {k: data[k] for k in top_keys if k in data},
        "feed": dict(data.get("feed", {})),
        "limits": dict(data.get("limits", {})),
        "fetch": dict(data.get("fetch", {})),
        "refresh": dict(data.get("refresh", {})),
    }
    for var, (section, key) in ENV_OVERRIDES.items():
        if var in environ:
            parts[section][key] = environ[var]
    top = _section(Config, parts[""], "top level")
    raw_conferences = data.get("conferences", [])
    if not isinstance(raw_conferences, list):
        raise ConfigError("conferences: expected [[conferences]] tables")
    conferences = tuple(_conference(c, i) for i, c in enumerate(raw_conferences))
    slugs = [c.slug for c in conferences]
    if len(set(slugs)) != len(slugs):
        raise ConfigError("conferences: a slug is listed twice")
    if not re.match(r"^https?://[^/\s]+", top.base_url):
        raise ConfigError(f"base_url: expected http(s)://host[:port][/path], got {top.base_url!r}")
    if top.admin_token is not None and len(top.admin_token) < 16:
        raise ConfigError("admin_token: use at least 16 characters (e.g. the output of "
                          "python3 -c 'import secrets; print(secrets.token_urlsafe(32))')")
    return replace(
        top,
        base_url=top.base_url.rstrip("/"),
        feed=_section(FeedConfig, parts["feed"], "feed"),
        limits=_section(LimitsConfig, parts["limits"], "limits"),
        fetch=_section(FetchConfig, parts["fetch"], "fetch"),
        refresh=_section(RefreshConfig, parts["refresh"], "refresh"),
        conferences=conferences,
    )

"""One typed configuration object: TOML file (see ``config.example.toml``) + ``CALSYNC_*`` overrides.

Nothing here runs at import: :func:`load_config` reads the file and the
environment it is given when a command or the app factory calls it.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .ical import FeedOptions


@dataclass(frozen=True)
class FeedConfig:
    """``[feed]``: how events and calendars are written."""

    #: Right-hand side of every UID (``<talk id>@<uid_host>``). Keep it fixed once
    #: feeds are public: changing it makes every client see new events.
    uid_host: str = "calsync.invalid"
    #: REFRESH-INTERVAL / X-PUBLISHED-TTL hint, in minutes.
    refresh_minutes: int = 60
    #: Duration given to slots whose end time is not published, in minutes.
    default_duration_minutes: int = 30
    #: Whether abstracts go into event descriptions.
    abstracts: bool = True

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
class Config:
    """All settings. Each is documented in ``config.example.toml``."""

    feed: FeedConfig = field(default_factory=FeedConfig)


#: Environment variable → (section, key).
ENV_OVERRIDES: dict[str, tuple[str, str]] = {
    "CALSYNC_UID_HOST": ("feed", "uid_host"),
    "CALSYNC_REFRESH_MINUTES": ("feed", "refresh_minutes"),
    "CALSYNC_DEFAULT_DURATION_MINUTES": ("feed", "default_duration_minutes"),
    "CALSYNC_ABSTRACTS": ("feed", "abstracts"),
}


def _coerce(value: Any, kind: type, name: str) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
            return value.lower() in {"1", "true", "yes", "on"}
        raise ConfigError(f"{name}: expected true or false, got {value!r}")
    if kind is int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name}: expected a whole number, got {value!r}") from None
        if number <= 0:
            raise ConfigError(f"{name}: must be positive, got {number}")
        return number
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{name}: expected a non-empty string, got {value!r}")
    return value.strip()


def _section(cls: type, data: Mapping[str, Any], section: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(known)
    if unknown:
        raise ConfigError(f"[{section}]: unknown setting(s) {', '.join(sorted(unknown))}")
    types = {"str": str, "int": int, "bool": bool}
    values = {k: _coerce(v, types[str(known[k].type)], f"{section}.{k}") for k, v in data.items()}
    return cls(**values)


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
    unknown = set(data) - {"feed"}
    if unknown:
        raise ConfigError(f"unknown config section(s): {', '.join(sorted(unknown))}")
    feed = dict(data.get("feed", {}))
    for var, (section, key) in ENV_OVERRIDES.items():
        if var in environ and section == "feed":
            feed[key] = environ[var]
    return Config(feed=_section(FeedConfig, feed, "feed"))

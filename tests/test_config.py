"""Configuration: TOML file, CALSYNC_* overrides, clear errors."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from helpers import ROOT

from calsync.config import Config, load_config
from calsync.errors import ConfigError


def test_defaults_without_file() -> None:
    assert load_config(None, environ={}) == Config()


def test_example_config_loads_and_matches_defaults() -> None:
    assert load_config(ROOT / "config.example.toml", environ={}) == Config()


def test_file_then_environment_override(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[feed]\nuid_host = "feeds.example.org"\nrefresh_minutes = 30\n', encoding="utf-8")
    config = load_config(path, environ={"CALSYNC_REFRESH_MINUTES": "15", "CALSYNC_ABSTRACTS": "false"})
    assert config.feed.uid_host == "feeds.example.org"
    options = config.feed.feed_options()
    assert options.refresh == timedelta(minutes=15) and options.abstracts is False
    assert options.host == "feeds.example.org"


def test_config_path_from_environment(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[feed]\ndefault_duration_minutes = 45\n', encoding="utf-8")
    assert load_config(None, environ={"CALSYNC_CONFIG": str(path)}).feed.default_duration_minutes == 45


@pytest.mark.parametrize(
    "text, env, message",
    [
        ("[feed]\nrefresh_minutes = -5\n", {}, "must be positive"),
        ("[feed]\nbogus = 1\n", {}, "unknown setting"),
        ("[nope]\n", {}, "unknown config section"),
        ("[feed\n", {}, "not valid TOML"),
        ("", {"CALSYNC_ABSTRACTS": "maybe"}, "expected true or false"),
        ("", {"CALSYNC_REFRESH_MINUTES": "soon"}, "expected a whole number"),
    ],
)
def test_bad_settings_are_clear_errors(tmp_path: Path, text: str, env: dict[str, str], message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path, environ=env)


def test_missing_config_file_is_error() -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config("/nonexistent/calsync.toml", environ={})

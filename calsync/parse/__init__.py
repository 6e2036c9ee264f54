"""Parsing: page text or saved HTML → :class:`calsync.model.Schedule` (pure, no I/O)."""

from .dispatch import parse_page, parse_pages
from .page import PageOptions

__all__ = ["PageOptions", "parse_page", "parse_pages"]

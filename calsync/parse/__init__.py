"""Parsing: page text or saved HTML → :class:`calsync.model.Schedule` (pure, no I/O)."""

from .page import PageOptions, parse_page, parse_pages

__all__ = ["PageOptions", "parse_page", "parse_pages"]

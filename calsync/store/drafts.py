"""Drafts of the browser's "add a conference": a page read and previewed, kept until confirmed.

A preview (:mod:`calsync.intake`) stores the page's text and how it is to be read (the
target conference, the options, where the page came from) under a random token; the
confirmation reads it back, parses it again in the conference's context and imports it,
then deletes the draft. Drafts live in the database, so a confirmation may land on
another worker or instance than its preview; they expire after :data:`DRAFT_SECONDS`
and expired ones are deleted whenever a draft is stored.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, String, Table, Text, delete, insert, select

from ..errors import NotFound
from .base import StoreBase
from .records import _ts, _utc
from .schema import metadata

#: How long a preview can be confirmed (seconds).
DRAFT_SECONDS = 3600

intake_drafts = Table(
    "intake_drafts",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("created", BigInteger, nullable=False),
    Column("expires", BigInteger, nullable=False),
    Column("text", Text, nullable=False),
    Column("details", Text, nullable=False),  # JSON: source name, URL, validators, target, options
    Index("ix_intake_drafts_expires", "expires"),
)


@dataclass(frozen=True)
class Draft:
    """A stored draft: the page's text and its details (JSON-ready values)."""

    token: str
    text: str
    details: dict[str, Any]
    created: datetime
    expires: datetime


class DraftMixin(StoreBase):
    """Storing, reading and deleting drafts."""

    def create_draft(self, text: str, details: dict[str, Any], now: datetime, seconds: int = DRAFT_SECONDS) -> Draft:
        """Store a draft (and delete expired ones); its token is a 192-bit random URL-safe string."""
        token = secrets.token_urlsafe(24)
        stamp = _ts(now)
        with self._write() as conn:
            conn.execute(delete(intake_drafts).where(intake_drafts.c.expires <= stamp))
            conn.execute(insert(intake_drafts).values(
                token=token, created=stamp, expires=stamp + seconds, text=text, details=json.dumps(details, ensure_ascii=False)))
        return Draft(token, text, details, _utc(stamp), _utc(stamp + seconds))

    def get_draft(self, token: str, now: datetime) -> Draft:
        """A draft that has not expired, or :class:`NotFound` saying to submit the page again."""
        with self._read() as conn:
            row = conn.execute(select(intake_drafts).where(intake_drafts.c.token == token)).first()
        if row is None or row.expires <= _ts(now):
            raise NotFound("this preview has expired or was already confirmed: submit the page again")
        return Draft(row.token, row.text, json.loads(row.details), _utc(row.created), _utc(row.expires))

    def delete_draft(self, token: str) -> bool:
        """Delete a draft; False when it was gone already (confirmed by another request)."""
        with self._write() as conn:
            return bool(conn.execute(delete(intake_drafts).where(intake_drafts.c.token == token)).rowcount)

"""Whole conferences from the data files the sites publish (pure, no I/O).

Two shapes, detected by content (:func:`parse_json_page` is the hook of
:func:`calsync.parse.dispatch.parse_page`):

* **orals-posters data** of the ICML / NeurIPS / ICLR "virtual" sites
  (``/static/virtual/data/<conf>-<year>-orals-posters.json``): an envelope
  ``{"count", "next", "previous", "results": [record, ...]}`` (a bare list of
  records is read too). Each record with a ``starttime`` becomes a talk: type
  ``eventtype``, title ``name``, authors' ``fullname``, abstract (the record's, else
  the companion ``<conf>-<year>-abstracts.json`` mapping), URL ``virtualsite_url``
  made absolute, location room + poster position ("Hall J #2504"). A second
  showing (``starttime2``/``endtime2``) is a second talk with its own id. Records
  are grouped into sessions by ``session`` and room, split where the times leave
  a gap (posters share their session's slot; orals chain 15-minute slots), so
  one session per time it meets; a record without a session is a session of its
  own. Records without a time, hidden ones (``"visible": false``) and ones whose
  time cannot be read are skipped and counted in one warning.
* **MiniConf schedule** of ACL-family sites (``schedule.json``): a list of
  FullCalendar events with RFC 1123 GMT times. A ``"view": "week"`` event is an
  overview block (the real title); the ``"day"`` events after it with the same
  type and times are its details (rooms, tracks, the page link, often a generic
  title such as ``<b>Workshop</b>``). Each block becomes a session titled by the
  week entry; its details become its talks (a single detail takes the block's
  title), so no event appears twice.

Ids are deterministic and survive re-imports: a talk's id comes from the record
``id`` (never its time, so a talk that moves keeps it); a session's from its
name, room and local day. Times keep their instants; the display zone is the
conference's zone, else ``--timezone``, else (orals-posters) the venue zone whose
UTC offsets match the data — said in a warning — or (MiniConf) UTC.
"""

from __future__ import annotations

from .common import KIND_MINICONF, KIND_ORALS_POSTERS, plain, plain_block
from .orals_posters import SESSION_GAP
from .paging import abstracts_mapping, combine_pages, with_abstracts
from .reader import detect_kind, load_json, parse_json_page, parse_site_data
from .venues import VENUE_ZONES, choose_zone

__all__ = [
    "KIND_MINICONF",
    "KIND_ORALS_POSTERS",
    "SESSION_GAP",
    "VENUE_ZONES",
    "abstracts_mapping",
    "choose_zone",
    "combine_pages",
    "detect_kind",
    "load_json",
    "parse_json_page",
    "parse_site_data",
    "plain",
    "plain_block",
    "with_abstracts",
]

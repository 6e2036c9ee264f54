"""Saved HTML of conference sites, read by its structure rather than as text lines.

:func:`parse_site_html` knows these structures (each module's docstring shows it):

* :mod:`.virtual` — session pages of the virtual-site platform (ICML, NeurIPS, ICLR…:
  ``div.card-header`` and one ``div.track-schedule-card`` per child, each with its
  own event URL, poster position and abstract), and its event pages of the plain shape;
* :mod:`.calendar` — the platform's calendar pages (day boxes, time boxes, sessions
  with ``[10:42] Title`` talks);
* :mod:`.multitrack` — old ``Schedule``/``ScheduleMultitrack``/``showEvent`` pages (``div.maincard``);
* :mod:`.miniconf` — MiniConf sites of the ACL family (sessions and plenary pages;
  the others raise :class:`~calsync.errors.NoEvents` naming the page).

Any other HTML gives ``None``, and the caller reads the page as text lines
(:mod:`..htmltext` and the text grammar). Year and zone come from
:mod:`..context`, times from the text grammar's own time-line reader.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ...errors import CalsyncError
from ...model import Schedule
from ..page import PageOptions
from .calendar import is_calendar_page, parse_calendar_page
from .common import PageContext, page_context
from .miniconf import is_miniconf_page, parse_miniconf_page
from .multitrack import is_multitrack_page, parse_multitrack_page
from .soup import PageIndex, make_soup
from .virtual import is_event_page, is_session_page, parse_event_page, parse_session_page

__all__ = ["parse_site_html"]

logger = logging.getLogger(__name__)

#: Cheap pre-check: a page containing none of these is no structure read here (no tree built).
_MARKERS = ("track-schedule-card", "card-header", "hdrbox", "maincard", "papers.html")

_Reader = Callable[[PageIndex, PageContext, PageOptions], "Schedule | None"]
_Test = Callable[[PageIndex, PageContext], bool]

#: Structures in the order they are tried (MiniConf before event pages: both have a title card).
_READERS: tuple[tuple[str, _Test, _Reader], ...] = (
    ("MiniConf page", is_miniconf_page, parse_miniconf_page),
    ("session page", is_session_page, parse_session_page),
    ("calendar page", is_calendar_page, parse_calendar_page),
    ("multitrack page", is_multitrack_page, parse_multitrack_page),
    ("event page", is_event_page, parse_event_page),
)


def parse_site_html(text: str, options: PageOptions) -> Schedule | None:
    """The schedule of a saved page whose HTML structure is known, else ``None``.

    Raises :class:`~calsync.errors.ParseError` (naming the HTML source line) for a page
    of a known structure that cannot be read, :class:`~calsync.errors.NoEvents` for
    one that lists nothing with a time. Never another exception: an unexpected
    failure is logged and gives ``None``, so the text reading runs instead.

    >>> parse_site_html("<html><body><p>Hello</p></body></html>", PageOptions()) is None
    True
    """
    if not any(marker in text for marker in _MARKERS):
        return None
    try:
        index = PageIndex.build(make_soup(text))
        ctx = page_context(index, options)
        for name, test, read in _READERS:
            if test(index, ctx):
                logger.debug("%s: read as a %s by its HTML structure", options.source or "<page>", name)
                return read(index, ctx, options)
    except CalsyncError:
        raise
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, AssertionError, RecursionError) as exc:
        logger.warning("%s: HTML structure not read (%s: %s); reading it as text", options.source or "<page>", type(exc).__name__, exc)
        return None
    return None

"""Build VTIMEZONE components in the "classic" form every reader reads alike, and say which times they state.

Outlook keeps, of a VTIMEZONE, only the STANDARD and the DAYLIGHT with the latest
DTSTART and turns one without an RRULE into a yearly "n-th weekday" rule
(MS-OXCICAL; ``tests/outlook_rules.py``); ical.js (Thunderbird, Nextcloud) skips an
observance's DTSTART when it also has RDATEs. So this module writes only the classic
form: one STANDARD and one DAYLIGHT sub-component, each with a yearly RRULE such as
``FREQ=YEARLY;BYDAY=2SU;BYMONTH=3``, or one STANDARD for a zone without changes —
never one-off observances or RDATE lists.

:func:`zone_plan` derives that form from the zoneinfo data itself (there is no
hand-kept table of rules): it scans the zone's UTC offset day by day over the years
of the feed's events, bisects every change of offset to the exact second, turns each
group of changes (to daylight time, to standard time) into a month, a weekday, an
ordinal (1..4, or -1 for "last") and a local wall-clock time, and checks that
expanding the resulting RRULEs reproduces every change of those years exactly, and
nothing more. When the rules differ between those years (the US change of 2007,
Moscow's permanent switch of 2011, Iran's fixed-date rules), the longest run of
years that has one form is used; when no year has one (a year with a single
permanent change, or Morocco's two Ramadan breaks of 2029), one STANDARD at the
offset the zone keeps longest. :meth:`ZonePlan.exact` then tells, for each event
time, whether the written form maps its wall time to zoneinfo's instant, once;
:mod:`calsync.ical` writes the other times in UTC (repeated and skipped hours, years
of other rules, Morocco's short excursions).

The module is pure: no I/O, no clock, and the same inputs give byte-identical
``to_ical()`` output.

Choices worth knowing:

* ``X-LIC-LOCATION:<tzid>`` is added to every VTIMEZONE, after TZID, as
  Evolution/libical, Thunderbird and Google Calendar do; other clients ignore
  it.
* Of the two offsets of a DST zone the larger one is DAYLIGHT, whatever
  zoneinfo's ``dst()`` says (Europe/Dublin's tzdata uses negative DST in winter;
  clients expect IST in DAYLIGHT).
* Changes of abbreviation alone (Amman's EEST becoming "+03") are not changes: they
  move no instant.
* Sub-components come in the order STANDARD, DAYLIGHT.  icalendar's
  ``to_ical()`` sorts properties (TZID first, then alphabetically; RRULE parts
  in RFC 5545 order, so ``FREQ=YEARLY;BYDAY=2SU;BYMONTH=3``); the insertion
  order (DTSTART, TZOFFSETFROM, TZOFFSETTO, RRULE, TZNAME) only shows with
  ``to_ical(sorted=False)``.  Both are deterministic.
* Only the events' years are verified (no margin: times outside them are checked
  one by one by :meth:`ZonePlan.exact`).  DTSTARTs are moved back to the rule's
  first onsets in 1970, the classic form Outlook writes (``DTSTART:19700308T020000``
  with ``BYMONTH=3;BYDAY=2SU``): inside the years nothing changes, and readers
  that cache one VTIMEZONE per TZID for a whole process (vobject in Radicale)
  do not apply a year-limited definition to other calendars' years.  A zone
  without changes gets one STANDARD observance starting 1970-01-01.
"""

from __future__ import annotations

from .plan import MAX_YEAR, MIN_YEAR, ZonePlan, build_vtimezone, zone_plan
from .transitions import EXCURSION as EXCURSION
from .transitions import _in_excursion as _in_excursion  # the tests check exact() against it
from .transitions import zone_changes

__all__ = ["MAX_YEAR", "MIN_YEAR", "ZonePlan", "build_vtimezone", "zone_changes", "zone_plan"]

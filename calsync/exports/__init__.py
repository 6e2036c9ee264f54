"""Schedule formats besides iCalendar, and the feed of changes (pure: no clock, no request, no I/O).

* :mod:`.common` — what every schedule format shows of a talk (:class:`~.common.ExportEvent`),
  its stable GUID and number, the days and rooms; one owner for both formats;
* :mod:`.frab` — the frab/Pentabarf schedule XML (Giggity, ConfClerk, EventFahrplan, pretalx widgets);
* :mod:`.c3voc` — the c3voc schedule JSON (the same data as JSON);
* :mod:`.changes` — what changed in a talk (moved, retitled, room changed, cancelled, added),
  classified from the store's ``talk_changes`` rows, with the texts pages and feeds show;
* :mod:`.atom` — the Atom feed of those changes;
* :mod:`.compact` — the short descriptions of compact iCalendar feeds;
* :mod:`.formats` — every published format with what reads it (for the subscribe kit).

Inputs are model objects (:class:`~calsync.model.Session`, :class:`~calsync.model.Talk`) and
plain records; the web layer reads the store and turns the bytes into responses. The same
input always gives the same bytes.
"""

"""calsync: conference session pages → iCalendar feeds that real clients agree on."""

__version__ = "0.1.0"

"""Tests for calsync.vtimezone, against the real zoneinfo data (no mocks).

The offset checks never reuse the module's own scanner: they parse the emitted
bytes with icalendar, expand DTSTART/RDATE/RRULE themselves with dateutil, and
compare the offset that implies with ``ZoneInfo(tzid).utcoffset`` at hourly
samples and one second either side of every transition.
"""

from __future__ import annotations

import bisect
import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateutil.rrule
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from icalendar import Timezone

from calsync.vtimezone import _in_excursion, build_vtimezone, zone_plan

LOS_ANGELES_2022 = (
    b"BEGIN:VTIMEZONE\r\n"
    b"TZID:America/Los_Angeles\r\n"
    b"X-LIC-LOCATION:America/Los_Angeles\r\n"
    b"BEGIN:STANDARD\r\n"
    b"DTSTART:19701101T020000\r\n"
    b"RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r\n"
    b"TZNAME:PST\r\n"
    b"TZOFFSETFROM:-0700\r\n"
    b"TZOFFSETTO:-0800\r\n"
    b"END:STANDARD\r\n"
    b"BEGIN:DAYLIGHT\r\n"
    b"DTSTART:19700308T020000\r\n"
    b"RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\r\n"
    b"TZNAME:PDT\r\n"
    b"TZOFFSETFROM:-0800\r\n"
    b"TZOFFSETTO:-0700\r\n"
    b"END:DAYLIGHT\r\n"
    b"END:VTIMEZONE\r\n"
)

HYPOTHESIS_ZONES = [
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",  # DST abolished in 2019
    "America/Santiago",  # midnight transitions, odd years
    "America/Havana",
    "Europe/Berlin",
    "Europe/London",
    "Europe/Dublin",  # negative DST in tzdata
    "Europe/Moscow",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # 30-minute DST
    "Pacific/Auckland",
    "Pacific/Chatham",  # +12:45 / +13:45
    "Pacific/Apia",  # DST abolished in 2021
    "Asia/Tokyo",
    "Asia/Tehran",
    "Asia/Kolkata",
    "Africa/Casablanca",  # Ramadan breaks
    "Etc/GMT+7",
    "UTC",
]


# --------------------------------------------------------------------------
# An independent reading of the emitted bytes


def _parse(ics: bytes) -> Timezone:
    return Timezone.from_ical(ics)


def observances(ics: bytes) -> list:
    """Return the STANDARD/DAYLIGHT sub-components of emitted bytes."""
    return [sub for sub in _parse(ics).subcomponents if sub.name in ("STANDARD", "DAYLIGHT")]


def implied_offset(ics: bytes, until: datetime):
    """Return (offset_at(utc), onsets) implied by a VTIMEZONE, per RFC 5545.

    Each onset is a local time in TZOFFSETFROM; before the earliest onset the
    TZOFFSETFROM of that onset applies.
    """
    changes = []
    for sub in observances(ics):
        start, off_from, off_to = sub.DTSTART, sub.TZOFFSETFROM, sub.TZOFFSETTO
        assert start.tzinfo is None, "DTSTART in a VTIMEZONE must be local time"
        local = {start} | {dt for dt, _ in sub.rdates}
        for rule in sub.rrules:
            expanded = dateutil.rrule.rrulestr(rule.to_ical().decode(), dtstart=start)
            local |= set(expanded.between(start, until, inc=True))
        changes += [(dt - off_from, off_from, off_to) for dt in local]
    changes.sort()
    instants = [utc for utc, _, _ in changes]

    def offset_at(utc: datetime) -> timedelta:
        index = bisect.bisect_right(instants, utc) - 1
        return changes[0][1] if index < 0 else changes[index][2]

    return offset_at, instants


def zone_offset(zone: ZoneInfo, utc: datetime) -> timedelta:
    """Return zoneinfo's offset at a naive UTC instant."""
    return zone.fromutc(utc.replace(tzinfo=zone)).utcoffset()


def zone_samples(zone: ZoneInfo, start: datetime, end: datetime, step: timedelta):
    """Return {instant: zoneinfo offset} for samples every ``step`` and ±1 s of each change.

    Changes are found by a plain scan and bisected to the second.
    """
    one = timedelta(seconds=1)
    samples = {start: zone_offset(zone, start)}
    previous, previous_offset = start, samples[start]
    moment = start + step
    while moment <= end:
        offset = samples[moment] = zone_offset(zone, moment)
        if offset != previous_offset:
            low, high = previous, moment
            while high - low > one:
                middle = (low + (high - low) / 2).replace(microsecond=0)
                if zone_offset(zone, middle) == previous_offset:
                    low = middle
                else:
                    high = middle
            samples[high - one] = previous_offset
            samples[high] = samples[high + one] = zone_offset(zone, high)
        previous, previous_offset = moment, offset
        moment += step
    return samples


def assert_offsets_match(tzid: str, first_year: int, last_year: int, step_hours: float = 1):
    """Every sample and every transition ±1 s of the span agrees with zoneinfo.

    The span is the years the VTIMEZONE was verified for (all of first..last when the
    classic form holds them). Also checked: ±1 s around every onset the VTIMEZONE claims.
    """
    zone = ZoneInfo(tzid)
    ics = build_vtimezone(tzid, first_year, last_year).to_ical()
    # the whole span, except its first and last day (local vs UTC)
    start = datetime(first_year, 1, 2)
    end = datetime(last_year, 12, 30)
    offset_at, onsets = implied_offset(ics, end + timedelta(days=2))
    samples = zone_samples(zone, start, end, timedelta(hours=step_hours))
    one = timedelta(seconds=1)
    for onset in onsets:
        if start <= onset <= end:
            for instant in (onset - one, onset, onset + one):
                samples[instant] = zone_offset(zone, instant)
    wrong = [
        (instant, offset_at(instant), offset)
        for instant, offset in sorted(samples.items())
        if offset_at(instant) != offset
    ]
    assert not wrong, f"{tzid} {first_year}..{last_year}: {wrong[:5]} ({len(wrong)} wrong)"


def assert_exact_is_sound(tzid: str, first_year: int, last_year: int, step_hours: float = 5) -> None:
    """Wherever the plan says a wall time may be written with its TZID, the bytes read right.

    Local times every ``step_hours`` through the span, and ±1 h of every change: when
    :meth:`ZonePlan.exact` is true, the independent reading of the VTIMEZONE
    (:func:`implied_offset`) gives zoneinfo's instant.
    """
    zone = ZoneInfo(tzid)
    plan = zone_plan(tzid, tuple(range(first_year, last_year + 1)))
    offset_at, onsets = implied_offset(plan.to_ical(), datetime(last_year + 1, 12, 31))
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    instants = []
    while moment.year <= last_year:
        instants.append(moment)
        moment += timedelta(hours=step_hours)
    instants += [o.replace(tzinfo=UTC) + timedelta(hours=h) for o in onsets for h in (-1, 0, 1)]
    covered = exact_covered = 0
    for instant in instants:
        local = instant.astimezone(zone)
        naive = local.replace(tzinfo=None)
        in_plan = local.year in plan.years
        covered += in_plan
        if not plan.exact(local):
            # A span no classic form fits is written with one offset: every unambiguous
            # wall time at that offset, outside Morocco's Ramadan excursions, keeps its TZID.
            assert plan.years or not (
                local.utcoffset() == offset_at(naive - local.utcoffset())
                and local.replace(fold=0).utcoffset() == local.replace(fold=1).utcoffset()
                and not _in_excursion(tzid, instant.replace(tzinfo=None))
            ), (tzid, local)
            continue
        exact_covered += in_plan
        read = naive - offset_at(naive - local.utcoffset())
        assert read == instant.replace(tzinfo=None), (tzid, local)
    # In the years the plan covers, most wall times are written as such.
    assert not covered or exact_covered > covered // 2, (tzid, plan.years, exact_covered, covered)


# --------------------------------------------------------------------------
# The classic form


def test_los_angeles_golden():
    assert build_vtimezone("America/Los_Angeles", 2022, 2022).to_ical() == LOS_ANGELES_2022


def rules(tzid: str, first_year: int, last_year: int) -> dict[str, list[str]]:
    ics = build_vtimezone(tzid, first_year, last_year).to_ical()
    return {
        sub.name: [rule.to_ical().decode() for rule in sub.rrules] for sub in observances(ics)
    }


def test_los_angeles_rules():
    assert rules("America/Los_Angeles", 2022, 2022) == {
        "STANDARD": ["FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"],
        "DAYLIGHT": ["FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"],
    }


@pytest.mark.parametrize("years", [(2022, 2022), (2021, 2021), (2018, 2026)])
def test_berlin_last_sundays(years):
    # 2021..2023 has the 4th Sunday of March as the last one every year: still -1SU
    assert rules("Europe/Berlin", *years) == {
        "STANDARD": ["FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"],
        "DAYLIGHT": ["FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"],
    }


def test_berlin_onsets_are_in_offset_from():
    std, dst = observances(build_vtimezone("Europe/Berlin", 2022, 2022).to_ical())
    assert (std.DTSTART, std.TZOFFSETFROM, std.TZOFFSETTO, str(std["TZNAME"])) == (
        datetime(1970, 10, 25, 3, 0),
        timedelta(hours=2),
        timedelta(hours=1),
        "CET",
    )
    assert (dst.DTSTART, dst.TZOFFSETFROM, dst.TZOFFSETTO, str(dst["TZNAME"])) == (
        datetime(1970, 3, 29, 2, 0),
        timedelta(hours=1),
        timedelta(hours=2),
        "CEST",
    )


def test_sydney_southern_hemisphere():
    ics = build_vtimezone("Australia/Sydney", 2022, 2022).to_ical()
    std, dst = observances(ics)
    assert (std.DTSTART, std.TZOFFSETTO, str(std["TZNAME"])) == (
        datetime(1970, 4, 5, 3, 0),
        timedelta(hours=10),
        "AEST",
    )
    assert (dst.DTSTART, dst.TZOFFSETTO, str(dst["TZNAME"])) == (
        datetime(1970, 10, 4, 2, 0),
        timedelta(hours=11),
        "AEDT",
    )
    assert rules("Australia/Sydney", 2022, 2022) == {
        "STANDARD": ["FREQ=YEARLY;BYDAY=1SU;BYMONTH=4"],
        "DAYLIGHT": ["FREQ=YEARLY;BYDAY=1SU;BYMONTH=10"],
    }


@pytest.mark.parametrize(
    ("tzid", "offset", "name"),
    [
        ("Asia/Tokyo", timedelta(hours=9), "JST"),
        ("UTC", timedelta(0), "UTC"),
        ("Etc/GMT+7", timedelta(hours=-7), "-07"),
        ("Asia/Singapore", timedelta(hours=8), "+08"),
    ],
)
def test_zones_without_dst(tzid, offset, name):
    vtimezone = build_vtimezone(tzid, 2022, 2024)
    assert str(vtimezone["TZID"]) == tzid
    (sub,) = vtimezone.subcomponents
    assert sub.name == "STANDARD"
    assert "RRULE" not in sub and "RDATE" not in sub
    assert sub.DTSTART == datetime(1970, 1, 1)
    assert sub.TZOFFSETFROM == sub.TZOFFSETTO == offset
    assert str(sub["TZNAME"]) == name


@pytest.mark.parametrize(
    ("tzid", "first_year", "last_year"),
    [
        ("America/Los_Angeles", 2022, 2022),
        ("America/Los_Angeles", 2010, 2030),
        ("Europe/Berlin", 2022, 2024),
        ("Australia/Sydney", 2022, 2024),
        ("Pacific/Auckland", 2020, 2025),
        ("Australia/Lord_Howe", 2023, 2023),
        ("Europe/Dublin", 2023, 2023),
        ("Asia/Tokyo", 2022, 2022),
        ("Etc/GMT+7", 2022, 2022),
        ("UTC", 2022, 2022),
    ],
)
def test_offsets_match_zoneinfo(tzid, first_year, last_year):
    vtimezone = build_vtimezone(tzid, first_year, last_year)
    assert "COMMENT" not in vtimezone, "expected the classic form"
    step_hours = 1 if last_year - first_year < 6 else 3
    assert assert_offsets_match(tzid, first_year, last_year, step_hours) is None


@pytest.mark.parametrize("tzid", ["America/Los_Angeles", "Europe/Berlin", "Pacific/Auckland"])
def test_icalendar_own_reading_agrees(tzid):
    """icalendar's own parser (dateutil's tzical) reads the bytes the same way.

    Checked over the feed's years; the margin year before them may be read
    differently by tzical before the first DTSTART in the southern hemisphere.
    """
    zone = ZoneInfo(tzid)
    parsed = _parse(build_vtimezone(tzid, 2023, 2024).to_ical()).to_tz(lookup_tzid=False)
    samples = zone_samples(zone, datetime(2023, 1, 1), datetime(2024, 12, 31), timedelta(hours=7))
    for instant, offset in samples.items():
        aware = instant.replace(tzinfo=UTC)
        assert aware.astimezone(parsed).utcoffset() == offset, instant


# --------------------------------------------------------------------------
# Zones whose rules change: a run of years in the classic form, the rest in UTC


@pytest.mark.parametrize(
    ("tzid", "first_year", "last_year", "years"),
    [
        ("America/Los_Angeles", 2005, 2008, (2007, 2008)),  # the US rule of 2007
        ("Europe/Moscow", 2010, 2012, (2012,)),  # permanent summer time from 2011
        ("Asia/Tehran", 2021, 2023, (2023,)),  # fixed-date DST (no weekday rule holds two years), ended 2022
        ("America/Mexico_City", 2022, 2023, (2023,)),  # DST abolished in October 2022
    ],
)
def test_changed_rules_choose_the_longest_latest_run(tzid, first_year, last_year, years, caplog):
    plan = zone_plan(tzid, tuple(range(first_year, last_year + 1)))
    assert plan.years == years
    assert plan.reason
    with caplog.at_level(logging.DEBUG, logger="calsync.vtimezone"):
        ics = build_vtimezone(tzid, first_year, last_year).to_ical()
    assert b"RDATE" not in ics and b"COMMENT" not in ics
    assert any(tzid in record.getMessage() for record in caplog.records)
    assert assert_offsets_match(tzid, years[0], years[-1]) is None
    assert_exact_is_sound(tzid, first_year, last_year)


@pytest.mark.parametrize(
    ("tzid", "year", "offset"),
    [
        ("Asia/Amman", 2022, timedelta(hours=3)),  # +02 until 24 Feb, then +03 for good
        ("America/Sao_Paulo", 2019, timedelta(hours=-3)),  # DST ended 17 Feb 2019 for good
        ("Pacific/Apia", 2021, timedelta(hours=13)),
        ("Europe/Moscow", 2011, timedelta(hours=4)),
        ("Europe/Moscow", 2014, timedelta(hours=4)),
        ("Africa/Casablanca", 2029, timedelta(hours=1)),  # two Ramadan breaks in one year
    ],
)
def test_a_year_no_classic_form_fits_gets_its_longest_offset(tzid, year, offset):
    plan = zone_plan(tzid, (year,))
    assert plan.years == ()
    (sub,) = observances(plan.to_ical())
    assert sub.TZOFFSETFROM == sub.TZOFFSETTO == offset
    assert "RRULE" not in sub
    assert_exact_is_sound(tzid, year, year)


def test_exact_refuses_repeated_and_skipped_wall_times():
    plan = zone_plan("America/Los_Angeles", (2022,))
    la = ZoneInfo("America/Los_Angeles")
    assert plan.exact(datetime(2022, 7, 1, 10, tzinfo=la))
    assert not plan.exact(datetime(2022, 11, 6, 1, 30, tzinfo=la))  # repeated, fold 0
    assert not plan.exact(datetime(2022, 11, 6, 1, 30, fold=1, tzinfo=la))
    assert not plan.exact(datetime(2022, 3, 13, 2, 30, tzinfo=la))  # skipped
    assert plan.exact(datetime(2022, 3, 13, 3, 0, tzinfo=la))
    assert not plan.exact(datetime(2023, 3, 12, 2, 30, tzinfo=la))


def test_mexico_city_events_of_a_year_without_dst_get_the_classic_form():
    plan = zone_plan("America/Mexico_City", (2023,))
    assert (plan.years, plan.reason) == ((2023,), "")
    assert plan.exact(datetime(2023, 7, 13, 10, tzinfo=ZoneInfo("America/Mexico_City")))


# --------------------------------------------------------------------------
# API behaviour


def test_deterministic_and_fresh():
    first = build_vtimezone("Europe/Berlin", 2022, 2022)
    expected = first.to_ical()
    first.subcomponents.clear()
    first["TZID"] = "mutated"
    again = build_vtimezone("Europe/Berlin", 2022, 2022)
    assert again is not first
    assert again.to_ical() == expected
    assert build_vtimezone("Europe/Moscow", 2010, 2012).to_ical() == build_vtimezone(
        "Europe/Moscow", 2010, 2012
    ).to_ical()


def test_unsorted_property_order():
    ics = build_vtimezone("America/Los_Angeles", 2022, 2022).to_ical(sorted=False).decode()
    standard = ics.split("BEGIN:STANDARD\r\n")[1].split("END:STANDARD")[0]
    names = [line.split(":")[0] for line in standard.splitlines()]
    assert names == ["DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "TZNAME"]


@pytest.mark.parametrize("years", [(2023, 2022), (1800, 2020), (2020, 9999)])
def test_bad_years(years):
    with pytest.raises(ValueError):
        build_vtimezone("Europe/Berlin", *years)


def test_unknown_zone():
    with pytest.raises(ZoneInfoNotFoundError):
        build_vtimezone("Mars/Olympus_Mons", 2022, 2022)


# --------------------------------------------------------------------------
# Property: offsets agree with zoneinfo for many zones and spans


@settings(max_examples=30, deadline=None)
@given(
    tzid=st.sampled_from(HYPOTHESIS_ZONES),
    first_year=st.integers(1995, 2035),
    length=st.integers(0, 3),
)
@example(tzid="Africa/Casablanca", first_year=2013, length=1)  # a span the plan leaves to UTC
def test_offsets_match_zoneinfo_property(tzid, first_year, length):
    last_year = min(first_year + length, 2035)
    plan = zone_plan(tzid, tuple(range(first_year, last_year + 1)))
    if plan.years:
        assert assert_offsets_match(tzid, plan.years[0], plan.years[-1], step_hours=3) is None
    assert_exact_is_sound(tzid, first_year, last_year, step_hours=11)

"""Tests for calsync.links: exact link strings, URL-encoding round trips, QR SVG, file names."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from calsync import links
from calsync.links import (
    FEED_SIZE_WARNING_BYTES,
    GOOGLE_REFRESH_NOTE,
    MAX_DETAILS_CHARS,
    content_disposition,
    feed_size_warning,
    google_add_event_url,
    google_subscribe_url,
    human_size,
    outlook_add_event_urls,
    outlook_subscribe_urls,
    qr_svg,
    safe_filename,
    webcal_url,
)

FEED = "https://cal.example.org/feeds/t0k3n/neurips-2026.ics"
FEED_Q = "https://cal.example.org/feeds/t0k3n/neurips-2026.ics?view=sessions&abstracts=0"
WEIRD_NAMES = [
    "Orals & Spotlights",
    "Track #2 / Room 3",
    "Zoë’s Übersicht — 東京 2026",
    "a+b=c?d&e=f",
    "100% sure; 50/50",
]
PDT = timezone(timedelta(hours=-7))
START = datetime(2026, 7, 21, 9, 0, tzinfo=PDT)  # 16:00 UTC
END = datetime(2026, 7, 21, 10, 30, tzinfo=PDT)  # 17:30 UTC


def query(url: str) -> dict[str, list[str]]:
    """Decoded query parameters of ``url``."""
    return parse_qs(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)


# --- webcal_url ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://x/feeds/a.ics", "webcal://x/feeds/a.ics"),
        ("http://x/feeds/a.ics", "webcal://x/feeds/a.ics"),
        ("HTTPS://x/feeds/a.ics", "webcal://x/feeds/a.ics"),
        ("webcal://x/feeds/a.ics", "webcal://x/feeds/a.ics"),
        (FEED_Q, "webcal://cal.example.org/feeds/t0k3n/neurips-2026.ics?view=sessions&abstracts=0"),
    ],
)
def test_webcal_url(given: str, expected: str) -> None:
    assert webcal_url(given) == expected


@pytest.mark.parametrize("bad", ["ftp://x/a.ics", "/feeds/a.ics", "x/a.ics", "https:x/a.ics", ""])
def test_webcal_url_rejects_other_urls(bad: str) -> None:
    with pytest.raises(ValueError):
        webcal_url(bad)


# --- Google subscribe ---------------------------------------------------------------------


def test_google_subscribe_url_exact() -> None:
    assert google_subscribe_url(FEED) == (
        "https://calendar.google.com/calendar/r?cid="
        "webcal%3A%2F%2Fcal.example.org%2Ffeeds%2Ft0k3n%2Fneurips-2026.ics"
    )
    assert google_subscribe_url(FEED_Q) == (
        "https://calendar.google.com/calendar/r?cid="
        "webcal%3A%2F%2Fcal.example.org%2Ffeeds%2Ft0k3n%2Fneurips-2026.ics"
        "%3Fview%3Dsessions%26abstracts%3D0"
    )


@pytest.mark.parametrize("feed", [FEED, FEED_Q, "http://x.org/a.ics", "webcal://x.org/a b.ics?q=ä#f"])
def test_google_subscribe_url_round_trip(feed: str) -> None:
    url = google_subscribe_url(feed)
    assert url.startswith("https://calendar.google.com/calendar/r?cid=")
    params = query(url)
    assert list(params) == ["cid"]  # the feed's own ?&= did not leak into Google's query
    assert params["cid"] == [webcal_url(feed)]
    assert params["cid"][0].startswith("webcal://")


# --- Outlook subscribe --------------------------------------------------------------------


def test_outlook_subscribe_urls_exact() -> None:
    enc_url = "https%3A%2F%2Fcal.example.org%2Ffeeds%2Ft0k3n%2Fneurips-2026.ics"
    enc_name = "NeurIPS%202026%20%E2%80%93%20Orals%20%26%20Posters"
    got = outlook_subscribe_urls(FEED, "NeurIPS 2026 – Orals & Posters")
    assert got == {
        "outlook.com": f"https://outlook.live.com/calendar/0/addfromweb?url={enc_url}&name={enc_name}",
        "microsoft365": f"https://outlook.office.com/calendar/0/addfromweb?url={enc_url}&name={enc_name}",
    }


def test_outlook_subscribe_urls_use_https_form() -> None:
    got = outlook_subscribe_urls("webcal://x.org/a.ics", "A")
    assert got["outlook.com"] == "https://outlook.live.com/calendar/0/addfromweb?url=https%3A%2F%2Fx.org%2Fa.ics&name=A"
    assert query(got["microsoft365"])["url"] == ["https://x.org/a.ics"]


@pytest.mark.parametrize("name", WEIRD_NAMES)
def test_outlook_subscribe_urls_round_trip(name: str) -> None:
    got = outlook_subscribe_urls(FEED_Q, name)
    assert set(got) == {"outlook.com", "microsoft365"}
    for key, host in [("outlook.com", "outlook.live.com"), ("microsoft365", "outlook.office.com")]:
        parts = urlsplit(got[key])
        assert (parts.scheme, parts.netloc, parts.path) == ("https", host, "/calendar/0/addfromweb")
        assert parts.fragment == ""  # a '#' in the name must not start a fragment
        assert query(got[key]) == {"url": [FEED_Q], "name": [name]}


# --- Google add event ---------------------------------------------------------------------


def test_google_add_event_url_exact() -> None:
    got = google_add_event_url("Orals 1A: Vision & Language", START, END, "Chair: Zoë\nRoom 2", "Hall A #3")
    assert got == (
        "https://calendar.google.com/calendar/render?action=TEMPLATE"
        "&text=Orals%201A%3A%20Vision%20%26%20Language"
        "&dates=20260721T160000Z/20260721T173000Z"
        "&details=Chair%3A%20Zo%C3%AB%0ARoom%202"
        "&location=Hall%20A%20%233"
    )


def test_google_add_event_url_leaves_out_empty_fields() -> None:
    utc = UTC
    got = google_add_event_url("T", datetime(2026, 1, 2, 3, 4, 5, tzinfo=utc), datetime(2026, 1, 2, 4, 0, tzinfo=utc))
    assert got == (
        "https://calendar.google.com/calendar/render?action=TEMPLATE&text=T"
        "&dates=20260102T030405Z/20260102T040000Z"
    )


@pytest.mark.parametrize("text", WEIRD_NAMES)
def test_google_add_event_url_round_trip(text: str) -> None:
    params = query(google_add_event_url(text, START, END, text + "\nmore", text))
    assert params == {
        "action": ["TEMPLATE"],
        "text": [text],
        "dates": ["20260721T160000Z/20260721T173000Z"],
        "details": [text + "\nmore"],
        "location": [text],
    }


def test_google_add_event_url_truncates_long_details() -> None:
    long = "x" * 5000
    details = query(google_add_event_url("T", START, END, long))["details"][0]
    assert details == "x" * (MAX_DETAILS_CHARS - 1) + "…"
    exact = "y" * MAX_DETAILS_CHARS
    assert query(google_add_event_url("T", START, END, exact))["details"] == [exact]


def test_add_event_rejects_naive_or_reversed_times() -> None:
    naive = datetime(2026, 7, 21, 9, 0)
    for func in (google_add_event_url, outlook_add_event_urls):
        with pytest.raises(ValueError):
            func("T", naive, END)
        with pytest.raises(ValueError):
            func("T", START, naive)
        with pytest.raises(ValueError):
            func("T", END, START)


# --- Outlook add event --------------------------------------------------------------------


def test_outlook_add_event_urls_exact() -> None:
    query_string = (
        "path=/calendar/action/compose&rru=addevent"
        "&subject=Orals%201A%3A%20Vision%20%26%20Language"
        "&startdt=2026-07-21T16:00:00Z&enddt=2026-07-21T17:30:00Z"
        "&body=Chair%3A%20Zo%C3%AB%0ARoom%202"
        "&location=Hall%20A%20%233"
    )
    got = outlook_add_event_urls("Orals 1A: Vision & Language", START, END, "Chair: Zoë\nRoom 2", "Hall A #3")
    assert got == {
        "outlook.com": "https://outlook.live.com/calendar/0/deeplink/compose?" + query_string,
        "microsoft365": "https://outlook.office.com/calendar/0/deeplink/compose?" + query_string,
    }


@pytest.mark.parametrize("text", WEIRD_NAMES)
def test_outlook_add_event_urls_round_trip(text: str) -> None:
    for url in outlook_add_event_urls(text, START, END, "x" * 4000, text).values():
        params = query(url)
        assert params["subject"] == [text]
        assert params["location"] == [text]
        assert params["startdt"] == ["2026-07-21T16:00:00Z"]
        assert params["enddt"] == ["2026-07-21T17:30:00Z"]
        assert params["body"] == ["x" * (MAX_DETAILS_CHARS - 1) + "…"]
        assert params["path"] == ["/calendar/action/compose"]
        assert params["rru"] == ["addevent"]


# --- QR code ------------------------------------------------------------------------------


def _modules(svg: str) -> int:
    """Side of the symbol in modules (quiet zone included), from the white background path."""
    match = re.search(r'<path fill="#fff" d="M0 0h(\d+)v\1h-\1z"/>', svg)
    assert match, svg[:300]
    return int(match.group(1))


def test_qr_svg_is_inline_svg() -> None:
    svg = qr_svg("webcal://x.org/a.ics")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" ')
    assert svg.endswith("</svg>")
    assert "<?xml" not in svg
    assert "<title>QR code: webcal://x.org/a.ics</title>" in svg
    width = int(re.search(r'width="(\d+)"', svg).group(1))
    assert 150 <= width <= 250
    assert svg == qr_svg("webcal://x.org/a.ics")  # deterministic


def test_qr_svg_title_is_escaped_and_overridable() -> None:
    svg = qr_svg("https://x.org/a.ics?a=1&b=<2>", title='Scan "me" & <subscribe>')
    assert "<title>Scan \"me\" &amp; &lt;subscribe&gt;</title>" in svg
    assert "<title>QR code: https://x.org/a.ics?a=1&amp;b=&lt;2&gt;</title>" in qr_svg("https://x.org/a.ics?a=1&b=<2>")


def test_qr_svg_longer_input_gives_larger_matrix() -> None:
    short = qr_svg("webcal://x.org/a.ics")
    long = qr_svg("webcal://cal.example.org/feeds/" + "0123456789abcdef" * 8 + "/neurips.ics")
    assert short != long
    assert _modules(long) > _modules(short)
    assert _modules(short) == 33  # version 2 (25 modules) + 2 × 4 quiet zone


# --- safe_filename / content_disposition ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Orals & Spotlights: Zoë", "Orals-Spotlights-Zoe.ics"),
        ("", "calendar.ics"),
        ("   ", "calendar.ics"),
        ("&&&!!!***", "calendar.ics"),
        ("東京", "calendar.ics"),
        ("...", "calendar.ics"),
        ("../../etc/passwd", "etc-passwd.ics"),
        ("..\\..\\boot.ini", "boot.ini.ics"),
        (".hidden", "hidden.ics"),
        ("-rf", "rf.ics"),
        ("ünïcödé", "unicode.ics"),
        ("Ærøskøbing ﬁnal", "rskbing-final.ics"),
        ("NeurIPS_2026.v2", "NeurIPS_2026.v2.ics"),
        ("neurips.ics", "neurips.ics"),
        ("NEURIPS.ICS", "NEURIPS.ics"),
        ("a\x00b\nc", "a-b-c.ics"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_safe_filename_long_and_suffixes() -> None:
    got = safe_filename("A" * 200)
    assert got == "A" * 76 + ".ics"
    assert len(got) == 80
    # a cut that lands on a separator does not leave a trailing '-'
    assert safe_filename("x" * 75 + " yyyy") == "x" * 75 + ".ics"
    assert safe_filename("Zoë", suffix=".json") == "Zoe.json"
    assert safe_filename("Zoë", suffix="") == "Zoe"
    assert safe_filename("", suffix="") == "calendar"
    with pytest.raises(ValueError):
        safe_filename("x", suffix="/../x")


@pytest.mark.parametrize("name", ["", "../../etc/passwd", "ünïcödé", "x" * 500, "#$%^", *WEIRD_NAMES])
def test_safe_filename_invariants(name: str) -> None:
    got = safe_filename(name)
    assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._-]*\.ics", got), got
    assert len(got) <= 80


def test_content_disposition_exact() -> None:
    assert content_disposition("Orals & Spotlights: Zoë") == (
        'attachment; filename="Orals-Spotlights-Zoe.ics"; '
        "filename*=UTF-8''Orals%20%26%20Spotlights%3A%20Zo%C3%AB.ics"
    )
    assert content_disposition("plain") == "attachment; filename=\"plain.ics\"; filename*=UTF-8''plain.ics"


def test_content_disposition_edge_cases() -> None:
    assert content_disposition("") == "attachment; filename=\"calendar.ics\"; filename*=UTF-8''calendar.ics"
    assert content_disposition("../../etc/passwd") == (
        "attachment; filename=\"etc-passwd.ics\"; filename*=UTF-8''etc-passwd.ics"
    )
    assert content_disposition("東京") == (
        "attachment; filename=\"calendar.ics\"; filename*=UTF-8''%E6%9D%B1%E4%BA%AC.ics"
    )
    # NFD input is sent as NFC
    assert content_disposition("Zoe\u0308") == (
        "attachment; filename=\"Zoe.ics\"; filename*=UTF-8''Zo%C3%AB.ics"
    )
    assert content_disposition("talks.ics") == "attachment; filename=\"talks.ics\"; filename*=UTF-8''talks.ics"


@pytest.mark.parametrize("name", ["", "a\"b", "a;b", "x\r\ny", *WEIRD_NAMES])
def test_content_disposition_is_a_safe_header(name: str) -> None:
    value = content_disposition(name)
    assert value.isascii()
    assert "\r" not in value and "\n" not in value
    match = re.fullmatch(r"attachment; filename=\"([^\"\\]+)\"; filename\*=UTF-8''([A-Za-z0-9%._~-]+)", value)
    assert match, value


# --- sizes and notes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0 B"),
        (1, "1 B"),
        (532, "532 B"),
        (999, "999 B"),
        (1000, "1.0 kB"),
        (1049, "1.0 kB"),
        (12_345, "12.3 kB"),
        (999_949, "999.9 kB"),
        (999_950, "1.0 MB"),
        (1_000_000, "1.0 MB"),
        (1_400_000, "1.4 MB"),
        (999_950_000, "1.0 GB"),
        (2_500_000_000, "2.5 GB"),
    ],
)
def test_human_size(n: int, expected: str) -> None:
    assert human_size(n) == expected


def test_human_size_rejects_negative() -> None:
    with pytest.raises(ValueError):
        human_size(-1)


def test_feed_size_warning() -> None:
    assert FEED_SIZE_WARNING_BYTES == 1_000_000
    assert feed_size_warning(0) is None
    assert feed_size_warning(1_000_000) is None
    assert feed_size_warning(1_000_001) == (
        "This feed is 1.0 MB: Google Calendar drops events from subscribed feeds larger than "
        "about 1 MB, so subscribe to the sessions view (view=sessions) or leave out abstracts "
        "(abstracts=0)."
    )
    warning = feed_size_warning(2_100_000)
    assert warning is not None and warning.startswith("This feed is 2.1 MB:")
    assert warning.endswith(".") and ". " not in warning  # one sentence
    assert "\n" not in warning


def test_google_refresh_note() -> None:
    assert "\n" not in GOOGLE_REFRESH_NOTE
    for needle in ("Google Calendar", "8–24 h", "Outlook.com", "3 h"):
        assert needle in GOOGLE_REFRESH_NOTE


def test_module_is_pure() -> None:
    source = Path(links.__file__).read_text(encoding="utf-8")
    for forbidden in ("import flask", "from flask", "datetime.now", "time.time", "open("):
        assert forbidden not in source.lower()

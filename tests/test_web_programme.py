"""The programme page, its fragments, the talk page, My schedule's items and the custom feed pages.

A conference made here from model objects (three days, parallel rooms, posters with board
positions, LaTeX in titles, a clash) is imported into a real SQLite store; the pages are read
with Flask's test client and parsed. Browser behaviour (stars, search as you type) is in
tests/system/test_browser_programme.py.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers import make_test_config

from calsync.filters import FeedQuery, select_talks
from calsync.model import Schedule, Session, Talk, make_session_id, make_talk_id
from calsync.web import create_app
from calsync.web.pages import programme_view
from calsync.web.programme import CHUNK_TALKS, ProgrammeIndex

SLUG = "conf"
ZONE = ZoneInfo("America/Chicago")
DAYS = [date(2030, 6, 3), date(2030, 6, 4), date(2030, 6, 5)]
WORDS = ["sparse", "graphs", "diffusion", "kernels", "agents", "Zoë", "bandits", "priors"]


def make_schedule(rooms: int = 3, slots: int = 2, talks: int = 4) -> Schedule:
    """Sessions in ``rooms`` parallel rooms, ``slots`` a day, ``talks`` each; day 1 room 0 slot 0 holds LaTeX and posters."""
    sessions = []
    n = 0
    for day in DAYS:
        for slot in range(slots):
            for room in range(rooms):
                start = datetime(day.year, day.month, day.day, 9 + 3 * slot, tzinfo=ZONE)
                poster = room == rooms - 1
                title = f"{'Posters' if poster else 'Orals'} {day.day}-{slot}-{room}"
                sid = make_session_id(title, f"Room {room}", start, None)
                items = []
                for i in range(talks):
                    n += 1
                    words = f"{WORDS[n % len(WORDS)]} {WORDS[(n * 3) % len(WORDS)]}"
                    title_t = rf"Learning $\ell_p$ {words} {n}" if n % 5 == 0 else f"Talk on {words} {n}"
                    items.append(Talk(
                        id=make_talk_id(sid, title_t, 1), start=start + timedelta(minutes=20 * i),
                        end=start + timedelta(minutes=20 * i + 20), title=title_t,
                        type="Poster" if poster else ("Oral" if i % 2 else "Spotlight"),
                        authors=(f"Author {n}", f"Zoë Writer{n % 7}"), abstract=f"We study {words} at length ({n}).",
                        location=f"Hall B #{100 + n}" if poster else None,
                    ))
                sessions.append(Session(id=sid, title=title, timezone=str(ZONE), talks=tuple(items),
                                        location=f"Room {room}", moderators=("Chair One", "Chair Two")))
    return Schedule(timezone=str(ZONE), sessions=tuple(sessions))


@pytest.fixture
def conf_app(tmp_path: Path):
    app = create_app(make_test_config(tmp_path))
    store = app.extensions["calsync"]["store"]
    now = datetime.now(UTC)
    store.ensure_conference(SLUG, "Conf 2030", str(ZONE), 2030, now)
    store.import_schedule(SLUG, make_schedule(), now)
    return app


@pytest.fixture
def conf(conf_app):
    return conf_app.test_client()


class Page(HTMLParser):
    """Headings in order, elements' parents, and the talk ids of a page."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr", "area", "col", "embed", "track", "path", "rect"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.stack: list[str] = []
        self.bad_parents: list[str] = []
        self.talks: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        parent = self.stack[-1] if self.stack else None
        if parent in ("ul", "ol") and tag != "li" and tag not in ("script", "template"):
            self.bad_parents.append(f"<{tag}> in <{parent}>")
        found = dict(attrs)
        if tag == "li" and "talk" in (found.get("class") or "").split():
            self.talks.append(found.get("data-talk-id") or "")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass


def headings_in_order(levels: list[int]) -> bool:
    """Starts at h1 and never skips a level going down."""
    return bool(levels) and levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))


def all_talks(app) -> list[tuple[Session, Talk]]:
    snap = app.extensions["calsync"]["service"].snapshot(SLUG)
    return select_talks(snap.sessions, FeedQuery())


@pytest.mark.parametrize("query", [
    FeedQuery(), FeedQuery(q="sparse"), FeedQuery(q="SPARSE graphs"), FeedQuery(q="zoe"), FeedQuery(author="zoe writer3"),
    FeedQuery(types=("oral", "Poster")), FeedQuery(room="room 1"), FeedQuery(day=DAYS[1]), FeedQuery(room="Hall B #105"),
    FeedQuery(q="ell", day=DAYS[0], types=("Spotlight",)), FeedQuery(q="nothing-like-this"), FeedQuery(author="Author 1"),
])
def test_the_index_selects_what_the_feeds_select(conf_app, query: FeedQuery) -> None:
    snap = conf_app.extensions["calsync"]["service"].snapshot(SLUG)
    index = ProgrammeIndex.build(snap)
    expected = [(s.id, t.id) for s, t in select_talks(snap.sessions, query)]
    assert [(e.session.id, e.talk.id) for e in index.select(query)] == expected


def test_search_finds_a_talk_by_an_authors_name(conf_app) -> None:
    """``q`` searches the authors too (issue 10): a name that is in no title or abstract finds that talk only."""
    snap = conf_app.extensions["calsync"]["service"].snapshot(SLUG)
    query = FeedQuery(q="author 17")
    found = [t for _, t in select_talks(snap.sessions, query)]
    assert [(t.title, t.authors[0]) for t in found] == [("Talk on graphs kernels 17", "Author 17")]
    assert "author" not in f"{found[0].title} {found[0].abstract}".lower()  # only its authors name it
    assert [e.talk.id for e in ProgrammeIndex.build(snap).select(query)] == [found[0].id]


def test_the_first_day_is_shown_before_the_conference_and_today_during_it(conf_app) -> None:
    snap = conf_app.extensions["calsync"]["service"].snapshot(SLUG)
    index = ProgrammeIndex.build(snap)
    before = programme_view(index, str(ZONE), FeedQuery(), None, datetime(2030, 1, 1, tzinfo=UTC))
    assert before.day == DAYS[0] and before.current is None
    assert before.day_counts == [(d, 24) for d in DAYS] and before.matches == 24
    during = datetime(2030, 6, 4, 12, 30, tzinfo=ZONE)  # the 12:00 sessions of day 2 are running
    view = programme_view(index, str(ZONE), FeedQuery(), None, during)
    assert view.day == DAYS[1] and view.current_label == "Now" and view.start == 3
    assert view.groups[0].session.id == view.current and view.groups[0].start.hour == 12
    evening = programme_view(index, str(ZONE), FeedQuery(), None, datetime(2030, 6, 4, 11, 30, tzinfo=ZONE))
    assert evening.current_label == "Next" and evening.groups[0].start.hour == 12
    searching = programme_view(index, str(ZONE), FeedQuery(q="sparse"), None, during)
    assert searching.day is None and searching.filtered  # a search looks at every day


def test_programme_page_shows_one_day_with_tabs_and_counts(conf) -> None:
    html = conf.get(f"/conferences/{SLUG}?day=2030-06-04").get_data(as_text=True)
    page = Page(html)
    assert len(page.talks) == 24 and page.bad_parents == [] and headings_in_order(page.headings)
    assert 'href="/conferences/conf?day=2030-06-03"' in html and 'aria-current="page">Tue 04 Jun' in html
    assert 'data-matches="24"' in html and "Chairs: Chair One, Chair Two" in html
    assert "Poster Hall B #" in html and "Learning ℓₚ" in html and r"$\ell_p$" not in html


def test_search_fragment_hides_non_matches_and_counts(conf_app, conf) -> None:
    expected = [t.id for _, t in select_talks([s for s, _ in all_talks(conf_app)], FeedQuery(q="diffusion"))]
    fragment = conf.get(f"/conferences/{SLUG}/programme?q=diffusion")
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    html = fragment.get_data(as_text=True)
    assert sorted(Page(html).talks) == sorted(set(expected))
    assert f'data-matches="{len(set(expected))}"' in html and "All days" in html
    one_day = conf.get(f"/conferences/{SLUG}/programme?q=diffusion&day=2030-06-05").get_data(as_text=True)
    assert all(t in expected for t in Page(one_day).talks) and len(Page(one_day).talks) < len(set(expected))
    none = conf.get(f"/conferences/{SLUG}/programme?q=zzzz").get_data(as_text=True)
    assert Page(none).talks == [] and "No talk matches this search" in none


def test_the_page_and_the_kit_follow_the_url_state(conf) -> None:
    html = conf.get(f"/conferences/{SLUG}?q=sparse&type=Oral&author=zo%C3%AB").get_data(as_text=True)
    assert 'value="sparse"' in html and 'value="Oral" checked' in html and 'value="zoë"' in html
    assert f"/conferences/{SLUG}.ics?author=zo%C3%AB&amp;q=sparse&amp;type=Oral" in html  # the kit of exactly these talks
    kit = conf.get(f"/conferences/{SLUG}/kit?q=sparse&type=Oral").get_data(as_text=True)
    assert "Feed size:" in kit and "<html" not in kit


def test_bad_state_is_a_400_page(conf) -> None:
    for query in ("from=x", "from=-1", "day=2030-13-01", "colour=red"):
        response = conf.get(f"/conferences/{SLUG}?{query}")
        assert response.status_code == 400 and b"Traceback" not in response.data, query


def test_chunks_of_whole_sessions_cover_the_day_once(tmp_path: Path) -> None:
    app = create_app(make_test_config(tmp_path))
    store = app.extensions["calsync"]["store"]
    store.ensure_conference(SLUG, "Big", str(ZONE), 2030, datetime.now(UTC))
    store.import_schedule(SLUG, make_schedule(rooms=8, slots=4, talks=6), datetime.now(UTC))
    client = app.test_client()
    html = client.get(f"/conferences/{SLUG}?day=2030-06-03").get_data(as_text=True)
    seen = Page(html).talks
    assert CHUNK_TALKS <= len(seen) < 8 * 4 * 6
    while (more := re.search(r'class="load-more" data-where="after" href="([^"]+)"', html)):
        html = client.get(more[1].replace("&amp;", "&").replace(f"/conferences/{SLUG}?", f"/conferences/{SLUG}/programme?")).get_data(as_text=True)
        seen += Page(html).talks
    assert len(seen) == len(set(seen)) == 8 * 4 * 6


def test_talk_page_has_everything_and_add_once_links(conf_app, conf) -> None:
    session, talk = next((s, t) for s, t in all_talks(conf_app) if t.location and "$" in (t.title or ""))
    response = conf.get(f"/conferences/{SLUG}/talks/{talk.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and headings_in_order(Page(html).headings)
    assert "Learning ℓₚ" in html and talk.location in html and "Poster position" in html
    assert "Author " in html and talk.abstract in html and session.title in html and "Chair One" in html
    assert f'href="/conferences/{SLUG}/talks/{talk.id}.ics"' in html
    assert "calendar.google.com/calendar/render?action=TEMPLATE" in html and "outlook.live.com" in html
    assert conf.get(f"/conferences/{SLUG}/talks/{talk.id}.ics").status_code == 200
    missing = conf.get(f"/conferences/{SLUG}/talks/nope")
    assert missing.status_code == 404 and b"no talk" in missing.data


def test_my_schedule_items_in_time_order_with_clashes(conf_app, conf) -> None:
    pairs = all_talks(conf_app)
    first_day = [(s, t) for s, t in pairs if t.start.date() == DAYS[0]]
    a = first_day[0]
    clash = next(p for p in first_day if p[0].id != a[0].id and p[1].start == a[1].start)  # a parallel room
    later = first_day[-1]
    session = next(s for s, t in pairs if t.start.date() == DAYS[2])
    query = f"t={later[1].id}&t={a[1].id}&t={clash[1].id}&s={session.id}&t=gone-talk"
    html = conf.get(f"/conferences/{SLUG}/schedule/items?{query}").get_data(as_text=True)
    ids = re.findall(r'data-kind="[ts]" data-id="([^"]+)"', html)
    assert ids[-1] == session.id and ids.index(a[1].id) < ids.index(later[1].id)
    assert html.count('class="item clash"') == 2 and "1 starred item is no longer in the programme" in html
    assert "2 clash" in html
    page = conf.get(f"/conferences/{SLUG}/schedule").get_data(as_text=True)
    assert 'id="make-feed"' in page and headings_in_order(Page(page).headings)


def test_custom_feed_pages_show_their_talks(conf_app, conf) -> None:
    talks = all_talks(conf_app)
    created = conf.post("/api/feeds", json={"name": "Mine", "conference": SLUG, "talk_ids": [talks[0][1].id, talks[3][1].id]}).get_json()
    page = conf.get(f"/feeds/{created['token']}").get_data(as_text=True)
    assert page.count('href="/conferences/conf/talks/') == 2 and "2 talks" in page
    edit = conf.get(f"/feeds/{created['token']}/edit").get_data(as_text=True)
    assert edit.count('data-kind="t"') == 2 and 'id="edit-rotate"' in edit and 'id="edit-delete"' in edit
    views = re.findall(r'<option value="(talks|sessions|both)"', edit)
    assert views == ["talks", "sessions", "both"]  # each once
    assert headings_in_order(Page(edit).headings) and Page(edit).bad_parents == []


def test_every_page_has_ordered_headings_and_a_favicon(conf_app, conf) -> None:
    session, talk = all_talks(conf_app)[0]
    for path in ["/", f"/conferences/{SLUG}", f"/conferences/{SLUG}/sessions/{session.id}", f"/conferences/{SLUG}/talks/{talk.id}",
                 f"/conferences/{SLUG}/schedule", "/conferences/nope"]:
        html = conf.get(path).get_data(as_text=True)
        page = Page(html)
        assert headings_in_order(page.headings), (path, page.headings)
        assert page.bad_parents == [], (path, page.bad_parents)
        assert 'rel="icon" href="/static/favicon.svg"' in html
    assert conf.get("/static/favicon.svg").status_code == 200


def test_during_the_conference_today_and_the_current_session_are_shown(tmp_path: Path) -> None:
    """Sessions every two hours today (UTC): the page opens on today, at the session running now or next."""
    now = datetime.now(UTC)
    today = now.date()
    sessions = []
    for hour in range(0, 24, 2):
        start = datetime(today.year, today.month, today.day, hour, tzinfo=UTC)
        sid = make_session_id(f"Block {hour}", "Hall", start, None)
        sessions.append(Session(id=sid, title=f"Block {hour}", timezone="UTC", location="Hall", talks=(
            Talk(id=make_talk_id(sid, "Talk", 1), start=start, end=start + timedelta(minutes=120), title=f"Talk at {hour}"),)))
    yesterday = datetime(today.year, today.month, today.day, 12, tzinfo=UTC) - timedelta(days=1)
    sid = make_session_id("Yesterday", "Hall", yesterday, None)
    sessions.append(Session(id=sid, title="Yesterday", timezone="UTC", talks=(
        Talk(id=make_talk_id(sid, "Old", 1), start=yesterday, end=yesterday + timedelta(hours=1), title="Old"),)))
    app = create_app(make_test_config(tmp_path))
    store = app.extensions["calsync"]["store"]
    store.ensure_conference("today", "Today", "UTC", today.year, now)
    store.import_schedule("today", Schedule(timezone="UTC", sessions=tuple(sessions)), now)
    html = app.test_client().get("/conferences/today").get_data(as_text=True)
    assert f'aria-current="page">{today.strftime("%a %d %b")}' in html
    current = re.search(r'<article class="session card current"[^>]*>.*?<span class="badge">Now</span>', html, re.S)
    assert current is not None and html.count("session card current") == 1
    assert int(re.search(r"Block (\d+)", current[0])[1]) == now.hour - now.hour % 2


def test_other_formats_are_listed_and_served(conf_app, conf) -> None:
    talk = all_talks(conf_app)[0][1]
    created = conf.post("/api/feeds", json={"name": "Mine", "conference": SLUG, "talk_ids": [talk.id]}).get_json()
    for page in (f"/conferences/{SLUG}", f"/feeds/{created['token']}"):
        links = re.findall(r'<li><a href="([^"]+)" type="([^"]+)">', conf.get(page).get_data(as_text=True))
        assert len(links) >= 3 and any(url.endswith(".ics") for url, _ in links), page
        for url, content_type in links:
            response = conf.get(url.removeprefix("http://localhost"))
            assert response.status_code == 200 and response.content_type.split(";")[0] == content_type.split(";")[0], url
